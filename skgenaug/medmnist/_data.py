"""The MedMNIST table's data source: the paper's subsets, pooled and folded.

:class:`MedMNISTData` gives the evaluation engine, per (repeat seed, fold), the rows of
one cell: the paper's subset of the seed, its training and validation parts pooled and
split into stratified folds seeded by the seed; the held-out fold validates, the
official test split scores.
"""

import functools

import numpy as np
from sklearn.model_selection import train_test_split

from ..datasets import PAPER_SUBSETS, load_medmnist, load_paper_subset
from ..evaluation._data import Split, fold_indices
from ..evaluation._scenarios import SCENARIOS, frequency_ranks


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


#: Axes the classifier's on-the-fly augmentation flips per MedMNIST data set (others:
#: left-right only).
FLIPS = {"pneumoniamnist": (), "chestmnist": (),
         "dermamnist": ("horizontal", "vertical")}


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
        # Axes the on-the-fly augmentation may flip: a chest X-ray's left and right
        # differ (the heart), a skin lesion has no orientation.
        self.flips = FLIPS.get(flag, ("horizontal",))
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
