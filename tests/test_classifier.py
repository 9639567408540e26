"""Tests of ResNetClassifier and the ResNet18 module (tiny widths and few epochs)."""

import pickle

import numpy as np
import pytest
import torch
from imblearn.over_sampling.base import BaseOverSampler
from imblearn.pipeline import Pipeline
from skorch.callbacks import Callback

from skgenaug import ResNetClassifier
from skgenaug.metrics import medmnist_auc
from skgenaug.nets import ResNet18

TINY = dict(width=4, max_epochs=2, batch_size=32, random_state=0)



def _images(n=48, shape=(8, 8), n_classes=2, seed=0, high=201):
    """uint8 images whose class shows as a brighter top half; pixels stay below 255
    (255 is the marker of generated rows in the pipeline tests)."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % n_classes
    X = rng.integers(0, high // 2, size=(n, *shape), dtype=np.uint8)
    X[:, : shape[0] // 2] += (y * (high // 2) // max(n_classes - 1, 1)).astype(np.uint8)[
        (slice(None),) + (None,) * len(shape)
    ]
    return X, y


class SeenRows(Callback):
    """Spy: records every batch of inputs the skorch net trains or validates on."""

    def initialize(self):
        self.train_ = []
        self.valid_ = []
        return self

    def on_epoch_begin(self, net, **kwargs):
        self.train_.append([])
        self.valid_.append([])

    def on_batch_begin(self, net, batch, training, **kwargs):
        (self.train_ if training else self.valid_)[-1].append(batch[0].detach().cpu())

    def rows(self, kind, epoch=0):
        batches = getattr(self, kind + "_")[epoch]
        return torch.cat(batches) if batches else torch.empty(0)


class EpochLR(Callback):
    """Spy: the learning rate the optimizer actually uses in each epoch."""

    def initialize(self):
        self.lrs_ = []
        return self

    def on_epoch_begin(self, net, **kwargs):
        self.lrs_.append(net.optimizer_.param_groups[0]["lr"])


class MarkerOverSampler(BaseOverSampler):
    """Test double of a generative sampler: returns the real rows first and unchanged,
    then ``n_new`` generated rows whose every pixel is 255 (the marker)."""

    _sampling_type = "over-sampling"
    _parameter_constraints = {**BaseOverSampler._parameter_constraints, "n_new": [int]}

    def __init__(self, n_new=64):
        super().__init__(sampling_strategy="auto")
        self.n_new = n_new

    def _fit_resample(self, X, y):
        self.n_seen_ = len(X)  # what the sampler was trained on
        labels = np.unique(y)
        y_new = np.resize(labels, self.n_new)
        X_new = np.full((self.n_new, X.shape[1]), 255, dtype=X.dtype)
        return np.concatenate([X, X_new]), np.concatenate([y, y_new])


def _is_marker(rows):
    """Rows (NCHW tensors) that are generated: 255 maps to exactly 1.0."""
    return (rows.flatten(1) == 1.0).all(dim=1)


def _spy(clf, name="spy"):
    return dict(clf.net_.callbacks_)[name]


# ------------------------------------------------------------------------- the module
def test_resnet18_shapes_and_features():
    net = ResNet18(in_channels=3, n_classes=5, width=4).eval()
    x = torch.randn(2, 3, 28, 28)
    logits, feats = net(x, return_features=True)
    assert logits.shape == (2, 5) and feats.shape == (2, 32)
    torch.testing.assert_close(net.features(x), feats)
    torch.testing.assert_close(net.fc(feats), net(x))
    # the 28x28 stem: 3x3 stride 1, no max-pool; stages 1, 2, 4, 8 times the width
    assert net.stem[0].kernel_size == (3, 3) and net.stem[0].stride == (1, 1)
    assert not any(isinstance(m, torch.nn.MaxPool2d) for m in net.modules())
    assert [net.layer1[0].conv1.stride[0], net.layer2[0].conv1.stride[0],
            net.layer3[0].conv1.stride[0], net.layer4[0].conv1.stride[0]] == [1, 2, 2, 2]
    assert [layer[1].conv2.out_channels for layer in
            (net.layer1, net.layer2, net.layer3, net.layer4)] == [4, 8, 16, 32]
    # tiny inputs: a 1 x 20 strip of tabular data and a single pixel
    assert net(torch.randn(3, 3, 1, 20)).shape == (3, 5)
    assert net(torch.randn(3, 3, 1, 1)).shape == (3, 5)


def test_resnet18_default_is_standard_resnet18():
    n_params = sum(p.numel() for p in ResNet18(in_channels=3, n_classes=10).parameters())
    assert n_params == 11_173_962  # torchvision's resnet18 with a 3x3 stem, 10 classes


# ------------------------------------------------------------------------- layouts
@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
@pytest.mark.parametrize("layout", ["flat", "flat+image_shape", "nhw", "nhwc"])
def test_layouts(layout, dtype):
    X, y = _images(n=40, shape=(6, 6, 3) if layout != "nhw" else (6, 6))
    X = X.astype(dtype)
    params = dict(TINY)
    if layout.startswith("flat"):
        X = X.reshape(len(X), -1)
        if layout == "flat+image_shape":
            params["image_shape"] = (6, 6, 3)
    clf = ResNetClassifier(**params).fit(X, y)
    stem = clf.net_.module_.stem[0]
    expected_channels = 1 if layout == "nhw" else 3
    assert stem.in_channels == expected_channels
    assert clf.n_features_in_ == X[0].size
    assert clf.predict(X).shape == (len(X),)
    assert clf.predict_proba(X).shape == (len(X), 2)
    if layout == "flat":
        # 108 values = 3 x 6 x 6: inferred as square RGB images
        assert clf.layout_.hwc == (6, 6, 3)


def test_flat_rows_with_image_shape_equal_the_image_stack():
    X, y = _images(n=40, shape=(6, 6, 3))
    proba_4d = ResNetClassifier(**TINY).fit(X, y).predict_proba(X)
    flat = X.reshape(len(X), -1)
    clf = ResNetClassifier(**TINY, image_shape=(6, 6, 3)).fit(flat, y)
    np.testing.assert_array_equal(clf.predict_proba(flat), proba_4d)
    # a model fitted on images also accepts the same images as flat rows
    np.testing.assert_array_equal(
        ResNetClassifier(**TINY).fit(X, y).predict_proba(flat), proba_4d
    )


def test_uint8_is_scaled_to_minus_one_one_and_float_is_used_as_given():
    X, y = _images(n=32)
    X[0] = 255
    X[1] = 0
    clf = ResNetClassifier(**TINY, validation_fraction=0, selection=None,
                           callbacks=[("spy", SeenRows())]).fit(X, y)
    rows = clf._to_tensor(X)
    assert rows.dtype == torch.float32 and rows.shape == (32, 1, 8, 8)
    assert torch.all(rows[0] == 1.0) and torch.all(rows[1] == -1.0)
    np.testing.assert_allclose(rows.numpy()[:, 0], (X / 255.0 - 0.5) / 0.5, atol=1e-6)
    seen = _spy(clf).rows("train")
    assert seen.min() == -1.0 and seen.max() == 1.0

    X_float = X.astype(np.float64) * 3.0
    clf = ResNetClassifier(**TINY, validation_fraction=0, selection=None).fit(X_float, y)
    np.testing.assert_allclose(clf._to_tensor(X_float).numpy()[:, 0], X_float, rtol=1e-6)


# ------------------------------------------------------------------------- labels
@pytest.mark.parametrize(
    "labels", [np.array(["cat", "dog", "emu"]), np.array([3, 7, 11]), np.array([0, 1, 2])]
)
def test_labels_and_classes(labels):
    X, codes = _images(n=45, n_classes=3)
    y = labels[codes]
    clf = ResNetClassifier(**TINY).fit(X, y)
    np.testing.assert_array_equal(clf.classes_, np.sort(labels))
    pred = clf.predict(X)
    assert pred.shape == (45,) and set(pred) <= set(labels)
    proba = clf.predict_proba(X)
    assert proba.shape == (45, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(pred, clf.classes_[proba.argmax(axis=1)])
    assert 0.0 <= clf.score(X, y) <= 1.0


# ------------------------------------------------------------------------- state
def test_pickle_round_trip():
    X, y = _images(n=40)
    clf = ResNetClassifier(**TINY).fit(X, y)
    clone = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(clone.predict_proba(X), clf.predict_proba(X))
    np.testing.assert_array_equal(clone.predict(X), clf.predict(X))
    assert clone.history_[-1, "epoch"] == 2


def test_random_state_reproducible_and_different_seeds_differ():
    X, y = _images(n=40)
    params = {**TINY, "random_state": None}
    p1 = ResNetClassifier(**{**params, "random_state": 3}).fit(X, y).predict_proba(X)
    p2 = ResNetClassifier(**{**params, "random_state": 3}).fit(X, y).predict_proba(X)
    p3 = ResNetClassifier(**{**params, "random_state": 4}).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(p1, p2)
    assert not np.allclose(p1, p3)


class StemDtypes(Callback):
    """Records the dtype the stem convolution computes in, batch by batch."""

    def on_train_begin(self, net, **kwargs):
        self.seen_ = []
        net.module_.stem[0].register_forward_hook(
            lambda module, inputs, output: self.seen_.append(output.dtype))


@pytest.mark.parametrize("precision", ["float32", "bfloat16"])
def test_each_precision_computes_in_it_and_reruns_bit_identically(precision):
    # bfloat16 autocast runs wherever torch has the kernels (emulated where the CPU
    # lacks them): both paths are exercised on every machine.
    X, y = _images(n=40)

    def fit():
        return ResNetClassifier(**TINY, precision=precision,
                                callbacks=[("dtypes", StemDtypes())]).fit(X, y)

    clf = fit()
    assert clf.precision_ == precision
    dtype = getattr(torch, precision)
    assert set(_spy(clf, "dtypes").seen_) == {dtype}  # training and validation
    seen = []
    clf.net_.module_.stem[0].register_forward_hook(
        lambda module, inputs, output: seen.append(output.dtype))
    proba = clf.predict_proba(X)
    assert set(seen) == {dtype}  # prediction too
    # the weights, losses and probabilities stay float32 / float64
    assert {p.dtype for p in clf.net_.module_.parameters()} == {torch.float32}
    assert np.isfinite(clf.history_[:, "train_loss"]).all()
    assert proba.dtype == np.float64 and np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-6)
    np.testing.assert_array_equal(fit().predict_proba(X), proba)


def test_bfloat16_and_float32_give_close_but_different_models():
    X, y = _images(n=40)
    proba = {p: ResNetClassifier(**TINY, precision=p).fit(X, y).predict_proba(X)
             for p in ("float32", "bfloat16")}
    np.testing.assert_array_equal(  # float32 is the default arithmetic
        proba["float32"], ResNetClassifier(**TINY).fit(X, y).predict_proba(X))
    assert not np.allclose(proba["float32"], proba["bfloat16"], atol=1e-6)
    np.testing.assert_allclose(proba["float32"], proba["bfloat16"], atol=0.05)


def test_fit_leaves_global_torch_rng_alone():
    X, y = _images(n=32)
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    ResNetClassifier(**TINY).fit(X, y)
    torch.testing.assert_close(torch.rand(3), expected)


def test_optimizers():
    X, y = _images(n=32)
    sgd = ResNetClassifier(**TINY).fit(X, y).net_.optimizer_
    assert isinstance(sgd, torch.optim.SGD)
    assert sgd.param_groups[0]["momentum"] == 0.9 and sgd.param_groups[0]["lr"] == 1e-3
    adam = ResNetClassifier(**TINY, optimizer="adam", lr=0.01).fit(X, y).net_.optimizer_
    assert isinstance(adam, torch.optim.Adam) and adam.param_groups[0]["lr"] == 0.01
    assert adam.param_groups[0]["weight_decay"] == 0
    adamw = ResNetClassifier(**TINY, optimizer="adamw", weight_decay=0.05).fit(X, y)
    adamw = adamw.net_.optimizer_
    assert isinstance(adamw, torch.optim.AdamW)
    assert adamw.param_groups[0]["weight_decay"] == 0.05


def test_label_smoothing_reaches_the_loss():
    X, y = _images(n=32)
    plain = ResNetClassifier(**TINY).fit(X, y)
    smooth = ResNetClassifier(**TINY, label_smoothing=0.2).fit(X, y)
    assert plain.net_.criterion_.label_smoothing == 0.0
    assert smooth.net_.criterion_.label_smoothing == 0.2
    # The smoothed loss is bounded away from zero: an all-0.9 softmax is not optimal.
    assert smooth.history_[-1, "train_loss"] != plain.history_[-1, "train_loss"]


def test_defaults_follow_the_paper():
    params = ResNetClassifier().get_params()
    assert params == dict(
        width=64, max_epochs=100, batch_size=128, lr=1e-3, optimizer="sgd",
        weight_decay=0.0, lr_schedule=None, label_smoothing=0.0, selection="accuracy",
        validation_fraction=0.1, image_shape=None, callbacks=None, augment=None,
        flips=("horizontal",), mixup=0.0, cutmix=0.0, precision="float32",
        epoch_size=None, device="cpu", random_state=None, verbose=0,
    )


# ------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "X, y, match",
    [
        (np.full((10, 16), np.nan), np.arange(10) % 2, "NaN"),
        (np.full((10, 16), np.inf), np.arange(10) % 2, "infinity"),
        (np.zeros(10), np.arange(10) % 2, "Expected 2D array"),
        (np.zeros((10, 2, 2, 2, 1)), np.arange(10) % 2, "5D"),
        (np.zeros((0, 16)), np.zeros(0), "0 sample"),
        (np.zeros((10, 16)), np.arange(9) % 2, "inconsistent numbers of samples"),
        (np.zeros((10, 16)), np.zeros(10), "class"),
        (np.zeros((10, 16)), np.linspace(0, 1, 10), "Unknown label type"),
        (np.zeros((10, 16)), None, "requires y"),
    ],
)
def test_bad_input(X, y, match):
    with pytest.raises(ValueError, match=match):
        ResNetClassifier(**TINY).fit(X, y)


def test_predict_with_other_channel_count_names_it():
    X, y = _images(n=32, shape=(6, 6, 3))
    clf = ResNetClassifier(**TINY).fit(X, y)
    with pytest.raises(ValueError, match=r"1 channel\(s\).*3 channel\(s\)"):
        clf.predict(X[..., :1])
    with pytest.raises(ValueError, match="expecting 108 features"):
        clf.predict(X[:, :5])


def test_predict_before_fit():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        ResNetClassifier().predict(np.zeros((2, 4)))


@pytest.mark.parametrize("device", ["tpu", "cuda:x", "gpu"])
def test_unknown_device(device):
    X, y = _images(n=20)
    with pytest.raises(ValueError, match="device"):
        ResNetClassifier(**TINY, device=device).fit(X, y)


@pytest.mark.skipif(torch.cuda.is_available(), reason="CUDA is available here")
def test_cuda_without_cuda():
    X, y = _images(n=20)
    with pytest.raises(ValueError, match="CUDA is not available"):
        ResNetClassifier(**TINY, device="cuda").fit(X, y)


def test_invalid_params():
    X, y = _images(n=20)
    for params in [dict(optimizer="rmsprop"), dict(selection="loss"),
                   dict(lr_schedule="cosine"), dict(validation_fraction=1.0),
                   dict(weight_decay=-0.1), dict(label_smoothing=1.0),
                   dict(precision="float16")]:
        with pytest.raises(ValueError, match=next(iter(params))):
            ResNetClassifier(**TINY, **params).fit(X, y)


def test_bad_validation_data():
    X, y = _images(n=32, shape=(6, 6, 3))
    clf = ResNetClassifier(**TINY)
    with pytest.raises(ValueError, match=r"X_val does not match X.*1 channel\(s\)"):
        clf.fit(X, y, X_val=X[:8, ..., :1], y_val=y[:8])
    with pytest.raises(ValueError, match="X_val does not match X.*features"):
        clf.fit(X, y, X_val=X[:8, :3], y_val=y[:8])
    with pytest.raises(ValueError, match="together"):
        clf.fit(X, y, X_val=X[:8])
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        clf.fit(X, y, X_val=X[:8], y_val=y[:7])
    with pytest.raises(ValueError, match=r"y_val holds label\(s\) \[5\]"):
        clf.fit(X, y, X_val=X[:8], y_val=np.full(8, 5))
    with pytest.raises(ValueError, match="NaN"):
        clf.fit(X, y, X_val=np.full((8, 6, 6, 3), np.nan), y_val=y[:8])


def test_selection_needs_validation():
    X, y = _images(n=20)
    with pytest.raises(ValueError, match="selection='accuracy' needs validation data"):
        ResNetClassifier(**TINY, validation_fraction=0).fit(X, y)


def test_no_validation_at_all():
    X, y = _images(n=20)
    clf = ResNetClassifier(**TINY, validation_fraction=0, selection=None,
                           callbacks=[("spy", SeenRows())]).fit(X, y)
    assert clf.best_epoch_ is None
    assert "valid_loss" not in clf.history_[-1] and "valid_acc" not in clf.history_[-1]
    assert len(_spy(clf).rows("valid")) == 0 and len(_spy(clf).rows("train")) == 20


# ------------------------------------------------------------------------- validation
def test_validation_fraction_holds_out_stratified_rows():
    X, y = _images(n=60, n_classes=3)
    clf = ResNetClassifier(**TINY, callbacks=[("spy", SeenRows())]).fit(X, y)
    valid, train = _spy(clf).rows("valid"), _spy(clf).rows("train")
    assert len(valid) == 6 and len(train) == 54  # 2 of each class's 20
    # the held-out rows are never trained on
    all_rows = clf._to_tensor(X).flatten(1)
    val_ids = {int(torch.nonzero((all_rows == r.flatten()).all(1))[0]) for r in valid}
    train_ids = {int(torch.nonzero((all_rows == r.flatten()).all(1))[0]) for r in train}
    assert not val_ids & train_ids and len(val_ids | train_ids) == 60
    assert sorted(np.bincount(y[sorted(val_ids)]).tolist()) == [2, 2, 2]


def test_pipeline_validation_rows_are_real_and_unseen_by_the_sampler():
    """The proof of the validation design: behind a sampler, clf__X_val / clf__y_val
    reach the classifier untouched, and no generated row is ever validated on."""
    X, y = _images(n=48)  # real pixels stay below 255
    X = X.reshape(len(X), -1)
    X_train, y_train, X_val, y_val = X[:36], y[:36], X[36:], y[36:]
    sampler = MarkerOverSampler(n_new=64)  # more generated rows than real ones
    pipe = Pipeline([
        ("aug", sampler),
        ("clf", ResNetClassifier(**TINY, callbacks=[("spy", SeenRows())])),
    ])
    pipe.fit(X_train, y_train, clf__X_val=X_val, clf__y_val=y_val)
    clf = pipe.named_steps["clf"]
    spy = _spy(clf)
    assert pipe.named_steps["aug"].n_seen_ == 36  # the sampler never saw X_val
    for epoch in range(clf.max_epochs):
        valid, train = spy.rows("valid", epoch), spy.rows("train", epoch)
        assert not _is_marker(valid).any()
        assert int(_is_marker(train).sum()) == 64  # the generated rows are trained on
        assert len(train) == 36 + 64
        # exactly the given validation rows, in order
        torch.testing.assert_close(valid, clf._to_tensor(X_val), rtol=0, atol=0)


def test_spy_detects_generated_rows_without_X_val():
    """Without X_val the classifier holds out a share of the rows it is given (the
    documented rule), so behind a sampler generated rows reach validation: the spy of
    the test above would catch a mechanism that ignored X_val."""
    X, y = _images(n=36)
    X = X.reshape(len(X), -1)
    pipe = Pipeline([
        ("aug", MarkerOverSampler(n_new=64)),
        ("clf", ResNetClassifier(**TINY, callbacks=[("spy", SeenRows())])),
    ])
    pipe.fit(X, y)
    assert _is_marker(_spy(pipe.named_steps["clf"]).rows("valid")).any()


def test_X_val_takes_precedence_over_validation_fraction():
    X, y = _images(n=40)
    clf = ResNetClassifier(**TINY, validation_fraction=0.5,
                           callbacks=[("spy", SeenRows())])
    clf.fit(X[:30], y[:30], X_val=X[30:], y_val=y[30:])
    assert len(_spy(clf).rows("train")) == 30 and len(_spy(clf).rows("valid")) == 10


# ------------------------------------------------------------------------- selection
def _valid_loss(clf, X_val, y_val):
    # From the logits, as skorch's valid_loss: the softmax of a confident wrong answer
    # can round to 0 in float32, and log(0) would make the comparison meaningless.
    module = clf.net_.module_.eval()
    with torch.no_grad():
        logits = module(clf._to_tensor(X_val))
    targets = torch.as_tensor(np.asarray(y_val), dtype=torch.long)
    return float(torch.nn.functional.cross_entropy(logits, targets))


@pytest.mark.parametrize(
    "selection, column", [("accuracy", "valid_acc"), ("auc", "valid_auc")]
)
def test_selection_restores_the_best_validation_epoch(selection, column):
    # Noisy labels and a large learning rate: the validation score moves up and down.
    X, _ = _images(n=64, seed=1)
    y = np.random.default_rng(2).integers(0, 2, 64)
    X_val, y_val = X[48:], y[48:]
    clf = ResNetClassifier(width=4, max_epochs=6, batch_size=16, optimizer="adam",
                           lr=0.05, selection=selection, random_state=0)
    clf.fit(X[:48], y[:48], X_val=X_val, y_val=y_val)
    scores = clf.history_[:, column]
    best = int(np.argmax(scores)) + 1  # first best epoch, 1-based as skorch counts
    assert clf.best_epoch_ == best
    assert best < clf.max_epochs, "precondition: the best epoch is not the last one"
    # the kept weights are those of the best epoch, not the last
    losses = clf.history_[:, "valid_loss"]
    assert _valid_loss(clf, X_val, y_val) == pytest.approx(losses[best - 1], rel=1e-5)
    assert _valid_loss(clf, X_val, y_val) != pytest.approx(losses[-1], rel=1e-5)
    if selection == "accuracy":
        assert clf.score(X_val, y_val) == pytest.approx(scores[best - 1])
    else:
        assert medmnist_auc(y_val, clf.predict_proba(X_val)) == pytest.approx(
            scores[best - 1]
        )


def test_selection_none_keeps_the_last_epoch():
    X, _ = _images(n=64, seed=1)
    y = np.random.default_rng(2).integers(0, 2, 64)
    clf = ResNetClassifier(width=4, max_epochs=3, batch_size=16, optimizer="adam",
                           lr=0.05, selection=None, random_state=0)
    clf.fit(X[:48], y[:48], X_val=X[48:], y_val=y[48:])
    assert clf.best_epoch_ is None
    assert _valid_loss(clf, X[48:], y[48:]) == pytest.approx(
        clf.history_[-1, "valid_loss"], rel=1e-5
    )


def test_medmnist_auc():
    y = np.array([0, 1, 2, 2])
    proba = np.eye(3)[[0, 1, 2, 2]]
    assert medmnist_auc(y, proba) == 1.0
    assert medmnist_auc(np.array([1, 1]), np.array([[0.2, 0.8], [0.4, 0.6]])) != 1.0


# ------------------------------------------------------------------------- schedule
def test_medmnist_schedule_changes_lr_at_half_and_three_quarters():
    X, y = _images(n=32)
    clf = ResNetClassifier(**{**TINY, "max_epochs": 4}, lr=0.1, lr_schedule="medmnist",
                           callbacks=[("lr_spy", EpochLR())]).fit(X, y)
    expected = [0.1, 0.1, 0.01, 0.001]
    np.testing.assert_allclose(_spy(clf, "lr_spy").lrs_, expected)
    np.testing.assert_allclose(clf.history_[:, "event_lr"], expected)


@pytest.mark.parametrize("epoch_size", [None, 25, 33])  # 33 rows: a last batch of one
def test_onecycle_warms_up_then_anneals_over_every_step(epoch_size):
    X, y = _images(n=40)
    params = dict(TINY, max_epochs=3, batch_size=8, lr=0.1, lr_schedule="onecycle",
                  epoch_size=epoch_size, validation_fraction=0.0, selection=None)
    clf = ResNetClassifier(**params).fit(X, y)
    lrs = [batch["event_lr"] for epoch in clf.history_ for batch in epoch["batches"]]
    rows = epoch_size or 40
    assert len(lrs) == 3 * (rows // 8 if rows % 8 == 1 else -(-rows // 8))
    np.testing.assert_allclose(lrs[0], 0.1 / 25)  # starts low
    assert max(lrs) == pytest.approx(0.1, rel=0.05)  # peaks at lr, about 30% in
    assert 0.15 < np.argmax(lrs) / len(lrs) < 0.45
    assert lrs[-1] < 1e-3 and np.all(np.diff(lrs[np.argmax(lrs):]) <= 0)


def test_no_schedule_keeps_lr():
    X, y = _images(n=32)
    clf = ResNetClassifier(**{**TINY, "max_epochs": 3}, callbacks=[("lr_spy", EpochLR())])
    clf.fit(X, y)
    assert _spy(clf, "lr_spy").lrs_ == [1e-3] * 3


# ------------------------------------------------------------------------- misc
def test_verbose(capsys):
    X, y = _images(n=20)
    ResNetClassifier(**TINY).fit(X, y)
    assert capsys.readouterr().out == ""
    ResNetClassifier(**TINY, verbose=1).fit(X, y)
    out = capsys.readouterr().out
    assert "valid_acc" in out and "train_loss" in out


def test_tabular_rows_as_a_strip():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 20))
    y = (X[:, 0] > 0).astype(int)
    clf = ResNetClassifier(**TINY).fit(X, y)
    assert clf.layout_.hwc == (1, 20, 1)
    assert clf.predict(X).shape == (60,)


def test_single_row_last_batch_is_dropped():
    # 33 training rows with batches of 32 would leave a 1-row batch, which batch norm
    # cannot train on when the feature maps shrink to 1x1.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(33, 2))
    y = np.arange(33) % 2
    clf = ResNetClassifier(**TINY, validation_fraction=0, selection=None).fit(X, y)
    assert clf.history_[-1, "train_batch_count"] == 1


def test_tags():
    tags = ResNetClassifier().__sklearn_tags__()
    assert tags.input_tags.three_d_array and tags.input_tags.two_d_array
    assert not tags.non_deterministic


# ------------------------------------------------------------------------- sample_weight
class BatchLosses(Callback):
    """Spy: per batch, the loss skorch recorded, the plain mean of the per-row
    cross-entropy of the batch's logits, their weighted mean (``None`` without
    weights) and the weights' sum."""

    def initialize(self):
        self.train_, self.valid_ = [], []
        return self

    def on_batch_end(self, net, batch, training, loss, y_pred, **kwargs):
        X, y = batch
        per_row = torch.nn.functional.cross_entropy(y_pred.detach(), y, reduction="none")
        weight = X["sample_weight"] if isinstance(X, dict) else None
        (self.train_ if training else self.valid_).append((
            loss.item(),
            per_row.mean().item(),
            None if weight is None else (weight * per_row).mean().item(),
            None if weight is None else weight.sum().item(),
        ))


