"""The package's layout: module-level imports form no circle, old paths say where
things went, and the evaluation engine knows no paper."""

import ast
import importlib
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "skgenaug"


def _module_name(path):
    parts = ["skgenaug", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_package(name):
    return (PACKAGE.joinpath(*name.split(".")[1:]) / "__init__.py").is_file()


def _targets(name, node):
    """Modules that a module-level import statement of ``name`` runs."""
    package = name if _is_package(name) else name.rpartition(".")[0]
    if isinstance(node, ast.Import):
        bases = [alias.name for alias in node.names]
        names = []
    else:
        base = package
        for _ in range(node.level - 1):
            base = base.rpartition(".")[0]
        bases = [f"{base}.{node.module}" if node.module else base]
        if node.level == 0:
            bases = [node.module]
        names = [f"{bases[0]}.{alias.name}" for alias in node.names]
    found = set()
    for module in [*bases, *names]:
        if not module.startswith("skgenaug"):
            continue
        # Importing a.b.c runs a/b/__init__ and then c (and a/__init__, which every
        # module of the package runs first anyway, so it is left out here).
        parts = module.split(".")
        for i in range(2, len(parts) + 1):
            path = PACKAGE.joinpath(*parts[1:i])
            if path.with_suffix(".py").is_file() or (path / "__init__.py").is_file():
                found.add(".".join(parts[:i]))
    if isinstance(node, ast.ImportFrom) and bases == ["skgenaug"] and any(
            f"skgenaug.{alias.name}" not in found for alias in node.names):
        found.add("skgenaug")  # a name taken from the package root itself
    # A module's own packages are initialised before it runs: no new import.
    return {t for t in found if t != name and not name.startswith(t + ".")}


def _import_graph():
    graph = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = _module_name(path)
        tree = ast.parse(path.read_text())
        edges = set()
        # Only statements that run at import time: the module body, and the bodies of
        # if/try blocks in it; imports inside functions run later.
        pending = list(tree.body)
        while pending:
            node = pending.pop()
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                edges |= _targets(name, node)
            elif isinstance(node, (ast.If, ast.Try)):
                pending.extend(node.body + node.orelse
                               + [s for h in getattr(node, "handlers", []) for s in h.body]
                               + getattr(node, "finalbody", []))
        graph[name] = edges
    return graph


def _cycles(graph):
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, components = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in graph.get(node, ()):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def test_the_cycle_finder_finds_a_planted_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_level_import_circle():
    graph = _import_graph()
    assert graph["skgenaug._classifier"], "the import graph finds no imports at all"
    assert _cycles(graph) == []


def test_no_module_imports_the_package_root():
    # Modules inside the package import what they need from where it lives (the
    # version from _version), not from the root that is still being initialised.
    importers = sorted(name for name, targets in _import_graph().items()
                       if "skgenaug" in targets and name != "skgenaug")
    assert importers == []


def test_evaluation_engine_knows_no_paper():
    graph = _import_graph()
    engine = [name for name in graph if name.startswith("skgenaug.evaluation")]
    assert engine
    for name in engine:
        assert not any(t.startswith("skgenaug.medmnist") for t in graph[name]), name
        source = PACKAGE.joinpath(*name.split(".")[1:])
        path = source / "__init__.py" if source.is_dir() else source.with_suffix(".py")
        assert '"medmnist"' not in path.read_text(), f"{name} branches on MedMNIST"


def test_no_pep562_module_getattr():
    # Names are imported where they live, not produced by a module __getattr__ hook.
    offenders = [str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
                 if "def __getattr__(name" in p.read_text()]
    assert offenders == []


def test_old_benchmark_package_names_the_new_places():
    sys.modules.pop("skgenaug.benchmark", None)
    with pytest.raises(ImportError, match="skgenaug.evaluation.*skgenaug.medmnist"):
        importlib.import_module("skgenaug.benchmark")
    with pytest.raises(ImportError, match="skgenaug.cli"):
        importlib.import_module("skgenaug.benchmark.cli")


def _reachable(graph, start):
    seen, pending = set(), [start]
    while pending:
        for target in graph.get(pending.pop(), ()):
            if target not in seen:
                seen.add(target)
                pending.append(target)
    return seen


def test_figures_and_method_registry_import_no_sampler_or_engine():
    # The figures need method names, order and colours from the registry, not the
    # networks or the evaluation engine; the registry imports a sampler class only
    # when it builds a sampler.
    graph = _import_graph()
    for name in ("skgenaug.plotting", "skgenaug._methods"):
        reached = _reachable(graph, name)
        assert not {t for t in reached
                    if t.startswith(("skgenaug.samplers", "skgenaug.evaluation"))}, name
    assert "skgenaug._methods" in _reachable(graph, "skgenaug.plotting")
    assert "skgenaug.samplers" in _reachable(graph, "skgenaug.evaluation._cells")


#: The modules users import by name: the documented namespaces (docs/api), the
#: command, and ``base`` (BaseImageOverSampler, for writing one's own sampler). Every
#: other module's name starts with an underscore and its public names are re-exported
#: by its package.
PUBLIC_MODULES = {
    "skgenaug", "skgenaug.base", "skgenaug.benchmark", "skgenaug.cli",
    "skgenaug.datasets", "skgenaug.evaluation", "skgenaug.medmnist", "skgenaug.metrics",
    "skgenaug.nets", "skgenaug.plotting", "skgenaug.samplers",
}


def test_one_naming_convention_for_modules():
    modules = {_module_name(path) for path in PACKAGE.rglob("*.py")}
    public = {m for m in modules if not any(part.startswith("_")
                                            for part in m.split(".")[1:])}
    assert public == PUBLIC_MODULES
    from test_docs import API_MODULES

    # Every documented namespace is public, and is a package or a public module.
    assert set(API_MODULES) <= PUBLIC_MODULES
