"""Matplotlib set up for writing figures to files (no display)."""

from __future__ import annotations

import json


def pyplot():
    """``matplotlib.pyplot`` on the non-interactive Agg backend, imported on first use."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def write_figures_json(plot_path: str, figures: dict) -> str:
    """Write ``figures`` as JSON beside ``plot_path`` (same name, ``.json``); return that file's path."""
    json_path = plot_path.rsplit(".", 1)[0] + ".json"
    with open(json_path, "w") as handle:
        json.dump(figures, handle, indent=2)
    return json_path
