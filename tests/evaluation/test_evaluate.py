"""The evaluation of augmentation on a user's images: skgenaug.evaluate_augmentation and
``skgenaug evaluate`` on image folders and npz files written here, the rows each part of
a cell sees, the MedMNIST table reproduced through the API, resume, and bad input
refused before anything is written."""

import json
import re

import numpy as np
import pandas as pd
import pytest
from _support import (
    _bad_folder,
    _NoReport,
    assert_refused_before_running,
    quiet,
    write_folder,
)
from matplotlib.figure import Figure
from PIL import Image
from sklearn.base import BaseEstimator
from sklearn.model_selection import KFold, StratifiedKFold

from skgenaug import (
    AddPerClass,
    AugmentationEvaluation,
    GeometricSampler,
    ResNetClassifier,
    cli,
    evaluate_augmentation,
)
from skgenaug.datasets import load_paper_subset, make_image_classification
from skgenaug.evaluation import ResultStore, _cells, get_profile
from skgenaug.evaluation import _run as run_module
from skgenaug.evaluation._evaluate import prepare_evaluation
from skgenaug.evaluation._settings import EvaluationSettings
from skgenaug.medmnist import MissingDataError, run_medmnist_table
from skgenaug.metrics import medmnist_auc

SCORES = ["auc", "acc", "balanced_acc"]


def _quiet(**kwargs):
    """Settings that keep a test run small: the smoke profile, one worker, one thread."""
    return dict(dict(profile="smoke", n_jobs=1, threads=1), **kwargs)


@pytest.fixture(scope="module")
def small():
    return make_image_classification(24, image_size=12, random_state=0)


# ------------------------------------------------------------------ the command


def test_command_on_a_gray_png_folder(tmp_path, capsys):
    X, y = make_image_classification(48, n_classes=2, image_size=12, random_state=0)
    write_folder(tmp_path / "scans", X, y, names=("normal", "pneumonia"))
    out = tmp_path / "out"
    status = cli.main(["evaluate", str(tmp_path / "scans"), "--methods", "none,geometric",
                       "--profile", "smoke", "--out", str(out), "--no-progress",
                       "--validation-fraction", "0.3", "--n-jobs", "1", "--threads", "1"])
    assert status == 0
    printed = capsys.readouterr().out
    assert "# Augmentation evaluation: `scans` — profile `smoke`" in printed
    cells = pd.read_csv(out / "cells.csv")
    assert sorted(zip(cells.method, cells.fold)) == [("geometric", 0), ("geometric", 1),
                                                     ("none", 0), ("none", 1)]
    # Each held-out fold is the test set: every image is tested once per method.
    assert (cells.groupby("method").n_test.sum() == 48).all()
    assert (cells.n_train + cells.n_val + cells.n_test == 48).all()
    assert (cells.n_val == 8).all()  # 30% of 12 training images per class, real ones
    assert (cells[cells.method == "geometric"].n_generated == 300).all()
    text = (out / "results.md").read_text()
    assert "the held-out fold is the test set" in text and "never the test fold" in text
    # The paired comparison with None, AUC the primary metric, and the verdict on it.
    assert "| scans | Geometric (primary) | AUC | 2 |" in text
    # Leak screening: a section, a table and the closest pairs of fold 0.
    assert "## Leak screening" in text
    leaks = pd.read_csv(out / "leaks.csv").set_index("method")
    assert set(leaks.index) == {"geometric"} and 0 <= leaks.leak_share["geometric"] <= 1
    assert (out / "leaks_scans_geometric.png").is_file()
    # Its run declared AUC before the cells ran; a re-report keeps saying so.
    assert "Primary metric, declared before the run: **AUC**" in \
        AugmentationEvaluation.from_folder(out).to_markdown()
    # The held-out folds are the test sets: no test-set bootstrap.
    assert pd.read_csv(out / "comparisons.csv").test_low.isna().all()
    assert text.index("## Verdict") < text.index("### Test scores")
    assert "## Generated-image quality" in text
    manifest = pd.read_csv(out / "manifest.csv")
    assert manifest.file.tolist()[:2] == ["normal/000.png", "normal/001.png"]
    assert len(manifest) == 48
    config = json.loads((out / "config.json").read_text())
    assert config["data"]["kind"] == "user" and len(config["data"]["fingerprint"]) == 16
    assert config["command"].startswith("skgenaug evaluate ")
    for name, rows in (("summary.csv", 2), ("comparisons.csv", 3), ("quality.csv", 1)):
        assert len(pd.read_csv(out / name)) == rows, name
    for name in ("scores.png", "samples_scans_geometric.png"):
        assert (out / name).read_bytes()[:4] == b"\x89PNG", name


