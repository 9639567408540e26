"""Utility of generated data: train on one kind of data, test on the other."""

import numpy as np
from imblearn.utils import Substitution
from sklearn.base import clone
from sklearn.utils.validation import check_consistent_length, column_or_1d

from .._scores import classification_scores
from .._validation import check_two_classes


def _labels(y, name):
    if y is None:
        raise ValueError(f"{name} is None; pass one label per sample.")
    y = column_or_1d(np.asarray(y), warn=False)
    if len(y) == 0:
        raise ValueError(f"{name} is empty; at least one sample is needed.")
    return y


def _model_scores(model, X, y):
    """:func:`classification_scores` of a fitted classifier on ``(X, y)``: its
    ``predict`` for the accuracies, its ``predict_proba`` (when it has one) for the
    AUC."""
    y_pred = model.predict(X)
    if not hasattr(model, "predict_proba"):
        return classification_scores(y, y_pred=y_pred)
    return classification_scores(
        y, proba=model.predict_proba(X), classes=model.classes_, y_pred=y_pred
    )


def _train_test(estimator, X_train, y_train, X_test, y_test, fit_params, names):
    y_train = _labels(y_train, names[1])
    y_test = _labels(y_test, names[3])
    check_consistent_length(X_train, y_train)
    check_consistent_length(X_test, y_test)
    check_two_classes(np.unique(y_train), "a classifier", labels_name=names[1])
    model = clone(estimator).fit(X_train, y_train, **(fit_params or {}))
    return _model_scores(model, X_test, y_test)


#: The Returns paragraph of both directions.
_SCORES_RETURNED = """scores : dict
        ``accuracy``, ``balanced_accuracy`` and ``auc`` (as ``medmnist.Evaluator``
        computes it, :func:`classification_scores`; ``nan`` when the estimator has no
        ``predict_proba`` or the test labels hold a single class), floats."""


@Substitution(scores=_SCORES_RETURNED)
def train_synthetic_test_real(estimator, X_synth, y_synth, X_real, y_real, *,
                              fit_params=None):
    """Train on generated data, score on real data ("TSTR").

    A clone of ``estimator`` is fitted on the generated set and scored on real
    held-out data (Esteban et al., 2017). Scores close to those of the same classifier
    trained on real data ("train real, test real") mean the generated images carry the
    class information of real ones; scores near chance mean they do not.

    Parameters
    ----------
    estimator : classifier
        An unfitted (or fitted: it is cloned) scikit-learn classifier, for instance a
        :class:`~skgenaug.ResNetClassifier`.
    X_synth : array-like of shape (n_synth, ...)
        Generated samples.
    y_synth : array-like of shape (n_synth,)
        Their labels (at least 2 classes).
    X_real : array-like of shape (n_real, ...)
        Real test samples, not used to train the generator.
    y_real : array-like of shape (n_real,)
        Their labels.
    fit_params : dict or None, default=None
        Extra arguments of ``fit``, such as ``{{'X_val': ..., 'y_val': ...}}`` for a
        ``ResNetClassifier`` (use real validation images, not the test set).

    Returns
    -------
    {scores}

    See Also
    --------
    train_real_test_synthetic : The reverse direction.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skgenaug.datasets import make_image_classification
    >>> from skgenaug.metrics import train_synthetic_test_real
    >>> X, y = make_image_classification(120, random_state=0)
    >>> X_fake, y_fake = make_image_classification(120, random_state=1)  # stand-in
    >>> clf = LogisticRegression(max_iter=200)
    >>> scores = train_synthetic_test_real(clf, X_fake.reshape(120, -1), y_fake,
    ...                                    X.reshape(120, -1), y)
    >>> scores["accuracy"] > 0.9
    True
    """
    return _train_test(estimator, X_synth, y_synth, X_real, y_real, fit_params,
                       ("X_synth", "y_synth", "X_real", "y_real"))


@Substitution(scores=_SCORES_RETURNED)
def train_real_test_synthetic(estimator, X_real, y_real, X_synth, y_synth, *,
                              fit_params=None):
    """Train on real data, score on generated data ("TRTS").

    A clone of ``estimator`` is fitted on real data and scored on the generated set:
    high scores mean the generated images of each class are recognised as that class
    by a classifier of real images (class consistency). It does not detect a lack of
    diversity: a generator repeating one typical image per class scores perfectly.

    Parameters
    ----------
    estimator : classifier
        An unfitted (or fitted: it is cloned) scikit-learn classifier.
    X_real : array-like of shape (n_real, ...)
        Real training samples.
    y_real : array-like of shape (n_real,)
        Their labels (at least 2 classes).
    X_synth : array-like of shape (n_synth, ...)
        Generated samples to score.
    y_synth : array-like of shape (n_synth,)
        The labels they were generated for.
    fit_params : dict or None, default=None
        Extra arguments of ``fit``.

    Returns
    -------
    {scores}

    See Also
    --------
    train_synthetic_test_real : The reverse direction.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skgenaug.datasets import make_image_classification
    >>> from skgenaug.metrics import train_real_test_synthetic
    >>> X, y = make_image_classification(120, random_state=0)
    >>> X_fake, y_fake = make_image_classification(60, random_state=1)
    >>> scores = train_real_test_synthetic(LogisticRegression(max_iter=200),
    ...                                    X.reshape(120, -1), y,
    ...                                    X_fake.reshape(60, -1), y_fake)
    >>> sorted(scores)
    ['accuracy', 'auc', 'balanced_accuracy']
    """
    return _train_test(estimator, X_real, y_real, X_synth, y_synth, fit_params,
                       ("X_real", "y_real", "X_synth", "y_synth"))

