"""Quality, privacy and utility metrics of generated images (skgenaug.metrics)."""

import json

import numpy as np
import pytest
import torch
from imblearn.pipeline import Pipeline
from scipy import linalg
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression, RidgeClassifier
from sklearn.metrics import balanced_accuracy_score, pairwise_distances

from skgenaug import CVAESampler, ResNetClassifier
from skgenaug.datasets import make_image_classification
from skgenaug.metrics import (
    classification_scores,
    extract_features,
    frechet_distance,
    medmnist_auc,
    memorization_report,
    precision_recall_density_coverage,
    quality_markdown,
    quality_report,
    summarize_quality,
    train_real_test_synthetic,
    train_synthetic_test_real,
)
from skgenaug.metrics._report import DEFAULT_FEATURE_ESTIMATOR


@pytest.fixture(autouse=True)
def one_thread():
    """The test machine is shared: one torch thread."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def mixture(n, rng, centres):
    """``n`` points of a Gaussian mixture with unit-variance components."""
    which = rng.integers(len(centres), size=n)
    return centres[which] + rng.normal(size=(n, centres.shape[1]))


CENTRES = 6.0 * np.array([[0, 0, 0, 0], [1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 1]])


@pytest.fixture(scope="module")
def images():
    """Train / held-out / fresh 16x16 uint8 images of 2 classes, different seeds."""
    train = make_image_classification(120, image_size=16, random_state=0)
    holdout = make_image_classification(80, image_size=16, random_state=1)
    fresh = make_image_classification(80, image_size=16, random_state=2)
    return train, holdout, fresh


@pytest.fixture(scope="module")
def tiny_resnet(images):
    (X, y), _, _ = images
    clf = ResNetClassifier(width=4, max_epochs=4, batch_size=16, lr=1e-2,
                           optimizer="adam", selection=None, validation_fraction=0,
                           random_state=0)
    with torch.random.fork_rng():
        torch.set_num_threads(1)
        return clf.fit(X, y)


# --------------------------------------------------------------------------- Fréchet


def frechet_sqrtm(a, b):
    """The textbook formula with scipy.linalg.sqrtm, for comparison."""
    mu_a, mu_b = a.mean(0), b.mean(0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    root = linalg.sqrtm(cov_a @ cov_b).real
    return float(np.sum((mu_a - mu_b) ** 2) + np.trace(cov_a + cov_b - 2 * root))


def test_frechet_identical_sets_is_zero():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(300, 16)) * rng.uniform(0.1, 10, size=16)
    assert frechet_distance(real, real) == pytest.approx(0.0, abs=1e-6)
    assert frechet_distance(real, real.copy()) == pytest.approx(0.0, abs=1e-6)


def test_frechet_matches_sqrtm_formula_and_grows_with_shift():
    rng = np.random.default_rng(1)
    real, fake = rng.normal(size=(400, 5)), 1.5 * rng.normal(size=(300, 5)) + 0.5
    assert frechet_distance(real, fake) == pytest.approx(frechet_sqrtm(real, fake),
                                                         rel=1e-6)
    close = frechet_distance(real, rng.normal(size=(400, 5)))
    shifted = frechet_distance(real, rng.normal(size=(400, 5)) + 3.0)
    assert close < 0.2
    assert shifted == pytest.approx(5 * 9.0, rel=0.1)  # |mean shift|^2 dominates
    # Order of arguments does not matter (the formula is symmetric).
    assert frechet_distance(fake, real) == pytest.approx(frechet_distance(real, fake))


def test_frechet_singular_covariances_and_flat_input():
    rng = np.random.default_rng(2)
    real = rng.normal(size=(10, 40))  # fewer samples than features: singular covariance
    real[:, 0] = 1.0  # and a constant feature
    assert frechet_distance(real, real) == pytest.approx(0.0, abs=1e-6)
    value = frechet_distance(real, rng.normal(size=(12, 40)))
    assert np.isfinite(value) and value > 0
    assert frechet_distance(real, real, eps=1e-3) == pytest.approx(0.0, abs=1e-6)
    # 1-D input: one feature per sample; images are flattened.
    assert frechet_distance(np.arange(10.0), np.arange(10.0) + 2) == pytest.approx(4.0)
    imgs = rng.integers(0, 256, size=(20, 4, 4), dtype=np.uint8)
    assert frechet_distance(imgs, imgs) == pytest.approx(0.0, abs=1e-6)


# --------------------------------------------------------------------------- PRDC


def prdc_reference(real, fake, k):
    """Naeem et al.'s formulas written out on full distance matrices."""
    d_rr = pairwise_distances(real)
    d_ff = pairwise_distances(fake)
    d_rf = pairwise_distances(real, fake)
    r_real = np.sort(d_rr, axis=1)[:, k]
    r_fake = np.sort(d_ff, axis=1)[:, k]
    return dict(
        precision=(d_rf < r_real[:, None]).any(axis=0).mean(),
        recall=(d_rf < r_fake[None, :]).any(axis=1).mean(),
        density=(d_rf < r_real[:, None]).sum() / (k * len(fake)),
        coverage=(d_rf.min(axis=1) < r_real).mean(),
    )