def test_command_on_an_rgb_jpeg_folder_with_a_test_npz_at_64(tmp_path):
    X, y = make_image_classification(20, n_classes=2, image_size=20, n_channels=3,
                                     random_state=1)
    write_folder(tmp_path / "photos", X, y, names=("a", "b"), ext="jpg")
    X_test, y_test = make_image_classification(10, n_classes=2, image_size=64,
                                               n_channels=3, random_state=2)
    np.savez(tmp_path / "test.npz", X=X_test, y=np.array(["a", "b"])[y_test])
    out = tmp_path / "out"
    status = cli.main(["evaluate", str(tmp_path / "photos"), "--test",
                       str(tmp_path / "test.npz"), "--size", "64", "--methods", "ros",
                       "--add-per-class", "5",
                       "--profile", "smoke", "--out", str(out), "--no-progress",
                       "--n-jobs", "1", "--threads", "1"])
    assert status == 0
    cells = pd.read_csv(out / "cells.csv")
    assert set(cells.method) == {"none", "ros"}  # the baseline is added
    assert (cells.n_test == 10).all()  # the separate test set scores every cell
    assert (cells.n_train + cells.n_val == 20).all()  # the held-out fold validates
    config = json.loads((out / "config.json").read_text())
    assert config["data"]["image_shape"] == [64, 64, 3] and config["data"]["test_set"]
    text = (out / "results.md").read_text()
    assert "the separate test set (10 images) scores the classifier" in text


def _bad_command_input(tmp_path, kind):
    """Arguments of ``skgenaug evaluate`` with one problem, and the message expected."""
    if kind in ("missing", "empty", "one class", "one image", "not an image", "corrupt",
                "sizes", "mixed"):
        path, message = _bad_folder(tmp_path, kind)
        if kind == "missing":  # the command names the path as data, folder or npz
            message = "Data not found: .*data"
        return [str(path)], message
    X, y = make_image_classification(8, image_size=8, random_state=0)
    write_folder(tmp_path / "data", X, y)
    if kind == "npz without keys":
        np.savez(tmp_path / "bad.npz", images=X, labels=y)
        return [str(tmp_path / "bad.npz")], "no 'X' and 'y' arrays"
    if kind == "test classes differ":
        np.savez(tmp_path / "test.npz", X=X, y=np.array(["benign", "other"])[y])
        return ([str(tmp_path / "data"), "--test", str(tmp_path / "test.npz")],
                "only in the training set: \\['malignant'\\]; only in the test set: "
                "\\['other'\\]")
    if kind == "unknown method":
        return ([str(tmp_path / "data"), "--methods", "none,vae"],
                "Unknown method\\(s\\) \\['vae'\\]; choose among none, ae, cvae")
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", [
    "missing", "empty", "one class", "one image", "not an image", "corrupt", "sizes",
    "mixed", "npz without keys", "test classes differ", "unknown method",
])
def test_command_refuses_bad_input_and_writes_nothing(tmp_path, kind, capsys):
    arguments, message = _bad_command_input(tmp_path, kind)
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["evaluate", *arguments, "--out", str(out), "--profile", "smoke"])
    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert "skgenaug evaluate: error:" in error
    assert re.search(message, error), error
    assert not out.exists()


# ------------------------------------------------------------------ what each part sees


def _numbered_images(n):
    """Images that carry their row number in two pixels (to follow rows through)."""
    X = np.zeros((n, 8, 8), dtype=np.uint8)
    X[:, 0, 0], X[:, 0, 1] = np.arange(n) % 256, np.arange(n) // 256
    X[:, 4:, 4:] = (np.arange(n) % 2 * 200)[:, None, None]  # the class shows
    return X, np.arange(n) % 2


def _rows(X):
    return set((X[:, 0, 0].astype(int) + 256 * X[:, 0, 1].astype(int)).tolist())