def test_sample_weight_reaches_the_training_loss_and_not_the_validation_loss():
    X, y = _images(n=48)
    X_val, y_val = _images(n=16, seed=1)
    weight = np.random.default_rng(0).uniform(0, 3, size=48)
    spy = BatchLosses()
    ResNetClassifier(**TINY, callbacks=[("spy", spy)]).fit(
        X, y, X_val=X_val, y_val=y_val, sample_weight=weight
    )
    assert len(spy.train_) == 2 * 2  # 2 epochs of 2 batches (32 + 16 rows)
    for loss, plain, weighted, _ in spy.train_:
        # the loss that was backpropagated is the weighted mean, not the plain one
        assert loss == pytest.approx(weighted, rel=1e-5)
        assert abs(weighted - plain) > 1e-3
    # every training row carried its own weight, once per epoch
    sums = [total for *_, total in spy.train_]
    assert sums[0] + sums[1] == pytest.approx(weight.sum(), rel=1e-5)
    for loss, plain, weighted, _ in spy.valid_:
        assert weighted is None and loss == pytest.approx(plain, rel=1e-5)


def test_zero_weight_rows_do_not_train():
    # every image twice: once with its label, once with the other label. Weight 0 on
    # the wrong copies leaves an easy problem; weight 1 makes the labels contradict
    # each other, and the net can only answer about 0.5.
    X, y = _images(n=40)
    X_all, y_all = np.concatenate([X, X]), np.concatenate([y, 1 - y])
    correct = {}
    for wrong_weight in (0.0, 1.0):
        clf = ResNetClassifier(
            width=4, max_epochs=10, batch_size=32, optimizer="adam", lr=0.01,
            validation_fraction=0, selection=None, random_state=0,
        ).fit(X_all, y_all, sample_weight=np.r_[np.ones(40), np.full(40, wrong_weight)])
        correct[wrong_weight] = clf.predict_proba(X)[np.arange(40), y].mean()
    assert correct[0.0] > 0.9 and correct[1.0] < 0.65, correct


