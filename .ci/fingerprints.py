#!/usr/bin/env python3
"""Checks the cross-build promise from the files tests/fingerprint.rs
writes (SPLITAPPLY_FINGERPRINT_OUT): builds with FMA agree on every
fingerprint; builds without it agree with them on the kernels whose
arithmetic has no multiply-add.

usage: fingerprints.py FILE [FILE ...]
"""
import sys

# Kernels with no multiply-add: the same bits with or without FMA.
WITHOUT_FMA = ("sqrt ", "clamp ")


def read(path):
    lines = open(path).read().split("\n")
    fma = lines[0] == "fma true"
    values = dict(l.rsplit(" ", 1) for l in lines[1:] if l)
    return fma, values


def main():
    builds = {p: read(p) for p in sys.argv[1:]}
    fma = {p: v for p, (f, v) in builds.items() if f}
    plain = {p: v for p, (f, v) in builds.items() if not f}
    if not fma:
        sys.exit("no build with FMA to compare")
    reference_path, reference = next(iter(fma.items()))
    bad = []
    for path, values in fma.items():
        if values.keys() != reference.keys():
            bad.append(f"{path}: other fingerprints than {reference_path}")
        bad += [f"{path}: {k} differs from {reference_path}" for k in values if values.get(k) != reference.get(k)]
    for path, values in plain.items():
        promised = [k for k in reference if k.startswith(WITHOUT_FMA)]
        if not promised:
            bad.append(f"{reference_path}: no fingerprint of {', '.join(WITHOUT_FMA)}")
        bad += [f"{path} (no FMA): {k} missing" for k in promised if k not in values]
        for k, v in values.items():
            if k.startswith(WITHOUT_FMA) and v != reference.get(k):
                bad.append(f"{path} (no FMA): {k} differs from {reference_path}")
        differ = sum(v != reference.get(k) for k, v in values.items())
        print(f"{path} (no FMA): {differ} of {len(values)} fingerprints differ from the FMA builds (not promised)")
    for b in bad:
        print(b)
    if bad:
        sys.exit(1)
    print(f"{len(fma)} FMA builds agree on {len(reference)} fingerprints: {', '.join(fma)}")


if __name__ == "__main__":
    main()
