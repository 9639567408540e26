"""Unlabelled rows (label ``unlabelled_label``, -1 by default): they train the generative
samplers without a class, count in no sampling strategy and are never returned."""

import re
from collections import Counter

import numpy as np
import pytest
import torch
from imblearn.over_sampling import SMOTE
from imblearn.pipeline import Pipeline
from sklearn.linear_model import LogisticRegression
from sklearn.utils._param_validation import InvalidParameterError
from skorch.callbacks import Callback

from skgenaug import (
    AddPerClass,
    AESampler,
    CGANSampler,
    CVAESampler,
    DiffusionSampler,
    FlatImageSampler,
    GeometricSampler,
)
from skgenaug.datasets import make_image_classification
from skgenaug.nets import one_hot
from skgenaug.samplers._cgan import _AdversarialNet

TINY = dict(hidden_layer_sizes=(16,), latent_dim=4, max_epochs=2, random_state=0)
CONV = dict(architecture="conv", latent_dim=4, max_epochs=2, random_state=0)
UNET = dict(hidden_layer_sizes=(4, 8), layers_per_block=1, n_train_timesteps=50,
            n_sampling_steps=2, max_epochs=2, random_state=0)

GENERATIVE = {
    "ae": lambda **p: AESampler(**{**TINY, **p}),
    "cvae": lambda **p: CVAESampler(**{**TINY, **p}),
    "cgan": lambda **p: CGANSampler(**{**TINY, **p}),
    "acgan": lambda **p: CGANSampler(auxiliary_classifier=True, **{**TINY, **p}),
    "cvae-conv": lambda **p: CVAESampler(hidden_layer_sizes=(4, 8), **{**CONV, **p}),
    "wgan-acgan-conv": lambda **p: CGANSampler(
        objective="wgan-gp", auxiliary_classifier=True, hidden_layer_sizes=(8, 4),
        **{**CONV, **p},
    ),
    "diffusion": lambda **p: DiffusionSampler(**{**UNET, **p}),
}
BASELINES = {
    "geometric": lambda **p: GeometricSampler(random_state=0, **p),
    "flat-smote": lambda **p: FlatImageSampler(SMOTE(k_neighbors=3, random_state=0), **p),
}
EVERY = {**GENERATIVE, **BASELINES}


@pytest.fixture(scope="module")
def semi():
    """40 labelled 12x12 images (classes 0/1/2: 20/12/8) and 30 unlabelled ones,
    interleaved; ``labelled`` marks the labelled rows."""
    X, y = make_image_classification(
        40, n_classes=3, image_size=12, weights=[0.5, 0.3, 0.2], random_state=0
    )
    X_pool, _ = make_image_classification(30, n_classes=3, image_size=12, random_state=1)
    order = np.random.RandomState(0).permutation(70)
    X, y = np.concatenate([X, X_pool])[order], np.r_[y, np.full(30, -1)][order]
    assert Counter(y.tolist()) == {0: 20, 1: 12, 2: 8, -1: 30}
    return X, y, y != -1


class TrainingBatches(Callback):
    """Records the inputs and class codes of the first epoch's training batches."""

    def initialize(self):
        self.rows_, self.codes_ = [], []
        return self

    def on_batch_begin(self, net, batch, training, **kwargs):
        if not training or len(net.history) != 1:
            return
        X, y = batch
        if isinstance(X, dict):  # the cVAE: {"x": rows, "c": codes}, target = rows
            X, y = X["x"], X["c"]
        self.rows_.append(X.detach().cpu())
        self.codes_.append(y.detach().cpu())


def _sorted_rows(rows):
    rows = np.asarray(rows, dtype=np.float64)
    return rows[np.lexsort(rows.T[::-1])]


@pytest.mark.parametrize("name", GENERATIVE)
def test_unlabelled_rows_reach_the_generators_training(name, semi):
    X, y, labelled = semi
    spy = TrainingBatches()
    sampler = GENERATIVE[name](callbacks=[("spy", spy)]).fit(X, y)
    rows = torch.cat(spy.rows_).numpy()
    # one epoch holds every row, labelled and unlabelled: a sampler that dropped the
    # unlabelled rows before training would show 40 here
    assert len(rows) == len(X) == 70
    expected = sampler.scaler_.transform(X.reshape(len(X), -1))
    np.testing.assert_allclose(_sorted_rows(rows), _sorted_rows(expected), atol=1e-6)
    if name != "ae":  # the autoencoder is trained on (X, X): it has no codes
        codes = Counter(torch.cat(spy.codes_).tolist())
        n_classes = len(sampler.classes_)
        assert codes[n_classes] == (~labelled).sum() == 30  # "no class"
        assert {c: codes[c] for c in range(n_classes)} == dict(
            Counter(sampler.label_encoder_.transform(y[labelled]).tolist())
        )
    assert sampler.n_unlabelled_ == 30
    assert sampler.classes_.tolist() == [0, 1, 2]


