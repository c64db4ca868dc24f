"""What a command shows on stderr while it works: the first-run compilation notice and progress bars."""

from __future__ import annotations

import sys

#: The line printed before kernels compile on a cold numba cache.
COMPILING_NOTICE = "compiling kernels (first run only; cached afterwards)"


def prepare_kernels(quiet: bool = False) -> int:
    """Compile every kernel, or load it from numba's cache (:func:`codedml.warm_up`), before a command works.

    On a cold cache (the first run in an environment: tens of seconds) print
    :data:`COMPILING_NOTICE` to stderr first, unless ``quiet``; return the number of compilations.
    """
    import codedml

    def announce() -> None:
        print(COMPILING_NOTICE, file=sys.stderr, flush=True)

    return codedml.warm_up(on_compile=None if quiet else announce)


def progress_bar(total: int, description: str, enabled: bool = True):
    """A tqdm bar of ``total`` steps on stderr, drawn only when ``enabled`` and stderr is a terminal.

    A disabled bar still counts (``update`` is a no-op), so callers never branch on it.
    """
    from tqdm import tqdm

    return tqdm(total=total, desc=description, file=sys.stderr, disable=not (enabled and sys.stderr.isatty()))
