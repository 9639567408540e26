"""The classic baselines on the sampler interface: GeometricSampler (flips, right-angle
rotations, shifts of real images) and FlatImageSampler (imbalanced-learn's samplers on
image stacks)."""

import pickle
from collections import Counter
from itertools import product

import numpy as np
import pytest
from imblearn.over_sampling import SMOTE, RandomOverSampler
from imblearn.pipeline import Pipeline
from imblearn.under_sampling import RandomUnderSampler
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.utils._param_validation import InvalidParameterError

from skgenaug import AddPerClass, BaseGenerativeSampler, FlatImageSampler, GeometricSampler
from skgenaug.base import BaseImageOverSampler
from skgenaug.datasets import make_image_classification

ONLY = dict(flip_horizontal=False, flip_vertical=False, rotate90=False, max_shift=0)


@pytest.fixture(scope="module")
def noise_images():
    """30 random uint8 8x8 images of 3 classes (20/6/4): every image and every flip or
    rotation of it is unique, so a generated image can be traced to its source."""
    rng = np.random.RandomState(0)
    X = rng.randint(0, 256, size=(30, 8, 8)).astype(np.uint8)
    y = np.repeat([0, 1, 2], [20, 6, 4])
    return X, y


def _dihedral(image):
    """The 8 flips and right-angle rotations of an (H, W[, C]) image."""
    out = []
    for flipped in (image, image[:, ::-1]):
        out += [np.rot90(flipped, k, axes=(0, 1)) for k in range(4)]
    return out


def _new(X, y, X_res, y_res):
    np.testing.assert_array_equal(X_res[: len(X)], X)
    np.testing.assert_array_equal(y_res[: len(y)], y)
    return X_res[len(X) :], y_res[len(y) :]


# --------------------------------------------------------------------- GeometricSampler
def test_geometric_shares_the_image_base_but_trains_nothing():
    assert issubclass(GeometricSampler, BaseImageOverSampler)
    assert not issubclass(GeometricSampler, BaseGenerativeSampler)
    assert issubclass(BaseGenerativeSampler, BaseImageOverSampler)
    assert not hasattr(GeometricSampler(), "transform")


@pytest.mark.parametrize(
    "strategy, expected",
    [
        ("auto", {0: 20, 1: 20, 2: 20}),
        ("minority", {0: 20, 1: 6, 2: 20}),
        ({1: 10, 2: 7}, {0: 20, 1: 10, 2: 7}),
        (AddPerClass(5), {0: 25, 1: 11, 2: 9}),
    ],
)
def test_geometric_counts_follow_sampling_strategy(strategy, expected, noise_images):
    X, y = noise_images
    X_res, y_res = GeometricSampler(
        sampling_strategy=strategy, random_state=0
    ).fit_resample(X, y)
    assert dict(Counter(y_res.tolist())) == expected
    _new(X, y, X_res, y_res)


def test_flips_and_rotations_keep_label_and_pixels(noise_images):
    """Without shifts every new image is one of the 8 flips / rotations of a real image
    of its own class: same label, same multiset of pixel values."""
    X, y = noise_images
    sampler = GeometricSampler(
        sampling_strategy=AddPerClass(40), max_shift=0, random_state=0
    )
    X_new, y_new = _new(X, y, *sampler.fit_resample(X, y))
    used = set()
    for image, label in zip(X_new, y_new):
        matches = [
            (i, k)
            for i in np.flatnonzero(y == label)
            for k, t in enumerate(_dihedral(X[i]))
            if np.array_equal(t, image)
        ]
        assert len(matches) == 1, "not a flip or rotation of a real image of its class"
        i, k = matches[0]
        np.testing.assert_array_equal(np.sort(image, axis=None), np.sort(X[i], axis=None))
        used.add(k)
    assert len(used) == 8  # horizontal flips and all four rotations were drawn


