"""Tests of the MedMNIST benchmark (skgenaug.evaluation): smoke run end to end on small
npz files written here, resume after an interruption, the Dask backend, config hashing,
missing data, and the paired statistics."""

import json
import math
import os
import signal
import sqlite3
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from skorch.callbacks import Callback

from skgenaug import AddPerClass, cli
from skgenaug._methods import METHOD_NAMES
from skgenaug._methods import METHODS as ALL_METHODS
from skgenaug.datasets import make_image_classification
from skgenaug.evaluation import (
    _cells,
    _data,
    _report,
    _scenarios,
    get_profile,
    paired_comparison,
)
from skgenaug.evaluation._cells import MethodSpec, default_sampling_strategy
from skgenaug.evaluation._config import (
    cell_settings,
    config_hash,
    parse_methods,
    parse_selections,
)
from skgenaug.evaluation._stats import corrected_interval
from skgenaug.evaluation._store import ResultStore
from skgenaug.medmnist import MedMNISTData, run_medmnist_table
from skgenaug.medmnist._data import _load_medmnist
from skgenaug.medmnist._paper import PAPER_TABLE2, paper_value
from skgenaug.medmnist._report import medmnist_header
from skgenaug.medmnist._table import MissingDataError, resolve_datasets
from skgenaug.plotting import method_colors

METHODS = ["none", "ae", "cvae", "cgan"]


def _write_npz(path, n_classes, n_channels, sizes, seed, size=28):
    """A small file in MedMNIST's official npz layout."""
    arrays = {}
    for i, (split, n) in enumerate(zip(("train", "val", "test"), sizes)):
        X, y = make_image_classification(
            n, n_classes=n_classes, n_channels=n_channels, image_size=size,
            random_state=seed + i
        )
        arrays[f"{split}_images"] = X
        arrays[f"{split}_labels"] = y.astype(np.uint8).reshape(-1, 1)
    np.savez_compressed(path, **arrays)


@pytest.fixture(scope="module")
def data_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("medmnist")
    _write_npz(root / "breastmnist.npz", 2, 1, (40, 12, 30), seed=0)
    _write_npz(root / "dermamnist.npz", 7, 3, (70, 21, 35), seed=10)
    return root


@pytest.fixture
def smoke():
    return get_profile("smoke")


def _run(settings, root, out, datasets=("breastmnist",), methods=("none", "ae"),
         **kwargs):
    kwargs.setdefault("progress", False)
    kwargs.setdefault("log", lambda *a: None)
    # In this process unless a test asks for workers: monkeypatches reach it only.
    kwargs.setdefault("n_jobs", 1)
    return run_medmnist_table(settings, list(datasets), list(methods), ["val"], [0], out,
                         root=str(root), threads=1, **kwargs)


def _cost(cell, profile, root):
    """The cell's estimated cost, with its data and method as a run has them."""
    data = MedMNISTData(cell.dataset, str(root), profile)
    return _cells.estimated_cost(cell, profile, data, MethodSpec(cell.method))


class _NoReport:
    """Stands in for the evaluation of a run whose cells were replaced by stubs."""

    def __init__(self, *args, **kwargs):
        pass

    def save(self, folder):
        pass


def _scores(frame):
    cols = ["dataset", "method", "fold", "seed", "selection", "auc", "acc", "balanced_acc"]
    return frame[cols].sort_values(cols[:5]).reset_index(drop=True)


