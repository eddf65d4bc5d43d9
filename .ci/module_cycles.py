#!/usr/bin/env python3
"""Finds file-level import cycles in Rust source trees.

A file depends on another when it names an item through a path
(`crate::a::b`, `super::x`, `self::y`, or a child module's name) that
resolves to that file, following re-exports (`pub use`) to the file that
defines the item; `mod` declarations are containment, not dependencies.
Comments, string literals and `#[cfg(test)]` modules are ignored. Prints
every cycle with an example path and exits 1 if there is one.

usage: module_cycles.py SRC_DIR [SRC_DIR ...]
"""
import re
import sys
from pathlib import Path


def strip(code: str) -> str:
    """Removes comments and string/char literals (roughly, but enough for
    paths: doc links and messages must not count)."""
    out = []
    i, n = 0, len(code)
    while i < n:
        c = code[i]
        if code.startswith("//", i):
            j = code.find("\n", i)
            i = n if j < 0 else j
        elif code.startswith("/*", i):
            j = code.find("*/", i + 2)
            i = n if j < 0 else j + 2
        elif c == '"' or (c == "r" and re.match(r'r#*"', code[i:]) and not code[i - 1 : i].isalnum()):
            m = re.match(r'r(#*)"', code[i:])
            if m:
                end = '"' + m.group(1)
                j = code.find(end, i + len(m.group(0)))
                i = n if j < 0 else j + len(end)
            else:
                j = i + 1
                while j < n and code[j] != '"':
                    j += 2 if code[j] == "\\" else 1
                i = j + 1
        elif c == "'" and re.match(r"'(\\.|[^\\'])'", code[i:]):
            i += len(re.match(r"'(\\.|[^\\'])'", code[i:]).group(0))
        else:
            out.append(c)
            i += 1
    return "".join(out)


def module_path(root: Path, f: Path) -> list:
    rel = f.relative_to(root).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] in ("mod", "lib", "main"):
        parts = parts[:-1]
    return parts


def expand_use(tree: str) -> list:
    """Flattens a use tree `a::{b, c::{d}}` into paths."""
    tree = tree.replace(" ", "").replace("\n", "")
    m = re.match(r"^(.*?)::\{(.*)\}$", tree)
    if not m:
        return [tree]
    prefix, inner = m.groups()
    items, depth, cur = [], 0, ""
    for ch in inner:
        if ch == "," and depth == 0:
            items.append(cur)
            cur = ""
            continue
        depth += ch == "{"
        depth -= ch == "}"
        cur += ch
    if cur:
        items.append(cur)
    out = []
    for it in items:
        for p in expand_use(it):
            out.append(prefix if p == "self" else f"{prefix}::{p}")
    return out


def absolute(here: list, parts: list, modules: dict):
    """The absolute module path that `parts`, written in module `here`,
    names; None for another crate's path."""
    if parts[0] == "crate":
        return parts[1:]
    if parts[0] in ("super", "self"):
        base = list(here)
        while parts and parts[0] in ("super", "self"):
            if parts.pop(0) == "super":
                base = base[:-1]
        return base + parts
    if tuple(here + parts[:1]) in modules:
        # A child module named without a prefix.
        return here + parts
    return None