def test_prdc_identical_sets_score_one():
    rng = np.random.default_rng(0)
    real = mixture(400, rng, CENTRES)
    for fake in (real, real.copy()):
        scores = precision_recall_density_coverage(real, fake, n_neighbors=5)
        assert scores == pytest.approx(
            dict(precision=1.0, recall=1.0, density=1.0, coverage=1.0), abs=1e-12
        )


def test_prdc_matches_reference_formulas():
    rng = np.random.default_rng(3)
    real, fake = mixture(300, rng, CENTRES), mixture(250, rng, CENTRES) * 1.2
    for k in (1, 3, 5):
        got = precision_recall_density_coverage(real, fake, n_neighbors=k)
        assert got == pytest.approx(prdc_reference(real, fake, k), abs=1e-12)


def test_prdc_shifted_and_collapsed_sets_score_worse():
    rng = np.random.default_rng(4)
    real = mixture(400, rng, CENTRES)
    spread = precision_recall_density_coverage(real, mixture(400, rng, CENTRES))
    shifted = precision_recall_density_coverage(real, mixture(400, rng, CENTRES) + 8.0)
    # Mode collapse: every generated point near one of the four modes.
    collapsed = precision_recall_density_coverage(
        real, CENTRES[1] + 0.5 * rng.normal(size=(400, 4))
    )
    assert spread["precision"] > 0.8 and spread["recall"] > 0.8
    assert spread["coverage"] > 0.8 and 0.7 < spread["density"] < 1.3
    assert shifted["precision"] < 0.2 and shifted["density"] < 0.2
    assert collapsed["precision"] > 0.9  # what it draws looks real ...
    assert collapsed["recall"] < spread["recall"] - 0.4  # ... but misses the variety
    assert collapsed["coverage"] < spread["coverage"] - 0.4


def test_prdc_large_sets_use_bounded_chunks():
    rng = np.random.default_rng(5)
    from skgenaug.metrics import _fidelity

    chunks = _fidelity._row_chunks(10, 7, max_bytes=8 * 7 * 3)
    assert [(c.start, c.stop) for c in chunks] == [(0, 3), (3, 6), (6, 9), (9, 10)]
    real, fake = rng.normal(size=(60, 3)), rng.normal(size=(50, 3))
    expected = prdc_reference(real, fake, 4)
    original = _fidelity._row_chunks
    try:  # force many small blocks
        _fidelity._row_chunks = lambda n, m: original(n, m, max_bytes=8 * m * 7)
        got = precision_recall_density_coverage(real, fake, n_neighbors=4)
    finally:
        _fidelity._row_chunks = original
    assert got == pytest.approx(expected, abs=1e-12)


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("func", [frechet_distance, precision_recall_density_coverage])
def test_bad_feature_input(func):
    rng = np.random.default_rng(0)
    real, fake = rng.normal(size=(30, 4)), rng.normal(size=(30, 4))
    with pytest.raises(ValueError, match="Feature dimensions differ.*4.*3"):
        func(real, fake[:, :3])
    bad = fake.copy()
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        func(real, bad)
    with pytest.raises(ValueError, match="infinity|NaN"):
        func(np.where(real > 2, np.inf, real), fake)
    with pytest.raises(ValueError, match="empty"):
        func(np.empty((0, 4)), fake)
    with pytest.raises(ValueError, match="numbers"):
        func(np.array([["a", "b"], ["c", "d"]]), fake)


