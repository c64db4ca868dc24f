"""Analytic and timing models: fog-node coding gain (the survey's fog section), LCC's completion time and
BATS's communication load (survey Figure 7)."""

from codedml.analysis.bats_load import batch_rank_distribution, bats_threshold, communication_loads, multicast_rounds
from codedml.analysis.fog import FogNodeCoding
from codedml.analysis.lcc_timing import LagrangeCompletionModel

__all__ = [
    "FogNodeCoding",
    "LagrangeCompletionModel",
    "batch_rank_distribution",
    "bats_threshold",
    "communication_loads",
    "multicast_rounds",
]
