"""The Sphinx documentation builds without warnings, and its API page is complete.

The build runs on a copy of ``docs/`` and ``examples/`` in a temporary folder (so that
generated files never land in the working tree), with warnings as errors (``-W``) and
without executing the example gallery (``SKGENAUG_DOCS_PLOT_GALLERY=0``): the examples
themselves are run by ``tests/test_examples.py``.
"""

import importlib
import inspect
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"

#: Modules whose public names the API page must list.
API_MODULES = (
    "skgenaug",
    "skgenaug.datasets",
    "skgenaug.metrics",
    "skgenaug.plotting",
    "skgenaug.nets",
    "skgenaug.evaluation",
    "skgenaug.medmnist",
)


def _public_names(module_name):
    module = importlib.import_module(module_name)
    names = getattr(module, "__all__", None)
    if names is None:  # no __all__: the functions, classes and constants defined there
        names = [
            name
            for name, value in vars(module).items()
            if not name.startswith("_")
            and not inspect.ismodule(value)
            and (
                getattr(value, "__module__", None) == module_name
                or (name.isupper() and not callable(value))
            )
        ]
    return set(names)


def _api_page_names():
    """``{module: {name, ...}}`` listed in the autosummary blocks of docs/api/*.rst."""
    listed = {}
    for page in sorted((DOCS / "api").glob("*.rst")):
        module = None
        in_autosummary = False
        for line in page.read_text().splitlines():
            if match := re.match(r"\.\. currentmodule:: (\S+)", line):
                module = match.group(1)
                in_autosummary = False
            elif line.startswith(".. autosummary::"):
                in_autosummary = True
            elif (
                in_autosummary
                and line.startswith("   ")
                and not line.strip().startswith(":")
            ):
                owner, _, name = f"{module}.{line.strip()}".rpartition(".")
                listed.setdefault(owner, set()).add(name)
            elif line and not line.startswith(" "):
                in_autosummary = False
    return listed


@pytest.mark.parametrize("module_name", API_MODULES)
def test_api_page_lists_every_public_name(module_name):
    try:
        public = _public_names(module_name)
    except ImportError as exc:  # a module still being written
        pytest.skip(f"{module_name} does not import: {exc}")
    listed = _api_page_names().get(module_name, set())
    missing = sorted(public - listed)
    assert not missing, (
        f"the API reference does not list {missing} from {module_name}: add them to an "
        "autosummary block of that module's page in docs/api/."
    )
    unknown = sorted(listed - public)
    assert not unknown, f"docs/api/ lists {unknown}, not public in {module_name}"


def _require_docs_tools():
    for module, package in (
        ("sphinx", "sphinx"),
        ("numpydoc", "numpydoc"),
        ("sphinx_gallery", "sphinx-gallery"),
        ("myst_parser", "myst-parser"),
    ):
        pytest.importorskip(
            module,
            reason=f"{package} is not installed: install the docs tools with "
            "pip install -c constraints-cpu.txt -e '.[docs]' (the 'test' extra has them)",
        )


@pytest.mark.slow
def test_docs_build_without_warnings(tmp_path):
    _require_docs_tools()
    src = tmp_path / "repo"
    ignore = shutil.ignore_patterns(
        "_build", "auto_examples", "generated", "sg_execution_times.rst", "__pycache__"
    )
    shutil.copytree(DOCS, src / "docs", ignore=ignore)
    shutil.copytree(REPO / "examples", src / "examples", ignore=ignore)
    out = tmp_path / "html"
    env = dict(os.environ, SKGENAUG_DOCS_PLOT_GALLERY="0", MPLBACKEND="Agg")
    command = [
        sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
        "-D", "plot_gallery=0", str(src / "docs"), str(out),
    ]
    result = subprocess.run(
        command, cwd=src, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, (
        f"the docs build failed (exit {result.returncode}):\n"
        f"{result.stdout[-5000:]}\n{result.stderr[-10000:]}"
    )
    for page in (
        "index.html",
        "getting_started.html",
        "api/index.html",
        "api/1_estimators.html",
        "benchmark_results.html",
        "user_guide/pitfalls.html",
        "auto_examples/index.html",
        "generated/skgenaug.CVAESampler.html",
        "generated/skgenaug.datasets.load_medmnist.html",
    ):
        assert (out / page).is_file(), f"{page} was not built"
    for example in sorted((REPO / "examples").glob("plot_*.py")):
        assert (out / "auto_examples" / f"{example.stem}.html").is_file(), example.name
    api = (out / "generated" / "skgenaug.CVAESampler.html").read_text()
    assert "fit_resample" in api and "generate" in api
