"""A classifier that augments its own training rows and validates on real rows only."""

import inspect
import numbers

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context, clone
from sklearn.utils import _safe_indexing
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    _num_samples,
    check_consistent_length,
    check_is_fitted,
    column_or_1d,
    has_fit_parameter,
    indexable,
)

from ._validation import (
    check_two_classes,
    stratified_holdout,
    unlabelled_note,
    unlabelled_rows,
)


def _accepts_validation_data(estimator):
    parameters = inspect.signature(estimator.fit).parameters
    return "X_val" in parameters and "y_val" in parameters


class AugmentedClassifier(ClassifierMixin, BaseEstimator):
    """Resample the training rows with a sampler, then fit a classifier that selects
    its weights on real rows only.

    One estimator for what an imbalanced-learn ``Pipeline([("aug", sampler), ("clf",
    classifier)])`` does, with the validation rule built in: before resampling, a
    stratified ``validation_fraction`` of the real rows is held out; the sampler is
    fitted on the rest and never sees the held-out rows; the classifier trains on the
    rest plus the generated rows and receives the held-out rows as ``X_val`` /
    ``y_val`` for model selection. Generated images therefore never reach
    validation, in ``cross_validate``, ``GridSearchCV`` or anywhere else, without any
    fit parameter to remember.

    **Unlabelled rows.** Rows labelled with the sampler's ``unlabelled_label`` (-1 for
    skgenaug's samplers) go to the sampler, never to validation: the hold-out is
    drawn from the labelled rows, and the sampler returns labelled and generated rows
    only, so the classifier never sees the marker.

    **Weighting.** Every skgenaug sampler returns the real (labelled) training rows
    first, then the generated ones, so this estimator knows which rows are real and
    can give the generated ones a loss weight of ``synthetic_weight`` relative to
    real ones, through the classifier's ``sample_weight``: many generated images then
    need not swamp the real ones.

    Parameters
    ----------
    sampler : imbalanced-learn sampler
        Any estimator with ``fit_resample`` (a skgenaug sampler, ``SMOTE``, ...).
    classifier : classifier
        A classifier whose ``fit`` takes ``X_val`` and ``y_val`` (such as
        :class:`~skgenaug.ResNetClassifier`). A classifier without them is fitted on
        the resampled rows alone and nothing is held out.
    validation_fraction : float in (0, 1), default=0.1
        Share of the real labelled rows held out for validation (stratified). Ignored
        when ``fit`` gets ``X_val``.
    synthetic_weight : float >= 0, default=1.0
        Loss weight of each generated row relative to a real row (weight 1), passed
        to the classifier's ``fit`` as ``sample_weight``. With 0.5, two generated
        images count as much as one real image; with ``n_real / n_generated`` the
        generated rows together weigh as much as the real ones; 0 ignores them. ``1.0``
        passes no weights at all (any classifier works); another value needs a
        classifier whose ``fit`` takes ``sample_weight`` (as
        :class:`~skgenaug.ResNetClassifier`'s does).
    random_state : int, RandomState instance or None, default=None
        Seeds the hold-out split.

    Attributes
    ----------
    sampler_ : sampler
        The fitted clone of ``sampler``.
    classifier_ : classifier
        The fitted clone of ``classifier``.
    classes_ : ndarray
        Class labels.
    n_features_in_ : int
        Number of values per sample, as the classifier saw them.
    n_real_ : int
        Number of real (labelled) rows the classifier was trained on; the rows after
        them were generated.

    See Also
    --------
    skgenaug.ResNetClassifier : Its ``fit(X, y, X_val=..., y_val=...)`` is what this
        estimator feeds.

    Examples
    --------
    >>> from skgenaug import AddPerClass, AugmentedClassifier, CVAESampler, ResNetClassifier
    >>> from skgenaug.datasets import make_image_classification
    >>> X, y = make_image_classification(60, n_classes=2, image_size=12, random_state=0)
    >>> model = AugmentedClassifier(
    ...     CVAESampler(sampling_strategy=AddPerClass(10), max_epochs=2, random_state=0),
    ...     ResNetClassifier(width=4, max_epochs=2, random_state=0),
    ...     synthetic_weight=0.5,  # a generated image counts half as much as a real one
    ...     random_state=0,
    ... ).fit(X, y)
    >>> model.predict(X[:4]).shape
    (4,)
    >>> model.n_real_  # real rows the classifier trained on (6 held out), then 20 generated
    54
    """

    _parameter_constraints: dict = {
        "sampler": [HasMethods(["fit_resample"])],
        "classifier": [HasMethods(["fit", "predict"])],
        "validation_fraction": [Interval(numbers.Real, 0, 1, closed="neither")],
        "synthetic_weight": [Interval(numbers.Real, 0, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        sampler,
        classifier,
        *,
        validation_fraction=0.1,
        synthetic_weight=1.0,
        random_state=None,
    ):
        self.sampler = sampler
        self.classifier = classifier
        self.validation_fraction = validation_fraction
        self.synthetic_weight = synthetic_weight
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, *, X_val=None, y_val=None):
        """Hold out real validation rows, resample the rest, fit the classifier.

        Parameters
        ----------
        X : array-like
            Training images or rows, in any layout the sampler and classifier accept.
        y : array-like of shape (n_samples,)
            Class labels; the sampler's ``unlabelled_label`` marks unlabelled rows.
        X_val, y_val : array-like or None, default=None
            Real validation rows to use instead of a hold-out of ``X``.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        y = self._check_target(X, y)
        if (X_val is None) != (y_val is None):
            raise ValueError("Pass both X_val and y_val, or neither.")
        takes_validation = _accepts_validation_data(self.classifier)
        if X_val is not None and not takes_validation:
            raise ValueError(
                f"{type(self.classifier).__name__}.fit takes no X_val / y_val, so "
                "validation rows cannot be used."
            )
        weighted = self.synthetic_weight != 1
        if weighted and not has_fit_parameter(self.classifier, "sample_weight"):
            raise ValueError(
                f"synthetic_weight={self.synthetic_weight!r} needs a classifier whose "
                f"fit takes sample_weight; {type(self.classifier).__name__}.fit does "
                "not. Use synthetic_weight=1.0 or another classifier."
            )
        if X_val is None and takes_validation:
            X, X_val, y, y_val = self._hold_out(X, y)
        n_real = int((~self._unlabelled(y)).sum())
        self.sampler_ = clone(self.sampler)
        X_res, y_res = self.sampler_.fit_resample(X, y)
        params = {}
        if takes_validation:
            params.update(X_val=X_val, y_val=y_val)
        if weighted:
            params["sample_weight"] = self._sample_weight(y, y_res, n_real)
        self.classifier_ = clone(self.classifier)
        self.classifier_.fit(X_res, y_res, **params)
        self.n_real_ = n_real
        self.classes_ = self.classifier_.classes_
        if hasattr(self.classifier_, "n_features_in_"):
            self.n_features_in_ = self.classifier_.n_features_in_
        if hasattr(self.classifier_, "feature_names_in_"):
            self.feature_names_in_ = self.classifier_.feature_names_in_
        return self

    @staticmethod
    def _check_target(X, y):
        if y is None:
            raise ValueError(
                "AugmentedClassifier requires y to be passed, but the target y is None."
            )
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        check_consistent_length(X, y)
        if _num_samples(X) == 0:
            raise ValueError(
                "Found array with 0 sample(s) while a minimum of 1 is required."
            )
        return y

    def _unlabelled(self, y):
        """Mask of the rows the sampler reads as unlabelled."""
        return unlabelled_rows(y, getattr(self.sampler, "unlabelled_label", None))

    def _sample_weight(self, y, y_res, n_real):
        """1 for the real rows the sampler returned first, ``synthetic_weight`` for
        the generated rows after them."""
        y_real = np.asarray(y)[~self._unlabelled(y)]
        y_res = np.asarray(y_res)
        if len(y_res) < n_real or not np.array_equal(y_res[:n_real], y_real):
            raise ValueError(
                f"{type(self.sampler).__name__}.fit_resample did not return the "
                f"{n_real} real labelled rows first, in input order, so the generated "
                "rows cannot be told apart for synthetic_weight (samplers that remove "
                "or reorder rows cannot be weighted)."
            )
        weight = np.full(len(y_res), float(self.synthetic_weight))
        weight[:n_real] = 1.0
        return weight

    def _hold_out(self, X, y):
        """Training and validation rows: a stratified ``validation_fraction`` of the
        labelled rows held out; the unlabelled rows all stay in training, after the
        labelled ones."""
        unlabelled = self._unlabelled(y)
        labelled = np.flatnonzero(~unlabelled)
        check_two_classes(
            np.unique(y[labelled]),
            type(self).__name__,
            note=unlabelled_note(
                unlabelled.sum(), getattr(self.sampler, "unlabelled_label", None)
            ),
        )
        train_idx, val_idx = stratified_holdout(
            y[labelled], self.validation_fraction, self.random_state, count="total"
        )
        train_idx = np.concatenate([labelled[train_idx], np.flatnonzero(unlabelled)])
        val_idx = labelled[val_idx]
        (X,) = indexable(X)  # as train_test_split: sparse input as CSR, which indexes
        return (
            _safe_indexing(X, train_idx),
            _safe_indexing(X, val_idx),
            y[train_idx],
            y[val_idx],
        )

    def predict(self, X):
        """Predict class labels with the fitted classifier.

        Parameters
        ----------
        X : array-like
            Images or rows.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        return self.classifier_.predict(X)

    def predict_proba(self, X):
        """Class probabilities from the fitted classifier.

        Parameters
        ----------
        X : array-like
            Images or rows.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        check_is_fitted(self)
        return self.classifier_.predict_proba(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags
