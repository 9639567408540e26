"""One benchmark cell: (data set, method, fold, seed, selection) -> test scores.

The cell draws the paper's subset of the data set with the seed, pools its training and
validation parts, splits the pool into stratified folds (seeded the same way, so every
method sees the same folds), trains the method's sampler on the training part only,
trains the classifier on the (augmented) training part with the held-out fold as (real)
validation data, and scores the official test split.
"""

import collections
import contextlib
import functools
import json
import os
import signal
import threading
import time
from dataclasses import asdict, dataclass

import numpy as np
import torch
from imblearn.over_sampling import SMOTE, RandomOverSampler
from sklearn.model_selection import StratifiedKFold, train_test_split

from .. import (
    AddPerClass,
    AESampler,
    BaseGenerativeSampler,
    CGANSampler,
    CVAESampler,
    FlatImageSampler,
    GeometricSampler,
    ResNetClassifier,
)
from ..datasets import load_medmnist, load_paper_subset
from ..metrics import classification_scores, quality_report
from ..metrics._report import DEFAULT_FEATURE_ESTIMATOR
from ._config import LONG_TAIL_RATIO, config_hash


def _flat(kind):
    def build(sampling_strategy, random_state, **params):
        return FlatImageSampler(kind(sampling_strategy=sampling_strategy,
                                     random_state=random_state, **params))
    return build


#: Sampler of each method; its profile entry gives the remaining parameters
#: (``architecture``, ``objective``, ... included, so that the hash covers them).
SAMPLERS = {
    "ae": AESampler, "cvae": CVAESampler, "cgan": CGANSampler,
    "ae-conv": AESampler, "cvae-conv": CVAESampler, "cgan-conv": CGANSampler,
    "wgan-gp": CGANSampler, "acgan": CGANSampler,
    "geometric": GeometricSampler, "ros": _flat(RandomOverSampler), "smote": _flat(SMOTE),
}

#: Generated and real images kept per class for the sample grids (fold 0, seed 0 only).
PREVIEW_PER_CLASS = 8


@dataclass(frozen=True)
class Cell:
    """Identity of one benchmark cell; with the configuration hash it is the store's key.

    Parameters
    ----------
    dataset : str
        MedMNIST flag, e.g. ``'breastmnist'``.
    method : str
        ``'none'``, ``'ae'``, ... (:data:`~skgenaug.benchmark._config.METHODS`).
    fold : int
        Held-out fold of the pooled subset.
    seed : int
        Subset seed (drives the subset draw and the fold split).
    selection : str
        ``'val'`` or ``'test-best'``.
    config_hash : str
        :func:`~skgenaug.benchmark.config_hash` of the settings the cell depends on.

    Examples
    --------
    >>> from skgenaug.benchmark import Cell
    >>> Cell("breastmnist", "cvae", 0, 0, "val", "abc").key
    'breastmnist|cvae|0|0|val|abc'
    """

    dataset: str
    method: str
    fold: int
    seed: int
    selection: str
    config_hash: str

    @property
    def key(self):
        """Primary key of the cell in the results store."""
        return "|".join(str(v) for v in asdict(self).values())


def make_cells(settings, datasets, methods, selections, seeds):
    """Every cell of a run, in a deterministic order.

    Parameters
    ----------
    settings : dict
        Profile settings.
    datasets, methods, selections : list of str
        What to run.
    seeds : iterable of int
        Subset seeds.

    Returns
    -------
    cells : list of Cell
        One cell per data set, method, selection, seed and fold.

    Examples
    --------
    >>> from skgenaug.benchmark import get_profile, make_cells
    >>> settings = get_profile("smoke")
    >>> cells = make_cells(settings, ["breastmnist"], ["none", "cvae"], ["val"], [0])
    >>> len(cells) == 2 * settings["folds"]
    True
    """
    hashes = {m: config_hash(settings, m) for m in methods}
    return [
        Cell(d, m, f, s, sel, hashes[m])
        for d in datasets
        for sel in selections
        for s in seeds
        for f in range(settings["folds"])
        for m in methods
    ]