def test_sample_weight_of_ones_is_no_weight():
    X, y = _images(n=40)
    plain = ResNetClassifier(**TINY).fit(X, y)
    ones = ResNetClassifier(**TINY).fit(X, y, sample_weight=np.ones(40))
    np.testing.assert_array_equal(plain.predict_proba(X), ones.predict_proba(X))


def test_sample_weight_with_held_out_validation_rows():
    X, y = _images(n=40)
    weight = np.r_[np.ones(20), np.full(20, 0.5)]
    spy = BatchLosses()
    ResNetClassifier(**TINY, callbacks=[("spy", spy)]).fit(X, y, sample_weight=weight)
    # 36 training rows (2 of each class held out, unweighted); their weights only
    assert len(spy.valid_) == 2 and all(record[2] is None for record in spy.valid_)
    first_epoch = sum(total for *_, total in spy.train_[:2])
    assert 0.5 * 36 < first_epoch < 36


@pytest.mark.parametrize(
    "weight, match",
    [
        (np.ones(39), r"sample_weight.shape == \(39,\), expected \(40,\)"),
        (np.r_[np.ones(39), -1.0], "Negative values"),
        (np.r_[np.ones(39), np.nan], "NaN"),
        (np.zeros(40), "at least one non-zero"),
        (np.ones((40, 2)), "1D array or scalar"),
    ],
)
def test_bad_sample_weight(weight, match):
    X, y = _images(n=40)
    with pytest.raises(ValueError, match=match):
        ResNetClassifier(**TINY).fit(X, y, sample_weight=weight)


