"""Behaviour of the generative samplers: counts, layouts, conditioning, seeds, errors."""

import pickle
from collections import Counter

import numpy as np
import pytest
from imblearn.pipeline import Pipeline
from sklearn.linear_model import LogisticRegression

from skgenaug import AddPerClass, AESampler, CGANSampler, CVAESampler, DiffusionSampler
from skgenaug._skorch_utils import verbosity_callbacks
from skgenaug.datasets import make_image_classification

# Tiny networks and few epochs: these tests check behaviour, not image quality.
FAST = {
    AESampler: dict(hidden_layer_sizes=(32, 16), latent_dim=4, max_epochs=2),
    CVAESampler: dict(hidden_layer_sizes=(32,), latent_dim=4, max_epochs=2),
    CGANSampler: dict(hidden_layer_sizes=(32,), latent_dim=4, max_epochs=2),
    DiffusionSampler: dict(
        hidden_layer_sizes=(4, 8), layers_per_block=1, n_train_timesteps=100,
        n_sampling_steps=3, max_epochs=2,
    ),
}
SAMPLERS = list(FAST)


def fast(cls, **params):
    return cls(**{**FAST[cls], "random_state": 0, **params})


@pytest.fixture(scope="module")
def images():
    """60 gray 12x12 uint8 images of 3 classes, imbalanced 30/20/10."""
    return make_image_classification(
        60, n_classes=3, image_size=12, weights=[0.5, 0.33, 0.17], random_state=0
    )


@pytest.mark.parametrize("cls", SAMPLERS)
@pytest.mark.parametrize(
    "strategy, expected",
    [
        ("auto", {0: 30, 1: 30, 2: 30}),
        ("not majority", {0: 30, 1: 30, 2: 30}),
        ("minority", {0: 30, 1: 20, 2: 30}),
        ("not minority", {0: 30, 1: 30, 2: 10}),
        ("all", {0: 30, 1: 30, 2: 30}),
        ({1: 25, 2: 40}, {0: 30, 1: 25, 2: 40}),
        (lambda y: {2: int((y == 2).sum()) + 7}, {0: 30, 1: 20, 2: 17}),
        (AddPerClass(5), {0: 35, 1: 25, 2: 15}),
        (AddPerClass(4, classes=[0]), {0: 34, 1: 20, 2: 10}),
    ],
)
def test_counts_follow_sampling_strategy(cls, strategy, expected, images):
    X, y = images
    X_res, y_res = fast(cls, sampling_strategy=strategy).fit_resample(X, y)
    assert dict(Counter(y_res.tolist())) == expected
    assert len(X_res) == len(y_res)
    # the input rows come first and unchanged
    np.testing.assert_array_equal(X_res[: len(X)], X)
    np.testing.assert_array_equal(y_res[: len(y)], y)


@pytest.mark.parametrize("cls", SAMPLERS)
def test_float_strategy_binary(cls, images):
    X, y = images
    keep = y < 2
    X_res, y_res = fast(cls, sampling_strategy=0.8).fit_resample(X[keep], y[keep])
    assert Counter(y_res.tolist()) == {0: 30, 1: 24}


def test_add_per_class_on_balanced_data_adds_where_strings_add_nothing():
    X, y = make_image_classification(40, n_classes=2, image_size=8, random_state=0)
    _, y_auto = fast(CVAESampler).fit_resample(X, y)
    assert len(y_auto) == len(y)  # balanced: 'auto' asks for nothing
    _, y_add = fast(CVAESampler, sampling_strategy=AddPerClass(150)).fit_resample(X, y)
    assert Counter(y_add.tolist()) == {0: 170, 1: 170}


def _layouts():
    rng = np.random.RandomState(0)
    y = np.repeat([0, 1], 10)
    gray = (rng.rand(20, 8, 8) * 255).astype(np.uint8)
    rgb = (rng.rand(20, 8, 8, 3) * 255).astype(np.uint8)
    return {
        "flat-uint8": (gray.reshape(20, -1), y),
        "hw-uint8": (gray, y),
        "hw1-uint8": (gray[..., None], y),
        "hwc-uint8": (rgb, y),
        "hw-float32": ((gray / 255).astype(np.float32), y),
        "hwc-float64": (rgb / 255.0, y),
        "flat-float32-tabular": (rng.normal(5, 3, size=(20, 7)).astype(np.float32), y),
    }