def test_bad_n_neighbors():
    rng = np.random.default_rng(0)
    real, fake = rng.normal(size=(10, 2)), rng.normal(size=(6, 2))
    with pytest.raises(ValueError, match="n_neighbors=6 .* fake_features \\(6\\)"):
        precision_recall_density_coverage(real, fake, n_neighbors=6)
    with pytest.raises(ValueError, match="n_neighbors=10 .* real_features \\(10\\)"):
        precision_recall_density_coverage(real, real, n_neighbors=10)
    for k in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="positive int"):
            precision_recall_density_coverage(real, fake, n_neighbors=k)
    with pytest.raises(ValueError, match="at least 2"):
        frechet_distance(real[:1], fake)
    with pytest.raises(ValueError, match="eps"):
        frechet_distance(real, fake, eps=-1.0)


# --------------------------------------------------------------------------- memorisation


def noisy_copies(X, n, rng):
    rows = rng.integers(len(X), size=n)
    noise = rng.integers(-2, 3, size=(n, *X.shape[1:]))
    return np.clip(X[rows].astype(int) + noise, 0, 255).astype(np.uint8), rows


def test_memorization_flags_copies_not_fresh_draws(images):
    (X, _), (X_hold, _), (X_fresh, _) = images
    rng = np.random.default_rng(0)
    copies, rows = noisy_copies(X, 80, rng)
    copied = memorization_report(X, copies, X_hold, quantile=0.05, n_worst=5)
    fresh = memorization_report(X, X_fresh, X_hold, quantile=0.05)

    assert copied.space == "pixels"
    assert copied.holdout_near_copy_share == pytest.approx(0.05, abs=0.02)
    assert copied.near_copy_share > 0.95
    assert copied.near_copy_ratio > 10
    assert copied.median_distance_ratio < 0.2
    np.testing.assert_array_equal(copied.generated_nearest_train, rows)
    assert fresh.near_copy_share < 0.15  # near the held-out baseline of ~0.05
    assert 0.7 < fresh.median_distance_ratio < 1.4
    # Worst offenders: the closest generated images, closest first.
    assert len(copied.worst_indices) == 5
    np.testing.assert_array_equal(copied.worst_distances,
                                  np.sort(copied.generated_distances)[:5])
    np.testing.assert_array_equal(copied.worst_train_indices,
                                  rows[copied.worst_indices])
    # uint8 pixels are scaled to [0, 1]: distances at most sqrt(n_pixels).
    assert copied.holdout_distances.max() <= np.sqrt(16 * 16)
    assert copied.generated_distances.shape == (80,)
    assert copied.holdout_distances.shape == (80,)


def test_memorization_features_threshold_and_errors():
    rng = np.random.default_rng(0)
    train, hold = rng.normal(size=(200, 3)), rng.normal(size=(100, 3))
    report = memorization_report(train, train[:10], hold, threshold=0.0)
    assert report.space == "features"
    assert report.threshold == 0.0 and report.near_copy_share == 1.0
    assert report.holdout_near_copy_share == 0.0 and report.near_copy_ratio == np.inf
    with pytest.raises(ValueError, match="quantile"):
        memorization_report(train, hold, hold, quantile=1.0)
    with pytest.raises(ValueError, match="threshold"):
        memorization_report(train, hold, hold, threshold=-1)
    with pytest.raises(ValueError, match="n_worst"):
        memorization_report(train, hold, hold, n_worst=-1)
    with pytest.raises(ValueError, match="Feature dimensions differ"):
        memorization_report(train, hold[:, :2], hold)
    with pytest.raises(ValueError, match="NaN"):
        memorization_report(train, np.full((3, 3), np.nan), hold)


# --------------------------------------------------------------------------- utility


def test_utility_scores_are_sensible(images):
    (X, y), (X_hold, y_hold), _ = images
    flat, flat_hold = X.reshape(len(X), -1), X_hold.reshape(len(X_hold), -1)
    clf = LogisticRegression(max_iter=300)
    copies = train_synthetic_test_real(clf, flat, y, flat_hold, y_hold)
    assert set(copies) == {"accuracy", "balanced_accuracy", "auc"}
    assert copies["accuracy"] > 0.9 and copies["auc"] > 0.95

    shuffled = np.random.default_rng(0).permutation(y)
    chance = train_synthetic_test_real(clf, flat, shuffled, flat_hold, y_hold)
    assert chance["balanced_accuracy"] < 0.7 and chance["auc"] < 0.75

    reverse = train_real_test_synthetic(clf, flat_hold, y_hold, flat, y)
    assert reverse["accuracy"] > 0.9
    assert not hasattr(clf, "coef_")  # the estimator itself is left unfitted


