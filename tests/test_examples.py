"""Every gallery example (``examples/plot_*.py``) runs to the end.

Each script runs as ``__main__`` (:func:`runpy.run_path`, as ``python script.py`` would
run it, without paying for a new interpreter and fresh imports per script), with
matplotlib's non-interactive Agg backend, one torch thread and a temporary working
folder. Scripts that use real MedMNIST files when present also run on synthetic data:
a copy of the script outside the repository, with ``SKGENAUG_DATA_DIR`` pointing at an
empty folder.
"""

import contextlib
import io
import runpy
import shutil
import time
import warnings
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((REPO / "examples").glob("plot_*.py"))


def _uses_real_data(path):
    return "SKGENAUG_DATA_DIR" in path.read_text()


REAL_DATA_EXAMPLES = [p for p in EXAMPLES if _uses_real_data(p)]


@pytest.fixture
def example_environment(monkeypatch, tmp_path):
    """Agg backend, one torch thread, a scratch working folder; restored afterwards."""
    matplotlib = pytest.importorskip("matplotlib")
    import torch

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield tmp_path
    finally:
        torch.set_num_threads(threads)
        plt.close("all")


def _run(script):
    """Run ``script`` as ``__main__``; return what it printed."""
    printed = io.StringIO()
    start = time.perf_counter()
    try:
        with contextlib.redirect_stdout(printed), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            runpy.run_path(str(script), run_name="__main__")
    except SystemExit as exc:  # sys.exit(0) is a success, like exit status 0
        assert exc.code in (0, None), f"{script.name} exited with {exc.code}"
    except Exception as exc:
        seconds = time.perf_counter() - start
        raise AssertionError(
            f"{script.name} failed after {seconds:.0f} s; it printed:\n"
            f"{printed.getvalue()[-3000:]}"
        ) from exc
    return printed.getvalue()


def test_examples_found():
    assert EXAMPLES, "no examples/plot_*.py found"


@pytest.mark.slow
@pytest.mark.parametrize("script", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs(script, example_environment):
    _run(script)


@pytest.mark.slow
@pytest.mark.parametrize(
    "script", REAL_DATA_EXAMPLES, ids=[p.stem for p in REAL_DATA_EXAMPLES]
)
def test_example_runs_without_real_data(script, example_environment, monkeypatch):
    # A copy outside the repository cannot find ../shared/medmnist beside it.
    copy = example_environment / "examples" / script.name
    copy.parent.mkdir()
    shutil.copy(script, copy)
    empty = example_environment / "no-data"
    empty.mkdir()
    monkeypatch.setenv("SKGENAUG_DATA_DIR", str(empty))
    printed = _run(copy)
    assert "synthetic" in printed, printed[-2000:]