@pytest.mark.slow
def test_smoke_profile_end_to_end(data_root, tmp_path, capsys):
    out = tmp_path / "out"
    status = cli.main([
        "medmnist-table", "--profile", "smoke", "--datasets", "breast,DermaMNIST",
        "--methods", "None,AE,cVAE,cGAN", "--root", str(data_root), "--out", str(out),
        "--no-progress", "--threads", "1",
    ])
    assert status == 0
    printed = capsys.readouterr().out
    assert "Running profile 'smoke'" in printed
    assert "| data set | method | n | AUC |" in printed

    cells = pd.read_csv(out / "cells.csv")
    assert len(cells) == 2 * 4 * 2  # data sets x methods x folds
    assert np.isfinite(cells[["auc", "acc", "balanced_acc"]].to_numpy()).all()
    assert set(cells.method) == set(METHODS)
    # The generators saw only the training part; 150 images added per class.
    gen = cells[cells.method != "none"]
    assert (gen.n_generated == 150 * np.where(gen.dataset == "breastmnist", 2, 7)).all()
    assert (cells[cells.method == "none"].n_generated == 0).all()

    text = (out / "results.md").read_text()
    rows = [line for line in text.splitlines() if line.startswith("| breastmnist")
            or line.startswith("| dermamnist")]
    score_rows = [r for r in rows if r.count("|") == 11 and "±" in r]
    assert len(score_rows) == 2 * 4
    assert "Nadeau–Bengio" in text and "Chaptoukaev" in text
    assert "subsampled" in text  # the smoke profile's test subsample is labelled
    assert "## Generated-image quality" in text
    quality = pd.read_csv(out / "quality.csv")
    assert sorted(zip(quality.dataset, quality.method)) == sorted(
        (d, m) for d in ("breastmnist", "dermamnist") for m in ("ae", "cvae", "cgan"))
    metrics = ["frechet_distance_mean", "precision_mean", "recall_mean"]
    assert np.isfinite(quality[metrics].to_numpy()).all()
    assert (quality.n == 2).all()  # one report per fold
    assert "quality" not in cells.columns
    second = text.split("## Generated-image quality")[1].splitlines()
    assert sum(line.startswith(("| breastmnist", "| dermamnist")) for line in second) == 6
    for verdict_line in [line for line in text.splitlines() if line.startswith("- **")]:
        assert any(v in verdict_line for v in ("helps", "hurts", "no significant"))

    config = json.loads((out / "config.json").read_text())
    assert config["settings"]["name"] == "smoke"
    assert len(config["quality"]) == 2 * 3
    assert all(np.isfinite(r["frechet_distance_mean"]) and 0 <= r["precision_mean"] <= 1
               for r in config["quality"])
    assert {"python", "torch", "skorch", "sklearn", "imblearn", "skgenaug"} <= set(
        config["versions"])
    assert config["wall_s"] > 0 and config["cells_run"] == 16
    assert [run["cells_run"] for run in config["invocations"]] == [16]
    for name in ["scores.png"] + [f"samples_{d}_{m}.png" for d in ("breastmnist",
                                                                  "dermamnist")
                                  for m in ("ae", "cvae", "cgan")]:
        assert (out / name).stat().st_size > 1000, name
    with sqlite3.connect(out / "cells.sqlite") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT COUNT(*) FROM cells").fetchone()[0] == 16


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


def test_database_file_alone_holds_finished_cells_while_the_run_goes_on(tmp_path):
    # A killed run or a copy taken mid-run (e.g. from a lent GPU machine) may miss
    # cells.sqlite-wal: each finished cell must already be in cells.sqlite.
    cell = _cells.Cell("breastmnist", "none", 0, 0, "val", "abc")
    with ResultStore(tmp_path / "cells.sqlite") as store:
        store.put(cell, dict(auc=0.8, acc=0.7, balanced_acc=0.7), "smoke")
        copy = tmp_path / "copy.sqlite"
        copy.write_bytes((tmp_path / "cells.sqlite").read_bytes())  # store still open
        conn = sqlite3.connect(copy)
        try:
            assert conn.execute("SELECT key FROM cells").fetchall() == [(cell.key,)]
        finally:
            conn.close()


def test_changed_config_does_not_reuse_stale_cells(data_root, tmp_path, smoke):
    first = _run(smoke, data_root, tmp_path, methods=["none", "cgan"])
    assert first.n_run == 4
    changed = replace(smoke, samplers={
        **smoke.samplers, "cgan": {**smoke.samplers["cgan"], "max_epochs": 3}})
    second = _run(changed, data_root, tmp_path, methods=["none", "cgan"])
    # Only the cGAN cells depend on the cGAN settings.
    assert second.n_run == 2 and second.n_reused == 2
    assert config_hash(smoke, "cgan") != config_hash(changed, "cgan")
    assert config_hash(smoke, "none") == config_hash(changed, "none")
    changed = replace(changed, classifier={**changed.classifier, "max_epochs": 3})
    assert _run(changed, data_root, tmp_path, methods=["none", "cgan"]).n_run == 4


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