@pytest.mark.parametrize("cls", SAMPLERS)
@pytest.mark.parametrize("layout", list(_layouts()))
def test_layout_and_dtype_round_trip(cls, layout):
    X, y = _layouts()[layout]
    X_res, y_res = fast(cls, sampling_strategy=AddPerClass(3)).fit_resample(X, y)
    assert X_res.shape == (len(X) + 6, *X.shape[1:])
    assert X_res.dtype == X.dtype
    generated = X_res[len(X) :]
    if X.dtype == np.uint8:
        assert generated.min() >= 0 and generated.max() <= 255
    else:
        # float output stays inside each feature's training range
        flat, gen_flat = X.reshape(len(X), -1), generated.reshape(len(generated), -1)
        assert np.all(gen_flat >= flat.min(axis=0) - 1e-6)
        assert np.all(gen_flat <= flat.max(axis=0) + 1e-6)
    sampler = fast(cls).fit(X, y)
    assert sampler.n_features_in_ == int(np.prod(X.shape[1:]))
    assert sampler.generate([1, 0], random_state=0).shape == (2, *X.shape[1:])


@pytest.mark.parametrize("cls", SAMPLERS)
def test_string_labels(cls, images):
    X, y = images
    names = np.array(["benign", "malignant", "normal"])[y]
    X_res, y_res = fast(cls).fit_resample(X, names)
    assert Counter(y_res.tolist()) == {"benign": 30, "malignant": 30, "normal": 30}
    assert y_res.dtype == names.dtype


@pytest.mark.parametrize("cls", SAMPLERS)
def test_same_seed_same_output_different_seed_differs(cls, images):
    X, y = images
    X_a, _ = fast(cls).fit_resample(X, y)
    X_b, _ = fast(cls).fit_resample(X, y)
    X_c, _ = fast(cls, random_state=1).fit_resample(X, y)
    np.testing.assert_array_equal(X_a, X_b)
    assert not np.array_equal(X_a[len(X) :], X_c[len(X) :])


@pytest.mark.parametrize("cls", SAMPLERS)
def test_generate_is_seeded_and_survives_pickling(cls, images):
    X, y = images
    sampler = fast(cls).fit(X, y)
    labels = [0, 1, 2, 2]
    first = sampler.generate(labels, random_state=7)
    np.testing.assert_array_equal(first, sampler.generate(labels, random_state=7))
    assert not np.array_equal(first, sampler.generate(labels, random_state=8))
    restored = pickle.loads(pickle.dumps(sampler))
    np.testing.assert_array_equal(first, restored.generate(labels, random_state=7))
    assert first.shape == (4, 12, 12) and first.dtype == np.uint8


@pytest.mark.parametrize("cls", [CVAESampler, DiffusionSampler])
def test_resample_of_a_fitted_sampler_gives_what_fit_resample_gives(cls, images):
    """Fit once, draw many times: resample(X, y) of a fitted sampler equals
    fit_resample(X, y), with and without unlabelled rows; another seed or strategy
    draws otherwise."""
    X, y = images
    X_pool, _ = make_image_classification(10, image_size=12, random_state=1)
    for X_in, y_in in ((X, y), (np.concatenate([X, X_pool]), np.r_[y, [-1] * 10])):
        expected = fast(cls, sampling_strategy=AddPerClass(5), random_state=7
                        ).fit_resample(X_in, y_in)
        fitted = fast(cls, sampling_strategy=AddPerClass(5), random_state=7
                      ).fit(X_in, y_in)
        got = fitted.resample(X_in, y_in)
        for a, b in zip(expected, got):
            np.testing.assert_array_equal(a, b)
    X_other, _ = fitted.resample(X, y, random_state=8)
    assert X_other.shape == got[0].shape
    assert not np.array_equal(X_other[len(y):], got[0][len(y):])
    fitted.set_params(sampling_strategy=AddPerClass(2))
    _, y_two = fitted.resample(X[:6].reshape(6, -1), y[:6])  # flat rows work too
    assert Counter(y_two[6:]) == {label: 2 for label in np.unique(y[:6])}


