"""Validation, layout bookkeeping and pixel scaling shared by every estimator.

Estimators accept flat ``(n_samples, n_features)`` arrays (what scikit-learn's and
imbalanced-learn's checks feed) as well as image stacks ``(n, H, W)`` and ``(n, H, W, C)``
as MedMNIST stores them. Internally everything is handled as flat float32 rows; the
:class:`ImageLayout` remembers how to go back.
"""

from dataclasses import dataclass
from math import isqrt

import numpy as np
import scipy.sparse as sp
from sklearn.utils.validation import _check_feature_names, check_array, validate_data

_ND_HINT = (
    "Expected a 2D array (n_samples, n_features), a 3D image stack (n_samples, height, "
    "width) or a 4D image stack (n_samples, height, width, channels)"
)


def infer_image_shape(n_features):
    """Guess ``(height, width, channels)`` for flat rows of ``n_features`` values.

    A perfect square is read as a gray square image, three times a perfect square as an
    RGB square image; anything else (tabular data) as a ``1 x n_features`` gray strip.
    """
    side = isqrt(n_features)
    if side * side == n_features:
        return (side, side, 1)
    if n_features % 3 == 0:
        side = isqrt(n_features // 3)
        if 3 * side * side == n_features:
            return (side, side, 3)
    return (1, n_features, 1)


@dataclass(frozen=True)
class ImageLayout:
    """How one sample of the input was laid out.

    Parameters
    ----------
    sample_shape : tuple of int
        Shape of one sample as given: ``(n_features,)``, ``(H, W)`` or ``(H, W, C)``.
    dtype : numpy.dtype
        The input's dtype; outputs are cast back to it.
    image_shape : tuple of int or None
        ``(H, W, C)`` for flat input that holds images, when known. ``None`` infers it.
    """

    sample_shape: tuple
    dtype: np.dtype
    image_shape: tuple = None

    @property
    def n_features(self):
        return int(np.prod(self.sample_shape))

    @property
    def hwc(self):
        """``(height, width, channels)`` of one image."""
        if len(self.sample_shape) == 3:
            return tuple(self.sample_shape)
        if len(self.sample_shape) == 2:
            return (*self.sample_shape, 1)
        if self.image_shape is not None:
            return tuple(self.image_shape)
        return infer_image_shape(self.n_features)

    @property
    def n_channels(self):
        return self.hwc[2]

    def to_flat(self, X):
        return X.reshape(len(X), self.n_features)

    def from_flat(self, X_flat):
        return X_flat.reshape((len(X_flat), *self.sample_shape))

    def flat_to_nchw(self, X_flat):
        """Reshape flat rows (pixel-major, channels last) to ``(n, C, H, W)``."""
        h, w, c = self.hwc
        return X_flat.reshape(len(X_flat), h, w, c).transpose(0, 3, 1, 2)

    def nchw_to_flat(self, X_nchw):
        return X_nchw.transpose(0, 2, 3, 1).reshape(len(X_nchw), self.n_features)


#: Channel counts an image stack's last axis may have: gray, RGB, RGBA.
CHANNELS = (1, 3, 4)


def check_pixels(X, name):
    """The package's one answer on pixel values, for every estimator and loader.

    Pixels are numbers (not booleans, not text); floats are finite; integers lie in
    0-255 whatever their dtype (a 16-bit scan must be scaled first: per-pixel ranges
    would give each pixel its own brightness scale).
    """
    if X.dtype == np.bool_:
        raise ValueError(f"{name} has dtype bool; give pixels as uint8 (0-255) or "
                         "floats in [0, 1].")
    if X.dtype.kind not in "iuf":
        raise ValueError(f"{name} must hold pixel numbers; got dtype {X.dtype}.")
    if X.dtype.kind == "f":
        if not np.all(np.isfinite(X)):
            raise ValueError(f"{name} contains NaN or infinite pixels.")
    elif X.dtype != np.uint8 and X.size:
        low, high = X.min(), X.max()
        if low < 0 or high > 255:
            raise ValueError(
                f"{name} has integer pixels in [{low}, {high}]; give uint8 (0-255) or "
                "floats (scale 16-bit images first, e.g. X / 65535).")


def check_image_stack(X, name, *, flat_rows=False):
    """``X`` as an image stack ``(n, H, W)`` (gray) or ``(n, H, W, C)`` (C in 3, 4),
    or a clear error naming ``name``.

    ``(n, H, W, 1)`` is read as ``(n, H, W)``; with ``flat_rows=True`` flat rows of
    square images are reshaped (:func:`infer_image_shape`). Pixels follow
    :func:`check_pixels`. The estimators accept and refuse the same image stacks
    (:func:`validate_images`); flat rows, which may be tabular data, they take
    with any numeric values.
    """
    X = np.asarray(X)
    if X.dtype == object or X.dtype.kind not in "biuf":
        raise ValueError(f"{name} must hold pixel numbers; got dtype {X.dtype}.")
    if X.ndim == 0 or len(X) == 0:
        raise ValueError(f"{name} is empty: no images.")
    if flat_rows and X.ndim == 2:
        X = X.reshape(len(X), *infer_image_shape(X.shape[1]))
    if X.ndim == 4 and X.shape[-1] == 1:
        X = X[..., 0]
    if X.ndim not in (3, 4) or (X.ndim == 4 and X.shape[-1] not in CHANNELS) or (
            0 in X.shape):
        raise ValueError(
            f"{name} must be images of shape (n, H, W) (gray) or (n, H, W, C) with C "
            f"in {', '.join(map(str, CHANNELS))} (gray, RGB, RGBA); got shape {X.shape}."
            + (" Flat rows? Reshape them to images first." if X.ndim == 2 else "")
            + (" Channels first? Use X.transpose(0, 2, 3, 1)." if X.ndim == 4
               and X.shape[1] in CHANNELS else "")
        )
    check_pixels(X, name)
    return X


def _describe(shape):
    return "x".join(str(s) for s in shape)


def validate_images(
    estimator, X, y=None, *, reset, layout=None, image_shape=None, accept_sparse=False
):
    """Validate image or tabular input and return ``(X, y, layout)``.

    With ``reset=True`` it records ``n_features_in_`` (pixels times channels, not the
    height that :func:`~sklearn.utils.validation.validate_data` would record for nd
    input) and ``feature_names_in_`` on ``estimator``. With ``reset=False`` it checks X
    against ``layout``: a different number of features, or of channels, is an error that
    names both; a flat array with the fitted number of features is accepted for images.
    With ``accept_sparse=True`` sparse matrices are accepted and returned dense (small
    generative models need every value anyway).
    """
    if X is None:
        raise ValueError(f"{type(estimator).__name__} needs X; got None.")
    check_params = dict(
        allow_nd=True,
        dtype="numeric",
        accept_sparse=["csr", "csc", "coo"] if accept_sparse else False,
        ensure_all_finite=True,
    )
    ndim = getattr(X, "ndim", None)
    if ndim is None:
        try:
            ndim = np.ndim(X) if not hasattr(X, "iloc") else 2
        except TypeError:
            # Array-likes that refuse numpy functions (``__array_function__`` raising,
            # as in scikit-learn's check_classifier_data_not_an_array): the check on
            # the converted array below still catches more than 4 dimensions.
            ndim = 0
    if ndim > 4:
        raise ValueError(f"{_ND_HINT}; got a {ndim}D array of shape {np.shape(X)}.")
    if reset:
        if y is None:
            X = validate_data(estimator, X, reset=True, **check_params)
        else:
            X, y = validate_data(estimator, X, y, reset=True, **check_params)
    else:
        _check_feature_names(estimator, X, reset=False)
        X = check_array(X, **check_params)
    if sp.issparse(X):
        X = X.toarray()
    if X.ndim > 4:  # nested lists reach here
        raise ValueError(f"{_ND_HINT}; got a {X.ndim}D array of shape {X.shape}.")
    if X.ndim == 4 and X.shape[-1] not in CHANNELS:
        raise ValueError(
            f"A 4D image stack must end with a channel axis of 1, 3 or 4 channels "
            f"(n_samples, height, width, channels); got shape {X.shape}. Arrays in "
            "channels-first (n, C, H, W) order need X.transpose(0, 2, 3, 1)."
        )
    if X.ndim >= 3 and 0 in X.shape[1:]:
        raise ValueError(f"Found images of shape {X.shape[1:]}: every axis needs data.")
    if X.ndim >= 3:  # image stacks; flat rows may be tabular data of any range
        check_pixels(X, "X")
    name = type(estimator).__name__
    if reset:
        if image_shape is not None and X.ndim == 2:
            if int(np.prod(image_shape)) != X.shape[1]:
                raise ValueError(
                    f"image_shape={tuple(image_shape)} holds {int(np.prod(image_shape))} "
                    f"values, but X has {X.shape[1]} features."
                )
        layout = ImageLayout(
            sample_shape=tuple(X.shape[1:]),
            dtype=X.dtype,
            image_shape=None if image_shape is None else tuple(image_shape),
        )
        estimator.n_features_in_ = layout.n_features
        return X, y, layout

    n_features = int(np.prod(X.shape[1:]))
    if (
        X.ndim >= 3
        and layout.hwc[:2] == X.shape[1:3]
        and ((X.shape[3] if X.ndim == 4 else 1) != layout.n_channels)
    ):
        raise ValueError(
            f"X has images with {X.shape[3] if X.ndim == 4 else 1} channel(s), but "
            f"{name} was fitted on images with {layout.n_channels} channel(s) "
            f"(shape {_describe(layout.hwc)})."
        )
    if n_features != layout.n_features:
        raise ValueError(
            f"X has {n_features} features, but {name} is expecting "
            f"{layout.n_features} features as input (fitted on samples of shape "
            f"{_describe(layout.sample_shape)}, got {_describe(X.shape[1:])})."
        )
    return X.reshape((len(X), *layout.sample_shape)), y, layout


class PixelScaler:
    """Maps input values to ``[0, 1]`` and back to the input's range and dtype.

    ``uint8`` data uses the fixed range 0-255 (images); booleans 0-1; every other dtype
    uses each feature's observed minimum and maximum, so generated values stay inside
    the range seen in training (flat rows may be tabular data of any range). Going
    back clips to that range; integer dtypes are rounded.
    """

    def fit(self, X_flat):
        X_flat = np.asarray(X_flat)
        self.dtype_ = X_flat.dtype
        if X_flat.dtype == np.uint8:
            self.min_, self.max_ = np.float64(0.0), np.float64(255.0)
        elif X_flat.dtype == np.bool_:
            self.min_, self.max_ = np.float64(0.0), np.float64(1.0)
        else:
            self.min_ = X_flat.min(axis=0).astype(np.float64)
            self.max_ = X_flat.max(axis=0).astype(np.float64)
        span = np.asarray(self.max_ - self.min_, dtype=np.float64)
        self.scale_ = np.where(span > 0, span, 1.0)
        return self

    def transform(self, X_flat):
        return ((np.asarray(X_flat, dtype=np.float64) - self.min_) / self.scale_).astype(
            np.float32
        )

    def inverse_transform(self, X01):
        X = np.clip(np.asarray(X01, dtype=np.float64), 0.0, 1.0) * self.scale_ + self.min_
        X = np.minimum(X, self.max_)
        if np.issubdtype(self.dtype_, np.integer) or self.dtype_ == np.bool_:
            return np.rint(X).astype(self.dtype_)
        return X.astype(self.dtype_)
