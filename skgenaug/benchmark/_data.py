"""Where a cell's images come from: the rows it trains, validates and tests on.

The engine asks a data source, per (repeat seed, fold), for a :class:`Split`. Two
sources exist:

- :class:`MedMNISTData` (the MedMNIST table): the paper's subset of the seed, its
  training and validation parts pooled and split into stratified folds seeded by the
  seed; the held-out fold validates, the official test split scores.
- :class:`ArrayData` (:func:`~skgenaug.evaluate_augmentation`): the user's labelled
  images split by ``cv``. With a separate test set, the held-out fold validates and the
  test set scores, as above; without one, the held-out fold is the test set and the
  validation rows are a stratified share of the training part (never of the test fold).
"""

import functools
import hashlib
from collections import namedtuple

import numpy as np
from sklearn.model_selection import StratifiedKFold, train_test_split

from .._validation import stratified_holdout
from ..datasets import PAPER_SUBSETS, load_medmnist, load_paper_subset
from ._scenarios import SCENARIOS, frequency_ranks

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
    """The seed of every fit of a cell: the same for every method of a (seed, fold), so
    that paired differences come from the data."""
    return 1000 * seed + fold


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


# Large enough for every (data set, seed) of a run: cells are scheduled by cost, not
# grouped by data set, and a miss reads the npz file again.
@functools.lru_cache(maxsize=32)
def _load_medmnist(dataset, root, seed, n_per_class, test_max, scenario="balanced",
                   size=28, unlabelled_max=None):
    scenario = SCENARIOS[scenario]
    if scenario.unlabelled and n_per_class == "paper" and PAPER_SUBSETS.get(
            dataset, 150) is None:
        # The paper uses this data set whole: nothing would be left unlabelled.
        n_per_class = scenario.labelled_per_class
    data = load_paper_subset(dataset, root=root, n_per_class=n_per_class,
                             random_state=seed, size=size)
    X_pool = np.concatenate([data.X_train, data.X_val])
    y_pool = np.concatenate([data.y_train, data.y_val])
    if scenario.long_tail:
        # Thin the pool, not only its training part: stratified folds then give every
        # training part (and every held-out fold) the pool's imbalance. Head to tail
        # by frequency in the official training split: the rare classes stay the rare
        # ones, and the test split's imbalance points the same way.
        _, y_full = load_medmnist(dataset, "train", root=root, size=size)
        counts = np.bincount(y_full, minlength=len(data.target_names))
        ranks = frequency_ranks(counts[np.unique(y_pool)])  # classes the pool holds
        keep = scenario.prepare_pool(y_pool, seed, ranks)
        X_pool, y_pool = X_pool[keep], y_pool[keep]
    X_unlabelled = None
    if scenario.unlabelled:
        # The official training split beyond the labelled subset, labels hidden.
        X_full, _ = load_medmnist(dataset, "train", root=root, size=size)
        rest = np.setdiff1d(np.arange(len(X_full)), data.train_indices)
        rest = np.random.RandomState(seed).permutation(rest)[:unlabelled_max]
        X_unlabelled = X_full[np.sort(rest)]
    X_test, y_test = data.X_test, data.y_test
    if test_max is not None and len(y_test) > test_max:
        # Labelled as a subsample wherever it is reported (the smoke profile only).
        keep, _ = train_test_split(
            np.arange(len(y_test)), train_size=test_max, stratify=y_test, random_state=0
        )
        keep = np.sort(keep)
        X_test, y_test = X_test[keep], y_test[keep]
    return X_pool, y_pool, X_test, y_test, data.target_names, X_unlabelled


class MedMNISTData:
    """A MedMNIST data set as the table uses it (see the module docstring).

    Parameters
    ----------
    flag : str
        MedMNIST flag.
    root : str or None
        Data folder.
    profile : Profile
        Its ``n_per_class``, ``test_max``, ``scenario`` and ``folds`` apply.
    size : int, default=28
        Image size (MedMNIST+ files for other sizes).
    """

    def __init__(self, flag, root, profile, size=28):
        self.name = flag
        self.root = None if root is None else str(root)
        self.n_per_class, self.test_max = profile.n_per_class, profile.test_max
        self.scenario, self.folds, self.size = profile.scenario, profile.folds, size
        self.unlabelled_max = (profile.unlabelled_max
                               if SCENARIOS[self.scenario].unlabelled else None)

    def _arrays(self, seed):
        return _load_medmnist(self.name, self.root, seed, self.n_per_class,
                              self.test_max, self.scenario, self.size,
                              self.unlabelled_max)

    def check(self):
        """Raise FileNotFoundError (naming the path) when the data set has no file."""
        load_medmnist(self.name, "test", root=self.root, size=self.size)

    @property
    def target_names(self):
        return self._arrays(0)[4]

    def split(self, seed, fold):
        """The rows of one cell (:class:`Split`)."""
        X_pool, y_pool, X_test, y_test, names, X_unlabelled = self._arrays(seed)
        train, held = fold_indices(y_pool, self.folds, seed, fold)
        return Split(X_pool[train], y_pool[train], X_pool[held], y_pool[held],
                     X_test, y_test, len(names), len(held) / len(train), X_unlabelled)

    def hashed(self):
        """What identifies the data in a cell's hash (as before data sources existed)."""
        data = dict(n_per_class=self.n_per_class, test_max=self.test_max)
        if self.size != 28:
            data["size"] = self.size
        if SCENARIOS[self.scenario].unlabelled:
            data["unlabelled_max"] = self.unlabelled_max
        return data

    def cache_key(self):
        """Identifies the data of a fold's feature ResNet in the results folder."""
        return (self.name, self.root, self.n_per_class, self.test_max, self.scenario,
                self.size, self.unlabelled_max)

    def protocol(self):
        return dict(kind="medmnist", scenario=self.scenario, test_max=self.test_max)


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
