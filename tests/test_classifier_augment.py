"""On-the-fly training augmentation of ResNetClassifier (issue 25, item 1): tiny
networks, 16x16 images, one or two epochs."""

import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.utils.estimator_checks import (
    check_estimators_overwrite_params,
    check_estimators_pickle,
    check_fit_idempotent,
    check_get_params_invariance,
    check_set_params,
)

from skgenaug import ResNetClassifier
from skgenaug._augment import BatchAugmenter, StandardAugment, TrivialAugment
from skgenaug.datasets import make_image_classification

TINY = dict(width=2, max_epochs=2, batch_size=16, random_state=0)


def _data(n=60, seed=0):
    X, y = make_image_classification(n, image_size=16, random_state=seed)
    return X, y


class Recorder:
    """An augment callable that records (copies of) the batches it gets and returns
    them unchanged."""

    def __init__(self):
        self.batches = []

    def __call__(self, batch, generator):
        assert isinstance(generator, torch.Generator)
        self.batches.append(batch.detach().clone())
        return batch


def _proba(clf, X):
    return clf.predict_proba(X)


def test_defaults_are_no_augmentation():
    params = ResNetClassifier().get_params()
    assert params["augment"] is None
    assert params["flips"] == ("horizontal",)
    assert params["mixup"] == 0.0 and params["cutmix"] == 0.0
    X, y = _data()
    default = ResNetClassifier(**TINY).fit(X, y)
    explicit = ResNetClassifier(
        **TINY, augment=None, flips=("horizontal", "vertical"), mixup=0, cutmix=0
    ).fit(X, y)
    assert default.net_.augmenter is None and explicit.net_.augmenter is None
    np.testing.assert_array_equal(_proba(default, X), _proba(explicit, X))
    assert [h["train_loss"] for h in default.history_] == [
        h["train_loss"] for h in explicit.history_
    ]


def test_identity_callable_trains_exactly_as_none():
    # The augmenter's seed is drawn after the net's and the callable check uses a
    # throw-away generator: weight initialisation and batch order are unchanged.
    X, y = _data()
    plain = ResNetClassifier(**TINY).fit(X, y)
    identity = ResNetClassifier(**TINY, augment=lambda batch, gen: batch).fit(X, y)
    np.testing.assert_array_equal(_proba(plain, X), _proba(identity, X))


def test_augmentation_touches_training_rows_only():
    X, y = _data(70)
    X_tr, y_tr, X_val, y_val = X[:50], y[:50], X[50:], y[50:]
    recorder = Recorder()
    clf = ResNetClassifier(**TINY, augment=recorder).fit(
        X_tr, y_tr, X_val=X_val, y_val=y_val
    )
    sizes = [len(batch) for batch in recorder.batches]
    # one check call on two training images, then the training batches of each epoch
    assert sizes == [2] + [16, 16, 16, 2] * TINY["max_epochs"]
    train = torch.as_tensor(X_tr, dtype=torch.float32).div(255).sub(0.5).div(0.5)
    val = torch.as_tensor(X_val, dtype=torch.float32).div(255).sub(0.5).div(0.5)
    for batch in recorder.batches:
        assert batch.dtype == torch.float32 and batch.shape[1:] == (1, 16, 16)
        images = batch[:, 0]
        assert all((train == image).all(dim=(1, 2)).any() for image in images)
        assert not any((val == image).all(dim=(1, 2)).any() for image in images)
    seen = torch.cat(recorder.batches[1:1 + 4])
    assert len(seen) == len(X_tr)  # every training row, once per epoch
    # prediction, probabilities and features never call the augmentation
    n_calls = len(recorder.batches)
    proba = clf.predict_proba(X_val)
    clf.predict(X_val)
    clf.features(X_val)
    assert len(recorder.batches) == n_calls
    # ... and do not depend on the setting, for the same fitted weights
    clf.set_params(augment="standard")
    np.testing.assert_array_equal(clf.predict_proba(X_val), proba)


@pytest.mark.parametrize(
    "params",
    [dict(augment="standard"), dict(augment="trivial", mixup=0.4),
     dict(augment="standard", cutmix=1.0, flips=("horizontal", "vertical"))],
)
def test_reruns_are_bit_identical(params):
    X, y = _data()
    first = ResNetClassifier(**TINY, **params).fit(X, y)
    again = ResNetClassifier(**TINY, **params).fit(X, y)
    np.testing.assert_array_equal(_proba(first, X), _proba(again, X))
    other = ResNetClassifier(**{**TINY, "random_state": 1}, **params).fit(X, y)
    assert not np.array_equal(_proba(first, X), _proba(other, X))