def test_missing_data_set_is_reported_up_front(data_root, tmp_path, smoke, monkeypatch,
                                               capsys):
    calls = []
    monkeypatch.setattr(_cells, "run_cell", lambda *a, **k: calls.append(a))
    with pytest.raises(MissingDataError, match="pneumoniamnist.npz"):
        _run(smoke, data_root, tmp_path, datasets=["breastmnist", "pneumoniamnist"])
    assert calls == []  # nothing ran

    status = cli.main(["medmnist-table", "--profile", "smoke", "--datasets",
                       "breast,pneumonia", "--root", str(data_root), "--out",
                       str(tmp_path), "--no-progress"])
    assert status == 2
    err = capsys.readouterr().err
    assert str(data_root / "pneumoniamnist.npz") in err and "--skip-missing" in err
    assert calls == []

    monkeypatch.undo()
    messages = []
    result = _run(smoke, data_root, tmp_path / "skip", methods=["none"],
                  datasets=["breastmnist", "pneumoniamnist"], skip_missing=True,
                  log=messages.append)
    assert set(result.cells.dataset) == {"breastmnist"}
    assert any("pneumoniamnist.npz" in m for m in messages)


def test_paired_statistics_on_hand_made_numbers():
    rng = np.random.default_rng(0)
    base = rng.uniform(0.7, 0.8, 10)
    helps = paired_comparison(base + 0.05 + rng.normal(0, 0.003, 10), base, 1 / 9)
    assert helps["verdict"] == "helps"
    assert 0.04 < helps["mean_diff"] < 0.06 and helps["ci_low"] > 0
    assert helps["p_corrected"] < 0.01 and helps["p_wilcoxon"] < 0.01

    hurts = paired_comparison(base - 0.05 + rng.normal(0, 0.003, 10), base, 1 / 9)
    assert hurts["verdict"] == "hurts" and hurts["ci_high"] < 0

    same = paired_comparison(base, base, 1 / 9)
    assert same["verdict"] == "no significant difference" and same["mean_diff"] == 0
    assert math.isnan(same["p_wilcoxon"])

    noisy = paired_comparison(base + rng.normal(0, 0.05, 10), base, 1 / 9)
    assert noisy["verdict"] == "no significant difference"

    few = paired_comparison(base[:4] + 0.05, base[:4], 1 / 3)
    assert math.isnan(few["p_wilcoxon"])  # Wilcoxon only from 6 pairs


def test_comparisons_with_none_and_with_the_ros_control():
    rng = np.random.RandomState(0)
    rows = []
    shift = {"none": 0.0, "ros": 0.10, "cvae": 0.12, "geometric": 0.30}
    for method, gain in shift.items():
        for fold in range(5):
            base = 0.6 + 0.01 * fold
            rows.append(dict(selection="val", dataset="breastmnist", method=method,
                             seed=0, fold=fold, auc=base + gain,
                             acc=base + gain + 0.001 * rng.randn(),
                             balanced_acc=base + gain / 2, n_val=20, n_train=80))
    cells = pd.DataFrame(rows)
    vs_none = _report.compare(cells)
    assert set(vs_none.metric) == {"auc", "acc", "balanced_acc"}
    assert set(vs_none.method) == {"ros", "cvae", "geometric"}
    control = _report.compare_with_controls(cells)
    assert set(control.method) == {"cvae", "geometric"}  # not None, not ROS itself
    assert (control.reference == "ros").all()
    auc = control[control.metric == "auc"].set_index("method").mean_diff
    assert auc["cvae"] == pytest.approx(0.02) and auc["geometric"] == pytest.approx(0.20)
    bacc = control[control.metric == "balanced_acc"].set_index("method").mean_diff
    assert bacc["geometric"] == pytest.approx(0.10)
    summary = _report.summarize(cells)
    info = dict(profile="quick", description="d", folds=5, seeds=[0], test_max=None,
                device="CPU", wall_s=1.0, n_run=20, n_reused=0, cell_s=1.0, command="c")
    text = _report.markdown(summary, vs_none, info, control, header=medmnist_header)
    assert "### Paired difference vs ROS (a control)" in text
    assert "| breastmnist | cVAE | AUC | 5 | **+0.020** |" in text
    assert "- **Geometric** vs ROS — breastmnist: AUC helps (+0.200)" in text
    # Without ROS cells there is no control table.
    assert _report.compare_with_controls(cells[cells.method != "ros"]).empty


