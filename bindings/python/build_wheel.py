#!/usr/bin/env python3
"""Builds one wheel holding the extension built three times, once per
x86-64 level (v2, v3, v4), for the Python that runs this script.

    pip install maturin && python bindings/python/build_wheel.py [--out DIR]

(maturin is run as ``python -m maturin`` by the Python that runs this.)

Each level is an ordinary ``maturin build --release`` with
``RUSTFLAGS="-C target-cpu=x86-64-vN"`` (in a target directory of its own,
so the levels do not rebuild each other). The v2 wheel is then rewritten:
its extension moves to ``splitapply/_v2/``, the v3 and v4 extensions are
added as ``splitapply/_v3/`` and ``_v4/``, and RECORD is written anew. At
import, ``splitapply/_loader.py`` picks the highest level the CPU runs.
Prints the wheel's path.
"""

import argparse
import base64
import hashlib
import os
import pathlib
import subprocess
import sys
import zipfile

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
LEVELS = ("v2", "v3", "v4")


def build(level, work):
    """``maturin build`` for one level; returns the wheel's path."""
    dist = work / level / "dist"
    for old in dist.glob("*.whl"):
        old.unlink()
    env = dict(os.environ)
    env["RUSTFLAGS"] = f"-C target-cpu=x86-64-{level}"
    env["CARGO_TARGET_DIR"] = str(work / level / "target")
    subprocess.run(
        [
            sys.executable, "-m", "maturin", "build", "--release", "--locked",
            "--manifest-path", str(HERE / "Cargo.toml"),
            "--interpreter", sys.executable,
            "--out", str(dist),
        ],
        check=True,
        env=env,
    )
    (wheel,) = dist.glob("*.whl")
    return wheel


def is_extension(name):
    """The compiled module's path inside a wheel."""
    return name.startswith("splitapply/_splitapply") and name.endswith((".so", ".pyd"))


def record_line(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def assemble(wheels, out):
    """The v2 wheel with every level's extension in its own subpackage."""
    base = wheels["v2"]
    target = out / base.name
    files = {}
    with zipfile.ZipFile(base) as z:
        for info in z.infolist():
            if info.filename.endswith(".dist-info/RECORD"):
                record = info.filename
                continue
            data = z.read(info)
            if is_extension(info.filename):
                continue
            files[info.filename] = data
    for level, wheel in wheels.items():
        with zipfile.ZipFile(wheel) as z:
            (ext,) = [n for n in z.namelist() if is_extension(n)]
            files[f"splitapply/_{level}/__init__.py"] = b""
            files[f"splitapply/_{level}/{ext.split('/', 1)[1]}"] = z.read(ext)
    lines = [record_line(name, data) for name, data in files.items()]
    lines.append(f"{record},,")
    files[record] = ("\n".join(lines) + "\n").encode()
    out.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = (0o755 if name.endswith((".so", ".pyd")) else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return target


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=pathlib.Path, default=ROOT / "target" / "wheels", help="where the wheel goes")
    p.add_argument("--work", type=pathlib.Path, default=ROOT / "target" / "wheel-levels", help="build directories")
    args = p.parse_args()
    wheels = {level: build(level, args.work.resolve()) for level in LEVELS}
    print(assemble(wheels, args.out.resolve()))


if __name__ == "__main__":
    main()
