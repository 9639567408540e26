"""Running cells: resume, backends, workers, parallel equals sequential."""

import os

import pandas as pd
import pytest
from _support import (
    _NoReport,
    _run,
    _scores,
)

from skgenaug.evaluation import _cells
from skgenaug.evaluation._settings import Execution
from skgenaug.medmnist import run_medmnist_table


def test_interrupt_and_resume(data_root, tmp_path, smoke, monkeypatch):
    reference = _run(smoke, data_root, tmp_path / "ref")
    assert reference.n_run == 4

    real_run_cell = _cells.run_cell
    calls = []

    def failing(cell, *args, **kwargs):
        if len(calls) == 2:
            raise KeyboardInterrupt("simulated interruption")
        calls.append(cell.key)
        return real_run_cell(cell, *args, **kwargs)

    monkeypatch.setattr(_cells, "run_cell", failing)
    with pytest.raises(KeyboardInterrupt):
        _run(smoke, data_root, tmp_path / "out")
    assert len(calls) == 2

    def counting(cell, *args, **kwargs):
        calls.append(cell.key)
        return real_run_cell(cell, *args, **kwargs)

    monkeypatch.setattr(_cells, "run_cell", counting)
    resumed = _run(smoke, data_root, tmp_path / "out")
    assert resumed.n_run == 2 and resumed.n_reused == 2
    # The interrupted invocation was recorded with its 2 cells.
    assert "earlier invocations on this store computed 2 cells" in resumed.to_markdown()
    assert len(calls) == 4 and len(set(calls)) == 4  # no cell computed twice
    pd.testing.assert_frame_equal(_scores(resumed.cells), _scores(reference.cells))

    again = _run(smoke, data_root, tmp_path / "out")  # everything stored: nothing runs
    assert again.n_run == 0 and len(calls) == 4
    # The report keeps the cost of the invocation that computed the cells.
    assert "earlier invocations on this store computed 4 cells" in again.to_markdown()


def test_dask_backend_matches_sequential(data_root, tmp_path, smoke):
    distributed = pytest.importorskip("dask.distributed")
    sequential = _run(smoke, data_root, tmp_path / "seq")
    # One thread: cells running concurrently in one process would share torch's global
    # random generator (seeded per fit), so only separate processes stay reproducible.
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        dask = _run(smoke, data_root, tmp_path / "dask", backend="dask", client=client,
                    n_jobs=2)
    assert dask.n_run == 4
    pd.testing.assert_frame_equal(_scores(dask.cells), _scores(sequential.cells))


def test_plan_workers_uses_the_cpus_this_process_may_use(monkeypatch):
    from skgenaug.evaluation import _run as run_module

    # joblib.cpu_count honours affinity masks and cgroup quotas; os.cpu_count does not.
    monkeypatch.setattr(run_module.joblib, "cpu_count", lambda: 3)
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    n_jobs, threads, reason = run_module.plan_workers(Execution())
    assert (n_jobs, threads) == (3, 1)
    assert "3 CPU(s) usable" in reason and "2.07x" in reason
    assert run_module.plan_workers(Execution(), n_cells=1)[:2] == (1, 3)  # no idle worker
    assert run_module.plan_workers(Execution(n_jobs=-1))[:2] == (3, 1)  # joblib's -1: all
    assert run_module.plan_workers(Execution(n_jobs=-2))[:2] == (2, 1)
    assert run_module.plan_workers(Execution(n_jobs=1))[:2] == (1, 3)
    assert run_module.plan_workers(Execution(n_jobs=2, threads=4))[:2] == (2, 4)
    assert run_module.plan_workers(Execution(device="cuda"))[:2] == (1, 3)


def test_the_log_says_what_parallelism_was_chosen(data_root, tmp_path, smoke,
                                                  monkeypatch):
    from skgenaug.evaluation import _run as run_module

    monkeypatch.setattr(run_module.joblib, "cpu_count", lambda: 2)
    monkeypatch.setattr(_cells, "run_cell", lambda cell, *a, **k: {"auc": 0.5})
    monkeypatch.setattr(run_module, "AugmentationEvaluation", _NoReport)
    messages = []
    run_medmnist_table(smoke, ["breastmnist"], ["none"], ["val"], [0], tmp_path,
                       root=str(data_root), execution=Execution(log=messages.append))
    assert any(m.startswith("Parallelism: 2 worker(s) x 1 thread(s)") for m in messages)


def test_parallel_run_gives_the_numbers_of_a_one_worker_run(data_root, tmp_path, smoke):
    # Two loky processes, scheduled by cost, against one worker: speed changes, numbers
    # do not (every cell seeds its own fits).
    methods = ["none", "ae", "cgan-conv"]
    one = _run(smoke, data_root, tmp_path / "one", methods=methods, n_jobs=1)
    two = _run(smoke, data_root, tmp_path / "two", methods=methods, n_jobs=2)
    assert two.n_run == one.n_run == 6
    pd.testing.assert_frame_equal(_scores(two.cells), _scores(one.cells))
    assert "quality" in one.cells

    def quality(result):  # every quality figure but its timing
        rows = result.cells.dropna(subset=["quality"])
        rows = rows.sort_values(["dataset", "method", "fold"])
        return [{k: v for k, v in q.items() if k != "seconds"} for q in rows.quality]

    assert len(quality(one)) == 4 and quality(two) == quality(one)
