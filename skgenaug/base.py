"""Base class shared by every generative sampler, and the "add N per class" strategy."""

import numbers
from abc import abstractmethod
from collections.abc import Mapping

import numpy as np
import scipy.sparse as sp
import torch
from imblearn.over_sampling.base import BaseOverSampler
from imblearn.utils import check_sampling_strategy, check_target_type
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted
from sklearn_compat.base import _fit_context
from skorch.callbacks import ProgressBar

from ._images import ImageLayout, PixelScaler, validate_images
from ._torch_utils import (
    BatchTensorDataset,
    draw_seed,
    passthrough_collate,
    resolve_device,
    torch_seed,
)


class AddPerClass:
    """Sampling strategy that adds ``n`` generated samples to every class.

    The reference paper adds 150 generated images to every class of balanced subsets;
    on a balanced data set each of imbalanced-learn's string strategies asks for zero
    new samples, so pass ``sampling_strategy=AddPerClass(150)`` instead. It is a
    picklable callable in imbalanced-learn's sense: called with ``y``, it returns the
    desired total per class, ``{class: count + n}``.

    Parameters
    ----------
    n : int
        Number of generated samples to add to each class (``>= 0``).
    classes : sequence or None, default=None
        Restrict the addition to these classes; ``None`` adds to every class.

    Examples
    --------
    >>> import numpy as np
    >>> from skgenaug import AddPerClass
    >>> AddPerClass(150)(np.array([0, 0, 1]))
    {0: 152, 1: 151}
    """

    def __init__(self, n, classes=None):
        if not isinstance(n, numbers.Integral) or isinstance(n, bool) or n < 0:
            raise ValueError(f"AddPerClass needs a non-negative whole number; got {n!r}.")
        self.n = int(n)
        self.classes = None if classes is None else list(classes)

    def __call__(self, y):
        labels, counts = np.unique(y, return_counts=True)
        wanted = labels if self.classes is None else self.classes
        unknown = set(wanted) - set(labels.tolist())
        if unknown:
            raise ValueError(
                f"AddPerClass was asked to add to class(es) {sorted(unknown)!r}, which "
                f"are not in y (classes present: {labels.tolist()!r})."
            )
        totals = dict(zip(labels.tolist(), counts.tolist()))
        return {label: totals[label] + self.n for label in wanted}

    def __repr__(self):
        extra = "" if self.classes is None else f", classes={self.classes!r}"
        return f"AddPerClass({self.n}{extra})"

    def __eq__(self, other):
        return (
            isinstance(other, AddPerClass)
            and other.n == self.n
            and other.classes == self.classes
        )

    def __hash__(self):
        return hash((self.n, None if self.classes is None else tuple(self.classes)))


