"""Classification scores: accuracy, balanced accuracy and AUC as MedMNIST computes it.

Public as :mod:`skgenaug.metrics`; kept at the package root, numpy and scikit-learn
only, because :class:`~skgenaug.ResNetClassifier` scores its validation epochs with
:func:`medmnist_auc` and the metrics package itself builds classifiers: living inside
it would make the two import each other.
"""

import numpy as np
from sklearn.metrics import accuracy_score, balanced_accuracy_score, roc_auc_score
from sklearn.utils.validation import column_or_1d


def medmnist_auc(y_true, proba):
    """AUC as ``medmnist.Evaluator`` computes it.

    Binary: ROC AUC of the positive-class score. Multi-class: the unweighted mean of the
    one-vs-rest AUCs; classes absent from ``y_true`` are left out of the mean (where
    MedMNIST would raise).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Class codes ``0 .. n_classes - 1``.
    proba : array-like of shape (n_samples, n_classes)
        Class probabilities (or any per-class scores).

    Returns
    -------
    auc : float
        ``nan`` when no class has both positive and negative samples.

    See Also
    --------
    classification_scores : Accuracy, balanced accuracy and this AUC of predictions
        with any labels.

    Examples
    --------
    >>> import numpy as np
    >>> from skgenaug.metrics import medmnist_auc
    >>> medmnist_auc(np.array([0, 1, 1]), np.array([[0.9, 0.1], [0.2, 0.8], [0.4, 0.6]]))
    1.0
    """
    y_true = np.asarray(y_true)
    proba = np.asarray(proba)
    if proba.shape[1] == 2:
        if len(np.unique(y_true)) < 2:
            return np.nan
        return float(roc_auc_score(y_true, proba[:, 1]))
    aucs = [
        roc_auc_score(y_true == k, proba[:, k])
        for k in range(proba.shape[1])
        if 0 < np.sum(y_true == k) < len(y_true)
    ]
    return float(np.mean(aucs)) if aucs else np.nan


def classification_scores(y_true, *, proba=None, classes=None, y_pred=None, labels=None):
    """Accuracy, balanced accuracy and MedMNIST's AUC of a classifier's predictions.

    The probability columns are the classifier's ``classes``; a label of ``y_true``
    (or of ``labels``) that the classifier never saw gets a column of zeros, so the
    AUC of a classifier trained on fewer classes than the test set holds is defined.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels (any labels: strings, class codes, ...).
    proba : array-like of shape (n_samples, n_classes) or None, default=None
        Class probabilities, as ``predict_proba`` returns them. ``None`` (a classifier
        without ``predict_proba``): the AUC is ``nan`` and ``y_pred`` is needed.
    classes : array-like of shape (n_classes,) or None, default=None
        Labels of the columns of ``proba``, sorted (the classifier's ``classes_``).
        Needed with ``proba``.
    y_pred : array-like of shape (n_samples,) or None, default=None
        Predicted labels, as ``predict`` returns them; ``None`` takes the most probable
        column of ``proba``.
    labels : array-like or None, default=None
        Labels that get a column for the AUC even when neither ``classes`` nor
        ``y_true`` holds them (every class of a data set, say); ``None`` means those
        of ``classes`` and ``y_true``.

    Returns
    -------
    scores : dict
        ``accuracy``, ``balanced_accuracy`` and ``auc`` (:func:`medmnist_auc` of the
        padded probabilities), floats; ``auc`` is ``nan`` without ``proba`` or when
        ``y_true`` holds a single class.

    See Also
    --------
    medmnist_auc : The AUC on class codes.

    Examples
    --------
    >>> import numpy as np
    >>> from skgenaug.metrics import classification_scores
    >>> proba = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]])
    >>> scores = classification_scores(np.array(["a", "b", "b"]), proba=proba,
    ...                                classes=np.array(["a", "b"]))
    >>> {name: round(value, 3) for name, value in scores.items()}
    {'accuracy': 0.667, 'balanced_accuracy': 0.75, 'auc': 1.0}
    """
    y_true = column_or_1d(np.asarray(y_true))
    if proba is None:
        if y_pred is None:
            raise ValueError("Pass proba, y_pred or both.")
        auc = np.nan
    else:
        if classes is None:
            raise ValueError("classes must name the columns of proba.")
        classes = np.asarray(classes)
        columns = np.union1d(classes, y_true)
        if labels is not None:
            columns = np.union1d(columns, labels)
        proba = np.asarray(proba, dtype=np.float64)
        padded = np.zeros((len(proba), len(columns)))
        padded[:, np.searchsorted(columns, classes)] = proba
        if y_pred is None:
            y_pred = columns[padded.argmax(axis=1)]
        auc = medmnist_auc(np.searchsorted(columns, y_true), padded)
    return dict(
        accuracy=float(accuracy_score(y_true, y_pred)),
        balanced_accuracy=float(balanced_accuracy_score(y_true, y_pred)),
        auc=float(auc),
    )
