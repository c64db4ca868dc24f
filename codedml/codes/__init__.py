"""Gradient codes: one class per scheme, all behind :class:`GradientCode`.

============================  ========  ==============================================================
class                         field     idea
============================  ========  ==============================================================
``UncodedScheme``             real      naive: partition ``i`` on worker ``i``, wait for all
``IgnoreStragglers``          real      uncoded, stop at ``n - s``, partial sum (approximate)
``FractionalRepetition``      real      survey eqs. 4-5, replicated disjoint blocks
``CyclicRepetition``          real      survey Algorithm 2 / cyclic-MDS, any ``s < n``
``LinearGradientCode``        real      any user-given ``B``, least-squares decoding
``survey_toy_code()``         real      survey eq. 3, ``n = 3, s = 1``
``OptimallyStructuredGC``     real      unbiased approximate GC, heterogeneous ``p``, bits
``IgnoreStragglersSGD``,      real      approximate baselines (seed quantized-approximate-gc)
``BernoulliGC``, ...
``LTCode``                    GF(2),    LT fountain code, peeling + elimination finish
                              real
``UncodedMMC``                real      multi-message uncoded (seed cpgc ``A_u``)
``MDSCodedComputationMMC``    real      MDS-coded matrix-vector (Lee et al.), one or many msgs
``CPGC``                      real      coded partial gradient computation (seed cpgc)
``GCMMC``                     real      GC with multi-message communication, clustering
``RatelessCodedComputation``  real      LT-coded ``W theta``, row-by-row streaming (Mallick et al.)
``ReedSolomon``               GF(2^8),  systematic Cauchy MDS erasure code on byte shards
                              GF(2^16)
``FastReedSolomon``           GF(2^8),  the same (any k of n) by the additive FFT, O(n log n)
                              GF(2^16)
``PolynomialGC``              real,     Reed-Solomon / polynomial GC (Halbawi; Kiani), threshold n - s
                              GF(p)
``MDSCodedComputation``       real,     MCC ``W theta`` from any M/r of K workers; seed ``A_m`` example
                              GF(p)
``LagrangeCodedComputing``    GF(p)     LCC, threshold (k - 1) deg f + 1, linear regression
``BATSCode``                  GF(2^8)   batched sparse code: outer LT-like, inner recoding, BP decoding
============================  ========  ==============================================================
"""

from codedml.codes.computation.base import ComputationCode
from codedml.codes.computation.lagrange import LagrangeCodedComputing
from codedml.codes.computation.mds import MDSCodedComputation
from codedml.codes.computation.rateless import RatelessCodedComputation
from codedml.codes.diagnostics.bspan import BSpanReport, check_b_span
from codedml.codes.diagnostics.conditioning import ConditioningReport, decoding_conditioning
from codedml.codes.erasure.base import ErasureCode
from codedml.codes.erasure.bats import BATSCode
from codedml.codes.erasure.fast_reed_solomon import FastReedSolomon
from codedml.codes.erasure.lt import LTCode, LTDecoder, degree_distribution
from codedml.codes.erasure.reed_solomon import ReedSolomon
from codedml.codes.gradient.approximate import (
    BernoulliGC,
    ErasureHeadGC,
    IgnoreStragglersSGD,
    OptimalDecodingGC,
    OptimallyStructuredGC,
    StochasticGC,
)
from codedml.codes.gradient.base import GradientCode, LinearGradientCode
from codedml.codes.gradient.polynomial import PolynomialGC
from codedml.codes.gradient.repetition import CyclicRepetition, FractionalRepetition
from codedml.codes.gradient.sparsification import (
    component_computation_load,
    graph_sparse_structure,
    support_components,
)
from codedml.codes.gradient.toy import SURVEY_TOY_DECODING, SURVEY_TOY_ENCODING, survey_toy_code
from codedml.codes.gradient.uncoded import IgnoreStragglers, UncodedScheme
from codedml.codes.multimessage.base import MessageSchedule, MultiMessageCode, PartialDecoding
from codedml.codes.multimessage.cpgc import CPGC
from codedml.codes.multimessage.gcmmc import GCMMC
from codedml.codes.multimessage.mds import MDSCodedComputationMMC
from codedml.codes.multimessage.uncoded import UncodedMMC

__all__ = [
    "CPGC",
    "GCMMC",
    "SURVEY_TOY_DECODING",
    "SURVEY_TOY_ENCODING",
    "BATSCode",
    "BSpanReport",
    "BernoulliGC",
    "ComputationCode",
    "ConditioningReport",
    "CyclicRepetition",
    "ErasureCode",
    "ErasureHeadGC",
    "FastReedSolomon",
    "FractionalRepetition",
    "GradientCode",
    "IgnoreStragglers",
    "IgnoreStragglersSGD",
    "LTCode",
    "LTDecoder",
    "LagrangeCodedComputing",
    "LinearGradientCode",
    "MDSCodedComputation",
    "MDSCodedComputationMMC",
    "MessageSchedule",
    "MultiMessageCode",
    "OptimalDecodingGC",
    "OptimallyStructuredGC",
    "PartialDecoding",
    "PolynomialGC",
    "RatelessCodedComputation",
    "ReedSolomon",
    "StochasticGC",
    "UncodedMMC",
    "UncodedScheme",
    "check_b_span",
    "component_computation_load",
    "decoding_conditioning",
    "degree_distribution",
    "graph_sparse_structure",
    "support_components",
    "survey_toy_code",
]
