"""imbalanced-learn's samplers on image stacks (baselines for the generative samplers)."""

import numbers

import numpy as np
from imblearn.base import BaseSampler
from imblearn.over_sampling import RandomOverSampler
from imblearn.utils._tags import get_tags
from sklearn.base import _fit_context, clone
from sklearn.utils._param_validation import HasMethods

from .._images import ImageLayout
from ..base import ImageSamplerMixin, _fill_shared_docs


def _cast_like(X, dtype):
    """``X`` (float) cast to ``dtype``: rounded and clipped to the dtype's range for
    integers, thresholded at 0.5 for booleans."""
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return np.asarray(X) >= 0.5
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        return np.clip(np.rint(X), info.min, info.max).astype(dtype)
    return np.asarray(X).astype(dtype, copy=False)


@_fill_shared_docs
class FlatImageSampler(ImageSamplerMixin, BaseSampler):
    """Run an imbalanced-learn sampler (SMOTE, random over-sampling, ...) on images.

    imbalanced-learn's samplers take 2D ``(n_samples, n_features)`` data. This
    meta-sampler accepts image stacks ``(n, H, W)`` and ``(n, H, W, C)`` as well,
    flattens them to rows of ``H * W * C`` values (as float64), calls the wrapped
    sampler's ``fit_resample``, reshapes the result back to the input's layout and
    casts it back to the input's dtype: rounded and clipped to the dtype's range for
    integer dtypes (SMOTE interpolates, so uint8 pixels would otherwise be truncated),
    as is for floating point dtypes. A baseline on the same interface as the generative
    samplers, usable in the same pipeline.

    The sampling strategy is the wrapped sampler's: set it there, e.g.
    ``FlatImageSampler(SMOTE(sampling_strategy=...))`` or
    ``set_params(sampler__sampling_strategy=...)``. Unlabelled rows (label
    ``unlabelled_label``) are ignored: the wrapped sampler sees the labelled rows only.

    Parameters
    ----------
    sampler : imbalanced-learn sampler or None, default=None
        The sampler to run on flat rows (cloned in ``fit``). ``None`` means
        :class:`~imblearn.over_sampling.RandomOverSampler` ``()`` (a default estimator
        instance in the signature would break scikit-learn's conventions).
    {unlabelled_label}

    Attributes
    ----------
    sampler_ : sampler
        The fitted clone of ``sampler``.
    sampling_strategy_ : dict
        The wrapped sampler's ``sampling_strategy_``.
    sample_indices_ : ndarray
        The wrapped sampler's ``sample_indices_``, for samplers that have one (random
        over- and under-sampling).
    n_unlabelled_ : int
        Number of rows of the last fit labelled ``unlabelled_label`` (not passed on).
    {input_attributes}

    See Also
    --------
    GeometricSampler : Flipped, rotated and shifted copies of real images.

    Examples
    --------
    >>> import numpy as np
    >>> from imblearn.over_sampling import SMOTE
    >>> from skgenaug import FlatImageSampler
    >>> from skgenaug.datasets import make_image_classification
    >>> X, y = make_image_classification(40, n_classes=2, weights=[0.75], random_state=0)
    >>> sampler = FlatImageSampler(SMOTE(k_neighbors=3, random_state=0))
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> X_res.shape, X_res.dtype, np.bincount(y_res)
    ((60, 28, 28), dtype('uint8'), array([30, 30]))
    >>> sorted(sampler.get_params())[:3]
    ['sampler', 'sampler__k_neighbors', 'sampler__random_state']
    """

    _sampling_type = "bypass"

    _parameter_constraints: dict = {
        "sampler": [HasMethods(["fit_resample"]), None],
        "unlabelled_label": [numbers.Integral, str, None],
    }

    def __init__(self, sampler=None, *, unlabelled_label=-1):
        self.sampler = sampler
        self.unlabelled_label = unlabelled_label

    @property
    def sampling_strategy(self):
        """The wrapped sampler's ``sampling_strategy`` (read-only here)."""
        sampler = RandomOverSampler() if self.sampler is None else self.sampler
        return getattr(sampler, "sampling_strategy", "auto")

    def _make_sampler(self):
        sampler = RandomOverSampler() if self.sampler is None else clone(self.sampler)
        if hasattr(sampler, "_validate_params"):
            # fit_resample skips nested validation; the wrapped sampler's parameters
            # still deserve a clear error
            sampler._validate_params()
        return sampler

    def _flat(self, X):
        self.layout_ = ImageLayout(sample_shape=tuple(X.shape[1:]), dtype=X.dtype)
        return self.layout_.to_flat(X).astype(np.float64)

    def _record(self):
        self.sampling_strategy_ = getattr(self.sampler_, "sampling_strategy_", {})
        if hasattr(self.sampler_, "sample_indices_"):
            self.sample_indices_ = self.sampler_.sample_indices_

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Validate the data and fit the wrapped sampler on flat rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), (n_samples, H, W) or \
                (n_samples, H, W, C)
            Images (or flat rows).
        y : array-like of shape (n_samples,)
            Class labels; ``unlabelled_label`` marks unlabelled rows (ignored).

        Returns
        -------
        self : object
            The fitted sampler.
        """
        X, y, _ = self._check_X_y(X, y)
        self._take_unlabelled()  # ignored
        self.sampler_ = self._make_sampler()
        self.sampler_.fit(self._flat(X), y)
        self._record()
        return self

    def _fit_resample(self, X, y):
        self._take_unlabelled()  # ignored
        self.sampler_ = self._make_sampler()
        X_res, y_res = self.sampler_.fit_resample(self._flat(X), y)
        self._record()
        X_res = X_res.toarray() if hasattr(X_res, "toarray") else np.asarray(X_res)
        return self.layout_.from_flat(_cast_like(X_res, X.dtype)), np.asarray(y_res)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        sampler = RandomOverSampler() if self.sampler is None else self.sampler
        wrapped = get_tags(sampler)
        if getattr(wrapped, "sampler_tags", None) is not None:
            tags.sampler_tags.sample_indices = wrapped.sampler_tags.sample_indices
        return tags
