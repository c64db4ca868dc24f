"""codedml: error-control codes for straggler-tolerant distributed machine learning.

Subpackages: :mod:`codedml.codes` (every code behind one interface),
:mod:`codedml.kernels` (compiled kernels), :mod:`codedml.sim` (straggler models and
the completion-time simulator), :mod:`codedml.learn` (quantizers, bit allocation, coded
training, coded ADMM), :mod:`codedml.cluster` (coded gradient descent on a Dask cluster),
:mod:`codedml.errors`.
"""

__version__ = "0.1.0"
