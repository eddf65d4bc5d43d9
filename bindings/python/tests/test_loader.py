"""The loader: which build of the extension a CPU gets, the
SPLITAPPLY_X86_LEVEL cap, and the same results from every level a wheel
ships: the same bits from the levels with fused multiply-adds (v3, v4),
and at most a rounding apart from v2, which has none (each fused
multiply-add of a kernel is a multiply and an add there)."""

import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import splitapply as sa
from splitapply import _loader

V2 = _loader.LEVEL_FLAGS[2]
V3 = V2 | _loader.LEVEL_FLAGS[3]
V4 = V3 | _loader.LEVEL_FLAGS[4]


def test_levels_from_cpu_flags():
    assert _loader.level_of(frozenset({"sse", "sse2"})) == 1
    assert _loader.level_of(V2) == 2
    assert _loader.level_of(V3 - {"movbe"}) == 2
    assert _loader.level_of(V3) == 3
    assert _loader.level_of(V4 | {"avx512_fp16"}) == 4
    # AVX-512 without a v3 feature is still v2: levels build on each other.
    assert _loader.level_of(V4 - {"fma"}) == 2


def test_parse_level():
    for text, level in [("v2", 2), ("x86-64-v3", 3), ("4", 4), (" V3 ", 3), ("x86_64_v4", 4)]:
        assert _loader.parse_level(text) == level
    with pytest.raises(ImportError, match="use v2, v3 or v4"):
        _loader.parse_level("v5")


def test_choose():
    shipped = [2, 3, 4]
    assert _loader.choose(shipped, V4, None) == 4
    assert _loader.choose(shipped, V3, None) == 3
    assert _loader.choose(shipped, V4, 2) == 2
    assert _loader.choose([2, 3], V4, None) == 3
    assert _loader.choose(shipped, None, None) == 2, "unknown CPU: the lowest level"
    with pytest.raises(ImportError, match="asks for x86-64-v4, but this CPU runs at most x86-64-v3"):
        _loader.choose(shipped, V3, 4)
    with pytest.raises(ImportError, match=r"below x86-64-v2 \(missing cx16, popcnt, sse4_2\)"):
        _loader.choose(shipped, V2 - {"popcnt", "sse4_2", "cx16"}, None)


def test_cpu_flags_file(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx2\nbugs\t: none\n")
    assert _loader.cpu_flags(str(cpuinfo)) == {"fpu", "sse2", "avx2"}
    assert _loader.cpu_flags(str(tmp_path / "missing")) is None


def test_simd_info_names_the_build():
    info = sa.simd_info()
    assert info["build"] == "source" or info["build"] == info["level"]
    flags = _loader.cpu_flags()
    if flags is not None and info["cpu_level"] is not None:
        # /proc/cpuinfo, read by the loader, agrees with CPUID, read by Rust.
        assert f"x86-64-v{_loader.level_of(flags)}" == info["cpu_level"] or (
            _loader.level_of(flags) == 1 and info["cpu_level"] == "x86-64"
        )


SCRIPT = """
import sys, numpy as np, splitapply as sa
sys.path.insert(0, sys.argv[2])
from reference import builtin_table
t, _ = builtin_table(sa, np.float64, k=300)
t.function(lambda v: v * 3.0)
rng = np.random.default_rng(7)
idx = rng.integers(0, len(t), 100_003)
x = rng.uniform(0.1, 2.1, idx.size)
f32, _ = builtin_table(sa, np.float32, k=40)
idx32 = rng.integers(0, len(f32), 50_001)
np.savez(sys.argv[1], f64=sa.apply(t, idx, x), f32=sa.apply(f32, idx32, x[: idx32.size].astype(np.float32)),
         build=sa.simd_info()["build"], level=sa.simd_info()["level"])
"""


def run_at(level, out):
    env = dict(os.environ)
    env.pop(_loader.ENV, None)
    if level is not None:
        env[_loader.ENV] = level
    tests = str(pathlib.Path(__file__).resolve().parent)
    subprocess.run([sys.executable, "-c", SCRIPT, str(out), tests], check=True, env=env, timeout=300)
    return np.load(out)


def test_every_level_gives_the_same_results(tmp_path):
    if sa.simd_info()["build"] == "source":
        # A build from source has one extension; the variable is ignored.
        got = run_at("v2", tmp_path / "source.npz")
        assert str(got["build"]) == "source"
        pytest.skip("a build from source has one level; the wheel test runs this")
    cpu = _loader.level_of(_loader.cpu_flags())
    shipped = _loader.shipped("splitapply")
    assert shipped == [2, 3, 4], "the wheel ships every level"
    best = run_at(None, tmp_path / "best.npz")
    assert str(best["build"]) == f"x86-64-v{cpu}" == str(best["level"])
    for level in [n for n in shipped if n <= cpu]:
        got = run_at(f"v{level}", tmp_path / f"v{level}.npz")
        assert str(got["build"]) == f"x86-64-v{level}" == str(got["level"])
        for key in ("f64", "f32"):
            a, b = got[key], best[key]
            nan = np.isnan(a)
            assert np.array_equal(nan, np.isnan(b))
            if level >= 3:
                bits = np.uint64 if a.dtype == np.float64 else np.uint32
                assert np.array_equal(a[~nan].view(bits), b[~nan].view(bits)), f"v{level} {key}"
            else:
                # One rounding of a multiply-add: within 2 eps of max(1, |y|).
                eps = np.finfo(a.dtype).eps
                scale = np.maximum(1.0, np.abs(b[~nan].astype(np.float64)))
                worst = np.max(np.abs(a[~nan].astype(np.float64) - b[~nan]) / (eps * scale))
                print(f"v2 against v{cpu}, {key}: at most {worst:.2f} eps * max(1, |y|)")
                assert worst <= 2.0, f"v{level} {key}"
    if cpu < 4:
        with pytest.raises(subprocess.CalledProcessError):
            run_at("v4", tmp_path / "too-high.npz")