SEEN = []


class RecordingSampler(BaseEstimator):
    """Adds nothing; records which rows it was fitted on."""

    def __init__(self, random_state=None):
        self.random_state = random_state

    def fit_resample(self, X, y):
        SEEN.append(_rows(X))
        return X, y


@pytest.mark.parametrize("with_test_set", [False, True])
def test_validation_never_comes_from_the_test_rows(with_test_set):
    X, y = _numbered_images(40)
    test = dict(X_test=X[:6], y_test=y[:6]) if with_test_set else {}
    prepared = prepare_evaluation(
        X, y, EvaluationSettings(methods={"rec": RecordingSampler()}, cv=4,
                                 quality=False, classifier_augment="none"), **test)
    data = prepared.plan.data["data"]
    tested = []
    for fold in range(4):
        split = data.split(0, fold)
        train, val, held = _rows(split.X_train), _rows(split.X_val), _rows(split.X_test)
        assert not train & val
        if with_test_set:  # the held-out fold validates; the test set scores
            assert len(train | val) == 40 and len(val) == 10
            assert held == set(range(6))
        else:  # the held-out fold is the test set; validation from the training part
            assert not (train | val) & held and len(train | val | held) == 40
            assert len(held) == 10 and len(val) == 6  # 20% of 15 per class: 3 + 3
            tested.append(held)
    if not with_test_set:
        assert set().union(*tested) == set(range(40))  # every image tested once
    # The sampler is fitted on the training part only: not the validation rows, not
    # the held-out fold.
    SEEN.clear()
    result = prepared.run(quiet())
    assert len(SEEN) == 4
    training_parts = {frozenset(_rows(data.split(0, f).X_train)) for f in range(4)}
    assert {frozenset(seen) for seen in SEEN} == training_parts
    assert set(result.cells.method) == {"none", "rec"}


# ------------------------------------------------------------------ the table and the API


def _write_medmnist(path, sizes=(40, 12, 30), seed=0):
    arrays = {}
    for i, (split, n) in enumerate(zip(("train", "val", "test"), sizes)):
        X, y = make_image_classification(n, random_state=seed + i)
        arrays[f"{split}_images"] = X
        arrays[f"{split}_labels"] = y.astype(np.uint8).reshape(-1, 1)
    np.savez_compressed(path, **arrays)


def test_api_gives_the_cells_of_the_medmnist_table(tmp_path):
    _write_medmnist(tmp_path / "breastmnist.npz")
    smoke = get_profile("smoke")
    table = run_medmnist_table(smoke, ["breastmnist"], ["none", "geometric"], ["val"], [0],
                               tmp_path / "table", root=str(tmp_path), execution=quiet())
    data = load_paper_subset("breastmnist", root=tmp_path, random_state=0)
    X_pool = np.concatenate([data.X_train, data.X_val])
    y_pool = np.concatenate([data.y_train, data.y_val])
    api = evaluate_augmentation(X_pool, y_pool, "none,geometric", X_test=data.X_test,
                                y_test=data.y_test, cv=smoke.folds, random_state=0,
                                **_quiet())
    keys = ["method", "seed", "fold"]
    columns = keys + SCORES + ["best_epoch", "n_train", "n_val", "n_test", "n_generated"]
    pd.testing.assert_frame_equal(
        api.cells[columns].sort_values(keys).reset_index(drop=True),
        table.cells[columns].sort_values(keys).reset_index(drop=True))

    def quality(result):
        rows = result.cells.dropna(subset=["quality"]).sort_values(keys)
        return [{k: v for k, v in q.items() if k != "seconds"} for q in rows.quality]

    assert len(quality(api)) == 2 and quality(api) == quality(table)
    # Same paired statistics too (the data set's name aside).
    compared = ["method", "metric", "mean_diff", "ci_low", "ci_high", "p_corrected",
                "test_low", "test_high", "p_test"]
    pd.testing.assert_frame_equal(api.comparisons[compared], table.comparisons[compared])
    # Every fold scored on one test set: the paired bootstrap over its images applies,
    # from the probabilities stored with each cell.
    assert table.comparisons[["test_low", "test_high", "p_test"]].notna().all().all()
    with ResultStore(tmp_path / "table" / "cells.sqlite") as store:
        stored = store.predictions(table.cells.key)
    y, proba = stored[("val", "breastmnist", "none", 0, 0)]
    assert proba.shape == (len(data.y_test), 2) and np.array_equal(y, data.y_test)
    none = table.cells.set_index(["method", "fold"]).auc[("none", 0)]
    assert medmnist_auc(y, proba) == pytest.approx(none, abs=1e-6)