def long_tail_counts(counts, ratio=LONG_TAIL_RATIO, ranks=None):
    """Images kept per class by the long-tail scenario.

    The class of rank ``r`` (``r = 0 .. K-1``, head to tail) keeps
    ``max(1, round(n * ratio ** (r / (K - 1))))`` of its ``n`` images: all of the head
    class, a fraction ``ratio`` of the tail class, geometrically in between (150 down
    to 15 for 150 per class and ``ratio=0.1``).

    Parameters
    ----------
    counts : sequence of int
        Images per class, in label order.
    ratio : float, default=LONG_TAIL_RATIO
        Kept fraction of the tail class.
    ranks : sequence of int or None, default=None
        Rank of each class (label order), 0 for the head; ``None`` ranks the classes
        in label order. The benchmark ranks them by their frequency in the official
        training split (:func:`frequency_ranks`).

    Returns
    -------
    kept : list of int

    Examples
    --------
    >>> from skgenaug.benchmark._cells import long_tail_counts
    >>> long_tail_counts([150] * 5)
    [150, 84, 47, 27, 15]
    >>> long_tail_counts([150, 150, 150], ranks=[2, 0, 1])
    [15, 150, 47]
    """
    K = len(counts)
    ranks = range(K) if ranks is None else ranks
    if sorted(ranks) != list(range(K)):
        raise ValueError(f"ranks must order the {K} classes 0..{K - 1}; got {ranks}.")
    return [
        max(1, int(round(n * ratio ** (r / (K - 1) if K > 1 else 0))))
        for n, r in zip(counts, ranks)
    ]


def frequency_ranks(counts):
    """Rank of each class by frequency: 0 for the most frequent (ties: lower label first).

    Parameters
    ----------
    counts : sequence of int
        Images per class, in label order.

    Returns
    -------
    ranks : list of int

    Examples
    --------
    >>> from skgenaug.benchmark._cells import frequency_ranks
    >>> frequency_ranks([147, 399])  # BreastMNIST's training split
    [1, 0]
    """
    order = np.argsort(-np.asarray(counts), kind="stable")
    ranks = np.empty(len(order), dtype=int)
    ranks[order] = np.arange(len(order))
    return ranks.tolist()


def long_tail_indices(y, seed, ratio=LONG_TAIL_RATIO, ranks=None):
    """Rows of a labelled set kept by the long-tail scenario.

    Parameters
    ----------
    y : ndarray
        Labels of the set (the pooled subset in the benchmark).
    seed : int
        Seed of the draw of the kept rows (the subset seed).
    ratio : float, default=LONG_TAIL_RATIO
        Kept fraction of the tail class (:func:`long_tail_counts`).
    ranks : sequence of int or None, default=None
        Rank of each label of ``np.unique(y)``, 0 for the head (:func:`long_tail_counts`).

    Returns
    -------
    keep : ndarray
        Sorted row indices.
    """
    labels, counts = np.unique(y, return_counts=True)
    rng = np.random.RandomState(seed)
    keep = [
        rng.choice(np.flatnonzero(y == label), size=n, replace=False)
        for label, n in zip(labels, long_tail_counts(counts, ratio, ranks))
    ]
    return np.sort(np.concatenate(keep))


def sampling_strategy(settings):
    """The samplers' ``sampling_strategy`` in the settings' scenario.

    ``AddPerClass(add_per_class)`` for ``'balanced'`` (the paper's), ``'auto'`` (top
    every class up to the largest) for ``'long-tail'``.

    Parameters
    ----------
    settings : dict
        Profile settings.

    Returns
    -------
    strategy : AddPerClass or str
    """
    if settings.get("scenario", "balanced") == "long-tail":
        return "auto"
    return AddPerClass(settings["add_per_class"])


@functools.lru_cache(maxsize=4)
def _load(dataset, root, seed, n_per_class, test_max, scenario="balanced"):
    data = load_paper_subset(dataset, root=root, n_per_class=n_per_class, random_state=seed)
    X_pool = np.concatenate([data.X_train, data.X_val])
    y_pool = np.concatenate([data.y_train, data.y_val])
    if scenario == "long-tail":
        # Thin the pool, not only its training part: stratified folds then give every
        # training part (and every held-out fold) the pool's imbalance.
        # Head to tail by frequency in the official training split: the rare classes
        # stay the rare ones, and the test split's imbalance points the same way.
        _, y_full = load_medmnist(dataset, "train", root=root)
        counts = np.bincount(y_full, minlength=len(data.target_names))
        ranks = frequency_ranks(counts[np.unique(y_pool)])  # classes the pool holds
        keep = long_tail_indices(y_pool, seed, ranks=ranks)
        X_pool, y_pool = X_pool[keep], y_pool[keep]
    X_test, y_test = data.X_test, data.y_test
    if test_max is not None and len(y_test) > test_max:
        # Labelled as a subsample wherever it is reported (the smoke profile only).
        keep, _ = train_test_split(
            np.arange(len(y_test)), train_size=test_max, stratify=y_test, random_state=0
        )
        keep = np.sort(keep)
        X_test, y_test = X_test[keep], y_test[keep]
    n_classes = len(data.target_names)
    return X_pool, y_pool, X_test, y_test, n_classes