@pytest.mark.parametrize(
    "option, allowed",
    [
        ("flip_horizontal", lambda im: [im, im[:, ::-1]]),
        ("flip_vertical", lambda im: [im, im[::-1]]),
        ("rotate90", lambda im: [np.rot90(im, k) for k in range(4)]),
    ],
)
def test_each_transform_option_is_used_alone(option, allowed, noise_images):
    X, y = noise_images
    sampler = GeometricSampler(**{**ONLY, option: True}, random_state=0)
    X_new, y_new = _new(X, y, *sampler.fit_resample(X, y))
    transformed = 0
    for image, label in zip(X_new, y_new):
        sources = X[y == label]
        assert any(
            np.array_equal(t, image) for source in sources for t in allowed(source)
        ), f"{option}: an image is not an allowed transform of a real image of its class"
        transformed += not any(np.array_equal(source, image) for source in sources)
    assert transformed > 0, f"{option} was never applied"


def test_no_transforms_is_random_over_sampling(noise_images):
    X, y = noise_images
    X_new, y_new = _new(X, y, *GeometricSampler(**ONLY, random_state=0).fit_resample(X, y))
    for image, label in zip(X_new, y_new):
        assert any(np.array_equal(image, source) for source in X[y == label])


def _shift_matches(image, source, limit, fill):
    """Whether ``image`` is ``source`` shifted by up to ``limit`` pixels, the uncovered
    border ``fill`` (a callable giving the padded source)."""
    h, w = source.shape[:2]
    padded = fill(source)
    for dy, dx in product(range(-limit, limit + 1), repeat=2):
        window = padded[limit - dy : limit - dy + h, limit - dx : limit - dx + w]
        if np.array_equal(window, image):
            return True
    return False


@pytest.mark.parametrize("mode", ["edge", "constant", "reflect", "wrap"])
def test_shifts_move_pixels_and_fill_the_border(mode, noise_images):
    X, y = noise_images
    sampler = GeometricSampler(
        **{**ONLY, "max_shift": 2, "padding_mode": mode}, random_state=0
    )
    X_new, y_new = _new(X, y, *sampler.fit_resample(X, y))
    shifted = 0
    for image, label in zip(X_new, y_new):
        sources = X[y == label]

        def fill(source):
            return np.pad(source, 2, mode=mode)

        assert any(_shift_matches(image, s, 2, fill) for s in sources)
        # the interior (away from the padded border) always holds source pixels
        assert any(np.isin(image[2:-2, 2:-2], s).all() for s in sources), (
            "interior pixels do not come from a source"
        )
        if mode == "wrap":  # a cyclic shift keeps the pixel histogram exactly
            assert any(
                np.array_equal(np.sort(image, axis=None), np.sort(s, axis=None))
                for s in sources
            )
        shifted += not any(np.array_equal(s, image) for s in sources)
    assert shifted > 0


def test_shift_is_limited_by_short_axes():
    """A 1 x n strip (tabular rows) never shifts vertically, so zero padding never
    blanks it out."""
    rng = np.random.RandomState(0)
    X = rng.rand(20, 7) + 1.0  # no zeros
    y = np.repeat([0, 1], 10)
    sampler = GeometricSampler(
        **{**ONLY, "max_shift": 3, "padding_mode": "constant"},
        sampling_strategy=AddPerClass(20),
        random_state=0,
    )
    X_new = sampler.fit_resample(X, y)[0][len(X) :]
    assert X_new.shape == (40, 7) and X_new.dtype == X.dtype
    assert np.all((X_new != 0).sum(axis=1) >= 4)


def _layouts():
    rng = np.random.RandomState(1)
    y = np.repeat([0, 1], [12, 5])
    gray = rng.randint(0, 256, size=(17, 8, 8)).astype(np.uint8)
    rgb = rng.randint(0, 256, size=(17, 8, 8, 3)).astype(np.uint8)
    return {
        "flat-uint8": (gray.reshape(17, -1), y),
        "hw-uint8": (gray, y),
        "hw1-uint8": (gray[..., None], y),
        "hwc-uint8": (rgb, y),
        "hw-not-square": (gray[:, :, :6], y),
        "hw-float32": ((gray / 255).astype(np.float32), y),
        "hwc-float64": (rgb / 255.0, y),
        "flat-int64-tabular": (rng.randint(-5, 5, size=(17, 7)), y),
    }