# ------------------------------------------------------------------ resume


def test_interrupted_run_resumes_and_other_data_reuses_nothing(small, tmp_path,
                                                              monkeypatch):
    X, y = small
    reference = evaluate_augmentation(X, y, "none,ros", **_quiet())
    real_run_cell = _cells.run_cell
    calls = []

    def interrupted(cell, *args, **kwargs):
        if len(calls) == 2:
            raise KeyboardInterrupt("simulated interruption")
        calls.append(cell.key)
        return real_run_cell(cell, *args, **kwargs)

    monkeypatch.setattr(_cells, "run_cell", interrupted)
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        evaluate_augmentation(X, y, "none,ros", results_dir=out, **_quiet())
    assert len(calls) == 2 and (out / "cells.sqlite").is_file()
    assert not (out / "results.md").exists()  # no report of a run cut short

    monkeypatch.setattr(_cells, "run_cell", real_run_cell)
    resumed = evaluate_augmentation(X, y, "none,ros", results_dir=out, **_quiet())
    assert (resumed.n_run, resumed.n_reused) == (2, 2)
    keys = ["method", "fold"]
    pd.testing.assert_frame_equal(
        resumed.cells[keys + SCORES].sort_values(keys).reset_index(drop=True),
        reference.cells[keys + SCORES].sort_values(keys).reset_index(drop=True))
    assert "earlier invocations on this store computed 2 cells" in resumed.to_markdown()
    again = evaluate_augmentation(X, y, "none,ros", results_dir=out, **_quiet())
    assert (again.n_run, again.n_reused) == (0, 4)

    # One pixel of one image changed: other data, so no stored cell is reused.
    other = X.copy()
    other[0, 0, 0] ^= 1
    changed = evaluate_augmentation(other, y, "none,ros", results_dir=out, **_quiet())
    assert (changed.n_run, changed.n_reused) == (4, 0)


# ------------------------------------------------------------------ the result object


def test_sampler_instances_baseline_plot_and_save(small, tmp_path):
    X, y = small
    labels = np.array(["cyst", "tumour"])[y]
    methods = {"none": None,
               "flips": GeometricSampler(max_shift=0, sampling_strategy=AddPerClass(4)),
               "idle": GeometricSampler()}  # 'auto' on balanced classes: adds nothing
    result = evaluate_augmentation(
        X, labels, methods, baseline="flips",
        classifier=ResNetClassifier(width=2, max_epochs=1), cv=3,
        validation_fraction=0.4, **_quiet())
    assert isinstance(result, AugmentationEvaluation)
    assert set(result.cells.method) == {"none", "flips", "idle"}
    assert len(result.cells) == 9 and (result.cells.best_epoch == 1).all()  # 1 epoch
    generated = result.cells.groupby("method").n_generated.max()
    assert generated.to_dict() == {"flips": 8, "idle": 0, "none": 0}  # as given
    assert set(result.comparisons.reference) == {"flips"}
    assert set(result.comparisons.method) == {"none", "idle"}
    assert set(result.quality.method) == {"flips", "idle"}
    assert "**Note**: idle added no images in any cell" in result.to_markdown()
    fig = result.plot(["auc", "acc"])
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    assert [ax.get_ylabel() for ax in fig.axes] == ["AUC", "ACC"]
    assert len(fig.axes[0].patches) == 3  # one bar per method
    folder = result.save(tmp_path / "saved")
    assert {p.name for p in folder.iterdir()} >= {
        "results.md", "cells.csv", "summary.csv", "comparisons.csv", "quality.csv",
        "config.json", "scores.png", "samples_data_flips.png"}
    report = (folder / "results.md").read_text()
    assert "Paired difference vs flips" in report
    # The verdict on the primary metric opens the report; the adjusted p-values are
    # in the table and the CSV.
    assert report.index("## Verdict") < report.index("### Test scores")
    assert "Primary metric, declared before the run: **AUC**" in report
    assert "p (adjusted)" in report
    saved = pd.read_csv(folder / "comparisons.csv")
    assert {"family", "p_holm", "p_bh", "p_adjusted", "p_better", "p_rope", "p_worse",
            "detectable"} <= set(saved.columns)
    assert set(saved[saved.family == "primary"].metric) == {"auc"}
    # The sampler's parameters enter the cells' keys.
    other, same = (prepare_evaluation(X, labels, EvaluationSettings(
        methods={"flips": GeometricSampler(max_shift=shift)}, baseline="flips",
        profile="smoke", quality=False)) for shift in (1, 0))
    assert other.cells[0].config_hash != same.cells[0].config_hash


