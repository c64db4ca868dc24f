"""The survey's toy gradient code (survey Figure 1 and eq. 3): ``n = 3`` workers, ``s = 1``."""

from __future__ import annotations

import numpy as np

from codedml.codes.gradient.base import LinearGradientCode

#: ``B`` of survey eq. (3): worker 1 sends ``g1/2 + g2``, worker 2 ``g2 - g3``, worker 3 ``g1/2 + g3``.
SURVEY_TOY_ENCODING = np.array([[0.5, 1.0, 0.0], [0.0, 1.0, -1.0], [0.5, 0.0, 1.0]])

#: ``A`` of survey eq. (3): row ``j`` decodes when worker ``j`` straggles (its zero), ``A B = 1``.
SURVEY_TOY_DECODING = np.array([[0.0, 1.0, 2.0], [1.0, 0.0, 1.0], [2.0, -1.0, 0.0]])


def survey_toy_code() -> LinearGradientCode:
    """The survey's ``n = 3, s = 1`` code; any two workers decode ``g1 + g2 + g3``.

    Examples
    --------
    >>> import numpy as np
    >>> from codedml.codes import survey_toy_code
    >>> code = survey_toy_code()
    >>> (code.decoding_vector([0, 1]).round(12) + 0.0).tolist()   # worker 3 out: 2 (g1/2 + g2) - (g2 - g3)
    [2.0, -1.0, 0.0]
    """
    return LinearGradientCode(SURVEY_TOY_ENCODING, n_stragglers=1)
