"""Input checks shared by the metric functions."""

import numbers

import numpy as np
from sklearn.utils.validation import check_array


def as_rows(X, name, *, scale_uint8=False, min_samples=1):
    """Validate one set of samples and return it as float64 rows ``(n, d)``.

    Images ``(n, H, W)`` or ``(n, H, W, C)`` are flattened; 1-D input is one feature per
    sample. With ``scale_uint8``, ``uint8`` pixels are divided by 255.
    """
    if X is None:
        raise ValueError(f"{name} is None; pass an array of samples.")
    arr = np.asarray(X)
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.number) or arr.dtype == bool
    ):
        raise ValueError(f"{name} must hold numbers; got dtype {arr.dtype}.")
    if arr.ndim == 0:
        raise ValueError(f"{name} must be an array of samples; got a scalar.")
    if arr.ndim == 1:
        arr = arr[:, None]
    if len(arr) == 0:
        raise ValueError(f"{name} is empty (0 samples); at least {min_samples} needed.")
    is_uint8 = arr.dtype == np.uint8
    arr = arr.reshape(len(arr), -1)
    if arr.shape[1] == 0:
        raise ValueError(f"{name} has 0 features per sample.")
    arr = check_array(arr, dtype=np.float64, ensure_all_finite=True, input_name=name,
                      ensure_min_samples=1)
    if scale_uint8 and is_uint8:
        arr = arr / 255.0
    if len(arr) < min_samples:
        raise ValueError(
            f"{name} has {len(arr)} sample(s); at least {min_samples} are needed."
        )
    return arr


def check_same_dims(named_arrays):
    """Raise when the sets do not all have the same number of features per sample."""
    dims = {name: arr.shape[1] for name, arr in named_arrays}
    if len(set(dims.values())) > 1:
        said = ", ".join(f"{name} has {d}" for name, d in dims.items())
        raise ValueError(
            f"Feature dimensions differ ({said} features per sample); the sets must "
            "come from the same feature extractor (or images of the same shape)."
        )


def check_n_neighbors(n_neighbors, named_arrays):
    if (
        isinstance(n_neighbors, bool)
        or not isinstance(n_neighbors, numbers.Integral)
        or n_neighbors < 1
    ):
        raise ValueError(f"n_neighbors must be a positive int; got {n_neighbors!r}.")
    for name, arr in named_arrays:
        if n_neighbors >= len(arr):
            raise ValueError(
                f"n_neighbors={n_neighbors} must be smaller than the number of samples "
                f"in {name} ({len(arr)}): each sample needs {n_neighbors} neighbours "
                "other than itself."
            )
    return int(n_neighbors)


def check_fraction(value, name, *, closed_low=False):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a number in (0, 1); got {value!r}.")
    low_ok = value >= 0 if closed_low else value > 0
    if not (low_ok and value < 1):
        raise ValueError(f"{name} must be in (0, 1); got {value!r}.")
    return float(value)