# ------------------------------------------------------------------ bad input


def _bad_arguments(kind, X, y):
    n = len(y)
    cases = {
        "nan": (dict(X=np.full(X.shape, np.nan)), "X contains NaN"),
        "flat": (dict(X=X.reshape(n, -1)), "X must be images .* Flat rows"),
        "channels first": (dict(X=np.stack([X] * 3, axis=1)), "Channels first"),
        "bool": (dict(X=X > 0), "dtype bool"),
        "strings": (dict(X=X.astype(str)), "pixel numbers"),
        "16-bit": (dict(X=X.astype(np.int32) * 256), "integer pixels in \\[0, "),
        "empty": (dict(X=X[:0], y=y[:0]), "X is empty"),
        "lengths": (dict(y=y[:-1]), f"y has {n - 1} labels for {n} images"),
        "one class": (dict(y=np.zeros(n)), "y holds a single class"),
        "few per class": (dict(y=np.r_[np.zeros(n - 1), 1]),
                          "Too few images per class \\(class 1.0 has 1\\): 2-fold"),
        "test classes": (dict(X_test=X[:4], y_test=np.array([0, 1, 2, 2])),
                         "only in the test set: \\[2\\]"),
        "test shape": (dict(X_test=X[:4, :8], y_test=y[:4]), "X_test holds images of "),
        "test dtype": (dict(X_test=X[:4] / 255, y_test=y[:4]), "X_test has dtype"),
        "test half": (dict(X_test=X[:4]), "both X_test and y_test"),
        "unknown method": (dict(methods="none,vae"), "Unknown method.*choose among none"),
        "not a sampler": (dict(methods=["none", object()]), "neither a method name"),
        "baseline": (dict(baseline="cgan"), "baseline='cgan' is not among the methods"),
        "seed": (dict(random_state=None), "'random_state' parameter .* must be an int"),
        "cv": (dict(cv=1), "'cv' parameter .* must be an int in the range \\[2, inf\\)"),
        "shuffling cv": (dict(cv=KFold(2, shuffle=True)), "different splits on each call"),
        "repeats with a splitter": (dict(cv=StratifiedKFold(2), n_repeats=2),
                                    "n_repeats applies to cv given as an int"),
        "classifier": (dict(classifier=dict(width=0)), "width"),
        "not a classifier": (dict(classifier="resnet"),
                             "'classifier' parameter .*ResNetClassifier"),
        "strategy": (dict(sampling_strategy="everything"), "sampling_strategy="),
        "profile": (dict(profile="fast"), "Unknown profile 'fast'"),
        "primary metric": (dict(primary_metric="f1"), "'primary_metric' parameter"),
        "rope": (dict(rope=0.0), "'rope' parameter"),
        "validation": (dict(validation_fraction=1.5),
                       "'validation_fraction' parameter .* range \\(0.0, 1.0\\)"),
        # 24 images, 2 folds: 1 validation image per class, too few for 5 neighbours.
        "quality": ({}, "only 2 real validation images; the quality report of geometric"),
    }
    return cases[kind]