def test_corrected_interval_is_wider_than_plain():
    d = np.array([0.01, 0.03, 0.02, 0.04, 0.00, 0.02, 0.03, 0.01, 0.02, 0.02])
    mean, low, high, p = corrected_interval(d, 1 / 9)
    _, low0, high0, p0 = corrected_interval(d, 0.0)
    assert mean == pytest.approx(0.02)
    assert high - low > high0 - low0 and p > p0
    # The plain form agrees with scipy's paired t-test.
    from scipy import stats

    assert p0 == pytest.approx(stats.ttest_1samp(d, 0).pvalue)
    # Nadeau-Bengio: variance times (1/n + ratio).
    se = math.sqrt((1 / 10 + 1 / 9) * d.var(ddof=1))
    assert high - mean == pytest.approx(stats.t.ppf(0.975, 9) * se)


def test_folds_are_shared_and_selection_uses_real_rows(data_root, smoke):
    X_pool, y_pool, *_ = _load_medmnist("breastmnist", str(data_root), 0, "paper",
                                              300)
    assert len(y_pool) == 52  # the pooled train + val parts (breast used whole)
    parts = [_data.fold_indices(y_pool, 2, 0, f) for f in range(2)]
    assert sorted(np.concatenate([p[1] for p in parts])) == list(range(52))
    np.testing.assert_array_equal(parts[0][0], _data.fold_indices(y_pool, 2, 0, 0)[0])


def test_parsing_and_paper_numbers():
    assert parse_methods("None,AE,cvae,CGAN") == METHODS
    assert parse_methods("all") == list(ALL_METHODS)
    assert len(ALL_METHODS) == 14 and set(METHOD_NAMES) == set(ALL_METHODS)
    assert parse_methods("smote,Geometric,wgan-gp") == ["wgan-gp", "geometric", "smote"]
    # Every method has settings in every profile.
    for name in ("paper", "quick", "smoke"):
        assert set(get_profile(name).samplers) == set(ALL_METHODS) - {"none"}
    with pytest.raises(ValueError, match="Unknown method"):
        parse_methods("vae")
    assert parse_selections("test-best,val") == ["val", "test-best"]
    assert resolve_datasets("breast,DermaMNIST,breastmnist") == ["breastmnist",
                                                                  "dermamnist"]
    assert len(resolve_datasets("all")) == 8
    assert paper_value("breastmnist", "cvae", "acc") == 0.864
    assert paper_value("pathmnist", "cgan", "auc") is None
    assert len(PAPER_TABLE2) == 8
    with pytest.raises(SystemExit):
        cli.main(["medmnist-table", "--methods", "vae"])


@pytest.mark.slow
def test_new_methods_smoke_run(data_root, tmp_path, capsys):
    out = tmp_path / "out"
    status = cli.main([
        "medmnist-table", "--profile", "smoke", "--methods",
        "none,geometric,smote,diffusion-variation", "--root", str(data_root),
        "--out", str(out), "--no-progress", "--threads", "1",
    ])
    assert status == 0
    cells = pd.read_csv(out / "cells.csv")
    assert sorted(set(cells.method)) == ["diffusion-variation", "geometric", "none",
                                         "smote"]
    assert np.isfinite(cells[["auc", "acc", "balanced_acc"]].to_numpy()).all()
    gen = cells[cells.method != "none"]
    assert (gen.n_generated == 150 * 2).all()  # AddPerClass(150) in the paper scenario
    text = (out / "results.md").read_text()
    assert "| breastmnist | Geometric |" in text and "| breastmnist | SMOTE |" in text
    assert "| breastmnist | Diffusion (variation) |" in text
    # Quality is reported for the samplers that have generate, not for SMOTE.
    quality = pd.read_csv(out / "quality.csv")
    assert set(quality.method) == {"geometric", "diffusion-variation"}


def _write_skewed_npz(path, train_counts, n_val=20, n_test=5, seed=0):
    """A 7-class RGB file whose training split has the given class counts."""
    K = len(train_counts)
    arrays = {}
    for split, counts in (("train", train_counts), ("val", [n_val] * K),
                          ("test", [n_test] * K)):
        X, y = make_image_classification(4 * sum(counts), n_classes=K, n_channels=3,
                                         random_state=seed)
        rows = np.concatenate([np.flatnonzero(y == k)[:n] for k, n in enumerate(counts)])
        assert len(rows) == sum(counts)
        arrays[f"{split}_images"] = X[rows]
        arrays[f"{split}_labels"] = y[rows].astype(np.uint8).reshape(-1, 1)
    np.savez_compressed(path, **arrays)


