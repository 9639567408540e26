"""One cell: samplers built, shared artifacts, Ctrl-C, costs and order."""

import os
import signal
from dataclasses import replace

import numpy as np
import pytest
from _support import (
    _cost,
    _NoReport,
    _run,
)
from skorch.callbacks import Callback

from skgenaug import AddPerClass
from skgenaug._methods import METHODS as ALL_METHODS
from skgenaug.evaluation import (
    _artifacts,
    _cells,
    _plan,
    _scenarios,
    get_profile,
)
from skgenaug.evaluation._config import (
    cell_settings,
    config_hash,
)
from skgenaug.evaluation._plan import MethodSpec, default_sampling_strategy
from skgenaug.medmnist import MedMNISTData

METHODS = ["none", "ae", "cvae", "cgan"]


def test_make_sampler_gives_the_device_to_the_network_samplers_only():
    from skgenaug import BaseGenerativeSampler

    settings = get_profile("smoke")
    for method in ALL_METHODS:
        sampler = MethodSpec(method).build(settings, AddPerClass(150), 0, "cuda:1")
        if ALL_METHODS[method].sampler is None:  # none, plain
            assert sampler is None
        elif isinstance(sampler, BaseGenerativeSampler):
            assert sampler.device == "cuda:1"  # resolved (and checked) at fit only
        else:
            assert "device" not in sampler.get_params()


def test_feature_resnet_is_fitted_once_per_fold(data_root, tmp_path, smoke, monkeypatch):
    fits = []
    real_fit = _cells.ResNetClassifier.fit

    def counting_fit(self, X, y, **kwargs):
        if self.selection is None:  # the quality report's feature ResNet
            fits.append(len(y))
        return real_fit(self, X, y, **kwargs)

    # On the class, not a subclass: the fitted ResNets are pickled for other workers.
    monkeypatch.setattr(_cells.ResNetClassifier, "fit", counting_fit)
    monkeypatch.setattr(_artifacts, "_FEATURE_CACHE", type(_artifacts._FEATURE_CACHE)())
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
    monkeypatch.setattr(_artifacts, "_FEATURE_CACHE", type(_artifacts._FEATURE_CACHE)())
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
    # The smoke classifier has the feature ResNet's settings: the 'none'
    # cell's training is the feature ResNet's, epoch for epoch.
    cell = _plan.Cell("breastmnist", "none", 0, 0, "val", "")
    assert _artifacts.donates_feature_resnet(cell, smoke)
    ae_cell = _plan.Cell("breastmnist", "ae", 0, 0, "val", "")
    assert not _artifacts.donates_feature_resnet(ae_cell, smoke)
    paper = get_profile("paper")
    assert not _artifacts.donates_feature_resnet(cell, paper)  # width 64, SGD: no

    fits = []
    real_fit = _cells.ResNetClassifier.fit

    def counting_fit(self, X, y, **kwargs):
        if self.selection is None:
            fits.append(len(y))
        return real_fit(self, X, y, **kwargs)

    monkeypatch.setattr(_cells.ResNetClassifier, "fit", counting_fit)
    monkeypatch.setattr(_artifacts, "_FEATURE_CACHE", type(_artifacts._FEATURE_CACHE)())
    fitted = _run(smoke, data_root, tmp_path / "fitted", methods=("ae",))
    assert len(fits) == smoke.folds
    monkeypatch.setattr(_artifacts, "_FEATURE_CACHE", type(_artifacts._FEATURE_CACHE)())
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


def test_ctrl_c_inside_a_cell_is_not_swallowed(data_root, smoke, interactive_sigint):
    # skorch ends training early at Ctrl-C and returns normally; the cell must not pass
    # for a whole one.
    settings = replace(smoke, classifier={**smoke.classifier, "max_epochs": 3,
                                          "callbacks": [("ctrl_c",
                                                         _CtrlCAfterFirstEpoch())]})
    data = MedMNISTData("breastmnist", str(data_root), settings)
    cell = _plan.Cell("breastmnist", "none", 0, 0, "val", "test")
    handler = signal.getsignal(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt, match="not stored"):
        _cells.run_cell(cell, settings, data)
    assert signal.getsignal(signal.SIGINT) is handler  # put back
    # Without the signal the same cell runs whole.
    settings = replace(settings, classifier={**settings.classifier, "callbacks": None})
    assert _cells.run_cell(cell, settings, data)["best_epoch"] >= 1


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


