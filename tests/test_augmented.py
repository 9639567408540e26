"""AugmentedClassifier: the sampler sees training rows only, validation rows are real."""

from collections import Counter

import numpy as np
import pytest
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_validate
from skorch.callbacks import Callback

from skgenaug import (
    AddPerClass,
    AESampler,
    AugmentedClassifier,
    CVAESampler,
    ResNetClassifier,
)
from skgenaug.datasets import make_image_classification

TINY_SAMPLER = dict(hidden_layer_sizes=(16,), latent_dim=4, max_epochs=2, random_state=0)
TINY_CLF = dict(width=4, max_epochs=2, batch_size=32, random_state=0)


def _with_row_ids(n, seed=0):
    """Images whose first two pixels spell the row's index (values below 250)."""
    X, y = make_image_classification(n, n_classes=2, image_size=10, random_state=seed)
    X[:, 0, 0], X[:, 0, 1] = np.arange(n) // 250, np.arange(n) % 250
    return X, y


def _row_ids(X):
    return (np.asarray(X)[:, 0, 0].astype(int) * 250 + np.asarray(X)[:, 0, 1]).tolist()


class SpyingAESampler(AESampler):
    def _fit_resample(self, X, y):
        self.seen_ids_ = _row_ids(X)
        return super()._fit_resample(X, y)


class ValidationRows(Callback):
    def initialize(self):
        self.valid_ = []
        return self

    def on_batch_begin(self, net, batch, training, **kwargs):
        if not training:
            self.valid_.append(batch[0].detach().cpu())


def _model(**params):
    return AugmentedClassifier(
        SpyingAESampler(sampling_strategy=AddPerClass(15), **TINY_SAMPLER),
        ResNetClassifier(**TINY_CLF, callbacks=[("rows", ValidationRows())]),
        random_state=0,
        **params,
    )


def test_holds_out_real_rows_that_the_sampler_never_sees_and_validates_on_them():
    X, y = _with_row_ids(60)
    model = _model(validation_fraction=0.2).fit(X, y)
    seen = set(model.sampler_.seen_ids_)
    held_out = set(range(60)) - seen
    assert len(held_out) == 12 and len(seen) == 48
    # the held-out rows are stratified
    assert sorted(np.bincount(y[sorted(held_out)]).tolist()) == [6, 6]
    clf = model.classifier_
    valid = torch.cat(dict(clf.net_.callbacks_)["rows"].valid_)
    expected = clf._to_tensor(X[sorted(held_out)])
    # every validated row is one of the held-out real rows (never a generated one)
    for row in valid:
        assert (expected == row).flatten(1).all(1).any()
    assert len(valid) == TINY_CLF["max_epochs"] * 12


def test_cross_validate_and_grid_search():
    X, y = _with_row_ids(60)
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    result = cross_validate(
        _model(), X, y, cv=cv, return_estimator=True, return_indices=True, scoring="roc_auc"
    )
    assert np.all(np.isfinite(result["test_score"]))
    for fitted, train_idx in zip(result["estimator"], result["indices"]["train"]):
        assert set(fitted.sampler_.seen_ids_) < set(train_idx.tolist())
    search = GridSearchCV(_model(), {"sampler__latent_dim": [2, 4]}, cv=cv)
    search.fit(X, y)
    assert search.best_params_["sampler__latent_dim"] in (2, 4)


def test_given_validation_rows_are_used_and_checked():
    X, y = _with_row_ids(40)
    X_val, y_val = _with_row_ids(10, seed=1)
    model = _model().fit(X, y, X_val=X_val, y_val=y_val)
    assert len(model.sampler_.seen_ids_) == 40
    with pytest.raises(ValueError, match="both X_val and y_val"):
        _model().fit(X, y, X_val=X_val)


def test_classifier_without_validation_parameters():
    X, y = _with_row_ids(40)
    flat = X.reshape(len(X), -1)
    model = AugmentedClassifier(
        CVAESampler(sampling_strategy=AddPerClass(5), **TINY_SAMPLER),
        LogisticRegression(max_iter=200),
    ).fit(flat, y)
    assert model.predict_proba(flat).shape == (40, 2)
    with pytest.raises(ValueError, match="takes no X_val"):
        model.fit(flat, y, X_val=flat, y_val=y)


def test_single_class_is_named():
    X, y = _with_row_ids(20)
    with pytest.raises(ValueError, match="single class"):
        _model().fit(X, np.zeros(20, int))


# ----------------------------------------------------------------- synthetic_weight
class WeightSpy(LogisticRegression):
    """Records the rows and sample_weight it is fitted with."""

    def fit(self, X, y, sample_weight=None):
        self.seen_ = (np.asarray(y).copy(), sample_weight)
        return super().fit(X, y, sample_weight=sample_weight)


def _weighted(weight, **params):
    return AugmentedClassifier(
        CVAESampler(sampling_strategy=AddPerClass(7), **TINY_SAMPLER),
        WeightSpy(max_iter=200),
        synthetic_weight=weight,
        **params,
    )


