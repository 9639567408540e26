"""Images made elsewhere, evaluated as a method: evaluate_augmentation(synthetic=...)
and ``skgenaug evaluate --synthetic DIR[:NAME]`` (issue 26, item 2): the drawn images,
the comparisons, the report's warning, bad input refused before anything runs, and the
round trip from ``skgenaug generate``."""

import json

import numpy as np
import pandas as pd
import pytest
from _support import assert_refused_before_running, write_folder
from sklearn.base import clone

from skgenaug import AddPerClass, AugmentationEvaluation, cli, evaluate_augmentation
from skgenaug.datasets import make_image_classification
from skgenaug.evaluation import _cells
from skgenaug.evaluation._data import model_seed
from skgenaug.evaluation._evaluate import prepare_evaluation
from skgenaug.evaluation._settings import EvaluationSettings

WARNING = "The tool cannot know what made these images"


@pytest.fixture(scope="module")
def data():
    X, y = make_image_classification(48, image_size=12, random_state=0)
    X_syn, y_syn = make_image_classification(40, image_size=12, random_state=1)
    return X, y, X_syn, y_syn


def _prepared(X, y, synthetic, n=4, **settings):
    settings = EvaluationSettings(**{"methods": "none,ros", "profile": "smoke",
                                     "sampling_strategy": AddPerClass(n),
                                     "validation_fraction": 0.3, **settings})
    return prepare_evaluation(X, y, settings, synthetic=synthetic)


def _rows_of(images, X_set):
    """Index in X_set of each image (all must be found)."""
    flat = X_set.reshape(len(X_set), -1)
    found = [np.flatnonzero((flat == image.ravel()).all(axis=1)) for image in images]
    assert all(len(f) for f in found), "a drawn image is not in the synthetic set"
    return np.array([f[0] for f in found])


def test_draws_per_fold_from_the_set_seeded_and_without_replacement(data):
    X, y, X_syn, y_syn = data
    prepared = _prepared(X, y, {"outside": (X_syn, y_syn)})
    plan = prepared.plan
    spec, split_data = plan.specs["outside"], plan.data["data"]
    drawn = {}
    for fold in range(2):
        split = split_data.split(0, fold)
        sampler = spec.build(plan.profile, plan.sampling_strategy, model_seed(0, fold),
                             "cpu")
        X_res, y_res = sampler.fit_resample(split.X_train, split.y_train)
        new, labels = X_res[len(split.y_train):], y_res[len(split.y_train):]
        assert np.bincount(labels).tolist() == [4, 4]
        rows = _rows_of(new, X_syn)
        assert len(set(rows.tolist())) == len(rows)  # without replacement
        assert (y_syn[rows] == labels).all()  # each image from its own class
        again = clone(spec.sampler).set_params(random_state=model_seed(0, fold))
        np.testing.assert_array_equal(again.fit_resample(split.X_train,
                                                         split.y_train)[0], X_res)
        drawn[fold] = rows
    assert drawn[0].tolist() != drawn[1].tolist()  # each fold draws with its seed


def test_the_set_is_hashed_by_its_images(data):
    X, y, X_syn, y_syn = data
    hashes = [{c.method: c.config_hash for c in _prepared(X, y, s).cells}
              for s in ({"outside": (X_syn, y_syn)}, {"outside": (X_syn.copy(), y_syn)},
                        {"outside": (np.where(X_syn == 0, 1, X_syn), y_syn)})]
    assert hashes[0] == hashes[1]
    assert hashes[0]["outside"] != hashes[2]["outside"]
    assert hashes[0]["ros"] == hashes[2]["ros"]


