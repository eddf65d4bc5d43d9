"""Which build of the extension to import.

A build from source (``pip install ./bindings/python``) has one extension,
``splitapply._splitapply``, compiled for the CPU it was built on. A wheel
from ``build_wheel.py`` has one per x86-64 level instead, in
``splitapply._v2``, ``_v3`` and ``_v4``: the kernels pick their instruction
set at compile time, so one build cannot be both fast on a new CPU and
safe on an old one. This module reads the CPU's features from
``/proc/cpuinfo`` (what the kernel lets programs use), in Python, so that
nothing compiled for a level the CPU lacks ever runs, and imports the
highest shipped level the CPU runs.

The environment variable ``SPLITAPPLY_X86_LEVEL`` (``v2``, ``v3`` or
``v4``, or ``x86-64-v3`` and the like) caps the level: a lower level gives
the same results, more slowly; a level above the CPU's is refused.
"""

import importlib
import importlib.util
import os

#: The features each x86-64 level adds, as /proc/cpuinfo names them
#: (``pni`` is SSE3, ``abm`` includes LZCNT, ``cx16`` is CMPXCHG16B).
LEVEL_FLAGS = {
    2: frozenset({"cx16", "lahf_lm", "popcnt", "pni", "sse4_1", "sse4_2", "ssse3"}),
    3: frozenset({"avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "abm", "movbe", "xsave"}),
    4: frozenset({"avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"}),
}

ENV = "SPLITAPPLY_X86_LEVEL"


def level_of(flags):
    """The highest x86-64 level whose features (and those of every level
    below) are all in ``flags``: 1 (baseline) to 4."""
    level = 1
    for n in (2, 3, 4):
        if not LEVEL_FLAGS[n] <= flags:
            break
        level = n
    return level


def cpu_flags(path="/proc/cpuinfo"):
    """The CPU's feature flags, or None where /proc/cpuinfo cannot tell."""
    try:
        with open(path) as f:
            for line in f:
                if line.startswith("flags"):
                    return frozenset(line.split(":", 1)[1].split())
    except OSError:
        pass
    return None


def parse_level(text):
    """``"v3"``, ``"x86-64-v3"`` or ``"3"`` as 3."""
    name = text.strip().lower()
    for prefix in ("x86-64-", "x86_64_", "v"):
        if name.startswith(prefix):
            name = name[len(prefix) :]
    if name in ("2", "3", "4"):
        return int(name)
    raise ImportError(f"{ENV}={text!r}: use v2, v3 or v4")


def shipped(package):
    """The levels whose build this installation has."""
    find = importlib.util.find_spec
    return [
        n
        for n in (2, 3, 4)
        if find(f"{package}._v{n}") is not None and find(f"{package}._v{n}._splitapply") is not None
    ]


def choose(levels, flags, forced):
    """The level to import among ``levels``, for a CPU with ``flags``
    (None: unknown, assume the lowest shipped level) and a cap
    ``forced`` (None: no cap)."""
    cpu = level_of(flags) if flags is not None else min(levels)
    if cpu < min(levels):
        missing = sorted(LEVEL_FLAGS[2] - flags) if flags is not None else []
        raise ImportError(
            f"this CPU is below x86-64-v{min(levels)} (missing {', '.join(missing)}), the oldest "
            f"level this splitapply wheel was built for; build it from source instead "
            f"(pip install ./bindings/python)"
        )
    if forced is not None and forced > cpu:
        raise ImportError(f"{ENV} asks for x86-64-v{forced}, but this CPU runs at most x86-64-v{cpu}")
    cap = cpu if forced is None else forced
    usable = [n for n in levels if n <= cap]
    if not usable:
        raise ImportError(f"{ENV} asks for x86-64-v{forced}, but this wheel has only {levels}")
    return max(usable)


def load(package):
    """The extension module to use and the name of its build:
    ``"x86-64-v3"`` and the like, or ``"source"``."""
    levels = shipped(package)
    if not levels:
        return importlib.import_module(f"{package}._splitapply"), "source"
    forced = os.environ.get(ENV)
    level = choose(levels, cpu_flags(), parse_level(forced) if forced else None)
    return importlib.import_module(f"{package}._v{level}._splitapply"), f"x86-64-v{level}"
