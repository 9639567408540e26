"""Base classes shared by the samplers, and the "add N per class" strategy.

- :class:`ImageSamplerMixin`: image input (flat rows, ``(n, H, W)``, ``(n, H, W, C)``,
  sparse) for any imbalanced-learn sampler.
- :class:`BaseImageOverSampler`: over-samplers that add new images of given classes
  (validation, sampling strategy, labels, layouts, dtypes, seeds, output).
- :class:`~skgenaug.BaseGenerativeSampler`, those that train a generative network, lives
  in ``skgenaug._generative`` with torch and skorch (it imports this module; this one
  imports neither torch nor it): import it from ``skgenaug``.
"""

import numbers
from abc import abstractmethod
from collections.abc import Mapping

import numpy as np
import scipy.sparse as sp
from imblearn.over_sampling.base import BaseOverSampler
from imblearn.utils import Substitution, check_sampling_strategy, check_target_type
from sklearn.base import _fit_context
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ._images import ImageLayout, validate_images
from ._validation import check_two_classes, draw_seed, unlabelled_note, unlabelled_rows

#: Parameter and attribute paragraphs that several estimators share word for word, in
#: one place. A class decorated with ``_fill_shared_docs`` names them in its docstring
#: as ``{device}``, ``{verbose}``, ... (imbalanced-learn's ``Substitution``, which runs
#: ``str.format`` on the docstring: literal braces there are doubled, ``{{'mlp'}}``).
_SHARED_DOCS = dict(
    sampling_strategy="""sampling_strategy : float, str, dict or callable, default='auto'
        As in imbalanced-learn's over-samplers: 'auto' (= 'not majority'), 'minority',
        'not minority', 'all', a float (binary only), a dict ``{class: desired total}``
        or a callable returning one. To add ``n`` images to every class, as the
        reference paper does, pass :class:`~skgenaug.AddPerClass` ``(n)``.""",
    unlabelled_label="""unlabelled_label : int, str or None, default=-1
        Label that marks unlabelled rows (scikit-learn's semi-supervised convention, as
        in :class:`~sklearn.semi_supervised.SelfTrainingClassifier`). The generative
        samplers train on such rows without a class (see the user guide's page on
        unlabelled images); the baselines ignore them. They never count in the sampling
        strategy, which sees labelled rows only, and are never returned:
        ``fit_resample`` gives the labelled rows, then the new ones. ``None`` reads
        every label as a class (for data whose real class is -1).""",
    batch_size="""batch_size : int, default=128
        Mini-batch size.""",
    callbacks="""callbacks : list of skorch callbacks or None, default=None
        Extra callbacks for the skorch net (early stopping, checkpoints, logging).""",
    device="""device : str, default='cpu'
        ``'cpu'``, ``'cuda'``, ``'cuda:N'``, ``'mps'`` or ``'auto'`` (CUDA when
        available). An unavailable device is a ``ValueError`` at ``fit``.""",
    random_state="""random_state : int, RandomState instance or None, default=None
        Seeds weights, batch order, noise and generation: with an int, two fits on the
        CPU give the same images.""",
    verbose="""verbose : int, default=0
        ``0`` is silent (and skips skorch's per-epoch table, which costs time); ``1``
        prints skorch's table, a line per epoch; ``2`` adds a progress bar per epoch.""",
    # attributes
    resampling_attributes="""sampling_strategy_ : dict
        Number of samples generated per class.
    classes_ : ndarray
        Class labels seen in ``fit`` (labelled rows only).
    n_unlabelled_ : int
        Number of rows of the last fit labelled ``unlabelled_label``.""",
    input_attributes="""n_features_in_ : int
        Values per sample (pixels times channels for images).
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names, when X was a DataFrame with string column names.""",
)

#: Class decorator filling ``_SHARED_DOCS`` into the docstring.
_fill_shared_docs = Substitution(**_SHARED_DOCS)


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
        wanted = labels.tolist() if self.classes is None else self.classes
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