def test_the_method_runs_and_is_compared_with_the_baseline_and_ros(data, tmp_path):
    X, y, X_syn, y_syn = data
    out = tmp_path / "out"
    result = evaluate_augmentation(
        X, y, "none,ros", synthetic={"outside": (X_syn, y_syn)}, profile="smoke",
        sampling_strategy=AddPerClass(4), validation_fraction=0.3, results_dir=out,
        n_jobs=1, threads=1)
    cells = result.cells[result.cells.method == "outside"]
    assert len(cells) == 2 and (cells.n_generated == 8).all()
    pairs = set(zip(result.comparisons.method, result.comparisons.reference))
    assert {("outside", "none"), ("outside", "ros")} <= pairs
    report = (out / "results.md").read_text()
    assert WARNING in report and "`outside` (40 images)" in report
    assert WARNING in AugmentationEvaluation.from_folder(out).to_markdown()  # re-report
    described = json.loads((out / "config.json").read_text())["methods_described"]
    assert "fingerprint=" in described["outside"]["params"]["images"]


def _bad(kind, X, y, X_syn, y_syn):
    """(changes to the call, message pattern) for one bad synthetic set."""
    good = {"synthetic": {"outside": (X_syn, y_syn)}}
    if kind == "missing class":
        keep = y_syn != 1
        return {"synthetic": {"outside": (X_syn[keep], y_syn[keep])}}, r"missing \[1\]"
    if kind == "extra class":
        return ({"synthetic": {"outside": (X_syn, np.where(y_syn == 1, 7, y_syn))}},
                r"missing \[1\]; extra \[7\]")
    if kind == "size":
        X_small = make_image_classification(40, image_size=8, random_state=1)[0]
        return ({"synthetic": {"outside": (X_small, y_syn)}},
                "image size 8x8, the data's 12x12")
    if kind == "channels":
        return ({"synthetic": {"outside": (np.repeat(X_syn[..., None], 3, -1), y_syn)}},
                r"3 channels \(RGB\), the data's 1 channel \(gray\)")
    if kind == "too few":
        return ({**good, "sampling_strategy": AddPerClass(21)},
                "fewer synthetic images than asked for: class '0' has 20, 21 needed")
    if kind == "name of a method of the run":
        return {"synthetic": {"ros": (X_syn, y_syn)}}, "'ros' clashes with a method"
    if kind == "name of a registered method":
        return {"synthetic": {"cvae@4": (X_syn, y_syn)}}, "'cvae@4' clashes"
    if kind == "not images":
        return {"synthetic": {"outside": (np.array(["a"] * 40), y_syn)}}, "pixel numbers"
    if kind == "labels":
        return {"synthetic": {"outside": (X_syn, y_syn[:-1])}}, "39 labels for 40"
    if kind == "not a pair":
        return {"synthetic": {"outside": X_syn}}, r"must be a pair \(X_syn, y_syn\)"
    if kind == "dtype":
        return {"synthetic": {"outside": (X_syn / 255.0, y_syn)}}, "dtype float64"
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", [
    "missing class", "extra class", "size", "channels", "too few",
    "name of a method of the run", "name of a registered method", "not images",
    "labels", "not a pair", "dtype",
])
def test_bad_synthetic_sets_are_refused_before_anything_runs(data, tmp_path, kind,
                                                             monkeypatch):
    X, y, X_syn, y_syn = data
    changes, message = _bad(kind, X, y, X_syn, y_syn)
    arguments = dict(X=X, y=y, methods="none,ros", profile="smoke",
                     sampling_strategy=AddPerClass(4), validation_fraction=0.3)
    arguments.update(changes)
    assert_refused_before_running(monkeypatch, tmp_path / "out", message, **arguments)


def test_the_sampler_itself_refuses_to_draw_more_than_the_set_holds(data):
    X, y, X_syn, y_syn = data
    spec = _prepared(X, y, {"outside": (X_syn, y_syn)}).plan.specs["outside"]
    sampler = clone(spec.sampler).set_params(sampling_strategy=AddPerClass(25))
    with pytest.raises(ValueError, match="class 0 has 20, 25 needed"):
        sampler.fit_resample(X, y)
    # generate (the quality report) may ask for more: every image is used in turn
    images = clone(spec.sampler).fit(X, y).generate(np.zeros(50, dtype=int),
                                                     random_state=0)
    counts = np.bincount(_rows_of(images, X_syn), minlength=len(y_syn))
    assert sorted(set(counts[y_syn == 0].tolist())) == [2, 3]


