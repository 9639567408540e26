"""Where a cell's images come from: the rows it trains, validates and tests on.

The engine asks a data source, per (repeat seed, fold), for a :class:`Split`. A data
source has ``split(seed, fold)``, ``hashed()`` (what identifies the data in a cell's
hash), ``cache_key()`` (the data of a fold's cached models), ``protocol()`` (for
``config.json``) and ``target_names``. The engine's own source:

- :class:`ArrayData` (:func:`~skgenaug.evaluate_augmentation`): the user's labelled
  images split by ``cv``. With a separate test set, the held-out fold validates and the
  test set scores, as above; without one, the held-out fold is the test set and the
  validation rows are a stratified share of the training part (never of the test fold).
"""

import hashlib
from collections import namedtuple

import numpy as np
from sklearn.model_selection import StratifiedKFold

from .._validation import stratified_holdout
from ._scenarios import SCENARIOS

#: One cell's rows. ``heldout_ratio`` is held-out fold size over training part size,
#: the Nadeau-Bengio correction's ``n_test / n_train``. ``X_unlabelled``: images
#: without labels that the ``+pool`` method variants train their generator on too
#: (``None`` where the data has none).
Split = namedtuple(
    "Split",
    "X_train y_train X_val y_val X_test y_test n_classes heldout_ratio X_unlabelled",
    defaults=(None,),
)


def model_seed(seed, fold):
    """The seed of a fold's validation split (user data without a test set)."""
    return 1000 * seed + fold


def model_seeds(seed, fold):
    """The classifier's and the sampler's seeds of a cell.

    The same for every method of a (repeat seed, fold), so that paired differences
    come from the data; different for each repeat, so that repeats measure the
    variance of the seeds too; and different from each other (two draws of one
    :class:`numpy.random.SeedSequence`), so that the generator's random stream is not
    the classifier's.

    Parameters
    ----------
    seed : int
        The repeat's seed.
    fold : int
        The fold.

    Returns
    -------
    classifier_seed, sampler_seed : int

    Examples
    --------
    >>> from skgenaug.evaluation._data import model_seeds
    >>> model_seeds(0, 1) == model_seeds(0, 1) != model_seeds(1, 1)
    True
    """
    classifier, sampler = np.random.SeedSequence([seed, fold]).generate_state(2)
    return int(classifier), int(sampler)


def fold_indices(y_pool, folds, seed, fold):
    """Training and held-out rows of one fold of the pooled labelled data.

    Parameters
    ----------
    y_pool : ndarray
        Labels of the pool.
    folds : int
        Number of stratified folds.
    seed : int
        Seed of the fold split (the repeat's seed).
    fold : int
        Which fold is held out.

    Returns
    -------
    train_idx, held_idx : ndarray
    """
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(y_pool)), y_pool))[fold]


def _fingerprint(*arrays):
    digest = hashlib.sha256()
    for array in arrays:
        if array is None:
            digest.update(b"none")
            continue
        array = np.ascontiguousarray(array)
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()[:16]


def _describe_cv(cv):
    if isinstance(cv, (int, np.integer)):
        return f"StratifiedKFold(n_splits={int(cv)}, shuffle=True, random_state=<seed>)"
    return repr(cv)


class ArrayData:
    """A user's labelled images (see the module docstring).

    Parameters
    ----------
    name : str
        Name of the data set in tables.
    X : ndarray
        Images.
    y : ndarray of int
        Class codes ``0 .. n_classes - 1``.
    X_test, y_test : ndarray or None
        Separate test set (class codes of ``y``), or ``None``.
    folds : dict
        ``{seed: [(train_idx, held_idx), ...]}`` over the pool of each seed.
    pools : dict
        ``{seed: row indices kept by the scenario, or None for all}``.
    target_names : list of str
        Class names by code.
    cv : int or object
        The ``cv`` the folds came from (described in the hash).
    validation_fraction : float
        Share of each training part held out for validation when there is no test set.
    scenario : str
        Scenario name.
    X_unlabelled : ndarray or None, default=None
        Images without labels, for the ``+pool`` method variants (every training part
        gets all of them; they are never validated or tested on).
    """

    def __init__(self, name, X, y, X_test, y_test, folds, pools, target_names, cv,
                 validation_fraction, scenario, X_unlabelled=None):
        self.name, self.X, self.y = name, X, y
        self.X_test, self.y_test = X_test, y_test
        self.X_unlabelled = X_unlabelled
        self._folds, self._pools = folds, pools
        self.target_names = list(target_names)
        self.validation_fraction, self.scenario = validation_fraction, scenario
        self._cv = _describe_cv(cv)
        self._fingerprint = _fingerprint(X, y, X_test, y_test, *(
            () if X_unlabelled is None else (X_unlabelled,)))

    def _pool(self, seed):
        rows = self._pools[seed]
        return (self.X, self.y) if rows is None else (self.X[rows], self.y[rows])

    def split(self, seed, fold):
        """The rows of one cell (:class:`Split`)."""
        X_pool, y_pool = self._pool(seed)
        train, held = self._folds[seed][fold]
        ratio = len(held) / len(train)
        if self.X_test is not None:  # the held-out fold validates, the test set scores
            return Split(X_pool[train], y_pool[train], X_pool[held], y_pool[held],
                         self.X_test, self.y_test, len(self.target_names), ratio,
                         self.X_unlabelled)
        # The held-out fold is the test set; validation rows come from the training
        # part, so the test fold never chooses an epoch.
        fit, val = stratified_holdout(y_pool[train], self.validation_fraction,
                                      model_seed(seed, fold), count="per-class")
        fit, val = train[fit], train[val]
        return Split(X_pool[fit], y_pool[fit], X_pool[val], y_pool[val],
                     X_pool[held], y_pool[held], len(self.target_names), ratio,
                     self.X_unlabelled)

    def hashed(self):
        """What identifies the data in a cell's hash: a fingerprint of the arrays, the
        folds' rule and the validation rule."""
        data = dict(data=self._fingerprint, cv=self._cv,
                    test_set=self.X_test is not None)
        if self.X_test is None:
            data["validation_fraction"] = self.validation_fraction
        if SCENARIOS[self.scenario].long_tail:
            data["long_tail_order"] = "frequency in the data"
        return data

    def cache_key(self):
        """Identifies the data of a fold's feature ResNet in the results folder."""
        return (self._fingerprint, self._cv, self.validation_fraction, self.scenario,
                self.X_test is not None)

    def protocol(self):
        return dict(kind="user", scenario=self.scenario, test_set=self.X_test is not None,
                    validation_fraction=self.validation_fraction, cv=self._cv,
                    fingerprint=self._fingerprint)

    def fold_counts(self):
        """``{seed: number of folds}``."""
        return {seed: len(folds) for seed, folds in self._folds.items()}
