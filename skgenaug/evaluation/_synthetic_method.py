"""Images made elsewhere as a method of the evaluation (``synthetic=``, ``--synthetic``).

A synthetic set is a labelled stack of images that a generator outside this library
made. The evaluation runs it like any method: per cell, :class:`_PoolSampler` draws the
run's number of images per class from the set (without replacement, seeded by the
cell's seed), and the classifier trains on the fold's training part plus those images.
No generator is fitted, so the tool cannot know what the images were made from; the
report says so. :func:`check_synthetic` checks the sets against the data before any
cell runs, :func:`check_synthetic_counts` that every fold can draw what it asks for.
"""

import re

import numpy as np
from imblearn.utils import check_sampling_strategy
from sklearn.utils import check_random_state

from .._images import check_image_stack
from .._methods import parse_variant
from ..base import BaseImageOverSampler
from ._data import _fingerprint

_COUNT = re.compile(r"^(?P<base>.+?)@(?P<n>[0-9]+)$")


def split_count(name):
    """``(base, N)`` for a set named ``base@N`` (``N`` images per class), else
    ``(name, None)``."""
    match = _COUNT.match(name)
    if match is None or int(match["n"]) < 1:
        return name, None
    return match["base"], int(match["n"])


class _SyntheticImages:
    """A synthetic set: images and their labels, fixed once made.

    Held by :class:`_PoolSampler` as a parameter: ``clone`` keeps this very object
    (copying the images for every cell would cost memory for nothing), and its
    ``repr``, which a user's sampler's hash reads, names a fingerprint of the images
    rather than a shortened print of them.

    Parameters
    ----------
    name : str
        The method's name.
    X : ndarray
        Images, as the evaluation checked them.
    y : ndarray
        Their labels, in the labels of the data the sampler is fitted on (class codes
        in an evaluation).
    """

    def __init__(self, name, X, y):
        self.name = str(name)
        self.X, self.y = np.array(X), np.array(y)  # copies: made read-only here
        self.X.flags.writeable = False
        self.y.flags.writeable = False
        self.fingerprint = _fingerprint(self.X, self.y)

    def __repr__(self):
        return (f"SyntheticImages(name={self.name!r}, n={len(self.y)}, "
                f"fingerprint={self.fingerprint!r})")

    def __deepcopy__(self, memo):
        return self  # never changed: every clone may share it

    def count(self, label):
        return int(np.sum(self.y == label))