# ------------------------------------------------------------------ the command


def _args(src, out, *extra):
    return ["evaluate", str(src), "--methods", "none,ros", "--profile", "smoke",
            "--add-per-class", "4", "--validation-fraction", "0.3", "--out", str(out),
            "--no-progress", "--n-jobs", "1", "--threads", "1", *extra]


def test_command_round_trip_from_generate(tmp_path, capsys):
    X, y = make_image_classification(48, n_classes=2, image_size=12, random_state=0)
    write_folder(tmp_path / "scans", X, y, names=("normal", "pneumonia"))
    made = tmp_path / "made"
    assert cli.main(["generate", str(tmp_path / "scans"), str(made), "--method",
                     "geometric", "--n-per-class", "6", "--profile", "smoke",
                     "--no-progress"]) == 0
    out = tmp_path / "out"
    # a second count draws made@6 too, compared with ros@6
    assert cli.main(_args(tmp_path / "scans", out, "--synthetic", str(made),
                          "--add-per-class", "4,6")) == 0
    cells = pd.read_csv(out / "cells.csv")
    assert (cells[cells.method == "made"].n_generated == 8).all()
    assert (cells[cells.method == "made@6"].n_generated == 12).all()
    comparisons = pd.read_csv(out / "comparisons.csv")
    assert {("made", "none"), ("made", "ros"), ("made@6", "ros@6")} <= set(
        zip(comparisons.method, comparisons.reference))
    assert WARNING in (out / "results.md").read_text()
    capsys.readouterr()


@pytest.mark.parametrize("text, parsed", [
    ("made", ("made", "made")), ("a/made/", ("a/made/", "made")),
    ("a/made:gan", ("a/made", "gan")), ("sets/made.npz", ("sets/made.npz", "made")),
    ("d:/made", ("d:/made", "made")),
])
def test_synthetic_argument(text, parsed):
    assert cli._synthetic_set(text) == parsed


def test_a_set_named_name_at_n_draws_n_per_class(data):
    X, y, X_syn, y_syn = data
    plan = _prepared(X, y, {"outside": (X_syn, y_syn), "outside@6": (X_syn, y_syn)},
                     methods="none,ros,ros@6").plan
    assert plan.specs["outside"].sampler.sampling_strategy == AddPerClass(4)
    assert plan.specs["outside@6"].sampler.sampling_strategy == AddPerClass(6)
    with pytest.raises(ValueError, match="class '1' has 20, 21 needed"):
        _prepared(X, y, {"outside@21": (X_syn, y_syn)})


@pytest.mark.parametrize("kind", ["classes", "size", "too few", "same name"])
def test_command_refuses_a_bad_synthetic_folder(tmp_path, capsys, kind, monkeypatch):
    X, y = make_image_classification(48, n_classes=2, image_size=12, random_state=0)
    write_folder(tmp_path / "scans", X, y, names=("normal", "pneumonia"))
    size = 8 if kind == "size" else 12
    X_syn, y_syn = make_image_classification(12, image_size=size, random_state=1)
    names = ("normal", "other") if kind == "classes" else ("normal", "pneumonia")
    write_folder(tmp_path / "made", X_syn, y_syn, names=names)
    extra = ["--synthetic", str(tmp_path / "made")]
    if kind == "same name":
        extra += ["--synthetic", str(tmp_path / "made")]
    if kind == "too few":
        extra += ["--add-per-class", "9"]
    monkeypatch.setattr(_cells, "run_cell", lambda *a, **k: pytest.fail("a cell ran"))
    with pytest.raises(SystemExit):
        cli.main(_args(tmp_path / "scans", tmp_path / "out", *extra))
    error = capsys.readouterr().err
    assert {"classes": "missing ['pneumonia']; extra ['other']",
            "size": "image size 8x8, the data's 12x12",
            "too few": "class 'normal' has 6, 9 needed",
            "same name": "two sets are named 'made'"}[kind] in error
    assert not (tmp_path / "out").exists()