def fold_indices(y_pool, folds, seed, fold):
    """Training and held-out rows of one fold of the pooled subset.

    Parameters
    ----------
    y_pool : ndarray
        Labels of the pooled training + validation subset.
    folds : int
        Number of stratified folds.
    seed : int
        Seed of the fold split (the subset seed).
    fold : int
        Which fold is held out.

    Returns
    -------
    train_idx, val_idx : ndarray
    """
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(y_pool)), y_pool))[fold]


def make_sampler(method, settings, random_state, device="cpu"):
    """The sampler of ``method`` with the profile's settings (``None`` for 'none').

    Parameters
    ----------
    method : str
        A name of :data:`~skgenaug.benchmark._config.METHODS`.
    settings : dict
        Profile settings (its scenario chooses the sampling strategy:
        :func:`sampling_strategy`).
    random_state : int
        Sampler seed.
    device : str, default='cpu'
        Torch device of a sampler that trains a network (the others have none).

    Returns
    -------
    sampler : BaseGenerativeSampler, GeometricSampler, FlatImageSampler or None
    """
    if method == "none":
        return None
    factory = SAMPLERS[method]
    trains_a_network = isinstance(factory, type) and issubclass(
        factory, BaseGenerativeSampler
    )
    return factory(
        sampling_strategy=sampling_strategy(settings),
        random_state=random_state,
        **({"device": device} if trains_a_network else {}),
        **settings["samplers"][method],
    )


def _preview(X_train, y_train, X_res, y_res):
    """A few real and generated images per class, for the sample grids."""
    X_new, y_new = X_res[len(X_train):], y_res[len(X_train):]
    real, fake, labels = [], [], []
    for label in np.unique(y_train):
        r = X_train[y_train == label][:PREVIEW_PER_CLASS]
        g = X_new[y_new == label][:PREVIEW_PER_CLASS]
        k = min(len(r), len(g))
        real.append(r[:k])
        fake.append(g[:k])
        labels.append(np.full(k, label))
    return dict(real=np.concatenate(real), generated=np.concatenate(fake),
                y=np.concatenate(labels))


def run_cell(cell, settings, root=None, device="cpu", threads=None):
    """Train and score one cell.

    Parameters
    ----------
    cell : Cell
        What to run.
    settings : dict
        Profile settings (must hash to ``cell.config_hash``).
    root : str or None
        MedMNIST data folder.
    device : str, default='cpu'
        Torch device of sampler and classifier.
    threads : int or None
        ``torch.set_num_threads`` for this worker; ``None`` leaves it alone.

    Returns
    -------
    result : dict
        Scores (``auc``, ``acc``, ``balanced_acc`` on the test split), sizes, timings,
        the kept epoch, for sampler cells with the profile's ``quality`` setting a
        ``quality`` dict (:func:`~skgenaug.metrics.quality_report` of the sampler, on
        the held-out fold), and, for fold 0 of seed 0, a ``preview`` of generated
        images.

    Examples
    --------
    Train and score the first cell of the smoke profile (needs the BreastMNIST file):

    >>> from skgenaug.benchmark import get_profile, make_cells, run_cell
    >>> settings = get_profile("smoke")
    >>> cell = make_cells(settings, ["breastmnist"], ["cvae"], ["val"], [0])[0]
    >>> result = run_cell(cell, settings, root="../shared/medmnist")  # doctest: +SKIP
    >>> sorted(k for k in ("auc", "acc") if k in result)  # doctest: +SKIP
    ['acc', 'auc']
    """
    with _stored_only_if_whole():
        return _run_cell(cell, settings, root, device, threads)


@contextlib.contextmanager
def _stored_only_if_whole():
    """Raise ``KeyboardInterrupt`` after a cell that a Ctrl-C cut short.

    skorch answers Ctrl-C by ending training early and returning normally
    (``NeuralNet.partial_fit`` catches ``KeyboardInterrupt``): that is handy at a
    prompt, but a cell whose networks stopped early would be stored as if whole. The
    signal is noted here and the cell's result thrown away. Only where Ctrl-C can
    arrive: the main thread of a process that does not ignore SIGINT.
    """
    previous = signal.getsignal(signal.SIGINT)
    if (threading.current_thread() is not threading.main_thread()
            or not callable(previous)):
        yield
        return
    received = []

    def note_and_forward(signum, frame):
        received.append(signum)
        previous(signum, frame)

    signal.signal(signal.SIGINT, note_and_forward)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if received:
        raise KeyboardInterrupt(
            "interrupted: this cell's training was cut short, so it is not stored"
        )