def test_long_tail_thins_the_pool_by_class_frequency_in_every_fold(tmp_path):
    # Label order and frequency order differ: class 5 is the most frequent, class 3
    # the rarest (a shape like DermaMNIST's).
    train_counts = [200, 300, 900, 170, 500, 1200, 180]
    _write_skewed_npz(tmp_path / "dermamnist.npz", train_counts)
    X_bal, y_bal, *_ = _load_medmnist("dermamnist", str(tmp_path), 0, "paper", None)
    X_lt, y_lt, *_ = _load_medmnist("dermamnist", str(tmp_path), 0, "paper", None,
                                  "long-tail")
    pool = np.bincount(y_bal)
    assert (pool == pool[0]).all()  # the paper's subset is balanced: 150 + 17 per class
    kept = np.bincount(y_lt)
    # The whole pool (training and validation parts) follows the rule, head to tail
    # by frequency in the official training split.
    assert _scenarios.frequency_ranks(train_counts) == [4, 3, 1, 6, 2, 0, 5]
    assert kept.tolist() == _scenarios.long_tail_counts(
        pool, ranks=_scenarios.frequency_ranks(train_counts))
    assert kept.argmax() == 5 and kept[5] == pool[5]  # the head keeps all
    assert kept.argmin() == 3 and kept[3] == round(pool[3] / 10)  # the tail a tenth
    # Every stratified training part is as skewed as the pool.
    assert kept.max() / kept.min() == pytest.approx(10, rel=0.1)
    for fold in range(5):
        train_idx, _ = _data.fold_indices(y_lt, 5, 0, fold)
        counts = np.bincount(y_lt[train_idx], minlength=7)
        assert counts.max() / counts.min() == pytest.approx(10, rel=0.2)
        assert counts.argmax() == 5 and counts.argmin() == 3


def test_long_tail_subset_and_strategy():
    assert _scenarios.long_tail_counts([150] * 7)[0] == 150
    assert _scenarios.long_tail_counts([150] * 7)[-1] == 15
    counts = _scenarios.long_tail_counts([150, 150, 150])
    assert counts == [150, round(150 * 0.1 ** 0.5), 15]
    y = np.repeat(np.arange(3), 150)
    keep = _scenarios.long_tail_indices(y, seed=0)
    assert np.bincount(y[keep]).tolist() == counts
    np.testing.assert_array_equal(keep, _scenarios.long_tail_indices(y, seed=0))
    with pytest.raises(ValueError, match="ranks must order"):
        _scenarios.long_tail_counts([150, 150], ranks=[0, 0])

    settings = get_profile("smoke", scenario="long-tail")
    assert default_sampling_strategy(settings) == "auto"
    assert isinstance(default_sampling_strategy(get_profile("smoke")), AddPerClass)
    # The scenario enters the hash; the paper scenario keeps its hashes.
    assert config_hash(settings, "none") != config_hash(get_profile("smoke"), "none")
    assert "scenario" not in cell_settings(get_profile("smoke"), "ae")
    with pytest.raises(ValueError, match="scenario"):
        get_profile("smoke", scenario="skewed")

    # The training part of a long-tail cell is long-tailed; augmentation balances it.
    X = np.zeros((len(y), 28, 28), dtype=np.uint8)
    sampler = MethodSpec("geometric").build(settings, default_sampling_strategy(settings),
                                            0, "cpu")
    X_res, y_res = sampler.fit_resample(X[keep], y[keep])
    assert np.bincount(y_res).tolist() == [150, 150, 150]


def test_make_sampler_gives_the_device_to_the_network_samplers_only():
    from skgenaug import BaseGenerativeSampler

    settings = get_profile("smoke")
    for method in ALL_METHODS:
        sampler = MethodSpec(method).build(settings, AddPerClass(150), 0, "cuda:1")
        if method == "none":
            assert sampler is None
        elif isinstance(sampler, BaseGenerativeSampler):
            assert sampler.device == "cuda:1"  # resolved (and checked) at fit only
        else:
            assert "device" not in sampler.get_params()


