"""The README's Python quick start runs as written."""

import pathlib
import re

import numpy as np

README = pathlib.Path(__file__).resolve().parents[3] / "README.md"


def test_quick_start_runs():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    assert blocks, "no Python block in the README"
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