@pytest.mark.parametrize("cls", [CVAESampler])
def test_resample_needs_a_fitted_sampler_and_its_layout(cls, images):
    from sklearn.exceptions import NotFittedError

    X, y = images
    with pytest.raises(NotFittedError):
        fast(cls).resample(X, y)
    fitted = fast(cls).fit(X, y)
    with pytest.raises(ValueError, match="features"):
        fitted.resample(X[:, :6], y)


@pytest.mark.parametrize("cls", SAMPLERS)
def test_no_transform_so_imblearn_pipeline_accepts_it(cls, images):
    X, y = images
    sampler = fast(cls)
    assert not hasattr(sampler, "transform")
    pipe = Pipeline([("aug", sampler), ("clf", LogisticRegression(max_iter=500))])
    pipe.fit(X.reshape(len(X), -1), y)
    assert pipe.score(X.reshape(len(X), -1), y) > 0.5


@pytest.mark.parametrize("cls", SAMPLERS)
def test_training_history_and_verbose(cls, images, capsys):
    X, y = images
    sampler = fast(cls, max_epochs=3, verbose=1).fit(X, y)
    assert len(sampler.history_) == 3
    assert all(np.isfinite(sampler.history_[:, "train_loss"]))
    assert "train_loss" in capsys.readouterr().out


def test_verbosity_callbacks_levels():
    assert verbosity_callbacks(0) == ([], 0)
    assert verbosity_callbacks(False) == ([], 0)
    for verbose, names in ((1, ["print_log"]), (True, ["print_log"]),
                           (2, ["print_log", "progress"]), (3, ["print_log", "progress"])):
        callbacks, skorch_verbose = verbosity_callbacks(verbose)
        assert [name for name, _ in callbacks] == names and skorch_verbose == 1


@pytest.mark.parametrize("cls", SAMPLERS)
def test_verbose_levels_are_the_classifiers(cls, images, capsys):
    # One helper sets up skorch's printing for samplers and classifier alike:
    # 0 has no PrintLog at all, 1 the per-epoch table, 2 adds a progress bar.
    X, y = images
    names = {}
    for verbose in (0, 1, 2):
        sampler = fast(cls, max_epochs=1, verbose=verbose).fit(X, y)
        names[verbose] = {name for name, _ in sampler.net_.callbacks_}
        out = capsys.readouterr().out
        assert ("train_loss" in out) == bool(verbose)
    assert not {"print_log", "progress"} & names[0]
    assert names[1] - names[0] == {"print_log"}
    assert names[2] - names[0] == {"print_log", "progress"}


def test_cgan_records_both_losses(images):
    X, y = images
    history = fast(CGANSampler, max_epochs=2).fit(X, y).history_
    assert len(history[:, "discriminator_loss"]) == 2


def test_autoencoder_encode_and_channel_check():
    rng = np.random.RandomState(0)
    X = (rng.rand(20, 8, 8, 3) * 255).astype(np.uint8)
    y = np.repeat([0, 1], 10)
    sampler = fast(AESampler).fit(X, y)
    assert sampler.encode(X).shape == (20, 4)
    with pytest.raises(ValueError, match=r"1 channel\(s\).*fitted on images with 3"):
        sampler.encode(X[..., 0])