@pytest.mark.parametrize("layout", list(_layouts()))
def test_geometric_keeps_layout_dtype_and_values(layout):
    X, y = _layouts()[layout]
    X_res, y_res = GeometricSampler(random_state=0).fit_resample(X, y)
    X_new, y_new = _new(X, y, X_res, y_res)
    assert X_res.shape == (24, *X.shape[1:]) and X_res.dtype == X.dtype
    assert Counter(y_new.tolist()) == {1: 7}
    # edge padding only copies values: every new value is a value of the class
    assert np.isin(X_new, X[y == 1]).all()
    # per image, the pixel values come from one source image
    for image in X_new:
        assert any(np.isin(image, source).all() for source in X[y == 1])


def test_rotations_only_for_square_images():
    rng = np.random.RandomState(0)
    X = rng.randint(0, 256, size=(10, 8, 6)).astype(np.uint8)
    y = np.repeat([0, 1], [7, 3])
    sampler = GeometricSampler(**{**ONLY, "rotate90": True}, random_state=0)
    X_new, y_new = _new(X, y, *sampler.fit_resample(X, y))
    for image in X_new:
        assert any(np.array_equal(image, source) for source in X[y == 1])


def test_geometric_is_seeded(noise_images):
    X, y = noise_images
    a = GeometricSampler(random_state=0).fit_resample(X, y)[0]
    b = GeometricSampler(random_state=0).fit_resample(X, y)[0]
    c = GeometricSampler(random_state=1).fit_resample(X, y)[0]
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a[len(X) :], c[len(X) :])
    sampler = GeometricSampler().fit(X, y)
    first = sampler.generate([0, 1, 2, 2], random_state=3)
    np.testing.assert_array_equal(first, sampler.generate([0, 1, 2, 2], random_state=3))
    restored = pickle.loads(pickle.dumps(sampler))
    np.testing.assert_array_equal(first, restored.generate([0, 1, 2, 2], random_state=3))


def test_geometric_generate_and_errors(noise_images):
    from sklearn.exceptions import NotFittedError

    X, y = noise_images
    with pytest.raises(NotFittedError):
        GeometricSampler().generate([0])
    sampler = GeometricSampler(random_state=0).fit(X, y)
    assert sampler.generate([2, 2, 0]).shape == (3, 8, 8)
    assert sampler.generate([]).shape == (0, 8, 8)
    with pytest.raises(ValueError, match=r"Unknown class\(es\) \[7\]"):
        sampler.generate([7])
    with pytest.raises(ValueError, match="single class"):
        GeometricSampler().fit_resample(X, np.zeros(len(X), int))
    for bad in (dict(max_shift=-1), dict(padding_mode="mirror"), dict(rotate90="yes")):
        with pytest.raises(InvalidParameterError):
            GeometricSampler(**bad).fit_resample(X, y)


# --------------------------------------------------------------------- FlatImageSampler
@pytest.fixture(scope="module")
def class_images():
    """Synthetic uint8 16x16 images of 2 classes, imbalanced 30/10."""
    return make_image_classification(
        40, n_classes=2, image_size=16, weights=[0.75], random_state=0
    )


def test_random_over_sampling_copies_rows(class_images):
    X, y = class_images
    sampler = FlatImageSampler(RandomOverSampler(random_state=0))
    X_res, y_res = sampler.fit_resample(X, y)
    X_new, y_new = _new(X, y, X_res, y_res)
    assert X_res.dtype == np.uint8 and X_res.shape == (60, 16, 16)
    assert Counter(y_res.tolist()) == {0: 30, 1: 30}
    for image, label in zip(X_new, y_new):
        assert any(np.array_equal(image, source) for source in X[y == label])
    np.testing.assert_array_equal(X_res, X[sampler.sample_indices_])


def test_default_sampler_is_random_over_sampling(class_images):
    X, y = class_images
    sampler = FlatImageSampler()
    assert sampler.sampler is None and sampler.sampling_strategy == "auto"
    X_res, y_res = sampler.fit_resample(X, y)
    assert isinstance(sampler.sampler_, RandomOverSampler)
    assert Counter(y_res.tolist()) == {0: 30, 1: 30}
    assert sampler.sampling_strategy_ == {1: 20}


