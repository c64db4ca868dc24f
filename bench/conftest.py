"""pytest settings for the quick side-by-side benchmarks in ``bench/quick`` (asv does not import that folder).

The project's ``addopts`` disable pytest-benchmark (``--benchmark-disable``) so that the test suite
runs each benchmarked call once; ``pytest bench/ --benchmark-only`` turns measuring back on.
"""


def pytest_configure(config):
    if config.getoption("benchmark_only", default=False):
        config.option.benchmark_enable = True