@pytest.mark.parametrize("name", EVERY)
def test_output_holds_labelled_rows_then_generated_never_unlabelled(name, semi):
    X, y, labelled = semi
    X_res, y_res = EVERY[name]().fit_resample(X, y)
    # the labelled rows first, unchanged and in input order
    n = labelled.sum()
    np.testing.assert_array_equal(X_res[:n], X[labelled])
    np.testing.assert_array_equal(y_res[:n], y[labelled])
    assert -1 not in y_res.tolist()
    # 'auto' balances the labelled classes (20/12/8): the 30 unlabelled rows, the
    # largest group, count for nothing
    assert Counter(y_res.tolist()) == {0: 20, 1: 20, 2: 20}
    assert len(X_res) == len(y_res) == 60


@pytest.mark.parametrize(
    "strategy",
    [
        "auto",
        "minority",
        "not minority",
        "all",
        {1: 15, 2: 11},
        lambda y: {c: int((y == c).sum()) + 2 for c in np.unique(y)},
        AddPerClass(3),
        AddPerClass(2, classes=[2]),
    ],
    ids=["auto", "minority", "not-minority", "all", "dict", "callable", "add", "add-one"],
)
def test_every_strategy_counts_labelled_rows_only(strategy, semi):
    # the same sampler on the labelled rows alone asks for the same numbers
    X, y, labelled = semi
    with_pool = CVAESampler(sampling_strategy=strategy, **TINY).fit(X, y)
    alone = CVAESampler(sampling_strategy=strategy, **TINY).fit(X[labelled], y[labelled])
    assert with_pool.sampling_strategy_ == alone.sampling_strategy_
    assert -1 not in with_pool.sampling_strategy_


def test_float_strategy_on_two_labelled_classes(semi):
    # a float is for binary problems: two labelled classes plus the marker are binary
    X, y, labelled = semi
    keep = y != 2
    X_res, y_res = CVAESampler(sampling_strategy=0.9, **TINY).fit_resample(X[keep], y[keep])
    assert Counter(y_res.tolist()) == {0: 20, 1: 18}


@pytest.mark.parametrize("name", EVERY)
def test_no_marker_in_the_data_gives_the_same_output_as_the_feature_off(name):
    # unlabelled_label=-1 (default) and None give bit-identical results on labelled data
    X, y = make_image_classification(40, n_classes=2, image_size=8, weights=[0.7],
                                     random_state=1)
    default = EVERY[name]().fit_resample(X, y)
    off = EVERY[name](unlabelled_label=None).fit_resample(X, y)
    for a, b in zip(default, off):
        np.testing.assert_array_equal(a, b)


def test_marker_none_reads_minus_one_as_a_class(semi):
    X, y, _ = semi
    sampler = GeometricSampler(random_state=0, unlabelled_label=None)
    X_res, y_res = sampler.fit_resample(X, y)
    assert Counter(y_res.tolist()) == {-1: 30, 0: 30, 1: 30, 2: 30}


def test_string_labels_and_a_string_marker(semi):
    X, y, labelled = semi
    names = np.array(["unknown", "a", "b", "c"])[y + 1]
    X_res, y_res = CVAESampler(unlabelled_label="unknown", **TINY).fit_resample(X, names)
    assert Counter(y_res.tolist()) == {"a": 20, "b": 20, "c": 20}
    # the default marker (the number -1) marks no string label
    sampler = GeometricSampler(random_state=0)
    assert "unknown" in sampler.fit(X, names).classes_.tolist()
    assert sampler.n_unlabelled_ == 0


def test_dataframe_and_list_input_keep_their_type(semi):
    pd = pytest.importorskip("pandas")
    X, y, labelled = semi
    frame = pd.DataFrame(X.reshape(len(X), -1)).add_prefix("px")
    X_res, y_res = CVAESampler(**TINY).fit_resample(frame, pd.Series(y, name="label"))
    assert isinstance(X_res, pd.DataFrame) and list(X_res.columns) == list(frame.columns)
    assert isinstance(y_res, pd.Series) and -1 not in y_res.tolist()
    X_res, y_res = GeometricSampler(random_state=0).fit_resample(
        X.reshape(len(X), -1).tolist(), y.tolist()
    )
    assert isinstance(y_res, list) and -1 not in y_res


def test_autoencoder_draws_only_from_labelled_codes(semi):
    X, y, labelled = semi
    sampler = AESampler(**TINY).fit(X, y)
    assert len(sampler.latent_codes_) == len(sampler.latent_labels_) == labelled.sum()
    assert set(sampler.latent_labels_.tolist()) == {0, 1, 2}


def test_geometric_sampler_keeps_no_unlabelled_image(semi):
    X, y, labelled = semi
    sampler = GeometricSampler(random_state=0).fit(X, y)
    assert len(sampler.images_) == labelled.sum()


def test_pipeline_classifier_never_sees_the_marker(semi):
    X, y, _ = semi
    pipe = Pipeline([("aug", CVAESampler(**TINY)),
                     ("clf", LogisticRegression(max_iter=200))])
    pipe.fit(X.reshape(len(X), -1), y)
    assert pipe.classes_.tolist() == [0, 1, 2]