def test_utility_labels_and_no_predict_proba():
    X, y = make_image_classification(90, n_classes=3, image_size=12, random_state=0)
    flat = X.reshape(len(X), -1) / 255.0
    names = np.array(["a", "b", "c"])[y]
    scores = train_real_test_synthetic(LogisticRegression(max_iter=300), flat[:60],
                                       names[:60], flat[60:], names[60:])
    assert scores["accuracy"] > 0.7 and 0.8 < scores["auc"] <= 1.0
    # A class the classifier never saw still gets an AUC (its column is all zeros).
    two = names[:60] != "c"
    unseen = train_synthetic_test_real(LogisticRegression(max_iter=300), flat[:60][two],
                                       names[:60][two], flat[60:], names[60:])
    assert np.isfinite(unseen["auc"])
    ridge = train_synthetic_test_real(RidgeClassifier(), flat[:60], names[:60],
                                      flat[60:], names[60:])
    assert np.isnan(ridge["auc"]) and ridge["accuracy"] > 0.7
    with pytest.raises(ValueError, match="single class"):
        train_synthetic_test_real(RidgeClassifier(), flat[:5], ["a"] * 5, flat, names)
    with pytest.raises(ValueError, match="inconsistent"):
        train_synthetic_test_real(RidgeClassifier(), flat[:10], names[:9], flat, names)


def test_classification_scores_pad_unseen_classes_one_way():
    rng = np.random.default_rng(0)
    y_true = np.array(["a", "b", "c", "c", "a", "b", "c", "a"])
    proba = rng.dirichlet([1, 1], size=len(y_true))  # a classifier that never saw "c"
    scores = classification_scores(y_true, proba=proba, classes=np.array(["a", "b"]))
    padded = np.column_stack([proba, np.zeros(len(y_true))])
    codes = np.searchsorted(["a", "b", "c"], y_true)
    predicted = np.array(["a", "b"])[proba.argmax(axis=1)]
    assert scores == dict(
        accuracy=float(np.mean(predicted == y_true)),
        balanced_accuracy=float(balanced_accuracy_score(y_true, predicted)),
        auc=medmnist_auc(codes, padded),
    )
    # labels: columns for every class code of a data set (the benchmark's), here a
    # code that neither the classifier nor the test labels hold
    binary = np.array([0, 1, 1, 0, 1])
    p = rng.dirichlet([1, 1], size=5)
    wide = classification_scores(binary, proba=p, classes=np.array([0, 1]),
                                 labels=np.arange(3))
    assert wide["auc"] == medmnist_auc(binary, np.column_stack([p, np.zeros(5)]))
    # y_pred, when given, is what the accuracies score (a model's own predict)
    given = classification_scores(binary, proba=p, classes=np.array([0, 1]),
                                  y_pred=np.ones(5, int))
    assert given["accuracy"] == 0.6 and given["auc"] == wide["auc"]
    no_proba = classification_scores(binary, y_pred=binary)
    assert no_proba["accuracy"] == 1.0 and np.isnan(no_proba["auc"])
    with pytest.raises(ValueError, match="proba, y_pred"):
        classification_scores(binary)
    with pytest.raises(ValueError, match="classes"):
        classification_scores(binary, proba=p)


# --------------------------------------------------------------------------- features


def test_extract_features_shape_and_determinism(images, tiny_resnet):
    (X, y), (X_hold, _), _ = images
    mode = tiny_resnet.net_.module_.training
    feats = extract_features(tiny_resnet, X_hold, batch_size=32)
    assert feats.shape == (len(X_hold), 8 * 4) and feats.dtype == np.float32
    np.testing.assert_allclose(feats, extract_features(tiny_resnet, X_hold), rtol=1e-5,
                               atol=1e-6)
    flat = extract_features(tiny_resnet, X_hold.reshape(len(X_hold), -1)[:7])
    np.testing.assert_allclose(flat, feats[:7], rtol=1e-5, atol=1e-6)
    assert tiny_resnet.net_.module_.training is mode  # left as it was
    pipe = Pipeline([("clf", tiny_resnet)])
    np.testing.assert_allclose(extract_features(pipe, X_hold[:3]), feats[:3], rtol=1e-5,
                               atol=1e-6)


