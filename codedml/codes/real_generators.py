"""Real-field evaluation points and MDS generators shared by the code families.

Chebyshev nodes keep real interpolation and Vandermonde systems as well conditioned as
polynomial codes allow; the gradient, multi-message and coded-computation families all take
their points and generators from here.
"""

from __future__ import annotations

import numpy as np

from codedml import _validation as check


def chebyshev_points(n_points: int, half_width: float = 1.0) -> np.ndarray:
    """The ``n_points`` Chebyshev nodes ``half_width cos(pi (i + 1/2) / n_points)`` on ``[-half_width, half_width]``.

    ``half_width = 2`` gives an interval of capacity one, where products of point differences stay near 1.

    Examples
    --------
    >>> chebyshev_points(2).round(6).tolist()
    [0.707107, -0.707107]
    """
    n_points = check.integer(n_points, "n_points", minimum=1)
    half_width = check.real(half_width, "half_width", minimum=0.0, open_minimum=True)
    return half_width * np.cos(np.pi * (np.arange(n_points) + 0.5) / n_points)


def chebyshev_vandermonde(n_rows: int, n_cols: int) -> np.ndarray:
    """Real MDS generator: Vandermonde in the Chebyshev basis at Chebyshev points (any ``n_cols`` rows invertible).

    Examples
    --------
    >>> chebyshev_vandermonde(3, 2).shape
    (3, 2)
    """
    n_rows = check.integer(n_rows, "n_rows", minimum=1)
    n_cols = check.integer(n_cols, "n_cols", minimum=1)
    check.array_size(n_rows * n_cols, f"the {n_rows} x {n_cols} Chebyshev-Vandermonde generator")
    return np.polynomial.chebyshev.chebvander(chebyshev_points(n_rows), n_cols - 1)
