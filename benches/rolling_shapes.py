#!/usr/bin/env python3
"""Times `rolling_mean` on every data shape of `rolling_probe`, for one or
two builds of the probe, interleaved: each round runs every (shape, w)
case with each binary in turn (the order alternating between rounds), and
the table gives medians over the rounds of ns/point and of the ratio to the
copy timed in the same process.

usage: rolling_shapes.py [--n N] [--threads T] [--reps R] [--rounds K]
                         [--w 1,10,...] [--shapes walk,noise,...]
                         BINARY [BINARY ...]

For example, in cache on one thread, then N = 2e6 on two:

    python3 benches/rolling_shapes.py --n 65536 --threads 1 --reps 60 \\
        target/release/rolling_probe
    python3 benches/rolling_shapes.py --n 2000000 --threads 2 --reps 10 \\
        old/rolling_probe target/release/rolling_probe
"""
import argparse
import re
import statistics
import subprocess

SHAPES = ["walk", "walk0", "noise", "spikes", "halves", "steps", "offset"]
WIDTHS = [1, 10, 16, 20, 31, 32, 100, 500]
LINE = re.compile(r"rolling_mean ([0-9.]+) ns/point, copy ([0-9.]+) ns/point")


def run(binary, n, w, reps, threads, shape):
    out = subprocess.run(
        [binary, str(n), str(w), str(reps), str(threads), "f64", shape],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    m = LINE.search(out)
    return float(m.group(1)), float(m.group(2))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=65536)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--reps", type=int, default=60)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--w", default=",".join(map(str, WIDTHS)))
    p.add_argument("--shapes", default=",".join(SHAPES))
    p.add_argument("binaries", nargs="+")
    a = p.parse_args()
    widths = [int(v) for v in a.w.split(",")]
    shapes = a.shapes.split(",")
    times = {}  # (binary, shape, w) -> [(ns, copy)]
    for r in range(a.rounds):
        order = a.binaries if r % 2 == 0 else list(reversed(a.binaries))
        for shape in shapes:
            for w in widths:
                for b in order:
                    times.setdefault((b, shape, w), []).append(
                        run(b, a.n, w, a.reps, a.threads, shape)
                    )
    print(f"N = {a.n}, {a.threads} thread(s), best of {a.reps}, median of {a.rounds} rounds")
    print("ns/point (ratio to the copy), by binary: " + " | ".join(a.binaries))
    print()
    print("| shape | " + " | ".join(f"w = {w}" for w in widths) + " |")
    print("|---|" + "---|" * len(widths))
    for shape in shapes:
        cells = []
        for w in widths:
            parts = []
            for b in a.binaries:
                t = times[(b, shape, w)]
                ns = statistics.median(x for x, _ in t)
                ratio = statistics.median(x / c for x, c in t)
                parts.append(f"{ns:.2f} ({ratio:.2f}x)")
            cells.append(" / ".join(parts))
        print(f"| {shape} | " + " | ".join(cells) + " |")
    copies = [c for t in times.values() for _, c in t]
    print()
    print(f"copy: median {statistics.median(copies):.3f} ns/point, "
          f"range {min(copies):.3f}-{max(copies):.3f}")


if __name__ == "__main__":
    main()