@pytest.mark.slow
def test_long_tail_smoke_run(data_root, tmp_path, smoke):
    settings = get_profile("smoke", scenario="long-tail")
    X_pool, y_pool, *_ = _load_medmnist("breastmnist", str(data_root), 0, "paper",
                                              300, "long-tail")
    X_bal, y_bal, *_ = _load_medmnist("breastmnist", str(data_root), 0, "paper",
                                              300)
    assert len(y_pool) < len(y_bal)
    out = tmp_path / "lt"
    result = _run(settings, data_root, out, methods=("none", "geometric"))
    frame = result.cells
    gen = frame[frame.method == "geometric"]
    # Balanced by 'auto': every class topped up to the largest in the training part.
    for _, row in gen.iterrows():
        train_idx, _ = _data.fold_indices(y_pool, settings.folds, 0, int(row.fold))
        counts = np.bincount(y_pool[train_idx])
        assert counts[1] < counts[0]
        assert row.n_generated == (counts.max() - counts).sum()
    text = (out / "results.md").read_text()
    assert "long-tail scenario" in text and "BACC" in text
    assert set(frame.config_hash) == {config_hash(settings, m)
                                      for m in ("none", "geometric")}
    assert not set(frame.config_hash) & {config_hash(smoke, m)
                                         for m in ("none", "geometric")}


def test_feature_resnet_is_fitted_once_per_fold(data_root, tmp_path, smoke, monkeypatch):
    fits = []
    real_fit = _cells.ResNetClassifier.fit

    def counting_fit(self, X, y, **kwargs):
        if self.selection is None:  # the quality report's feature ResNet
            fits.append(len(y))
        return real_fit(self, X, y, **kwargs)

    # On the class, not a subclass: the fitted ResNets are pickled for other workers.
    monkeypatch.setattr(_cells.ResNetClassifier, "fit", counting_fit)
    monkeypatch.setattr(_cells, "_FEATURE_CACHE", type(_cells._FEATURE_CACHE)())
    # No 'none' cell here: it would hand its training over instead (test below).
    result = _run(smoke, data_root, tmp_path / "out", methods=("ae", "cvae"))
    assert result.n_run == 4
    assert len(fits) == smoke.folds  # not one per (fold, sampler)
    quality = result.cells.dropna(subset=["quality"])
    shared = quality.quality.map(lambda q: q["reference_frechet_distance"])
    assert shared.groupby(quality.fold.to_numpy()).nunique().eq(1).all()

    # The other workers of a run (another process, so an empty memory cache) and a
    # resumed run load the fold's ResNet from the results folder instead of refitting.
    assert len(list((tmp_path / "out" / "feature_models").glob("*.pkl"))) == smoke.folds
    monkeypatch.setattr(_cells, "_FEATURE_CACHE", type(_cells._FEATURE_CACHE)())
    changed = replace(smoke, samplers={  # new AE cells, same folds
        **smoke.samplers, "ae": {**smoke.samplers["ae"], "max_epochs": 3}})
    again = _run(changed, data_root, tmp_path / "out", methods=("ae", "cvae"))
    assert again.n_run == smoke.folds and len(fits) == smoke.folds
    requality = again.cells.dropna(subset=["quality"])
    assert requality.quality.map(lambda q: q["reference_frechet_distance"]).tolist() == (
        requality.fold.map(dict(zip(quality.fold, shared))).tolist()
    )


def test_none_cells_hand_their_training_over_as_the_feature_resnet(
        data_root, tmp_path, smoke, monkeypatch):
    # The smoke (and quick) classifier has the feature ResNet's settings: the 'none'
    # cell's training is the feature ResNet's, epoch for epoch.
    cell = _cells.Cell("breastmnist", "none", 0, 0, "val", "")
    assert _cells.donates_feature_resnet(cell, smoke)
    ae_cell = _cells.Cell("breastmnist", "ae", 0, 0, "val", "")
    assert not _cells.donates_feature_resnet(ae_cell, smoke)
    paper = get_profile("paper")
    assert not _cells.donates_feature_resnet(cell, paper)  # width 64, SGD: no

    fits = []
    real_fit = _cells.ResNetClassifier.fit

    def counting_fit(self, X, y, **kwargs):
        if self.selection is None:
            fits.append(len(y))
        return real_fit(self, X, y, **kwargs)

    monkeypatch.setattr(_cells.ResNetClassifier, "fit", counting_fit)
    monkeypatch.setattr(_cells, "_FEATURE_CACHE", type(_cells._FEATURE_CACHE)())
    fitted = _run(smoke, data_root, tmp_path / "fitted", methods=("ae",))
    assert len(fits) == smoke.folds
    monkeypatch.setattr(_cells, "_FEATURE_CACHE", type(_cells._FEATURE_CACHE)())
    donated = _run(smoke, data_root, tmp_path / "donated", methods=("none", "ae"))
    assert len(fits) == smoke.folds  # no feature ResNet trained this time

    def quality(result):  # every figure but the timing, per fold
        rows = result.cells.dropna(subset=["quality"]).sort_values("fold")
        return [{k: v for k, v in q.items() if k != "seconds"} for q in rows.quality]

    # The same training, so the same embedding up to float rounding: an evaluation
    # pass between epochs (the cell validates, the feature ResNet does not) moved
    # weights by about 3e-8 here.
    assert len(quality(fitted)) == len(quality(donated)) == 2
    for got, want in zip(quality(donated), quality(fitted)):
        assert got.keys() == want.keys()
        for name, value in want.items():
            if isinstance(value, str):
                assert got[name] == value
            else:
                assert got[name] == pytest.approx(value, rel=1e-4, abs=1e-9), name
    assert len(list((tmp_path / "donated" / "feature_models").glob("*.pkl"))) == 2