# --------------------------------------------------------------------- conditioning
CONDITIONING = {
    AESampler: dict(hidden_layer_sizes=(128, 64, 32, 16), latent_dim=8, max_epochs=60),
    CVAESampler: dict(hidden_layer_sizes=(128, 64), latent_dim=8, max_epochs=40),
    CGANSampler: dict(
        hidden_layer_sizes=(128, 256, 512), latent_dim=32, max_epochs=150, lr=5e-4
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("cls", list(CONDITIONING))  # DiffusionSampler: test_diffusion.py
def test_generated_images_belong_to_their_class(cls):
    """A classifier fitted on real images must put generated images in their class.

    Three visibly different classes; chance is 1/3. The threshold of 0.8 is far above
    chance yet leaves room for blurry or imperfect samples: a sampler that ignored the
    condition (or mixed labels up) would score near 1/3.
    """
    X, y = make_image_classification(300, n_classes=3, image_size=16, random_state=0)
    judge = LogisticRegression(max_iter=2000).fit(X.reshape(len(X), -1) / 255, y)
    sampler = cls(batch_size=32, random_state=0, **CONDITIONING[cls]).fit(X, y)
    labels = np.repeat([0, 1, 2], 50)
    generated = sampler.generate(labels, random_state=0)
    accuracy = np.mean(judge.predict(generated.reshape(len(generated), -1) / 255) == labels)
    assert accuracy >= 0.8, f"{cls.__name__} generated images classified {accuracy:.2f}"


# --------------------------------------------------------------------- bad input
def _bad_inputs():
    rng = np.random.RandomState(0)
    X = rng.rand(20, 6, 6)
    y = np.repeat([0, 1], 10)
    X_nan = X.copy()
    X_nan[3, 2, 2] = np.nan
    X_inf = X.copy()
    X_inf[0, 0, 0] = np.inf
    return [
        ("nan", X_nan, y, ValueError, "NaN"),
        ("inf", X_inf, y, ValueError, "infinity"),
        ("1d", X[:, 0, 0], y, ValueError, "Expected 2D array, got 1D array"),
        ("5d", X.reshape(20, 1, 6, 6, 1), y, ValueError, "got a 5D array"),
        ("lengths", X, y[:-1], ValueError, "inconsistent numbers of samples"),
        ("single class", X, np.zeros(20, int), ValueError, "single class"),
        ("empty", X[:0], y[:0], ValueError, "0 sample"),
        ("one sample class", X, np.r_[np.zeros(19, int), 1], ValueError, "only 1 sample"),
        ("continuous y", X, np.linspace(0, 1, 20), ValueError, "Unknown label type"),
        ("wrong channels axis", rng.rand(20, 6, 6, 5), y, ValueError, "channel axis"),
        ("complex", X.astype(complex), y, ValueError, "Complex data not supported"),
        ("strings", np.full((20, 3), "a"), y, ValueError, "could not convert|dtype"),
    ]


@pytest.mark.parametrize("cls", SAMPLERS)
@pytest.mark.parametrize(
    "case, X, y, error, match", _bad_inputs(), ids=[c[0] for c in _bad_inputs()]
)
def test_bad_input_is_named(cls, case, X, y, error, match):
    with pytest.raises(error, match=match):
        fast(cls).fit_resample(X, y)


@pytest.mark.parametrize("cls", SAMPLERS)
@pytest.mark.parametrize(
    "strategy, match",
    [
        ({0: 12, 1: -3}, "negative"),
        ({0: 12, 1: 10.5}, "not a whole number"),
        ({0: 12, 7: 15}, "not present"),
        ({0: 5, 1: 12}, "greater or equal to the original number"),
    ],
)
def test_bad_dict_strategy(cls, strategy, match):
    X, y = _bad_inputs()[0][1], np.repeat([0, 1], 10)
    X = np.nan_to_num(X)
    with pytest.raises(ValueError, match=match):
        fast(cls, sampling_strategy=strategy).fit_resample(X, y)


def test_add_per_class_validates():
    with pytest.raises(ValueError, match="non-negative whole number"):
        AddPerClass(-1)
    with pytest.raises(ValueError, match="non-negative whole number"):
        AddPerClass(2.5)
    with pytest.raises(ValueError, match=r"class\(es\) \[5\]"):
        AddPerClass(1, classes=[5])(np.array([0, 1]))
    assert repr(AddPerClass(3)) == "AddPerClass(3)"
    assert pickle.loads(pickle.dumps(AddPerClass(3, classes=[1]))) == AddPerClass(3, [1])


@pytest.mark.parametrize("cls", SAMPLERS)
def test_unknown_or_unavailable_device(cls, images):
    X, y = images
    with pytest.raises(ValueError, match="Unknown device 'tpu'"):
        fast(cls, device="tpu").fit(X, y)
    import torch

    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="CUDA is not available"):
            fast(cls, device="cuda").fit(X, y)


@pytest.mark.parametrize("cls", SAMPLERS)
def test_generate_rejects_unknown_labels_and_unfitted(cls, images):
    from sklearn.exceptions import NotFittedError

    X, y = images
    with pytest.raises(NotFittedError):
        fast(cls).generate([0])
    sampler = fast(cls).fit(X, y)
    with pytest.raises(ValueError, match=r"Unknown class\(es\) \[9\]"):
        sampler.generate([0, 9])
    assert sampler.generate([]).shape == (0, 12, 12)