@pytest.mark.parametrize("kind", [
    "nan", "flat", "channels first", "bool", "strings", "16-bit", "empty", "lengths",
    "one class", "few per class", "test classes", "test shape", "test dtype",
    "test half", "unknown method", "not a sampler", "baseline", "seed", "cv",
    "shuffling cv", "repeats with a splitter", "classifier", "not a classifier",
    "strategy", "profile", "validation", "quality", "primary metric", "rope",
])
def test_bad_input_is_refused_before_anything_is_written(small, tmp_path, kind,
                                                         monkeypatch):
    X, y = small
    changes, message = _bad_arguments(kind, X, y)
    arguments = dict(X=X, y=y, methods="none,geometric", profile="smoke")
    arguments.update(changes)
    assert_refused_before_running(monkeypatch, tmp_path / "out", message, **arguments)


def test_integer_images_in_0_255_are_taken_as_uint8(small):
    X, y = small
    settings = EvaluationSettings(methods="none", profile="smoke")
    wide = prepare_evaluation(X.astype(np.int64), y, settings)
    narrow = prepare_evaluation(X, y, settings)
    assert wide.plan.data["data"].X.dtype == np.uint8
    assert wide.cells[0].config_hash == narrow.cells[0].config_hash


def test_images_as_files_equal_the_arrays(tmp_path):
    # The command's data path: PNG files read back are the arrays written.
    X, y = make_image_classification(10, image_size=8, random_state=3)
    write_folder(tmp_path, X, y, names=("a", "b"))
    from skgenaug.datasets import load_images

    data = load_images(tmp_path)
    order = np.argsort(y, kind="stable")
    np.testing.assert_array_equal(data.X, X[order])
    Image.fromarray(X[0]).save(tmp_path / "a" / "zzz.png")
    assert len(load_images(tmp_path).y) == 11


def test_splits_given_as_index_pairs_keep_patients_apart():
    # Several images per patient: folds made beforehand by StratifiedGroupKFold.
    from sklearn.model_selection import StratifiedGroupKFold

    X, y = _numbered_images(40)
    patients = np.arange(40) // 4
    y = patients % 2  # one class per patient
    splits = list(StratifiedGroupKFold(3).split(X, y, patients))
    prepared = prepare_evaluation(
        X, y, EvaluationSettings(methods="none", cv=splits, quality=False,
                                 classifier_augment="none"))
    data = prepared.plan.data["data"]
    assert prepared.plan.profile.folds == 3 and len(prepared.cells) == 3
    for fold, (train, held) in enumerate(splits):
        split = data.split(0, fold)
        assert _rows(split.X_test) == set(held.tolist())
        seen = _rows(split.X_train) | _rows(split.X_val)
        assert seen == set(train.tolist())
        assert not set(patients[sorted(seen)]) & set(patients[held])


def test_command_with_an_unlabelled_folder_and_a_ratio_sweep(tmp_path, capsys):
    X, y = make_image_classification(40, n_classes=2, image_size=12, random_state=0)
    write_folder(tmp_path / "scans", X, y, names=("normal", "pneumonia"))
    X_pool, _ = make_image_classification(15, n_classes=2, image_size=12, random_state=1)
    (tmp_path / "pool").mkdir()
    for i, image in enumerate(X_pool):
        Image.fromarray(image).save(tmp_path / "pool" / f"{i}.png")
    out = tmp_path / "out"
    status = cli.main(["evaluate", str(tmp_path / "scans"), "--unlabelled",
                       str(tmp_path / "pool"), "--methods", "none,cvae+pool",
                       "--add-per-class", "10,30", "--profile", "smoke", "--out", str(out),
                       "--no-progress", "--no-quality", "--n-jobs", "1", "--threads", "1"])
    assert status == 0
    cells = pd.read_csv(out / "cells.csv").groupby("method")
    assert cells.n_generated.max().to_dict() == {"cvae+pool": 20, "cvae+pool@30": 60,
                                                 "none": 0}
    assert cells.n_unlabelled.max().to_dict() == {"cvae+pool": 15, "cvae+pool@30": 15,
                                                  "none": 0}
    assert "15 unlabelled" in capsys.readouterr().out


