"""Sphinx configuration of the skgenaug documentation.

Build it with ``python -m sphinx -b html docs docs/_build/html``. The example gallery is
executed unless the environment variable ``SKGENAUG_DOCS_PLOT_GALLERY`` is ``0`` (or
``-D plot_gallery=0`` is passed): the test suite builds without running the examples,
and with warnings as errors (``-W``).
"""

import importlib
import os
import re
import sys
from pathlib import Path

import skgenaug

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "sphinxext"))  # the gallery's figure scraper

# -- Project ------------------------------------------------------------------------
project = "skgenaug"
author = "skgenaug developers"
copyright = "skgenaug developers, BSD-3-Clause"
release = skgenaug.__version__
version = ".".join(release.split(".")[:2])

# -- General ------------------------------------------------------------------------
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
]
# intersphinx is deliberately off: the docs build without network access.

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
templates_path = ["_templates"]
exclude_patterns = ["_build", "**.ipynb_checkpoints", "auto_examples/*.ipynb"]

# The API pages of optional parts are left out when the module does not import (for
# instance while it is being written), instead of failing the whole build.
_OPTIONAL_API_PAGES = {
    "api/3_metrics.rst": "skgenaug.metrics",
    "api/4_plotting.rst": "skgenaug.plotting",
    "api/6_evaluation.rst": "skgenaug.evaluation",
    "api/7_medmnist.rst": "skgenaug.medmnist",
}
for _page, _module in _OPTIONAL_API_PAGES.items():
    try:
        importlib.import_module(_module)
    except ImportError:
        exclude_patterns.append(_page)
default_role = "literal"
# MyST: benchmark results pages are written by a program; their heading levels and
# links to files outside the docs are not ours to fix.
suppress_warnings = ["myst.header", "myst.xref_missing"]
myst_heading_anchors = 3

# -- autodoc / autosummary / numpydoc ----------------------------------------------
autosummary_generate = True
autodoc_default_options = {"members": True, "member-order": "bysource"}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

# -- sphinx-gallery -----------------------------------------------------------------
# Examples are executed unless SKGENAUG_DOCS_PLOT_GALLERY=0 (CI and the test suite build
# without running them); `-D plot_gallery=0` on the command line does the same.
plot_gallery = os.environ.get("SKGENAUG_DOCS_PLOT_GALLERY", "True")
if plot_gallery.strip().lower() in {"0", "false", "no", "off", ""}:
    plot_gallery = "False"

sphinx_gallery_conf = {
    "examples_dirs": ["../examples"],
    "gallery_dirs": ["auto_examples"],
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "show_signature": False,
    # Back-references: the "Examples using X" lists on the API pages.
    "doc_module": ("skgenaug",),
    "backreferences_dir": "generated/backreferences",
    # Each example sets its own seeds; keep matplotlib figures between cells apart.
    "reset_modules": ("matplotlib",),
    # skgenaug.plotting returns figures that pyplot does not manage: scrape those too.
    # Before "matplotlib", which closes pyplot's figures (see the scraper's notes).
    "image_scrapers": ("skgenaug_docs_scraper.scrape_figures", "matplotlib"),
}

# -- HTML ---------------------------------------------------------------------------
html_theme = "alabaster"
html_title = f"skgenaug {release}"
html_static_path = []
html_theme_options = {
    "description": "Generative data augmentation as imbalanced-learn samplers",
    "fixed_sidebar": True,
}

# -- Benchmark results ----------------------------------------------------------------
# Every Markdown file under docs/results/ is a page of the "Benchmark results" section;
# the list is made at build time, so a results folder that is added (or absent) needs
# no edit here. results.md comes first within its folder.
RESULTS_DIR = DOCS / "results"


def _results_documents():
    if not RESULTS_DIR.is_dir():
        return []
    files = sorted(
        RESULTS_DIR.rglob("*.md"),
        key=lambda p: (p.parent.as_posix(), p.name != "results.md", p.name),
    )
    return [p.relative_to(DOCS).with_suffix("").as_posix() for p in files]


RESULTS_DOCUMENTS = _results_documents()


def _add_results_toctree(app, docname, source):
    """Append the results pages to ``benchmark_results.rst``; give untitled ones a title."""
    if docname == "benchmark_results":
        if RESULTS_DOCUMENTS:
            entries = "\n".join(f"   {name}" for name in RESULTS_DOCUMENTS)
            source[0] += f"\n\n.. toctree::\n   :maxdepth: 1\n\n{entries}\n"
        else:
            source[0] += (
                "\n\n.. note::\n\n   No benchmark results are in this copy of the "
                "documentation yet: ``docs/results/`` holds none. Run the benchmark "
                "with ``--out docs/results/<name>`` and rebuild.\n"
            )
    elif docname in RESULTS_DOCUMENTS:
        text = source[0].lstrip()
        if not text.startswith("# "):
            title = docname.split("/", 1)[1].replace("/", " / ")
            source[0] = f"# {title}\n\n{source[0]}"


# scikit-learn's metadata-routing methods (set_fit_request, get_metadata_routing, ...)
# are generated on every estimator and documented by scikit-learn; leave them out here.
_SKIPPED_MEMBERS = re.compile(r"^(set_\w+_request|get_metadata_routing)$")


def _skip_member(app, what, name, obj, skip, options):
    if _SKIPPED_MEMBERS.match(name):
        return True
    return None


def setup(app):
    app.connect("source-read", _add_results_toctree)
    app.connect("autodoc-skip-member", _skip_member)
