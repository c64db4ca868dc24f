"""Straggler models and the Monte Carlo completion-time simulator."""

from codedml.sim.montecarlo import SimulationResult, simulate
from codedml.sim.multimessage import (
    MultiMessageResult,
    exact_expected_completion_time,
    score_type_counts,
    simulate_messages,
)
from codedml.sim.probabilities import exponential_straggler_probabilities, straggler_probabilities
from codedml.sim.stragglers import (
    HeterogeneousShiftedExponential,
    InjectedDelays,
    PersistentStragglers,
    ShiftedExponential,
    StragglerModel,
)

__all__ = [
    "HeterogeneousShiftedExponential",
    "InjectedDelays",
    "MultiMessageResult",
    "PersistentStragglers",
    "ShiftedExponential",
    "SimulationResult",
    "StragglerModel",
    "exact_expected_completion_time",
    "exponential_straggler_probabilities",
    "score_type_counts",
    "simulate",
    "simulate_messages",
    "straggler_probabilities",
]