def test_leak_screening_sees_generated_images_that_copy_test_images():
    from skgenaug import ResNetClassifier
    from skgenaug.datasets import make_image_classification
    from skgenaug.evaluation._cells import LEAK_QUANTILE, _leak_screening

    X, y = make_image_classification(240, image_size=12, random_state=0)
    X_train, y_train, X_test = X[:160], y[:160], X[160:]
    feature = ResNetClassifier(width=2, max_epochs=2, selection=None,
                               validation_fraction=0.0, random_state=0).fit(X_train,
                                                                            y_train)
    fresh, _ = make_image_classification(40, image_size=12, random_state=1)
    honest, _ = _leak_screening(feature, X_train, fresh, X_test)
    leaked, pairs = _leak_screening(feature, X_train, X_test[:40], X_test)
    # Copies of test images sit on them (distance 0); fresh draws rarely do.
    assert leaked["leak_share"] == 1.0 and honest["leak_share"] < 0.25
    assert honest["leak_real_share"] == pytest.approx(LEAK_QUANTILE, abs=0.01)
    assert pairs["leak_distance"].max() == pytest.approx(0.0, abs=1e-5)
    np.testing.assert_array_equal(pairs["leak_generated"], pairs["leak_test"])


@pytest.mark.parametrize("equal_steps", [True, False])
def test_every_cell_trains_as_many_steps_as_the_baseline(data_root, tmp_path, smoke,
                                                          monkeypatch, equal_steps):
    from skgenaug import ResNetClassifier
    from skgenaug.evaluation import _cells as cells_module

    fits = []

    class Counting(ResNetClassifier):
        def fit(self, X, y, **kwargs):
            super().fit(X, y, **kwargs)
            rows = [sum(b.get("train_batch_size", 0) for b in h["batches"])
                    for h in self.net_.history]
            fits.append((len(y), rows))
            return self

    monkeypatch.setattr(cells_module, "ResNetClassifier", Counting)
    profile = replace(smoke, quality=None, equal_steps=equal_steps)
    result = _run(profile, data_root, tmp_path / "out", methods=("none", "geometric"))
    assert (result.cells.n_generated > 0).sum() == 2 and len(fits) == 4
    assert all(len(set(rows)) == 1 for _, rows in fits)  # the same rows every epoch
    real = set(result.cells.n_train)  # the folds' real training rows
    augmented = {rows[0] for n_fit, rows in fits if n_fit not in real}
    if equal_steps:  # as many rows per epoch as the real part (a batch of 1 dropped)
        assert augmented <= real | {n - 1 for n in real}
    else:
        assert min(augmented) > max(real)
    assert ("Equal training budgets" in result.to_markdown()) == equal_steps


def test_every_method_trains_on_top_of_the_on_the_fly_augmentation(
        data_root, tmp_path, smoke, monkeypatch):
    from skgenaug import ResNetClassifier
    from skgenaug.evaluation import _cells as cells_module

    fits = []

    class Recording(ResNetClassifier):
        def fit(self, X, y, **kwargs):
            fits.append((self.augment, tuple(self.flips)))
            return super().fit(X, y, **kwargs)

    monkeypatch.setattr(cells_module, "ResNetClassifier", Recording)
    profile = replace(smoke, quality=None, classifier_augment="standard")
    result = _run(profile, data_root, tmp_path / "out", methods=("none", "geometric"),
                  datasets=("breastmnist", "dermamnist"))
    # 'plain', the control without any augmentation, joins the run after the baseline.
    assert list(result.cells.method.unique()) == ["none", "plain", "geometric"]
    assert sorted(fits, key=str) == sorted(
        [(None, ("horizontal",))] * 2 + [(None, ("horizontal",))] * 2  # plain
        + [("standard", ("horizontal",))] * 4  # breast: none, geometric
        + [("standard", ("horizontal", "vertical"))] * 4, key=str)  # dermoscopy
    primary = result.comparisons[result.comparisons.family == "primary"]
    assert set(primary.method) == {"geometric"}  # the control is not a method
    plain = result.comparisons[result.comparisons.method == "plain"]
    assert len(plain) and (plain.family == "secondary").all()
    text = result.to_markdown()
    assert ("every cell's classifier, the baseline's included, trains with "
            "`augment='standard'` (dermamnist: horizontal and vertical flips; "
            "breastmnist: horizontal flips)") in text
    # Chest X-rays are never flipped left-right.
    from skgenaug.medmnist import MedMNISTData

    assert MedMNISTData("pneumoniamnist", data_root, profile).flips == ()
    # The unaugmented control, not the baseline, trains as the feature ResNet does.
    donor = replace(profile, quality=smoke.quality)
    for method, donates in (("plain", True), ("none", False)):
        probe = _plan.Cell("breastmnist", method, 0, 0, "val", "")
        assert _artifacts.donates_feature_resnet(probe, donor) is donates


