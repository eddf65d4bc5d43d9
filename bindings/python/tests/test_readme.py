"""The README's Python blocks run as written."""

import pathlib
import re

import numpy as np
import pytest

README = pathlib.Path(__file__).resolve().parents[3] / "README.md"


def python_blocks():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    assert blocks, "no Python block in the README"
    return blocks


def test_quick_start_runs():
    blocks = python_blocks()
    scope = {}
    exec(compile(blocks[0], "README.md", "exec"), scope)
    t, idx, x, out = scope["t"], scope["idx"], scope["x"], scope["out"]
    assert len(t) == 253 and out.shape == x.shape
    # The spline block: t**2 on [0, 0.5], then 0.125 + 0.5 (t - 0.5) ... per PPoly.
    sel = idx == 2
    d = np.where(x[sel] < 0.5, x[sel], x[sel] - 0.5)
    c = np.array([[1.0, -1.0], [0.0, 1.5], [0.0, 0.0], [0.0, 0.125]])
    piece = (x[sel] >= 0.5).astype(int)
    want = ((c[0, piece] * d + c[1, piece]) * d + c[2, piece]) * d + c[3, piece]
    np.testing.assert_allclose(out[sel], want, rtol=1e-15, atol=1e-16)


def test_the_seed_becomes_one_call():
    (block,) = [b for b in python_blocks() if "apply_indexed_fast" in b]
    scope = {}
    exec(compile(block, "README.md", "exec"), scope)  # asserts equality itself
    assert np.array_equal(scope["out"], scope["func_indices"] * scope["abcissa"])


def test_the_halotools_table_as_it_is():
    pytest.importorskip("halotools.empirical_models")
    (block,) = [b for b in python_blocks() if "vel_prof_func_table" in b]
    scope = {"np": np, "sa": __import__("splitapply")}
    exec(compile(block, "README.md", "exec"), scope)
    from halotools.empirical_models.model_helpers import call_func_table

    want = call_func_table(scope["table"], scope["log_r"], scope["conc"])
    assert np.array_equal(scope["exact"], want)
    assert np.max(np.abs(scope["sigma"] - want) / np.abs(want)) <= 1e-14


def test_the_module_docstring_example():
    import doctest

    import splitapply

    failures, tried = doctest.testmod(splitapply)
    assert tried > 0 and failures == 0