class _CtrlCAfterFirstEpoch(Callback):
    """Sends this process a SIGINT (a Ctrl-C) at the end of the first epoch."""

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) == 1:
            os.kill(os.getpid(), signal.SIGINT)


@pytest.fixture
def interactive_sigint():
    """SIGINT as an interactive Python process has it: delivered, raising KeyboardInterrupt.

    A test worker shared with other tests need not be in that state: once, in a CI run
    with pytest-xdist, the Ctrl-C this test sends never reached the cell (the cause,
    another test's leftover handler or signal mask, was not found).
    """
    handler = signal.signal(signal.SIGINT, signal.default_int_handler)
    mask = signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    yield
    signal.pthread_sigmask(signal.SIG_SETMASK, mask)
    signal.signal(signal.SIGINT, handler)


def test_ctrl_c_inside_a_cell_is_not_swallowed(data_root, smoke, interactive_sigint):
    # skorch ends training early at Ctrl-C and returns normally; the cell must not pass
    # for a whole one.
    settings = replace(smoke, classifier={**smoke.classifier, "max_epochs": 3,
                                          "callbacks": [("ctrl_c",
                                                         _CtrlCAfterFirstEpoch())]})
    data = MedMNISTData("breastmnist", str(data_root), settings)
    cell = _cells.Cell("breastmnist", "none", 0, 0, "val", "test")
    handler = signal.getsignal(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt, match="not stored"):
        _cells.run_cell(cell, settings, data)
    assert signal.getsignal(signal.SIGINT) is handler  # put back
    # Without the signal the same cell runs whole.
    settings = replace(settings, classifier={**settings.classifier, "callbacks": None})
    assert _cells.run_cell(cell, settings, data)["best_epoch"] >= 1


def test_every_method_has_its_own_color_in_the_scores_figure():
    colors = method_colors(list(ALL_METHODS))
    assert set(colors) == set(ALL_METHODS)
    assert len(set(colors.values())) == len(ALL_METHODS)


# ------------------------------------------------------------------ parallelism (issue 17)


def test_plan_workers_uses_the_cpus_this_process_may_use(monkeypatch):
    from skgenaug.evaluation import _run as run_module

    # joblib.cpu_count honours affinity masks and cgroup quotas; os.cpu_count does not.
    monkeypatch.setattr(run_module.joblib, "cpu_count", lambda: 3)
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    n_jobs, threads, reason = run_module.plan_workers()
    assert (n_jobs, threads) == (3, 1)
    assert "3 CPU(s) usable" in reason and "2.07x" in reason
    assert run_module.plan_workers(n_cells=1)[:2] == (1, 3)  # no idle worker
    assert run_module.plan_workers(n_jobs=-1)[:2] == (3, 1)  # joblib's -1: all
    assert run_module.plan_workers(n_jobs=-2)[:2] == (2, 1)
    assert run_module.plan_workers(n_jobs=1)[:2] == (1, 3)
    assert run_module.plan_workers(n_jobs=2, threads=4)[:2] == (2, 4)
    assert run_module.plan_workers(device="cuda")[:2] == (1, 3)
    for bad in (0, 1.5, True):
        with pytest.raises(ValueError, match="n_jobs"):
            run_module.plan_workers(n_jobs=bad)
    with pytest.raises(ValueError, match="threads"):
        run_module.plan_workers(threads=0)