def test_extract_features_errors(images, tiny_resnet):
    (X, y), _, _ = images
    with pytest.raises(NotFittedError):
        extract_features(ResNetClassifier(), X)
    with pytest.raises(TypeError, match="ResNetClassifier"):
        extract_features(LogisticRegression().fit(X.reshape(len(X), -1), y), X)
    with pytest.raises(ValueError):
        extract_features(tiny_resnet, X[:, :8, :8])  # wrong image size
    with pytest.raises(ValueError, match="batch_size"):
        extract_features(tiny_resnet, X, batch_size=0)


# --------------------------------------------------------------------------- report


class CopySampler:
    """Returns training images with tiny noise: the worst case of memorisation."""

    def __init__(self, X, y):
        self.X, self.y = X, y
        self.classes_ = np.unique(y)

    def generate(self, y, random_state=None):
        rng = np.random.default_rng(random_state)
        out = np.empty((len(y), *self.X.shape[1:]), dtype=self.X.dtype)
        for label in np.unique(y):
            source = self.X[self.y == label]
            where = np.flatnonzero(y == label)
            out[where] = noisy_copies(source, len(where), rng)[0]
        return out


def test_quality_report_sampler_and_copies(images, tiny_resnet):
    (X, y), (X_hold, y_hold), _ = images
    sampler = CVAESampler(hidden_layer_sizes=(32,), latent_dim=4, max_epochs=3,
                          random_state=0).fit(X, y)
    report = quality_report(sampler, X, y, X_hold, y_hold,
                            feature_estimator=tiny_resnet, random_state=0)
    json.dumps(report)  # fit for a JSON record
    assert report["n_generated"] == len(X) and report["n_features"] == 32
    assert report["feature_space"] == "resnet"
    for key in ("precision", "recall", "coverage", "reference_precision",
                "pixel_near_copy_share", "feature_near_copy_share", "tstr_accuracy",
                "trts_auc", "trtr_accuracy"):
        assert 0.0 <= report[key] <= 1.0, key
    assert report["frechet_distance"] >= 0 and report["density"] >= 0
    assert report["trtr_accuracy"] > 0.8  # the feature classifier itself
    again = quality_report(sampler, X, y, X_hold, y_hold, feature_estimator=tiny_resnet,
                           random_state=0)
    assert {k: v for k, v in again.items() if k != "seconds"} == pytest.approx(
        {k: v for k, v in report.items() if k != "seconds"}, nan_ok=True)

    copies = quality_report(CopySampler(X, y), X, y, X_hold, y_hold,
                            feature_estimator="pixels", n_per_class=30, utility=False,
                            random_state=0)
    assert copies["feature_space"] == "pixels" and copies["n_generated"] == 60
    assert copies["pixel_near_copy_share"] > 0.9 and copies["pixel_near_copy_ratio"] > 10
    assert copies["pixel_holdout_near_copy_share"] < 0.1
    assert "feature_near_copy_share" not in copies  # no classifier features
    assert copies["precision"] > 0.9
    assert "tstr_accuracy" not in copies


def test_quality_report_fits_its_own_extractor(images):
    (X, y), (X_hold, y_hold), _ = images
    sampler = CopySampler(X, y)
    report = quality_report(
        sampler, X, y, X_hold, y_hold, n_per_class={0: 20, 1: 10},
        feature_estimator=ResNetClassifier(width=4, max_epochs=1, selection=None,
                                           validation_fraction=0),
        random_state=0,
    )
    assert report["n_generated"] == 30 and report["near_copy_quantile"] == 0.05
    assert report["feature_near_copy_share"] > 0.5  # copies are copies in features too
    assert report["tstr_accuracy"] >= 0


def test_quality_report_default_classifiers(images, monkeypatch):
    from skgenaug.metrics import _report

    # Smaller than the documented defaults, to keep the test fast.
    monkeypatch.setitem(_report.DEFAULT_FEATURE_ESTIMATOR, "width", 2)
    monkeypatch.setitem(_report.DEFAULT_FEATURE_ESTIMATOR, "max_epochs", 1)
    (X, y), (X_hold, y_hold), _ = images
    sampler = CopySampler(X, y)
    report = quality_report(sampler, X, y, X_hold, y_hold, n_per_class=20,
                            random_state=0)
    assert report["feature_space"] == "resnet" and report["n_features"] == 16
    assert report["feature_near_copy_share"] > 0.5
    pixels = quality_report(sampler, X, y, X_hold, y_hold, n_per_class=20,
                            feature_estimator="pixels", random_state=0)
    assert pixels["n_features"] == 16 * 16 and 0 <= pixels["tstr_auc"] <= 1