class ImageSamplerMixin:
    """Image input for imbalanced-learn samplers.

    Validates flat rows ``(n, n_features)`` and image stacks ``(n, H, W)`` and
    ``(n, H, W, C)`` (sparse matrices are densified), records ``n_features_in_`` as
    pixels times channels, returns sparse output for sparse input, and declares these
    input types in the estimator tags. Put it before an imbalanced-learn base class:
    ``class MySampler(ImageSamplerMixin, BaseOverSampler)``.

    A sampler with an ``unlabelled_label`` parameter gets its unlabelled rows set
    aside: ``_check_X_y`` returns the labelled rows only, so that imbalanced-learn's
    ``fit_resample`` computes ``sampling_strategy_`` from labelled rows, and keeps the
    unlabelled ones for the fit (:meth:`_take_unlabelled`).
    """

    def _check_X_y(self, X, y, accept_sparse=None):
        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        X, y, _ = validate_images(self, X, y, reset=True, accept_sparse=True)
        unlabelled = unlabelled_rows(y, self._unlabelled_label())
        self.n_unlabelled_ = int(unlabelled.sum())
        if self.n_unlabelled_ == len(y):
            marker = self._unlabelled_label()
            raise ValueError(
                f"y holds no labelled row: all {len(y)} rows carry {marker!r}, the label "
                f"of unlabelled rows (unlabelled_label={marker!r}); "
                f"{type(self).__name__} needs labelled rows of at least 2 classes. If "
                f"{marker!r} is a class, set unlabelled_label=None."
            )
        X_unlabelled = X[unlabelled]
        if self.n_unlabelled_:
            X, y = X[~unlabelled], y[~unlabelled]
        self._check_labelled(X, y)
        # imbalanced-learn's fit_resample passes nothing else from here to
        # _fit_resample, so the unlabelled rows wait on the estimator (removed by
        # _take_unlabelled, or at the latest when fit_resample returns or fails)
        self._unlabelled_X = X_unlabelled
        return X, y, binarize_y

    def _unlabelled_label(self):
        """The marker of unlabelled rows; ``None`` for a sampler without the
        parameter, which reads every label as a class."""
        return getattr(self, "unlabelled_label", None)

    def _check_labelled(self, X, y):
        """Checks of the labelled rows (hook; none here)."""

    def _take_unlabelled(self):
        """The unlabelled rows that ``_check_X_y`` set aside (removed from the
        estimator), in the input's layout and dtype."""
        return self.__dict__.pop("_unlabelled_X", None)

    def fit_resample(self, X, y):
        """Resample the data set.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), (n_samples, H, W) or \
                (n_samples, H, W, C)
            Training images or flat rows (arrays, lists, DataFrames; sparse matrices
            are densified for the work and returned sparse).
        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        X_resampled : array-like
            The resampled rows in the input's layout, dtype and container type.
        y_resampled : array-like of shape (n_samples_new,)
            Labels of ``X_resampled``.
        """
        try:
            X_res, y_res = super().fit_resample(X, y)
        finally:
            self._take_unlabelled()  # never left on the estimator
        if sp.issparse(X) and not sp.issparse(X_res):
            X_res = sp.csr_matrix(X_res)
        return X_res, y_res

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.input_tags.sparse = True
        tags.input_tags.string = False
        return tags


