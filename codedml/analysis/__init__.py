"""Analytic models: fog-node coding gain (Theorem 3 of the survey's fog section) and BATS's communication
load (survey Figure 7)."""

from codedml.analysis.bats_load import batch_rank_distribution, bats_threshold, communication_loads, multicast_rounds
from codedml.analysis.fog import FogNodeCoding

__all__ = ["FogNodeCoding", "batch_rank_distribution", "bats_threshold", "communication_loads", "multicast_rounds"]