def test_the_primary_metric_is_declared_before_any_cell_runs(small, tmp_path,
                                                              monkeypatch):
    X, y = small
    out = tmp_path / "out"
    seen = []

    def record_config(*args, **kwargs):
        seen.append(json.loads((out / "config.json").read_text()))
        return {"auc": 0.5, "acc": 0.5, "balanced_acc": 0.5}

    monkeypatch.setattr(_cells, "run_cell", record_config)
    monkeypatch.setattr(run_module, "AugmentationEvaluation", _NoReport)
    settings = EvaluationSettings(methods="none,geometric", profile="smoke",
                                  results_dir=out, primary_metric="balanced_acc",
                                  rope=0.02, quality=False)
    prepare_evaluation(X, y, settings).run(quiet())
    assert seen, "no cell ran"
    declared = seen[0]["declared"]
    assert declared["primary_metric"] == "balanced_acc" and declared["rope"] == 0.02
    assert "balanced_acc of every (data set, method) vs none" in declared["family"]


class SeedSampler(BaseEstimator):
    """Adds nothing; records the seed each cell gave it."""

    def __init__(self, random_state=None):
        self.random_state = random_state

    def fit_resample(self, X, y):
        SEEN.append(self.random_state)
        return X, y


def test_classifier_and_sampler_get_distinct_seeds_per_repeat_and_fold():
    from skgenaug.evaluation._data import model_seeds

    X, y = _numbered_images(40)
    SEEN.clear()
    result = evaluate_augmentation(X, y, {"none": None, "seeds": SeedSampler()},
                                   cv=2, n_repeats=2, quality=False, random_state=3,
                                   **_quiet())
    cells = result.cells.set_index(["method", "seed", "fold"]).sort_index()
    expected = {(seed, fold): model_seeds(seed, fold) for seed in (3, 4)
                for fold in (0, 1)}
    assert sorted(SEEN) == sorted(s for _, s in expected.values())
    for (seed, fold), (classifier, sampler) in expected.items():
        # Every method of a (seed, fold) trains its classifier with the same seed.
        assert cells.classifier_seed[("none", seed, fold)] == classifier
        assert cells.classifier_seed[("seeds", seed, fold)] == classifier
        assert cells.sampler_seed[("seeds", seed, fold)] == sampler != classifier
    assert len({c for c, _ in expected.values()}) == 4  # repeats draw new seeds


def test_an_augmented_baseline_brings_its_unaugmented_control():
    X, y = _numbered_images(40)
    for augment, methods in (("standard", ["none", "plain", "geometric"]),
                             ("none", ["none", "geometric"]),
                             (None, ["none", "geometric"])):  # smoke's: none
        prepared = prepare_evaluation(X, y, EvaluationSettings(
            methods="none,geometric", profile="smoke", classifier_augment=augment,
            quality=False))
        assert list(prepared.plan.specs) == methods
    quick = prepare_evaluation(X, y, EvaluationSettings(methods="geometric",
                                                        quality=False))
    assert quick.plan.profile.classifier_augment == "standard"
    assert list(quick.plan.specs) == ["none", "plain", "geometric"]
    with pytest.raises(ValueError, match="classifier_augment"):
        EvaluationSettings(classifier_augment="heavy")
    args = cli.build_parser()[0].parse_args(
        ["evaluate", "data", "--classifier-augment", "trivial"])
    assert args.classifier_augment == "trivial"


def test_epoch_rule_is_the_profiles_unless_given(tmp_path, monkeypatch):
    X, y = _numbered_images(40)
    for profile, rule, expected in (("quick", None, "last"), ("smoke", None, "accuracy"),
                                    ("smoke", "last", "last"), ("quick", "auc", "auc")):
        prepared = prepare_evaluation(X, y, EvaluationSettings(
            methods="none", profile=profile, epoch_rule=rule, quality=False))
        assert prepared.plan.profile.epoch_rule == expected
    with pytest.raises(ValueError, match="epoch_rule"):
        EvaluationSettings(epoch_rule="best")
    # Both commands take it; the table hands it to its profile.
    args = cli.build_parser()[0].parse_args(["evaluate", "data", "--epoch-rule", "auc"])
    assert args.epoch_rule == "auc"
    seen = {}

    def record(profile, *args, **kwargs):
        seen["rule"] = profile.epoch_rule
        raise MissingDataError("stop here")

    monkeypatch.setattr(cli, "run_medmnist_table", record)
    assert cli.main(["medmnist-table", "--profile", "quick", "--epoch-rule", "accuracy",
                     "--root", str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    assert seen["rule"] == "accuracy"
    with pytest.raises(SystemExit):
        cli.main(["medmnist-table", "--epoch-rule", "best"])