def test_smote_on_uint8_rounds_and_stays_in_class_range(class_images):
    X, y = class_images
    sampler = FlatImageSampler(SMOTE(k_neighbors=3, random_state=0))
    X_res, y_res = sampler.fit_resample(X, y)
    X_new, y_new = _new(X, y, X_res, y_res)
    assert X_res.dtype == np.uint8 and X_res.shape == (60, 16, 16)
    minority = X[y == 1].astype(int)
    assert np.all(X_new >= minority.min(axis=0)) and np.all(X_new <= minority.max(axis=0))
    # interpolated, not copied, and rounded (SMOTE on float rows, then np.rint), not
    # truncated as SMOTE's own cast to uint8 would
    reference = SMOTE(k_neighbors=3, random_state=0).fit_resample(
        X.reshape(len(X), -1).astype(np.float64), y
    )[0][len(X) :]
    np.testing.assert_array_equal(X_new.reshape(len(X_new), -1), np.rint(reference))
    assert not all(any(np.array_equal(g, s) for s in X[y == 1]) for g in X_new)


@pytest.mark.parametrize("layout", list(_layouts()))
def test_flat_image_sampler_round_trips_layouts(layout):
    X, y = _layouts()[layout]
    X_res, y_res = FlatImageSampler(SMOTE(k_neighbors=2, random_state=0)).fit_resample(X, y)
    _new(X, y, X_res, y_res)
    assert X_res.shape == (24, *X.shape[1:]) and X_res.dtype == X.dtype


def test_strategy_is_the_wrapped_samplers(class_images):
    X, y = class_images
    sampler = FlatImageSampler(SMOTE(k_neighbors=3, random_state=0))
    sampler.set_params(sampler__sampling_strategy={1: 25})
    assert sampler.sampling_strategy == {1: 25}
    X_res, y_res = sampler.fit_resample(X, y)
    assert Counter(y_res.tolist()) == {0: 30, 1: 25}
    assert sampler.sampling_strategy_ == {1: 15}
    with pytest.raises(ValueError, match="sampling_strategy"):
        sampler.set_params(sampling_strategy="all")
    under = FlatImageSampler(RandomUnderSampler(random_state=0))
    X_res, y_res = under.fit_resample(X, y)
    assert Counter(y_res.tolist()) == {0: 10, 1: 10} and X_res.shape[1:] == X.shape[1:]


def test_nested_params_and_clone():
    sampler = FlatImageSampler(SMOTE(k_neighbors=3))
    params = sampler.get_params(deep=True)
    assert params["sampler__k_neighbors"] == 3
    sampler.set_params(sampler__k_neighbors=2)
    assert clone(sampler).get_params()["sampler__k_neighbors"] == 2
    assert clone(sampler).sampler is not sampler.sampler


def test_flat_image_sampler_fit_and_errors(class_images):
    X, y = class_images
    sampler = FlatImageSampler(SMOTE(k_neighbors=3)).fit(X, y)
    assert sampler.n_features_in_ == 256 and sampler.sampling_strategy_ == {1: 20}
    assert sampler.sampler_ is not sampler.sampler
    with pytest.raises(InvalidParameterError, match="sampler"):
        FlatImageSampler(LogisticRegression()).fit_resample(X, y)
    with pytest.raises(InvalidParameterError, match="k_neighbors"):
        FlatImageSampler(SMOTE(k_neighbors=-1)).fit_resample(X, y)
    with pytest.raises(ValueError, match="class"):
        FlatImageSampler().fit_resample(X, np.zeros(len(X), int))


@pytest.mark.parametrize(
    "sampler",
    [
        GeometricSampler(random_state=0),
        FlatImageSampler(SMOTE(k_neighbors=3, random_state=0)),
    ],
    ids=["geometric", "smote"],
)
def test_baselines_in_an_imblearn_pipeline(sampler, class_images):
    X, y = class_images
    pipe = Pipeline([("aug", sampler), ("clf", LogisticRegression(max_iter=500))])
    pipe.fit(X.reshape(len(X), -1), y)
    assert pipe.score(X.reshape(len(X), -1), y) > 0.5
