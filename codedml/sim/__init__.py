"""Straggler models, the Monte Carlo completion-time simulator (one :func:`simulate` for every family, with
deadlines for approximate codes), closed-form / exact expected completion times, and cluster traces: their
format, replay and maximum-likelihood fits."""

from codedml.sim.closed_forms import (
    gradient_coding_expected_completion_time,
    harmonic_number,
    mds_coded_computation_expected_completion_time,
    mds_recovery_threshold,
    uncoded_expected_completion_time,
)
from codedml.sim.deadline import expected_deadline_error
from codedml.sim.fitting import (
    FittedShiftedExponential,
    deadline_straggling_probabilities,
    estimate_straggling_probabilities,
    fit_shifted_exponential,
    fit_trace,
)
from codedml.sim.montecarlo import DeadlineResult, MultiMessageResult, SimulatableCode, SimulationResult, simulate
from codedml.sim.probabilities import exponential_straggler_probabilities, straggler_probabilities
from codedml.sim.score_vectors import exact_expected_completion_time, score_type_counts
from codedml.sim.stragglers import (
    BernoulliStragglers,
    HeterogeneousShiftedExponential,
    InjectedDelays,
    LoadIndependent,
    PersistentStragglers,
    ShiftedExponential,
    StragglerModel,
    TraceReplay,
)
from codedml.sim.traces import TRACE_FIELDS, TRACE_STATUSES, Trace, read_trace, write_trace

__all__ = [
    "BernoulliStragglers",
    "DeadlineResult",
    "FittedShiftedExponential",
    "HeterogeneousShiftedExponential",
    "InjectedDelays",
    "LoadIndependent",
    "MultiMessageResult",
    "PersistentStragglers",
    "ShiftedExponential",
    "SimulatableCode",
    "SimulationResult",
    "StragglerModel",
    "TRACE_FIELDS",
    "TRACE_STATUSES",
    "Trace",
    "TraceReplay",
    "deadline_straggling_probabilities",
    "estimate_straggling_probabilities",
    "exact_expected_completion_time",
    "expected_deadline_error",
    "exponential_straggler_probabilities",
    "fit_shifted_exponential",
    "fit_trace",
    "gradient_coding_expected_completion_time",
    "harmonic_number",
    "mds_coded_computation_expected_completion_time",
    "mds_recovery_threshold",
    "read_trace",
    "score_type_counts",
    "simulate",
    "straggler_probabilities",
    "uncoded_expected_completion_time",
    "write_trace",
]
