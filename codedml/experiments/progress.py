"""What a command shows on stderr while it works: a progress bar, on a terminal only."""

from __future__ import annotations

import sys


def progress_bar(total: int, description: str, enabled: bool = True):
    """A tqdm bar of ``total`` steps on stderr, drawn only when ``enabled`` and stderr is a terminal.

    A disabled bar still counts (``update`` is a no-op), so callers never branch on it.
    """
    from tqdm import tqdm

    return tqdm(total=total, desc=description, file=sys.stderr, disable=not (enabled and sys.stderr.isatty()))
