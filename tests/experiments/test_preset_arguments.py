"""The paper presets refuse bad arguments with a named error before simulating."""

import pytest

from codedml.errors import CodedMLError, ParameterError
from codedml.experiments import presets


@pytest.mark.parametrize("figure", [presets.cpgc_figure, presets.gc_mmc_figure])
@pytest.mark.parametrize("options, name", [
    ({"n_iterations": 0}, "n_iterations"), ({"n_iterations": 2.5}, "n_iterations"),
    ({"n_iterations": None}, "n_iterations"), ({"seed": -1}, "seed"), ({"seed": "x"}, "seed"),
    ({"mu": 0}, "mu"), ({"alpha": -1}, "alpha")])
def test_bad_arguments_of_a_figure_are_named(figure, options, name):
    with pytest.raises(ParameterError, match=name):
        figure(**({"n_iterations": 10} | options))


@pytest.mark.parametrize("ratios", [(), (-0.1,), (1.0,), (0.99,), (float("nan"),), ("a",)])
def test_cpgc_figure_refuses_tolerance_ratios_that_require_nothing(ratios):
    with pytest.raises(CodedMLError, match="tolerance_ratios"):
        presets.cpgc_figure(10, tolerance_ratios=ratios)


def test_gc_mmc_figure_refuses_a_non_boolean_hybrid_flag():
    with pytest.raises(ParameterError, match="hybrid"):
        presets.gc_mmc_figure(10, hybrid="no")


def test_run_refuses_an_unknown_preset():
    with pytest.raises(ParameterError, match="preset"):
        presets.run("nope", n_iterations=10)
