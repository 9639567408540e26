"""Label checks and seeded choices shared by every estimator (numpy and scikit-learn
only, so that the numpy-only samplers need no torch)."""

import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state


def draw_seed(random_state):
    """An int seed (for torch or a nested estimator) drawn from a scikit-learn
    ``random_state``."""
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


def check_two_classes(classes, needed_by, *, labels_name="y", note=None):
    """Raise the library's one error for labels of a single class.

    Parameters
    ----------
    classes : array-like
        The distinct labels found (``np.unique`` of them).
    needed_by : str
        Who needs two classes, for the message: an estimator's name, ``'a
        classifier'``, ...
    labels_name : str, default='y'
        Name of the labels in the caller's signature.
    note : str or None, default=None
        A sentence appended to the message (why rows are missing, e.g. rows read as
        unlabelled).

    Raises
    ------
    ValueError
        ``"<labels_name> holds a single class (<label>); <needed_by> needs at least 2
        classes (got 1 class)."`` when ``classes`` holds fewer than two labels.
    """
    classes = np.asarray(classes).tolist()  # Python scalars: 0, not np.int64(0)
    if len(classes) < 2:
        found = f"a single class ({classes[0]!r})" if classes else "no class"
        # "got 1 class" is one of the wordings scikit-learn's check_fit2d_1sample
        # accepts for a fit on one sample
        raise ValueError(
            f"{labels_name} holds {found}; {needed_by} needs at least 2 classes (got "
            f"{len(classes)} class{'' if len(classes) == 1 else 'es'})."
            + (f" {note}" if note else "")
        )


def unlabelled_rows(y, unlabelled_label):
    """Boolean mask of the rows of ``y`` whose label is ``unlabelled_label``.

    scikit-learn marks unlabelled rows with the label -1
    (:class:`~sklearn.semi_supervised.SelfTrainingClassifier`); skgenaug's samplers take
    the marker as a parameter. ``None`` marks no row. A marker of another kind than the
    labels (the number -1 among string labels) marks none either.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Labels.
    unlabelled_label : int, str or None
        The marker.

    Returns
    -------
    mask : ndarray of bool, shape (n_samples,)
    """
    y = np.asarray(y)
    if unlabelled_label is None:
        return np.zeros(len(y), dtype=bool)
    # numpy compares numbers with strings elementwise as "not equal"
    return np.broadcast_to(np.asarray(y == unlabelled_label, dtype=bool), y.shape).copy()


def unlabelled_note(n_unlabelled, unlabelled_label):
    """The sentence that explains missing rows when some were read as unlabelled, for
    error messages about the labelled rows (``None`` when none were)."""
    if not n_unlabelled:
        return None
    return (
        f"{n_unlabelled} row(s) labelled {unlabelled_label!r} were read as unlabelled "
        f"(unlabelled_label={unlabelled_label!r}); if {unlabelled_label!r} is a class, "
        "set unlabelled_label=None."
    )


def stratified_holdout(y, fraction, random_state, *, count="per-class"):
    """Training and validation rows: a seeded, stratified share of labelled rows.

    Two counts exist because two estimators have held out their rows this way from
    the start, and a changed count would change which rows (and so which fitted
    models) a seed gives.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        Labels (of at least two classes).
    fraction : float in (0, 1)
        Share of the rows to hold out.
    random_state : int, RandomState instance or None
        Seed of the draw. An instance is drawn from, so a caller can go on using it.
    count : {'per-class', 'total'}, default='per-class'
        How the hold-out is counted. ``'per-class'`` (:class:`~skgenaug.ResNetClassifier`):
        ``round(fraction * n_c)`` rows of every class ``c`` (halves rounded up), at
        least one of a class of two or more rows and never its last one (a class of
        one row stays in training); each class's rows are drawn by a permutation, in
        label order. ``'total'`` (:class:`~skgenaug.AugmentedClassifier`):
        ``ceil(fraction * n_samples)`` rows, split by scikit-learn's
        :func:`~sklearn.model_selection.train_test_split`, stratified (at least one row
        of every class) when every class has two rows and the hold-out has room for
        one of each, else a plain random split.

    Returns
    -------
    train_idx, val_idx : ndarray of int64
        Row indices: sorted for ``'per-class'``, in ``train_test_split``'s shuffled
        order for ``'total'``.
    """
    y = np.asarray(y)
    rng = check_random_state(random_state)
    if count == "total":
        return _holdout_of_total(y, fraction, rng)
    if count != "per-class":
        raise ValueError(f"count must be 'per-class' or 'total'; got {count!r}.")
    val = []
    for label in np.unique(y):
        idx = np.flatnonzero(y == label)
        if len(idx) < 2:
            continue
        k = min(len(idx) - 1, max(1, int(np.floor(fraction * len(idx) + 0.5))))
        val.append(rng.permutation(idx)[:k])
    val_idx = np.sort(np.concatenate(val)) if val else np.empty(0, dtype=np.int64)
    train_idx = np.setdiff1d(np.arange(len(y)), val_idx)
    return train_idx.astype(np.int64), val_idx.astype(np.int64)


def _holdout_of_total(y, fraction, rng):
    labels, counts = np.unique(y, return_counts=True)
    n_val = int(np.ceil(fraction * len(y)))
    stratify = y if counts.min() >= 2 and n_val >= len(labels) else None
    train_idx, val_idx = train_test_split(
        np.arange(len(y)),
        test_size=max(n_val, len(labels) if stratify is not None else 1),
        stratify=stratify,
        random_state=rng,
    )
    return train_idx.astype(np.int64), val_idx.astype(np.int64)
