"""``python -m codedml``: the ``codedml`` command."""

from codedml.cli import main

raise SystemExit(main())
