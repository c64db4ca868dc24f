"""Gradient codes: one class per scheme, all behind :class:`GradientCode`.

=========================  ======  ===================================================
class                      field   idea
=========================  ======  ===================================================
``UncodedScheme``          real    naive: partition ``i`` on worker ``i``, wait for all
``IgnoreStragglers``       real    uncoded, stop at ``n - s``, partial sum (approximate)
``FractionalRepetition``   real    survey eqs. 4-5, replicated disjoint blocks
``CyclicRepetition``       real    survey Algorithm 2 / cyclic-MDS, any ``s < n``
``LinearGradientCode``     real    any user-given ``B``, least-squares decoding
``survey_toy_code()``      real    survey eq. 3, ``n = 3, s = 1``
=========================  ======  ===================================================
"""

from codedml.codes.base import GradientCode, LinearGradientCode
from codedml.codes.bspan import BSpanReport, check_b_span
from codedml.codes.repetition import CyclicRepetition, FractionalRepetition
from codedml.codes.toy import SURVEY_TOY_DECODING, SURVEY_TOY_ENCODING, survey_toy_code
from codedml.codes.uncoded import IgnoreStragglers, UncodedScheme

__all__ = [
    "SURVEY_TOY_DECODING",
    "SURVEY_TOY_ENCODING",
    "BSpanReport",
    "CyclicRepetition",
    "FractionalRepetition",
    "GradientCode",
    "IgnoreStragglers",
    "LinearGradientCode",
    "UncodedScheme",
    "check_b_span",
    "survey_toy_code",
]