def test_nothing_is_left_on_the_sampler(semi):
    # the unlabelled rows wait on the estimator between imbalanced-learn's validation
    # and the fit only; never after, even when the fit fails
    X, y, _ = semi
    sampler = CVAESampler(**TINY)
    sampler.fit_resample(X, y)
    assert "_unlabelled_X" not in vars(sampler)
    # a float strategy on three labelled classes fails in imbalanced-learn's
    # fit_resample, after the rows were set aside
    failed = CVAESampler(sampling_strategy=0.5, **TINY)
    with pytest.raises(ValueError, match="float only when the type of target is binary"):
        failed.fit_resample(X, y)
    assert "_unlabelled_X" not in vars(failed)


# ----------------------------------------------------------------- "no class" inputs
def test_one_hot_code_past_the_last_class_is_no_class():
    rows = one_hot(torch.tensor([0, 2, 3, 1]), 3)
    np.testing.assert_array_equal(
        rows.numpy(), [[1, 0, 0], [0, 0, 1], [0, 0, 0], [0, 1, 0]]
    )
    with pytest.raises(RuntimeError):
        one_hot(torch.tensor([4]), 3)


def test_acgan_class_loss_skips_rows_without_class():
    net = _AdversarialNet.__new__(_AdversarialNet)
    logits = torch.randn(5, 3, requires_grad=True)
    labels = torch.tensor([0, 3, 2, 3, 1])
    labelled = labels < 3
    loss = net._class_loss(logits, labels, labelled)
    expected = torch.nn.functional.cross_entropy(logits[labelled], labels[labelled])
    torch.testing.assert_close(loss, expected)
    # a batch without any class: no class loss, and still a graph to backpropagate
    none = net._class_loss(logits, torch.full((5,), 3), torch.zeros(5, dtype=bool))
    none.backward()
    assert none.item() == 0 and torch.equal(logits.grad, torch.zeros(5, 3))


def test_acgan_trains_on_batches_of_unlabelled_rows_only(semi):
    X, y, _ = semi
    sampler = GENERATIVE["acgan"](batch_size=4, max_epochs=2).fit(X, y)
    assert np.all(np.isfinite(sampler.history_[:, "aux_loss"]))
    assert np.all(np.isfinite(sampler.history_[:, "train_loss"]))


# ----------------------------------------------------------------- bad input
@pytest.mark.parametrize("name", EVERY)
def test_all_rows_unlabelled(name, semi):
    X, _, _ = semi
    message = "y holds no labelled row: all 70 rows carry -1"
    with pytest.raises(ValueError, match=re.escape(message)):
        EVERY[name]().fit_resample(X, np.full(70, -1))


@pytest.mark.parametrize("name", ["cvae", "geometric"])
def test_marker_used_as_a_real_class_name(name, semi):
    # y in {-1, 1}: with the default marker only class 1 is labelled
    X, y, _ = semi
    y_pm = np.where(np.arange(70) % 2 == 0, -1, 1)
    with pytest.raises(ValueError) as error:
        EVERY[name]().fit_resample(X, y_pm)
    message = str(error.value)
    assert "y holds a single class (1)" in message
    assert "35 row(s) labelled -1 were read as unlabelled" in message
    assert "set unlabelled_label=None" in message
    # the way out works
    _, y_res = EVERY[name](unlabelled_label=None).fit_resample(X, y_pm)
    assert set(y_res.tolist()) == {-1, 1}


@pytest.mark.parametrize(
    "strategy, match",
    [
        # a class whose rows are all unlabelled has no labelled row: not present
        ({2: 12, 5: 4}, r"class\(es\) \[5\] that are not present among the labelled"),
        ({-1: 40}, "names -1, the label of unlabelled rows"),
        (AddPerClass(2, classes=[-1]), r"not in y \(classes present: \[0, 1, 2\]\)"),
    ],
)
def test_strategy_naming_a_class_without_labelled_rows(strategy, match, semi):
    X, y, _ = semi
    with pytest.raises(ValueError, match=match):
        CVAESampler(sampling_strategy=strategy, **TINY).fit_resample(X, y)


def test_generate_refuses_the_marker(semi):
    X, y, _ = semi
    sampler = CVAESampler(**TINY).fit(X, y)
    with pytest.raises(ValueError, match="-1 marks unlabelled rows, which are never"):
        sampler.generate([0, -1])


@pytest.mark.parametrize("marker", [1.5, [-1], object()])
def test_marker_of_a_wrong_type(marker, semi):
    X, y, _ = semi
    with pytest.raises(InvalidParameterError, match="unlabelled_label"):
        CVAESampler(unlabelled_label=marker, **TINY).fit(X, y)


def test_single_labelled_row_of_a_class(semi):
    X, y, _ = semi
    y = y.copy()
    y[np.flatnonzero(y == 2)[1:]] = -1  # one labelled row of class 2 left
    with pytest.raises(ValueError, match=r"Class\(es\) \[2\] have only 1 sample"):
        CVAESampler(**TINY).fit(X, y)