def test_augmentation_is_fresh_each_epoch_and_changes_training():
    X, y = _data()
    clf = ResNetClassifier(**TINY, augment="standard").fit(X, y)
    plain = ResNetClassifier(**TINY).fit(X, y)
    assert not np.array_equal(_proba(clf, X), _proba(plain, X))
    generator = torch.Generator().manual_seed(0)
    batch = torch.rand(8, 1, 16, 16)
    transform = StandardAugment()
    first, second = transform(batch, generator), transform(batch, generator)
    assert not torch.equal(first, second)
    assert first.stride() == (256, 256, 16, 1)  # standard NCHW strides


def _asymmetric_batch(n=64, seed=0):
    return torch.rand(n, 2, 6, 7, generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize(
    "flips", [(), ("horizontal",), ("vertical",), ("horizontal", "vertical")]
)
def test_flips_setting_is_honoured(flips):
    batch = _asymmetric_batch()
    # flips only: every other op of the standard augmentation switched off
    transform = StandardAugment(flips, rotate=0, scale=0, shift=0, brightness=0,
                                contrast=0, gamma=0, noise=0)
    out = transform(batch, torch.Generator().manual_seed(0))
    candidates = {
        (): batch,
        ("horizontal",): batch.flip(-1),  # mirrors columns
        ("vertical",): batch.flip(-2),  # mirrors rows
        ("horizontal", "vertical"): batch.flip(-1).flip(-2),
    }
    allowed = [key for key in candidates if set(key) <= set(flips)]
    seen = set()
    for i in range(len(batch)):
        matches = [key for key in allowed if torch.equal(out[i], candidates[key][i])]
        assert matches, f"image {i} was changed by something other than {flips}"
        seen.add(matches[0])
    assert seen == set(allowed)  # every allowed combination occurs in 64 images
    trivial = TrivialAugment(flips)
    assert [op for op in trivial.ops if op.startswith("flip")] == [
        f"flip_{axis}" for axis in flips
    ]
    # the fitted classifier's augmentation uses the flips it was given
    X, y = _data(40)
    for augment in ("standard", "trivial"):
        clf = ResNetClassifier(**{**TINY, "max_epochs": 1}, augment=augment,
                               flips=flips).fit(X, y)
        assert clf.net_.augmenter.transform.flips == tuple(flips)


def test_trivial_applies_one_op_per_image():
    batch = _asymmetric_batch(256)
    transform = TrivialAugment(flips=())
    out = transform(batch, torch.Generator().manual_seed(0))
    assert out.shape == batch.shape and out.dtype == batch.dtype
    unchanged = torch.tensor([torch.equal(a, b) for a, b in zip(out, batch)])
    # about 1/14 draw the identity, the rest change
    assert 0 < int(unchanged.sum()) < 60


@pytest.mark.parametrize(
    "bad, match",
    [
        (lambda batch, gen: batch[1:], "shape and dtype"),
        (lambda batch, gen: batch[:, :, 1:], "shape and dtype"),
        (lambda batch, gen: batch.double(), "shape and dtype"),
        (lambda batch, gen: batch.numpy(), "must return a torch.Tensor"),
    ],
    ids=["drops-a-row", "crops", "float64", "numpy"],
)
def test_wrong_callable_is_refused_before_training(bad, match):
    X, y = _data(40)
    calls = []

    def callable_(batch, gen):
        calls.append(len(batch))
        return bad(batch, gen)

    clf = ResNetClassifier(**TINY, augment=callable_)
    with pytest.raises(ValueError, match=match):
        clf.fit(X, y)
    assert calls == [2]  # only the check call: training never started


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(augment="autoaugment"), "augment"),
        (dict(augment=""), "augment"),
        (dict(mixup=-0.1), "mixup"),
        (dict(cutmix=-1.0), "cutmix"),
        (dict(augment="standard", flips=("depth",)), "unknown axis"),
        (dict(augment="trivial", flips="horizontal"), "flips"),
        (dict(augment=None, flips=("horizontal", "diagonal")), "unknown axis"),
    ],
)
def test_bad_parameters_are_refused_at_fit(params, match):
    X, y = _data(40)
    with pytest.raises(ValueError, match=match):
        ResNetClassifier(**TINY, **params).fit(X, y)