class BaseGenerativeSampler(BaseOverSampler):
    """Base class for samplers that train a generative network and add its images.

    Subclasses build a skorch net in :meth:`_make_net`, fit it in :meth:`_train` and draw
    scaled images in :meth:`_generate_scaled`; everything else (validation, layouts and
    dtypes, scaling, label encoding, seeding, devices, the sampling strategy and the
    resampled output) lives here.

    ``fit`` trains the generator; ``fit_resample`` trains it and returns the input rows,
    unchanged and first, followed by the generated rows; ``generate`` draws images for
    given labels from a fitted sampler.
    """

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "hidden_layer_sizes": [
            "array-like",
            Interval(numbers.Integral, 1, None, closed="left"),
        ],
        "latent_dim": [Interval(numbers.Integral, 1, None, closed="left")],
        "max_epochs": [Interval(numbers.Integral, 1, None, closed="left")],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "lr": [Interval(numbers.Real, 0, None, closed="neither")],
        "callbacks": [list, None],
        "device": [str, torch.device],
        "verbose": ["verbose"],
    }

    # ------------------------------------------------------------------ validation
    def _check_X_y(self, X, y, accept_sparse=None):
        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        X, y, _ = validate_images(self, X, y, reset=True, accept_sparse=True)
        labels, counts = np.unique(y, return_counts=True)
        name = type(self).__name__
        if len(labels) < 2:
            raise ValueError(
                f"y holds a single class ({labels[0]!r}); {name} needs at least 2 classes "
                "to learn class-conditional images (got 1 class)."
            )
        if counts.min() < 2:
            lonely = labels[counts < 2].tolist()
            raise ValueError(
                f"Class(es) {lonely!r} have only 1 sample; {name} needs at least 2 "
                "samples of every class to learn that class's images."
            )
        self._check_strategy_values()
        return X, y, binarize_y

    def _check_strategy_values(self):
        """Reject negative or fractional counts in a dict strategy before any training."""
        strategy = self.sampling_strategy
        if isinstance(strategy, Mapping):
            for label, count in strategy.items():
                if isinstance(count, bool) or not isinstance(count, numbers.Integral):
                    raise ValueError(
                        f"sampling_strategy[{label!r}] = {count!r} is not a whole number; "
                        "give the desired number of samples of each class."
                    )
                if count < 0:
                    raise ValueError(
                        f"sampling_strategy[{label!r}] = {count!r} is negative; give the "
                        "desired number of samples of each class."
                    )

    def _strategy(self, y):
        strategy = check_sampling_strategy(self.sampling_strategy, y, self._sampling_type)
        for label, count in strategy.items():
            if not float(count).is_integer() or count < 0:
                raise ValueError(
                    f"sampling_strategy asks for {count!r} new samples of class {label!r}; "
                    "counts must be non-negative whole numbers."
                )
        return type(strategy)((label, int(count)) for label, count in strategy.items())

    # ------------------------------------------------------------------ fitting
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Train the generative network on ``(X, y)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), (n_samples, H, W) or \
                (n_samples, H, W, C)
            Training images (or flat rows).
        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        self : object
            The fitted sampler.
        """
        X, y, _ = self._check_X_y(X, y)
        self.sampling_strategy_ = self._strategy(y)
        rng = check_random_state(self.random_state)
        self._fit_generator(X, y, draw_seed(rng))
        return self

    def fit_resample(self, X, y):
        """Train the generative network and return the data with generated samples.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), (n_samples, H, W) or \
                (n_samples, H, W, C)
            Training images or flat rows (arrays, lists, DataFrames; sparse matrices
            are densified for training and returned sparse).
        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        X_resampled : array-like
            The input rows, unchanged and first, followed by the generated rows, in the
            input's layout, dtype and container type.
        y_resampled : array-like of shape (n_samples_new,)
            Labels of ``X_resampled``.
        """
        X_res, y_res = super().fit_resample(X, y)
        if sp.issparse(X) and not sp.issparse(X_res):
            X_res = sp.csr_matrix(X_res)
        return X_res, y_res

    def _fit_resample(self, X, y):
        self.sampling_strategy_ = self._strategy(y)
        rng = check_random_state(self.random_state)
        self._fit_generator(X, y, draw_seed(rng))
        counts = [(label, n) for label, n in self.sampling_strategy_.items() if n > 0]
        if not counts:
            return X.copy(), y.copy()
        y_new = np.concatenate([np.full(n, label, dtype=y.dtype) for label, n in counts])
        X_new = self.generate(y_new, random_state=draw_seed(rng))
        return np.concatenate([X, X_new.astype(X.dtype, copy=False)]), np.concatenate(
            [y, y_new]
        )

    def _fit_generator(self, X, y, seed):
        self.device_ = resolve_device(self.device)
        self.layout_ = ImageLayout(sample_shape=tuple(X.shape[1:]), dtype=X.dtype)
        X_flat = self.layout_.to_flat(X)
        self.scaler_ = PixelScaler().fit(X_flat)
        self.label_encoder_ = LabelEncoder().fit(y)
        self.classes_ = self.label_encoder_.classes_
        X01 = torch.from_numpy(self.scaler_.transform(X_flat))
        y_enc = torch.from_numpy(self.label_encoder_.transform(y)).long()
        with torch_seed(seed, self.device_):
            self.net_ = self._make_net(X01.shape[1], len(self.classes_))
            self._train(X01, y_enc)
        self.net_.module_.eval()
        return self

    def _net_kwargs(self):
        """skorch arguments every generative net shares."""
        callbacks = list(self.callbacks or [])
        if self.verbose and self.verbose >= 2:
            callbacks.append(("progress", ProgressBar()))
        return dict(
            lr=self.lr,
            batch_size=self.batch_size,
            max_epochs=self.max_epochs,
            train_split=None,
            device=self.device_,
            verbose=int(bool(self.verbose)),
            callbacks=callbacks or None,
            dataset=BatchTensorDataset,
            iterator_train__shuffle=True,
            iterator_train__collate_fn=passthrough_collate,
            iterator_valid__collate_fn=passthrough_collate,
        )

    @abstractmethod
    def _make_net(self, n_features, n_classes):
        """Return an uninitialised skorch net for this sampler."""

    @abstractmethod
    def _train(self, X01, y_enc):
        """Fit ``self.net_`` on scaled rows ``X01`` (float tensor) and codes ``y_enc``."""

    @abstractmethod
    def _generate_scaled(self, y_enc, generator):
        """Return a float tensor of generated rows in ``[0, 1]`` for codes ``y_enc``,
        drawing all randomness from the CPU ``torch.Generator`` ``generator``."""

    # ------------------------------------------------------------------ generation
    def generate(self, y, random_state=None):
        """Draw generated images for the given labels from the fitted sampler.

        Parameters
        ----------
        y : array-like of shape (n_images,)
            One class label per image to draw; labels must have been seen in ``fit``.
        random_state : int, RandomState instance or None, default=None
            Seed of the draw; the same seed gives the same images.

        Returns
        -------
        X_generated : ndarray
            Images in the layout and dtype of the training data: ``(n_images, ...)``.
        """
        check_is_fitted(self, "net_")
        y = np.asarray(y)
        if y.ndim != 1:
            raise ValueError(f"y must be 1-D (one label per image); got shape {y.shape}.")
        unknown = np.setdiff1d(y, self.classes_)
        if unknown.size:
            raise ValueError(
                f"Unknown class(es) {unknown.tolist()!r}; the sampler was fitted on "
                f"classes {self.classes_.tolist()!r}."
            )
        if y.size == 0:
            return np.empty((0, *self.layout_.sample_shape), dtype=self.layout_.dtype)
        generator = torch.Generator().manual_seed(draw_seed(random_state))
        y_enc = torch.from_numpy(self.label_encoder_.transform(y)).long()
        self.net_.module_.eval()
        with torch.no_grad():
            X01 = self._generate_scaled(y_enc, generator)
        X_flat = self.scaler_.inverse_transform(X01.detach().float().cpu().numpy())
        return self.layout_.from_flat(X_flat)

    def _noise(self, shape, generator):
        """Standard normal noise drawn on the CPU (reproducible across devices)."""
        return torch.randn(shape, generator=generator).to(self.device_)

    @property
    def history_(self):
        """The skorch training history of the generative network."""
        check_is_fitted(self, "net_")
        return self.net_.history

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.input_tags.sparse = True
        tags.input_tags.string = False
        return tags