def _rows_per_epoch(clf):
    return [sum(b.get("train_batch_size", 0) for b in h["batches"])
            for h in clf.net_.history]


def test_epoch_size_fixes_the_optimizer_steps_per_epoch():
    from skgenaug.datasets import make_image_classification

    X, y = make_image_classification(60, image_size=12, random_state=0)
    params = dict(width=2, max_epochs=2, batch_size=8, selection=None,
                  validation_fraction=0.0, random_state=0)
    small = ResNetClassifier(epoch_size=20, **params).fit(X, y)
    assert _rows_per_epoch(small) == [20, 20]  # 3 steps, not 8
    doubled = ResNetClassifier(epoch_size=20, **params).fit(np.r_[X, X], np.r_[y, y])
    assert _rows_per_epoch(doubled) == [20, 20]  # as many steps with twice the rows
    # epoch_size equal to the rows: the ordinary shuffled epoch, the same model.
    whole = ResNetClassifier(epoch_size=60, **params).fit(X, y)
    plain = ResNetClassifier(**params).fit(X, y)
    assert _rows_per_epoch(plain) == [60, 60]
    np.testing.assert_array_equal(whole.predict_proba(X), plain.predict_proba(X))
    with pytest.raises(ValueError, match="epoch_size"):
        ResNetClassifier(epoch_size=0, **params).fit(X, y)