def test_synthetic_weight_weighs_the_generated_rows():
    X, y = _with_row_ids(40)
    flat = X.reshape(len(X), -1)
    model = _weighted(0.25).fit(flat, y)
    y_seen, weight = model.classifier_.seen_
    assert model.n_real_ == 40 and len(y_seen) == 40 + 14
    np.testing.assert_array_equal(weight, np.r_[np.ones(40), np.full(14, 0.25)])
    # 1.0 (the default) passes no weights at all
    assert _weighted(1.0).fit(flat, y).classifier_.seen_[1] is None


def test_synthetic_weight_reaches_the_resnets_loss():
    class BatchWeights(Callback):
        def initialize(self):
            self.weights_ = []
            return self

        def on_batch_begin(self, net, batch, training, **kwargs):
            if training and len(net.history) == 1:
                self.weights_.append(batch[0]["sample_weight"].detach().cpu())

    X, y = _with_row_ids(40)
    model = AugmentedClassifier(
        CVAESampler(sampling_strategy=AddPerClass(10), **TINY_SAMPLER),
        ResNetClassifier(**TINY_CLF, callbacks=[("weights", BatchWeights())]),
        synthetic_weight=0.1,
        random_state=0,
    ).fit(X, y)
    weights = torch.cat(dict(model.classifier_.net_.callbacks_)["weights"].weights_)
    # 36 real training rows (4 held out) of weight 1, 20 generated of weight 0.1
    assert model.n_real_ == 36
    assert sorted(Counter(weights.tolist()).items()) == [
        (pytest.approx(0.1), 20), (1.0, 36)
    ]


def test_synthetic_weight_needs_a_classifier_that_takes_sample_weight():
    from sklearn.neighbors import KNeighborsClassifier

    X, y = _with_row_ids(40)
    model = AugmentedClassifier(
        CVAESampler(sampling_strategy=AddPerClass(5), **TINY_SAMPLER),
        KNeighborsClassifier(),
        synthetic_weight=0.5,
    )
    with pytest.raises(ValueError, match="KNeighborsClassifier.fit does not"):
        model.fit(X.reshape(len(X), -1), y)


def test_synthetic_weight_refuses_a_sampler_that_drops_real_rows():
    from imblearn.under_sampling import RandomUnderSampler

    X, y = _with_row_ids(40)
    y = np.r_[np.zeros(30, int), np.ones(10, int)]
    model = AugmentedClassifier(
        RandomUnderSampler(random_state=0), WeightSpy(), synthetic_weight=0.5
    )
    with pytest.raises(ValueError, match="did not return the 40 real labelled rows"):
        model.fit(X.reshape(len(X), -1), y)


def test_bad_synthetic_weight():
    X, y = _with_row_ids(40)
    with pytest.raises(ValueError, match="synthetic_weight"):
        _weighted(-0.5).fit(X.reshape(len(X), -1), y)


# ----------------------------------------------------------------- unlabelled rows
class TrainingRowsAESampler(AESampler):
    """Records the rows its autoencoder trains on (labelled and unlabelled)."""

    def _fit_model(self, X, y_enc, seed):
        self.trained_ids_ = _row_ids(X)
        return super()._fit_model(X, y_enc, seed)


def test_unlabelled_rows_go_to_the_sampler_never_to_validation():
    X, y = _with_row_ids(80)
    y = y.copy()
    y[40:] = -1  # rows 40..79 unlabelled
    model = AugmentedClassifier(
        TrainingRowsAESampler(sampling_strategy=AddPerClass(15), **TINY_SAMPLER),
        ResNetClassifier(**TINY_CLF, callbacks=[("rows", ValidationRows())]),
        validation_fraction=0.25,
        random_state=0,
    ).fit(X, y)
    seen = set(model.sampler_.trained_ids_)
    held_out = set(range(80)) - seen
    # 10 labelled rows held out; every unlabelled row reached the sampler
    assert len(held_out) == 10 and held_out < set(range(40))
    assert set(range(40, 80)) <= seen
    assert model.classes_.tolist() == [0, 1]
    assert model.n_real_ == 30
    valid = torch.cat(dict(model.classifier_.net_.callbacks_)["rows"].valid_)
    assert len(valid) == TINY_CLF["max_epochs"] * 10


def test_minus_one_as_a_class_names_the_marker():
    # scikit-learn's binary labels -1 / 1: the default marker reads -1 as unlabelled
    X, y = _with_row_ids(40)
    y_pm = np.where(y == 0, -1, 1)
    with pytest.raises(ValueError, match=r"single class \(1\).*20 row\(s\) labelled -1 "
                       r"were read as unlabelled.*unlabelled_label=None"):
        _model().fit(X, y_pm)
    model = AugmentedClassifier(
        SpyingAESampler(sampling_strategy=AddPerClass(5), unlabelled_label=None,
                        **TINY_SAMPLER),
        ResNetClassifier(**TINY_CLF),
        random_state=0,
    )
    assert model.fit(X, y_pm).classes_.tolist() == [-1, 1]
