"""Analytic models: fog-node coding gain (Theorem 3 of the survey's fog section)."""

from codedml.analysis.fog import FogNodeCoding

__all__ = ["FogNodeCoding"]
