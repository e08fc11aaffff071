"""The layout's rules (docs/DEVELOPING.md, "The tree and its rules"), read from the sources with ast.

Imports inside functions count as imports: a cycle through a function-level import is a cycle.
"""
from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOP = ("propertydesk", "ui", "app", "models")
# within app/: a package may import its own modules and packages of a lower rank only
APP_RANK = {"core": 0, "printing": 1, "system": 1,
            "archives": 2, "ledger": 2, "parking": 2, "renovation": 2, "service": 2, "desk": 2, "movein": 2,
            "frontdesk": 2,
            "notices": 2,
            "golive": 2,
            "office": 3, "demo": 3}
AREAS = {name for name, rank in APP_RANK.items() if rank == 2}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources():
    for top in TOP:
        for path in sorted((ROOT / top).rglob("*.py")):
            yield _module_name(path), path


SOURCES = dict(_sources())


def _resolve(module: str, is_pkg: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_pkg else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(module: str, path: Path):
    """(imported module, names imported from it, line) for every import statement of the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_pkg = path.name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, [], node.lineno
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, is_pkg, node)
            names = [a.name for a in node.names]
            # ``from pkg import module`` imports the module
            subs = [n for n in names if f"{target}.{n}" in SOURCES]
            for n in subs:
                yield f"{target}.{n}", [], node.lineno
            rest = [n for n in names if n not in subs]
            if rest or not subs:
                yield target, rest, node.lineno


def _known(name: str) -> str | None:
    """The project module an import names (a dotted name may reach into a module's attribute)."""
    while name:
        if name in SOURCES:
            return name
        name = name.rpartition(".")[0]
    return None


IMPORTS = {m: list(_imports(m, p)) for m, p in SOURCES.items()}
GRAPH = {m: {k for t, _n, _l in imps if (k := _known(t)) and k != m} for m, imps in IMPORTS.items()}


def _app_package(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "app" and len(parts) > 2 else None


def test_layers_point_one_way():
    """propertydesk → ui → app → models; app never imports Qt; models import only app.core (errors, pinyin)."""
    allowed = {"propertydesk": set(TOP), "ui": {"ui", "app", "models"}, "app": {"app", "models"},
               "models": {"models", "app.core"}}
    bad = []
    for module, imps in IMPORTS.items():
        top = module.split(".")[0]
        for target, _names, line in imps:
            root = target.split(".")[0]
            if root in TOP and root not in allowed[top] and not target.startswith(tuple(allowed[top])):
                bad.append(f"{module}:{line} imports {target}")
            if top in ("app", "models") and root in ("PySide6", "qtawesome", "shiboken6"):
                bad.append(f"{module}:{line} imports {target}")
    assert not bad, "\n".join(bad)


def test_app_packages_by_rank():
    """core below printing and system, those below the areas, the areas below the demo sites."""
    bad = []
    for module, targets in GRAPH.items():
        pkg = _app_package(module)
        if pkg is None:
            continue
        assert pkg in APP_RANK, f"app/{pkg}/ is not in APP_RANK: give the new package its rank"
        for target in targets:
            tpkg = _app_package(target)
            if tpkg is None or tpkg == pkg:
                continue
            if APP_RANK[tpkg] >= APP_RANK[pkg] and not (pkg in AREAS and tpkg in AREAS):
                bad.append(f"{module} imports {target}")
    assert not bad, "\n".join(bad)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
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
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_module_cycles():
    """No two modules import each other, directly or around a ring (function-level imports count).
    A package's ``__init__`` is left out: importing ``pkg.mod`` runs it, but it imports nothing."""
    graph = {m: {t for t in ts if SOURCES[t].name != "__init__.py"} for m, ts in GRAPH.items()}
    cycles = _cycles(graph)
    assert not cycles, "\n".join(" ↔ ".join(c) for c in cycles)


def test_no_area_package_cycles():
    """No area package imports one that imports it back."""
    graph = defaultdict(set)
    for module, targets in GRAPH.items():
        pkg = _app_package(module)
        for target in targets:
            tpkg = _app_package(target)
            if pkg in AREAS and tpkg in AREAS and tpkg != pkg:
                graph[pkg].add(tpkg)
    assert not _cycles(graph), dict(graph)


def test_no_private_names_imported():
    bad = []
    for module, imps in IMPORTS.items():
        for target, names, line in imps:
            if not _known(target):
                continue
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            if private or any(p.startswith("_") and not p.startswith("__") for p in target.split(".")):
                bad.append(f"{module}:{line} imports {private or target} from {target}")
    assert not bad, "\n".join(bad)


DATABASE_CORE = {"app.core.audit", "app.core.permissions", "app.core.lookup", "app.core.sequences"}


def test_printing_renders_frozen_data():
    """A form module renders the data it is given: it reads no database and calls no service."""
    bad = []
    for module, imps in IMPORTS.items():
        if not module.startswith("app.printing."):
            continue
        for target, _names, line in imps:
            known = _known(target)
            if known and not (known.startswith(("app.printing", "app.core")) or known == "app") \
                    or known in DATABASE_CORE:
                bad.append(f"{module}:{line} imports {target}")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("top", TOP)
def test_modules_stay_small(top):
    """No module over 500 lines: a bigger one is split by topic."""
    big = [f"{p.relative_to(ROOT)} ({n})" for m, p in SOURCES.items() if m.split(".")[0] == top
           if (n := len(p.read_text(encoding="utf-8").splitlines())) > 500]
    assert not big, ", ".join(big)


def test_no_probes():
    """Modules that always exist are imported plainly: nobody asks whether an area is installed."""
    bad = [m for m, p in SOURCES.items() if "find_spec(" in p.read_text(encoding="utf-8")]
    fake = "setitem(sys.modules, " + '"app.'
    tests = [str(p.relative_to(ROOT)) for p in (ROOT / "tests").rglob("*.py") if fake in p.read_text(encoding="utf-8")]
    bad += [f"{t} fakes an app module in sys.modules" for t in tests]
    assert not bad, "\n".join(bad)


def test_ruff_clean():
    """The lint rules pyproject.toml declares hold over the whole tree."""
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    r = subprocess.run([ruff, "check", "--no-cache", "--output-format", "concise", "."], cwd=ROOT,
                       capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]
