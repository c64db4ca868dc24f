"""Matplotlib set up for writing figures to files (no display)."""

from __future__ import annotations

import json
import os


def pyplot():
    """``matplotlib.pyplot`` on the non-interactive Agg backend, imported on first use."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def figures_json_path(plot_path: str) -> str:
    """The JSON file beside ``plot_path``: same name, extension ``.json``."""
    return os.path.splitext(plot_path)[0] + ".json"


def write_figures_json(plot_path: str, figures: dict) -> str:
    """Write ``figures`` as JSON beside ``plot_path`` (:func:`figures_json_path`); return that file's path."""
    json_path = figures_json_path(plot_path)
    with open(json_path, "w") as handle:
        json.dump(figures, handle, indent=2)
    return json_path
