"""Straggler models and the Monte Carlo completion-time simulator."""

from codedml.sim.montecarlo import SimulationResult, simulate
from codedml.sim.stragglers import (
    HeterogeneousShiftedExponential,
    PersistentStragglers,
    ShiftedExponential,
    StragglerModel,
)

__all__ = [
    "HeterogeneousShiftedExponential",
    "PersistentStragglers",
    "ShiftedExponential",
    "SimulationResult",
    "StragglerModel",
    "simulate",
]