@pytest.mark.parametrize("precision", ["float32", "bfloat16"])
def test_cells_record_the_classifier_arithmetic_and_the_report_states_it(
        data_root, tmp_path, smoke, precision):
    profile = replace(smoke, quality=None,
                      classifier={**smoke.classifier, "precision": precision})
    result = _run(profile, data_root, tmp_path / "out", methods=("none",))
    assert set(result.cells.precision) == {precision}
    assert f"Classifier arithmetic: {precision}" in result.to_markdown()


@pytest.mark.parametrize("rule", ["accuracy", "auc", "last"])
def test_honest_cells_keep_the_profiles_epoch_and_test_best_its_own(
        data_root, tmp_path, smoke, monkeypatch, rule):
    from skgenaug import ResNetClassifier

    fits = []

    class Recording(ResNetClassifier):
        def fit(self, X, y, X_val=None, y_val=None, **kwargs):
            fits.append((self.selection, X_val is not None, len(y)))
            return super().fit(X, y, X_val=X_val, y_val=y_val, **kwargs)

    monkeypatch.setattr(_cells, "ResNetClassifier", Recording)
    profile = replace(smoke, quality=None, epoch_rule=rule,
                      classifier={**smoke.classifier, "max_epochs": 3})
    result = _run(profile, data_root, tmp_path / "out", methods=("none",))
    cells = result.cells
    assert len(fits) == len(cells) == smoke.folds
    if rule == "last":
        # No validation at all, and the held-out rows stay out of training.
        assert fits == [(None, False, n) for n in cells.n_train]
        assert cells.best_epoch.isna().all()
    else:
        assert fits == [(rule, True, n) for n in cells.n_train]
        assert cells.best_epoch.between(1, 3).all()
    assert f"Epoch kept (`epoch_rule='{rule}'`)" in result.to_markdown()

    # The paper's optimistic rule keeps the best test accuracy whatever the profile's.
    fits.clear()
    cell = _plan.Cell("breastmnist", "none", 0, 0, "test-best", "")
    data = MedMNISTData("breastmnist", str(data_root), profile)
    assert 1 <= _cells.run_cell(cell, profile, data)["best_epoch"] <= 3
    assert fits[0][:2] == ("accuracy", True)


def test_epoch_rule_is_hashed_and_checked(smoke):
    # The rule of the cells stored before it was a setting keeps their hashes.
    assert smoke.epoch_rule == "accuracy" and "epoch_rule" not in cell_settings(smoke,
                                                                                "none")
    assert config_hash(replace(smoke, epoch_rule="last"), "none") != config_hash(
        smoke, "none")
    with pytest.raises(ValueError, match="epoch_rule must be one of"):
        get_profile("smoke", epoch_rule="best")


def test_test_best_cells_hash_no_epoch_rule(smoke):
    # A 'test-best' cell keeps its best test epoch whatever the profile's rule, so a
    # new rule must not send its stored cells to be computed again, identically.
    hashes = {
        profile.epoch_rule: {(c.method, c.selection): c.config_hash
                             for c in _plan.make_cells(profile, ["breastmnist"],
                                                       ["none", "cvae"],
                                                       ["val", "test-best"], [0])}
        for profile in (smoke, replace(smoke, epoch_rule="last"))}
    for method in ("none", "cvae"):
        assert hashes["last"][method, "test-best"] == \
            hashes["accuracy"][method, "test-best"] == hashes["accuracy"][method, "val"]
        assert hashes["last"][method, "val"] != hashes["accuracy"][method, "val"]
