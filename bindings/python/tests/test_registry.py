"""Table's builder methods come from the library's registry of built-in
kernels: one per kernel, with the registry's parameters, each listed in the
stub. Adding a kernel to the registry adds its builder; this test then asks
for its line in ``__init__.pyi``."""

import ast
import inspect
import pathlib
import pickle

import numpy as np
import pytest

import splitapply as sa


def stub_methods():
    stub = pathlib.Path(sa.__file__).with_name("__init__.pyi")
    tree = ast.parse(stub.read_text())
    table = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Table")
    return {
        f.name: [a.arg for a in f.args.args[1:]]
        for f in table.body
        if isinstance(f, ast.FunctionDef)
    }


def test_every_builtin_kernel_has_a_builder_and_a_stub_line():
    kernels = sa._extension.builtin_kernels()
    assert {k[0] for k in kernels} >= {"affine", "poly", "exp", "spline", "interp"}
    methods = stub_methods()
    for name, summary, params in kernels:
        assert methods.get(name) == list(params), f"the stub's Table.{name} must take {params}"
        builder = getattr(sa.Table, name)
        assert list(inspect.signature(builder).parameters) == ["self", *params]
        assert builder.__doc__.endswith("Returns its index.")


def test_builders_take_keywords_and_check_their_arguments():
    t = sa.Table()
    assert t.interp(xp=[0.0, 1.0], fp=[0.0, 2.0]) == 0
    assert t.clamp(0.0, hi=1.0) == 1
    assert np.array_equal(sa.apply(t, [0, 1], [0.25, 3.0]), [0.5, 1.0])
    with pytest.raises(TypeError):
        t.clamp(0.0)
    with pytest.raises(TypeError):
        t.exp(1.0)
    with pytest.raises(TypeError):
        t.pow(p="two")
    assert len(t) == 2


def test_every_builder_pickles():
    t = sa.Table()
    t.affine(2.0, 1.0)
    t.poly([1.0, 0.5, 0.25])
    t.exp()
    t.pow(1.5)
    t.clamp(-1.0, 1.0)
    t.interp([0.0, 1.0, 2.0], [1.0, 0.0, 1.0])
    t.spline([0.0, 1.0, 2.0], np.arange(8.0).reshape(4, 2))
    t.affine_many([1.0, 2.0], [0.0, 0.0])
    again = pickle.loads(pickle.dumps(t))
    idx = np.arange(len(t))
    x = np.linspace(0.1, 1.9, len(t))
    assert np.array_equal(sa.apply(t, idx, x), sa.apply(again, idx, x))