class _PoolSampler(BaseImageOverSampler):
    """Adds images drawn from a fixed synthetic set instead of generating them.

    ``fit_resample`` draws, for each class, the number of images the sampling strategy
    asks for, without replacement, seeded by ``random_state``; asking for more images
    of a class than the set holds is an error. ``generate`` (used by the quality
    report, which may ask for more) draws without replacement while the set lasts and
    then starts over on a new shuffle of it, so that every image is used about
    equally often.

    Parameters
    ----------
    images : _SyntheticImages
        The set, labelled like the data the sampler is fitted on.
    sampling_strategy : float, str, dict or callable, default='auto'
        As in imbalanced-learn's over-samplers; :class:`~skgenaug.AddPerClass`
        ``(n)`` adds ``n`` images to every class.
    random_state : int, RandomState instance or None, default=None
        Seeds the draw.
    """

    def __init__(self, images, *, sampling_strategy="auto", random_state=None):
        super().__init__(sampling_strategy=sampling_strategy)
        self.images = images
        self.random_state = random_state

    def _fit_resample(self, X, y):
        wanted = self._strategy(y)
        short = [(label, self.images.count(label), n) for label, n in wanted.items()
                 if n > self.images.count(label)]
        if short:
            raise ValueError(_fewer_message(self.images.name, short))
        return super()._fit_resample(X, y)

    def _fit_model(self, X, y_enc, seed):
        if np.prod(self.images.X.shape[1:]) != np.prod(X.shape[1:]):
            raise ValueError(
                f"The synthetic set {self.images.name!r} holds images of shape "
                f"{self.images.X.shape[1:]}, the data images of shape {X.shape[1:]}.")

    def _generate(self, y_enc, random_state):
        rng = check_random_state(random_state)
        X_set, y_set = self.images.X, self.images.y
        out = np.empty((len(y_enc), *X_set.shape[1:]), dtype=X_set.dtype)
        for code in np.unique(y_enc):
            rows = np.flatnonzero(y_enc == code)
            pool = np.flatnonzero(y_set == self.classes_[code])
            if not len(pool):
                raise ValueError(f"The synthetic set {self.images.name!r} holds no image "
                                 f"of class {self.classes_[code]!r}.")
            rounds = -(-len(rows) // len(pool))
            taken = np.concatenate([rng.permutation(pool) for _ in range(rounds)])
            out[rows] = X_set[taken[:len(rows)]]
        return out.reshape(len(y_enc), *self.layout_.sample_shape)


def _fewer_message(name, short, class_names=None):
    shown = "; ".join(
        f"class {label if class_names is None else class_names[label]!r} has {k}, "
        f"{n} needed" for label, k, n in short)
    return (f"The synthetic set {name!r} holds fewer synthetic images than asked for: "
            f"{shown}. Images are drawn without replacement; ask for fewer per class "
            "(sampling_strategy, --add-per-class) or give more images.")


def _channels(shape):
    n = 1 if len(shape) == 2 else shape[2]
    return f"{n} channel{'s' if n > 1 else ''} ({ {1: 'gray', 3: 'RGB', 4: 'RGBA'}[n]})"


def _shape_difference(shape, data_shape):
    """What differs between a synthetic set's image shape and the data's, in words."""
    parts = []
    if shape[:2] != data_shape[:2]:
        parts.append(f"image size {shape[0]}x{shape[1]}, the data's "
                     f"{data_shape[0]}x{data_shape[1]}")
    if len(shape) != len(data_shape) or shape[2:] != data_shape[2:]:
        parts.append(f"{_channels(shape)}, the data's {_channels(data_shape)}")
    return "; ".join(parts)


def check_synthetic(synthetic, classes, taken, image_shape, images_like, as_labels):
    """The synthetic sets checked against the data: ``{name: _SyntheticImages}``.

    Parameters
    ----------
    synthetic : dict
        ``{name: (X_syn, y_syn)}``.
    classes : ndarray
        The data's class labels (sorted); the sets' labels become their codes.
    taken : collection of str
        The run's method names (a set's name must be new).
    image_shape : tuple
        The data's image shape, ``(H, W)`` or ``(H, W, C)``.
    images_like : callable
        ``images_like(images, name)``: images checked to be like the data's.
    as_labels : callable
        ``as_labels(y, n, name, images_name)``: labels checked.

    Returns
    -------
    sets : dict
    """
    if not isinstance(synthetic, dict):
        raise ValueError("synthetic must be a dict {name: (X_syn, y_syn)}; got "
                         f"{type(synthetic).__name__}.")
    sets = {}
    for name, value in synthetic.items():
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"synthetic set names must be non-empty strings; got "
                             f"{name!r}.")
        if name in taken or name == "none":
            raise ValueError(f"The synthetic set name {name!r} clashes with a method of "
                             "the run; give the set another name.")
        try:
            parse_variant(split_count(name)[0])
        except ValueError:
            pass
        else:
            raise ValueError(f"The synthetic set name {name!r} clashes with the method "
                             "name it spells; give the set another name.")
        if not (isinstance(value, (tuple, list)) and len(value) == 2):
            raise ValueError(f"synthetic[{name!r}] must be a pair (X_syn, y_syn).")
        label = f"synthetic[{name!r}]"
        shape = check_image_stack(value[0], label).shape[1:]
        if shape != tuple(image_shape):
            raise ValueError(
                f"The synthetic set {name!r} holds other images than the data: "
                f"{_shape_difference(shape, tuple(image_shape))}. Read it with the "
                "data's size and colour (--size, --color), or convert it.")
        X_syn = images_like(value[0], label)
        y_syn = as_labels(value[1], len(X_syn), f"{label}'s labels", label)
        found = set(np.unique(y_syn).tolist())
        known = set(classes.tolist())
        missing, extra = sorted(known - found, key=str), sorted(found - known, key=str)
        if missing or extra:
            raise ValueError(
                f"The synthetic set {name!r} has other classes than the data: "
                + "; ".join(part for part in (
                    f"missing {missing}" if missing else "",
                    f"extra {extra}" if extra else "") if part)
                + f" (the data's classes: {sorted(known, key=str)}). Every class of the "
                "data needs synthetic images, under the same names."
            )
        sets[name] = _SyntheticImages(name, X_syn, np.searchsorted(classes, y_syn))
    return sets


def check_synthetic_counts(sets, data, strategies):
    """Raise unless every fold can draw what its sampling strategy asks for, without
    replacement, from every synthetic set.

    Parameters
    ----------
    sets : dict
        ``{name: _SyntheticImages}`` (labels as class codes).
    data : ArrayData
        The run's data (its folds).
    strategies : dict
        ``{name: the set's sampling strategy}``.
    """
    for name, images in sets.items():
        needed = {}
        for seed, n_folds in data.fold_counts().items():
            for fold in range(n_folds):
                wanted = check_sampling_strategy(
                    strategies[name], data.split(seed, fold).y_train, "over-sampling")
                for code, n in wanted.items():
                    needed[code] = max(needed.get(code, 0), int(n))
        short = [(code, images.count(code), n) for code, n in sorted(needed.items())
                 if n > images.count(code)]
        if short:
            raise ValueError(_fewer_message(name, short, data.target_names))