def _run_cell(cell, settings, root, device, threads):
    if threads:
        torch.set_num_threads(threads)
    start = time.perf_counter()
    X_pool, y_pool, X_test, y_test, n_classes = _load(
        cell.dataset, None if root is None else str(root), cell.seed,
        settings["n_per_class"], settings["test_max"],
        settings.get("scenario", "balanced"),
    )
    train_idx, val_idx = fold_indices(y_pool, settings["folds"], cell.seed, cell.fold)
    X_train, y_train = X_pool[train_idx], y_pool[train_idx]
    # Same seed for every method of a (seed, fold): differences come from the data.
    random_state = 1000 * cell.seed + cell.fold

    sampler = make_sampler(cell.method, settings, random_state, device)
    t0 = time.perf_counter()
    if sampler is None:
        X_fit, y_fit = X_train, y_train
    else:
        X_fit, y_fit = sampler.fit_resample(X_train, y_train)  # training part only
    sampler_s = time.perf_counter() - t0

    if cell.selection == "val":
        X_sel, y_sel = X_pool[val_idx], y_pool[val_idx]  # real images by construction
    else:  # 'test-best': the paper's optimistic rule, selecting on the test split
        X_sel, y_sel = X_test, y_test
    clf = ResNetClassifier(
        **settings["classifier"], selection="accuracy", device=device,
        random_state=random_state,
    )
    t0 = time.perf_counter()
    clf.fit(X_fit, y_fit, X_val=X_sel, y_val=y_sel)
    classifier_s = time.perf_counter() - t0

    # One probability column per class code of the data set, even for a class the
    # classifier never saw; the predicted class is the most probable column.
    scores = classification_scores(
        y_test, proba=clf.predict_proba(X_test), classes=clf.classes_,
        labels=np.arange(n_classes),
    )
    result = dict(
        auc=scores["auc"],
        acc=scores["accuracy"],
        balanced_acc=scores["balanced_accuracy"],
        best_epoch=clf.best_epoch_,
        n_train=int(len(y_train)),
        n_generated=int(len(y_fit) - len(y_train)),
        n_val=int(len(val_idx)),
        n_test=int(len(y_test)),
        sampler_s=sampler_s,
        classifier_s=classifier_s,
        wall_s=time.perf_counter() - start,
        threads=torch.get_num_threads(),
        device=device,
        pid=os.getpid(),
    )
    if sampler is not None and cell.fold == 0 and cell.seed == 0:
        result["preview"] = _preview(X_train, y_train, X_fit, y_fit)
    if (sampler is not None and settings.get("quality") is not None
            and hasattr(sampler, "generate")):  # not the flat ROS / SMOTE baselines
        options = dict(settings["quality"])
        feature = _feature_estimator(
            options.pop("feature_estimator", None), X_train, y_train, random_state,
            device, key=(cell.dataset, cell.seed, cell.fold, root, device,
                         _settings_key(settings)),
        )
        # Scored against the held-out fold (real images), never the test split.
        result["quality"] = quality_report(
            sampler, X_train, y_train, X_pool[val_idx], y_pool[val_idx],
            feature_estimator=feature, device=device, random_state=random_state,
            **options,
        )
    return result


#: Fitted feature ResNets of the last few folds, in this process.
_FEATURE_CACHE = collections.OrderedDict()
_FEATURE_CACHE_SIZE = 4


def _settings_key(settings):
    """What fixes a fold's training part and the feature ResNet (not the samplers)."""
    shared = {k: v for k, v in settings.items() if k != "samplers"}
    return json.dumps(shared, sort_keys=True, default=str)


def _feature_estimator(params, X_train, y_train, random_state, device, key):
    """The fold's feature ResNet for the quality report, fitted once per fold.

    It depends on the fold's real training part only, so every method of a fold shares
    it (and its embedding: Fréchet distances of a fold's methods are comparable);
    refitting it per cell would give the same weights at the same cost again.
    """
    if key in _FEATURE_CACHE:
        _FEATURE_CACHE.move_to_end(key)
        return _FEATURE_CACHE[key]
    params = DEFAULT_FEATURE_ESTIMATOR if params is None else params
    estimator = ResNetClassifier(**params, device=device, random_state=random_state)
    estimator.fit(X_train, y_train)
    _FEATURE_CACHE[key] = estimator
    while len(_FEATURE_CACHE) > _FEATURE_CACHE_SIZE:
        _FEATURE_CACHE.popitem(last=False)
    return estimator
