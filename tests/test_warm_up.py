"""codedml.warm_up: every kernel compiled (or loaded from the cache) once, and a warm call does nothing."""

import importlib
import pkgutil

import pytest
from numba import config, typeof
from numba.core.registry import CPUDispatcher

import codedml
import codedml.kernels
from codedml._warm_up import _field_tables, _kernel_arguments
from codedml.fields.galois_fields import binary_extension_field

needs_jit = pytest.mark.skipif(config.DISABLE_JIT, reason="nothing compiles with NUMBA_DISABLE_JIT=1")


def public_kernels():
    kernels = []
    for module_info in pkgutil.iter_modules(codedml.kernels.__path__):
        module = importlib.import_module(f"codedml.kernels.{module_info.name}")
        kernels += [value for name, value in vars(module).items()
                    if isinstance(value, CPUDispatcher) and not name.startswith("_")
                    and value.py_func.__module__ == module.__name__]
    return kernels


@needs_jit
def test_every_public_kernel_is_warmed_up():
    warmed = {kernel for kernel, _ in _kernel_arguments()}
    assert {kernel.py_func.__qualname__ for kernel in public_kernels()} - \
        {kernel.py_func.__qualname__ for kernel in warmed} == set()
    codedml.warm_up()
    assert all(kernel.signatures for kernel in public_kernels())


@needs_jit
def test_a_second_call_compiles_nothing_and_stays_silent():
    codedml.warm_up()
    notices = []
    assert codedml.warm_up(on_compile=lambda: notices.append("compiling")) == 0
    assert notices == []


def test_uncompiled_warm_up_does_nothing(monkeypatch):
    monkeypatch.setattr(config, "DISABLE_JIT", True)
    assert codedml.warm_up(on_compile=pytest.fail) == 0


@pytest.mark.parametrize("degree", [8, 16])
def test_stand_in_tables_have_the_field_types(degree):
    field = binary_extension_field(degree)
    exp, log, reduction = _field_tables(degree)
    assert (typeof(exp), typeof(log), typeof(reduction)) == (typeof(field.exp), typeof(field.log),
                                                              typeof(field.reduction))