def test_flip_along_an_axis_the_images_lack_is_refused():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 6)).astype(np.float32)  # read as 1 x 6 strips
    y = np.arange(40) % 2
    with pytest.raises(ValueError, match="lack that axis"):
        ResNetClassifier(**TINY, augment="standard", flips=("vertical",)).fit(X, y)
    ResNetClassifier(**TINY, augment="standard", flips=("horizontal",)).fit(X, y)


@pytest.mark.parametrize("mix", [dict(mixup=0.4), dict(cutmix=1.0),
                                 dict(mixup=0.2, cutmix=0.5)])
def test_mixup_and_cutmix_run_with_sample_weight(mix):
    X, y = _data()
    weight = np.linspace(0.2, 2.0, len(y))
    clf = ResNetClassifier(**TINY, augment="standard", **mix).fit(
        X, y, sample_weight=weight
    )
    losses = [h["train_loss"] for h in clf.history_]
    assert np.all(np.isfinite(losses))
    # weights reach the mixed loss: doubled weights double the first batch's loss
    # (same initial weights, same batch, same augmentation and mixing)
    double = ResNetClassifier(**TINY, augment="standard", **mix).fit(
        X, y, sample_weight=2 * weight
    )
    first = clf.history_[0]["batches"][0]["train_loss"]
    assert double.history_[0]["batches"][0]["train_loss"] == pytest.approx(2 * first)


def test_mixed_loss_weighs_each_term_by_its_source_row():
    X, y = _data()
    clf = ResNetClassifier(**TINY, mixup=0.4).fit(
        X, y, sample_weight=np.linspace(0.5, 1.5, len(y))
    )
    net = clf.net_
    gen = torch.Generator().manual_seed(0)
    logits = torch.randn(6, 2, generator=gen)
    target = torch.tensor([0, 1, 1, 0, 1, 0])
    weight = torch.rand(6, generator=gen)
    perm = torch.tensor([3, 0, 5, 1, 2, 4])
    lam = 0.3
    ce = torch.nn.functional.cross_entropy
    own = ce(logits, target, reduction="none")
    other = ce(logits, target[perm], reduction="none")
    expected = (lam * weight * own + (1 - lam) * weight[perm] * other).mean()
    got = net._mixed_loss(logits, target, weight, perm, lam)
    torch.testing.assert_close(got, expected)
    # without weights (reduction='mean'): the mixed mean
    plain = ResNetClassifier(**TINY, mixup=0.4).fit(X, y).net_
    got = plain._mixed_loss(logits, target, None, perm, lam)
    torch.testing.assert_close(got, lam * own.mean() + (1 - lam) * other.mean())


def test_mixup_mixes_pairs_within_the_batch():
    augmenter = BatchAugmenter(None, (), mixup=1.0, cutmix=0.0, seed=0, device="cpu")
    x = _asymmetric_batch(8)
    out, (perm, lam) = augmenter(x, torch.arange(8))
    torch.testing.assert_close(out, lam * x + (1 - lam) * x[perm])
    augmenter = BatchAugmenter(None, (), mixup=0.0, cutmix=1.0, seed=0, device="cpu")
    out, (perm, lam) = augmenter(x, torch.arange(8))
    from_self = (out == x).float().mean()
    from_pair = (out == x[perm]).float().mean()
    assert from_self >= lam - 1e-6 and from_pair >= (1 - lam) - 1e-6


def test_clone_pickle_and_get_params_round_trip():
    params = dict(augment="trivial", flips=("horizontal", "vertical"), mixup=0.2,
                  cutmix=0.3)
    clf = ResNetClassifier(**TINY, **params)
    cloned = clone(clf)
    assert {key: cloned.get_params()[key] for key in params} == params
    X, y = _data(40)
    clf.fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    assert restored.get_params() == clf.get_params()
    # the augmentation's random stream is restored too
    batch = _asymmetric_batch(4)
    out, _ = clf.net_.augmenter(batch, torch.zeros(4))
    out_restored, _ = restored.net_.augmenter(batch, torch.zeros(4))
    torch.testing.assert_close(out, out_restored, rtol=0, atol=0)


@pytest.mark.parametrize(
    "check",
    [check_get_params_invariance, check_set_params, check_estimators_overwrite_params,
     check_estimators_pickle, check_fit_idempotent],
)
def test_estimator_checks_with_augmentation(check):
    # The checks feed 1 x n_features strips: no flips (a strip's columns are features).
    estimator = ResNetClassifier(width=2, max_epochs=1, batch_size=32,
                                 augment="standard", flips=(), mixup=0.2,
                                 random_state=0)
    check(type(estimator).__name__, estimator)
