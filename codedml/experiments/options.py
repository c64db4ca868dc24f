"""Argument checking shared by the commands: argparse option types and option-combination checks.

Every command's options are checked at parse time: a bad value exits with status 2 and one line
``codedml: error: argument OPTION: ...`` before any work starts. Combinations of options that no
single type can see are refused by the command (:func:`refuse_options`, :func:`check_size`) with a
:class:`~codedml.errors.ParameterError` naming the option, which :func:`codedml.cli.main` prints the same way.
This module imports nothing heavy, so the parser is built in a blink.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from typing import NoReturn

from codedml import _validation as validation
from codedml.errors import ParameterError
from codedml.experiments.plotting import figures_json_path


class CommandParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line ``codedml: error: MESSAGE`` on stderr, exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"codedml: error: {' '.join(message.split())}\n")


def integer_option(minimum: int | None = None, maximum: int | None = None) -> Callable[[str], int]:
    """An argparse ``type``: an integer in ``[minimum, maximum]`` (checked by :func:`_validation.integer`)."""

    def integer(text: str) -> int:
        return _checked(validation.integer, _number(text), minimum=minimum, maximum=maximum)

    return integer


def real_option(minimum: float | None = None, maximum: float | None = None, *, open_minimum: bool = False,
                open_maximum: bool = False) -> Callable[[str], float]:
    """An argparse ``type``: a finite real number in the stated interval (:func:`_validation.real`)."""

    def real(text: str) -> float:
        return _checked(validation.real, _number(text), minimum=minimum, maximum=maximum,
                        open_minimum=open_minimum, open_maximum=open_maximum)

    return real


def integer_list_option(minimum: int | None = None) -> Callable[[str], list[int]]:
    """An argparse ``type``: comma-separated distinct integers, each ``>= minimum``."""

    def integer_list(text: str) -> list[int]:
        values = [_checked(validation.integer, _number(item.strip()), minimum=minimum) for item in text.split(",")]
        if len(set(values)) != len(values):
            raise argparse.ArgumentTypeError(f"values must be distinct, got {text!r}")
        return values

    return integer_list


def output_file(text: str) -> str:
    """An argparse ``type``: a file path that can be written (its directory exists and is writable)."""
    _check_writable(text)
    return text


def plot_file(text: str) -> str:
    """An argparse ``type``: a writable figure path whose extension matplotlib can save (or none: PNG)."""
    _check_writable(text)
    extension = os.path.splitext(text)[1].lstrip(".").lower()
    if extension:
        from matplotlib.backend_bases import FigureCanvasBase

        formats = FigureCanvasBase.get_supported_filetypes()
        if extension not in formats:
            raise argparse.ArgumentTypeError(f"cannot save a figure as {extension!r} ({text!r}); "
                                             f"use one of {', '.join(sorted(formats))}")
    return text


def add_quiet_option(parser: argparse.ArgumentParser) -> None:
    """Add ``-q/--quiet``: no progress bar and no first-run compilation notice on stderr."""
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="no progress bar or compilation notice on stderr (bars show only on a terminal)")


def check_plot_output(option: str, path: str, *, figures_json: bool = False) -> None:
    """Raise :class:`ParameterError` naming ``option`` if the figure ``path`` (and, with ``figures_json``,
    the JSON file beside it) cannot be written: for default paths and for files derived from an option."""
    try:
        plot_file(path)
        if figures_json:
            output_file(figures_json_path(path))
    except argparse.ArgumentTypeError as error:
        raise ParameterError(f"argument {option}: {error}") from None


def refuse_options(args: argparse.Namespace, options: dict[str, str], reason: str) -> None:
    """Raise :class:`ParameterError` if an option of ``options`` (``dest -> flag``) was given; ``reason`` says why."""
    for dest, flag in options.items():
        if getattr(args, dest) not in (None, False):
            raise ParameterError(f"argument {flag}: not allowed {reason}")


def check_size(option: str, n_elements: int, what: str) -> None:
    """:func:`_validation.array_size` with the option that sets the size named first."""
    try:
        validation.array_size(n_elements, what)
    except ParameterError as error:
        raise type(error)(f"argument {option}: {error}") from None


def fill_defaults(args: argparse.Namespace, defaults: dict) -> None:
    """Set every option of ``defaults`` that was not given (is ``None``) to its default."""
    for dest, value in defaults.items():
        if getattr(args, dest) is None:
            setattr(args, dest, value)


def _number(text: str):
    """``text`` as an int, else a float, else unchanged (then refused by the check with its value shown)."""
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    return text


def _checked(check, value, **limits):
    try:
        return check(value, "value", **limits)
    except ParameterError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _check_writable(path: str) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    if not path or os.path.isdir(path):
        raise argparse.ArgumentTypeError(f"{path!r} is not a file name")
    if not os.path.isdir(directory):
        raise argparse.ArgumentTypeError(f"directory {directory!r} of {path!r} does not exist")
    if not os.access(directory, os.W_OK | os.X_OK) or (os.path.exists(path) and not os.access(path, os.W_OK)):
        raise argparse.ArgumentTypeError(f"cannot write {path!r}: permission denied")