def test_quality_report_errors(images):
    (X, y), (X_hold, y_hold), _ = images
    sampler = CopySampler(X, y)
    with pytest.raises(TypeError, match="generate"):
        quality_report(object(), X, y, X_hold, y_hold)
    with pytest.raises(NotFittedError):
        quality_report(CVAESampler(), X, y, X_hold, y_hold)
    with pytest.raises(ValueError, match="feature_estimator"):
        quality_report(sampler, X, y, X_hold, y_hold, feature_estimator="inception")
    with pytest.raises(ValueError, match="n_per_class"):
        quality_report(sampler, X, y, X_hold, y_hold, n_per_class={7: 3})
    with pytest.raises(ValueError, match="n_per_class"):
        quality_report(sampler, X, y, X_hold, y_hold, n_per_class=-1)
    with pytest.raises(ValueError, match="X_holdout"):
        quality_report(sampler, X, y, X_hold[:5], y_hold)


def test_summarize_quality_and_markdown():
    rows = []
    for method, base in (("cvae", 0.6), ("cgan", 0.4)):
        for fold in range(3):
            quality = dict(precision=base + 0.1 * fold, recall=0.5, feature_space="resnet",
                           frechet_distance=10.0 * fold)
            for selection in ("val", "test-best"):  # one sampler, counted once
                rows.append(dict(dataset="breastmnist", method=method, seed=0, fold=fold,
                                 selection=selection, auc=0.8, quality=quality))
    rows.append(dict(dataset="breastmnist", method="none", seed=0, fold=0,
                     selection="val", auc=0.8, quality=None))
    summary = summarize_quality(rows)
    assert summary["method"].tolist() == ["cvae", "cgan"]
    assert summary["n"].tolist() == [3, 3]
    assert summary["precision_mean"].tolist() == pytest.approx([0.7, 0.5])
    assert summary["precision_std"].tolist() == pytest.approx([0.1, 0.1])
    assert "auc_mean" not in summary  # only the quality metrics
    text = quality_markdown(summary)
    lines = text.splitlines()
    assert lines[0] == "| data set | method | n | FD | precision | recall |"
    assert lines[2] == (
        "| breastmnist | cvae | 3 | 10.000 ± 10.000 | 0.700 ± 0.100 | 0.500 ± 0.000 |"
    )
    with pytest.raises(ValueError, match="grouping"):
        summarize_quality(rows, by=("dataset", "profile"))


def test_default_feature_estimator_learns_a_small_imbalanced_set():
    # 150:20 images: too few optimizer steps leave batch-norm statistics unsettled and
    # the eval-mode net puts (nearly) every image into one class.
    X, y = make_image_classification(600, n_classes=2, random_state=0)
    keep = np.r_[np.flatnonzero(y == 0)[:150], np.flatnonzero(y == 1)[:20]]
    X, y = X[keep], y[keep]
    for seed in range(3):
        clf = ResNetClassifier(**DEFAULT_FEATURE_ESTIMATOR, random_state=seed).fit(X, y)
        assert balanced_accuracy_score(y, clf.predict(X)) > 0.9


def test_near_duplicates_finds_resaved_copies_only():
    from skgenaug.metrics import near_duplicates

    rng = np.random.default_rng(0)
    train = rng.integers(0, 256, (30, 10, 10, 3), dtype=np.uint8)
    shifted = np.clip(train[:3].astype(int) + rng.integers(-3, 4, train[:3].shape), 0,
                      255).astype(np.uint8)  # a re-saved copy: a few grey levels off
    other = rng.integers(0, 256, (6, 10, 10, 3), dtype=np.uint8)
    found = near_duplicates(train, np.concatenate([other[:2], shifted, other[2:]]))
    assert found.query_indices.tolist() == [2, 3, 4]
    assert found.reference_indices.tolist() == [0, 1, 2]
    assert found.n == 3 and (found.rms <= 0.02).all()
    assert near_duplicates(train, shifted, max_rms=0.0).n == 0
    with pytest.raises(ValueError, match="max_rms"):
        near_duplicates(train, shifted, max_rms=-1)