@_fill_shared_docs
class BaseImageOverSampler(ImageSamplerMixin, BaseOverSampler):
    """Base class for over-samplers that add new images of given classes.

    It holds what every such sampler shares, with or without a network: validation
    of images and labels, the sampling strategy (including :class:`AddPerClass`),
    labels, layouts and dtypes, seeding, and the output. A subclass implements
    :meth:`_fit_model` (learn from the data, or just keep it) and :meth:`_generate`
    (new images of given classes).

    ``fit`` learns from the data; ``fit_resample`` fits and returns the input rows,
    unchanged and first, followed by the new rows; ``generate`` draws new images for
    given labels from a fitted sampler. Subclasses also have a ``random_state``
    parameter, which seeds the fit and the draw of new samples.

    Unlabelled rows: a subclass with an ``unlabelled_label`` parameter reads rows of
    that label as unlabelled. They are left out of the class counts, the sampling
    strategy, ``classes_`` and the output; a subclass whose
    ``_learns_from_unlabelled`` is true receives them in :meth:`_fit_model`, after
    the labelled rows, with the code ``len(classes_)`` (one past the last class).

    Parameters
    ----------
    {sampling_strategy}

    Examples
    --------
    A sampler that adds plain copies of random real images of the class:

    >>> import numpy as np
    >>> from skgenaug.base import BaseImageOverSampler
    >>> class CopySampler(BaseImageOverSampler):
    ...     def __init__(self, *, sampling_strategy="auto", random_state=None):
    ...         super().__init__(sampling_strategy=sampling_strategy)
    ...         self.random_state = random_state
    ...     def _fit_model(self, X, y_enc, seed):
    ...         self.X_, self.codes_ = X, y_enc
    ...     def _generate(self, y_enc, random_state):
    ...         rng = np.random.RandomState(random_state)
    ...         return np.stack([self.X_[rng.choice(np.flatnonzero(self.codes_ == c))]
    ...                          for c in y_enc])
    >>> X = np.arange(5 * 4, dtype=np.uint8).reshape(5, 2, 2)
    >>> y = np.array([0, 0, 0, 1, 1])
    >>> X_res, y_res = CopySampler(random_state=0).fit_resample(X, y)
    >>> X_res.shape, y_res.tolist()
    ((6, 2, 2), [0, 0, 0, 1, 1, 1])
    """

    #: Fitted attribute that ``generate`` checks for.
    _fitted_attribute = "classes_"

    #: Whether :meth:`_fit_model` receives the unlabelled rows (code ``len(classes_)``);
    #: samplers that cannot use them leave it false and never see them.
    _learns_from_unlabelled = False

    # ------------------------------------------------------------------ validation
    def _check_labelled(self, X, y):
        labels, counts = np.unique(y, return_counts=True)
        self._check_class_counts(labels, counts)
        self._check_strategy_values(labels)

    def _unlabelled_note(self):
        return unlabelled_note(getattr(self, "n_unlabelled_", 0), self._unlabelled_label())

    def _check_class_counts(self, labels, counts):
        check_two_classes(labels, type(self).__name__, note=self._unlabelled_note())

    def _check_strategy_values(self, labels):
        """Reject negative or fractional counts, and classes without labelled rows, in
        a dict strategy before any training."""
        strategy = self.sampling_strategy
        if isinstance(strategy, Mapping):
            marker = self._unlabelled_label()
            if marker is not None and marker in strategy:
                raise ValueError(
                    f"sampling_strategy names {marker!r}, the label of unlabelled rows "
                    f"(unlabelled_label={marker!r}); unlabelled images are never "
                    "generated. Name labelled classes only, or set unlabelled_label=None "
                    f"if {marker!r} is a class."
                )
            absent = [label for label in strategy if label not in set(labels.tolist())]
            if absent:
                raise ValueError(
                    f"sampling_strategy names class(es) {absent!r} that are not present "
                    f"among the labelled rows (labelled classes: {labels.tolist()!r})."
                )
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
        """Fit the sampler on ``(X, y)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), (n_samples, H, W) or \
                (n_samples, H, W, C)
            Training images (or flat rows).
        y : array-like of shape (n_samples,)
            Class labels; ``unlabelled_label`` marks unlabelled rows, for samplers
            with that parameter.

        Returns
        -------
        self : object
            The fitted sampler.
        """
        X, y, _ = self._check_X_y(X, y)
        X_unlabelled = self._take_unlabelled()
        self.sampling_strategy_ = self._strategy(y)
        rng = check_random_state(self.random_state)
        self._fit_data(X, y, draw_seed(rng), X_unlabelled)
        return self

    def fit_resample(self, X, y):
        """Fit the sampler and return the data with new samples.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), (n_samples, H, W) or \
                (n_samples, H, W, C)
            Training images or flat rows (arrays, lists, DataFrames; sparse matrices
            are densified for the work and returned sparse).
        y : array-like of shape (n_samples,)
            Class labels; ``unlabelled_label`` marks unlabelled rows, for samplers
            with that parameter.

        Returns
        -------
        X_resampled : array-like
            The labelled input rows, unchanged, first and in input order, followed by
            the new rows, in the input's layout, dtype and container type. Unlabelled
            rows are never returned.
        y_resampled : array-like of shape (n_samples_new,)
            Labels of ``X_resampled``.
        """
        return super().fit_resample(X, y)

    def _fit_resample(self, X, y):
        X_unlabelled = self._take_unlabelled()
        self.sampling_strategy_ = self._strategy(y)
        rng = check_random_state(self.random_state)
        self._fit_data(X, y, draw_seed(rng), X_unlabelled)
        return self._append_generated(X, y, self.sampling_strategy_, draw_seed(rng))

    def resample(self, X, y, random_state=None):
        """Return ``(X, y)`` followed by new images from the fitted sampler, without
        fitting again.

        Fit once, draw many times: between draws, ``set_params`` may change the
        sampling strategy or a parameter that only drawing uses. With
        ``random_state=None`` the draw is the one ``fit_resample`` makes, seeded from
        the sampler's own ``random_state``; so for an int ``random_state``,
        ``fit(X, y).resample(X, y)`` equals ``fit_resample(X, y)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), (n_samples, H, W) or \
                (n_samples, H, W, C)
            Rows in the layout the sampler was fitted on; rows labelled
            ``unlabelled_label`` are dropped, as ``fit_resample`` drops them.
        y : array-like of shape (n_samples,)
            Class labels, seen in ``fit``; the sampling strategy is computed on them.
        random_state : int, RandomState instance or None, default=None
            Seed of the draw; ``None`` draws what ``fit_resample`` would.

        Returns
        -------
        X_resampled : ndarray
            The labelled input rows, unchanged and first, then the new rows.
        y_resampled : ndarray of shape (n_samples_new,)
            Labels of ``X_resampled``.
        """
        check_is_fitted(self, self._fitted_attribute)
        y, _ = check_target_type(y, indicate_one_vs_all=True)
        X, y, _ = validate_images(self, X, y, reset=False, layout=self.layout_,
                                  accept_sparse=True)
        labelled = ~unlabelled_rows(y, self._unlabelled_label())
        X, y = X[labelled], y[labelled]
        if random_state is None:
            rng = check_random_state(self.random_state)
            draw_seed(rng)  # the training seed, which fit_resample draws first
            random_state = draw_seed(rng)
        return self._append_generated(X, y, self._strategy(y), random_state)

    def _append_generated(self, X, y, strategy, random_state):
        """``(X, y)`` followed by the images ``strategy`` asks for, drawn with
        ``random_state``."""
        counts = [(label, n) for label, n in strategy.items() if n > 0]
        if not counts:
            return X.copy(), y.copy()
        y_new = np.concatenate([np.full(n, label, dtype=y.dtype) for label, n in counts])
        X_new = self.generate(y_new, random_state=random_state)
        X_new = X_new.reshape(len(X_new), *X.shape[1:]).astype(X.dtype, copy=False)
        return np.concatenate([X, X_new]), np.concatenate([y, y_new])

    def _fit_data(self, X, y, seed, X_unlabelled=None):
        """Record layout and classes, then fit the model on labels encoded 0..k-1
        (and the unlabelled rows, code k, after them, if the sampler learns from
        them)."""
        self.layout_ = ImageLayout(sample_shape=tuple(X.shape[1:]), dtype=X.dtype)
        self.label_encoder_ = LabelEncoder().fit(y)
        self.classes_ = self.label_encoder_.classes_
        y_enc = self.label_encoder_.transform(y)
        if self._learns_from_unlabelled and X_unlabelled is not None and len(X_unlabelled):
            X = np.concatenate([X, X_unlabelled])
            null = np.full(len(X_unlabelled), len(self.classes_), dtype=y_enc.dtype)
            y_enc = np.concatenate([y_enc, null])
        self._fit_model(X, y_enc, seed)
        return self

    @abstractmethod
    def _fit_model(self, X, y_enc, seed):
        """Learn from validated ``X`` (input layout and dtype) and codes ``y_enc``
        (``len(classes_)`` for unlabelled rows, which only samplers with
        ``_learns_from_unlabelled`` receive); ``seed`` is an int for any randomness."""

    @abstractmethod
    def _generate(self, y_enc, random_state):
        """Return new images for codes ``y_enc`` (a non-empty int ndarray) in the
        layout and dtype of the training data, seeded by ``random_state``."""

    # ------------------------------------------------------------------ generation
    def generate(self, y, random_state=None):
        """Draw new images for the given labels from the fitted sampler.

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
        check_is_fitted(self, self._fitted_attribute)
        y = np.asarray(y)
        if y.ndim != 1:
            raise ValueError(f"y must be 1-D (one label per image); got shape {y.shape}.")
        unknown = np.setdiff1d(y, self.classes_)
        if unknown.size:
            marker = self._unlabelled_label()
            why = (
                f" {marker!r} marks unlabelled rows, which are never generated."
                if marker is not None and unlabelled_rows(unknown, marker).any()
                else ""
            )
            raise ValueError(
                f"Unknown class(es) {unknown.tolist()!r}; the sampler was fitted on "
                f"classes {self.classes_.tolist()!r}.{why}"
            )
        if y.size == 0:
            return np.empty((0, *self.layout_.sample_shape), dtype=self.layout_.dtype)
        return self._generate(self.label_encoder_.transform(y), random_state)