def test_the_log_says_what_parallelism_was_chosen(data_root, tmp_path, smoke,
                                                  monkeypatch):
    from skgenaug.evaluation import _run as run_module

    monkeypatch.setattr(run_module.joblib, "cpu_count", lambda: 2)
    monkeypatch.setattr(_cells, "run_cell", lambda cell, *a, **k: {"auc": 0.5})
    monkeypatch.setattr(run_module, "AugmentationEvaluation", _NoReport)
    messages = []
    run_medmnist_table(smoke, ["breastmnist"], ["none"], ["val"], [0], tmp_path,
                  root=str(data_root), progress=False, log=messages.append)
    assert any(m.startswith("Parallelism: 2 worker(s) x 1 thread(s)") for m in messages)


def test_cells_start_most_costly_first(data_root, tmp_path, smoke, monkeypatch):
    started = []

    def record(cell, *args, **kwargs):
        started.append(cell)
        return {"auc": 0.5, "acc": 0.5, "balanced_acc": 0.5, "wall_s": 0.0}

    monkeypatch.setattr(_cells, "run_cell", record)
    from skgenaug.evaluation import _run as run_module

    monkeypatch.setattr(run_module, "AugmentationEvaluation", _NoReport)
    no_quality = replace(smoke, quality=None)
    _run(no_quality, data_root, tmp_path / "lpt", datasets=["breastmnist", "dermamnist"],
         methods=["none", "cgan"], n_jobs=1)
    costs = [_cost(c, smoke, data_root) for c in started]
    assert len(started) == 8 and costs == sorted(costs, reverse=True)
    # A Derma (RGB, 7 classes) cGAN cell is the costliest, a Breast None cell the least.
    assert (started[0].dataset, started[0].method) == ("dermamnist", "cgan")
    assert (started[-1].dataset, started[-1].method) == ("breastmnist", "none")

    # With the quality report, the 'none' cells that train the folds' feature ResNets
    # come first (cheap, and then no sampler cell trains one), the rest by cost.
    started.clear()
    _run(smoke, data_root, tmp_path / "donors", datasets=["breastmnist", "dermamnist"],
         methods=["none", "cgan"], n_jobs=1)
    assert [c.method for c in started] == ["none"] * 4 + ["cgan"] * 4
    costs = [_cost(c, smoke, data_root) for c in started[4:]]
    assert costs == sorted(costs, reverse=True) and started[4].dataset == "dermamnist"


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


@pytest.mark.parametrize("flags, message", [(["--n-jobs", "0"], "--n-jobs 0"),
                                            (["--threads", "0"], "--threads")])
def test_cli_rejects_zero_workers_or_threads(flags, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["medmnist-table", "--profile", "smoke", *flags])
    assert exit_info.value.code == 2 and message in capsys.readouterr().err


def test_cell_hashes_are_unchanged_by_the_profile_dataclass():
    # Computed by skgenaug 048f146 (settings as dicts): stored cells of runs made
    # before the Profile dataclass stay reusable.
    before = {
        ("quick", "balanced", "none"): "639434335b52c555",
        ("quick", "balanced", "cvae"): "690c1863f06a6aa7",
        ("quick", "balanced", "smote"): "36a10a9a82bfdd8a",
        ("smoke", "balanced", "wgan-gp"): "c3e239cb56a53590",
        ("paper", "balanced", "cgan"): "0c70034efc83a94c",
        ("quick", "long-tail", "none"): "410b33607c58eda8",
        ("quick", "long-tail", "acgan"): "814261ebc8c898ee",
    }
    for (name, scenario, method), digest in before.items():
        assert config_hash(get_profile(name, scenario=scenario), method) == digest
    with pytest.raises(TypeError, match="read-only"):
        get_profile("quick").classifier["width"] = 64


def test_medmnist_table_at_64(tmp_path, smoke):
    _write_npz(tmp_path / "breastmnist_64.npz", 2, 1, (20, 6, 10), seed=0, size=64)
    result = _run(smoke, tmp_path, tmp_path / "out", methods=("none",), size=64)
    assert result.n_run == 2 and set(result.cells.n_test) == {10}
    assert result.config["size"] == 64
    hashes = set(result.cells.config_hash)
    assert hashes == {config_hash(smoke, "none", data=dict(n_per_class="paper",
                                                           test_max=300, size=64))}
    assert config_hash(smoke, "none") not in hashes  # 28x28 cells are other cells
