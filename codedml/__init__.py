"""codedml: error-control codes for straggler-tolerant distributed machine learning.

Subpackages: :mod:`codedml.codes` (every code behind one interface),
:mod:`codedml.kernels` (compiled kernels), :mod:`codedml.sim` (straggler models and
the completion-time simulator), :mod:`codedml.learn` (quantizers, bit allocation, coded
training, coded ADMM), :mod:`codedml.cluster` (coded gradient descent on a Dask cluster),
:mod:`codedml.errors`.
"""

__all__ = ["warm_up"]


def __getattr__(name: str):
    # warm_up imports every compiled kernel (numba): load it on first use, so that importing any
    # codedml module (``codedml --help`` among them) stays light
    if name == "warm_up":
        from codedml._warm_up import warm_up

        return warm_up
    raise AttributeError(f"module 'codedml' has no attribute {name!r}")

__version__ = "0.1.0"