def graph(root: Path):
    files = sorted(root.rglob("*.rs"))
    modules = {tuple(module_path(root, f)): f for f in files}
    code = {f: strip(f.read_text()) for f in files}
    # Re-exports (`pub use a::B;`, `pub(crate) use ...`): a path through
    # a re-export depends on the file that defines the item, not on the
    # file that re-exports it.
    exports = {}
    for f in files:
        here = module_path(root, f)
        for m in re.finditer(r"\bpub(?:\([\w:]+\))?\s+use\s+([^;]+);", code[f]):
            for p in expand_use(m.group(1)):
                alias = re.search(r"\bas\s+(\w+)$", p)
                p = re.sub(r"\s*\bas\s+\w+$", "", p)
                parts = p.split("::")
                target = absolute(here, parts, modules)
                if target and target[-1] == "*":
                    exports.setdefault((tuple(here), "*"), []).append(target)
                elif target:
                    name = alias.group(1) if alias else target[-1]
                    exports[(tuple(here), name)] = target

    # Items each file defines, for glob re-exports (`pub use a::*;`).
    defines = {
        f: set(
            re.findall(
                r"\b(?:fn|struct|enum|trait|type|const|static|union)\s+(\w+)"
                r"|macro_rules!\s*(\w+)",
                code[f],
            )
        )
        for f in files
    }
    defines = {f: {a or b for a, b in names} for f, names in defines.items()}

    def resolve(target: list, depth=0):
        for k in range(len(target), -1, -1):
            f = modules.get(tuple(target[:k]))
            if f is None:
                continue
            rest = target[k:]
            if rest and depth < 20:
                module = tuple(target[:k])
                through = exports.get((module, rest[0]))
                if through is not None:
                    return resolve(through + rest[1:], depth + 1)
                if rest[0] not in defines[f]:
                    globbed = exports.get((module, "*"), [])
                    for glob in globbed:
                        source = tuple(glob[:-1])
                        gf = modules.get(source)
                        if gf is not None and (
                            rest[0] in defines[gf] or (source, rest[0]) in exports
                        ):
                            return resolve(glob[:-1] + rest, depth + 1)
            return f
        return None

    edges = {f: set() for f in files}
    token = re.compile(
        r"(?P<test>#\[cfg\(test\)\]\s*)?\bmod\s+(?P<mod>\w+)\s*\{|(?P<open>\{)|(?P<close>\})"
        r"|\buse\s+(?P<use>[^;]+);|(?<![\w:])(?P<path>\w+(?:::\w+)+)"
    )
    for f in files:
        # Paths inside an inline module (`mod tests { use super::*; }`)
        # are relative to it.
        # Test modules (`#[cfg(test)] mod tests { ... }`) are skipped: they
        # use the public API from below, which layers do not forbid.
        inline = []  # (module name, brace depth at which it closes, test)
        depth = 0
        for m in token.finditer(code[f]):
            if m.group("mod"):
                testing = bool(m.group("test")) or any(t for _, _, t in inline)
                inline.append((m.group("mod"), depth, testing))
                depth += 1
                continue
            if m.group("open"):
                depth += 1
                continue
            if m.group("close"):
                depth -= 1
                if inline and inline[-1][1] == depth:
                    inline.pop()
                continue
            if any(t for _, _, t in inline):
                continue
            here = module_path(root, f) + [name for name, _, _ in inline]
            paths = expand_use(m.group("use")) if m.group("use") else [m.group("path")]
            for p in paths:
                p = re.sub(r"\s*\bas\s+\w+$", "", p).strip(":")
                target = absolute(here, p.split("::"), modules)
                if target is None:
                    continue
                t = resolve(target)
                if t is not None and t != f:
                    edges[f].add(t)
    return edges


def cycles(edges: dict) -> list:
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(comp)

    sys.setrecursionlimit(10000)
    for v in edges:
        if v not in index:
            visit(v)
    return out


def a_cycle(edges: dict, comp: list) -> list:
    """A shortest cycle through the first file of a strongly connected
    component, for the message."""
    inside = set(comp)
    start = sorted(comp)[0]
    prev = {start: None}
    queue = [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(edges[v]):
            if w == start:
                path = [v]
                while prev[path[-1]] is not None:
                    path.append(prev[path[-1]])
                return list(reversed(path)) + [start]
            if w in inside and w not in prev:
                prev[w] = v
                queue.append(w)
    return comp


def main():
    bad = False
    for d in sys.argv[1:]:
        root = Path(d)
        found = cycles(graph(root))
        edges = graph(root)
        for comp in found:
            bad = True
            names = sorted(str(f.relative_to(root)) for f in comp)
            print(f"{d}: import cycle among {', '.join(names)}")
            print(f"  for example: {' -> '.join(str(f.relative_to(root)) for f in a_cycle(edges, comp))}")
        if not found:
            print(f"{d}: no import cycle ({len(list(root.rglob('*.rs')))} files)")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
