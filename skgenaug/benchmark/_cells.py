"""One benchmark cell: (data set, method, fold, seed, selection) -> test scores.

The cell draws the paper's subset of the data set with the seed, pools its training and
validation parts, splits the pool into stratified folds (seeded the same way, so every
method sees the same folds), trains the method's sampler on the training part only,
trains the classifier on the (augmented) training part with the held-out fold as (real)
validation data, and scores the official test split.
"""

import collections
import contextlib
import copy
import functools
import hashlib
import json
import os
import pickle
import signal
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

import numpy as np
import torch
from imblearn.over_sampling import SMOTE, RandomOverSampler
from sklearn.model_selection import StratifiedKFold, train_test_split
from skorch.callbacks import Callback

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


# Large enough for every (data set, seed) of a run: cells are scheduled by cost, not
# grouped by data set, and a miss reads the npz file again.
@functools.lru_cache(maxsize=32)
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


#: Cost of one training image-epoch of each method's generator relative to one of the
#: classifier, at the quick profile's sizes (from the committed quick run's sampler and
#: classifier seconds on BreastMNIST). Only the order of cells depends on it.
_GENERATOR_COST = {
    "ae": 0.04, "cvae": 0.05, "cgan": 0.09, "ae-conv": 0.15, "cvae-conv": 0.18,
    "cgan-conv": 0.31, "wgan-gp": 0.41, "acgan": 0.29,
}


def estimated_cost(cell, settings, root=None):
    """A rough, relative cost of a cell, so that the slowest cells can run first.

    Counts image-epochs: the classifier's over the training part plus the generated
    images, the generator's over the training part (weighted by
    :data:`_GENERATOR_COST`), both scaled up for colour images. With the slowest cells
    first, no worker idles at the end of a run while one long cell finishes.

    Parameters
    ----------
    cell : Cell
        The cell.
    settings : dict
        Profile settings.
    root : str or None, default=None
        Data folder (the subset's size is read from the data).

    Returns
    -------
    cost : float
        In classifier image-epochs; comparable between the cells of one run only.

    Examples
    --------
    >>> from skgenaug.benchmark import Cell, get_profile
    >>> from skgenaug.benchmark._cells import estimated_cost
    >>> settings = get_profile("quick")
    >>> cells = [Cell("breastmnist", m, 0, 0, "val", "") for m in ("none", "cgan")]
    >>> estimated_cost(cells[1], settings) > estimated_cost(cells[0], settings)
    True
    """
    X_pool, y_pool, _, _, _ = _load(
        cell.dataset, None if root is None else str(root), cell.seed,
        settings["n_per_class"], settings["test_max"],
        settings.get("scenario", "balanced"),
    )
    train_share = (settings["folds"] - 1) / settings["folds"]
    n_train = len(y_pool) * train_share
    colour = X_pool.shape[-1] if X_pool.ndim == 4 else 1
    n_generated, generator = 0.0, 0.0
    sampler = make_sampler(cell.method, settings, random_state=0)
    if sampler is not None:
        counts = np.unique(y_pool, return_counts=True)[1]
        if settings.get("scenario", "balanced") == "long-tail":
            n_generated = float(np.sum(counts.max() - counts)) * train_share
        else:
            n_generated = float(settings["add_per_class"] * len(counts))
        epochs = sampler.get_params().get("max_epochs", 0)
        generator = n_train * epochs * _GENERATOR_COST.get(cell.method, 0.0) * colour
    classifier = (n_train + n_generated) * settings["classifier"]["max_epochs"]
    return classifier * (1 + (colour - 1) / 2) + generator


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


def run_cell(cell, settings, root=None, device="cpu", threads=None, cache_dir=None):
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
    cache_dir : str, path-like or None, default=None
        Folder shared by the cells of a run (``feature_models`` in the results
        folder): the quality report's feature ResNet of each fold is fitted by the
        first cell that needs it and loaded by the others, in any process.

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
        return _run_cell(cell, settings, root, device, threads, cache_dir)


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


def _run_cell(cell, settings, root, device, threads, cache_dir):
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
    donor = donates_feature_resnet(cell, settings)
    params = dict(settings["classifier"], selection="accuracy", device=device,
                  random_state=random_state)
    if donor:
        params["callbacks"] = [*(params.get("callbacks") or []),
                               ("last_weights", _LastEpochWeights())]
    clf = ResNetClassifier(**params)
    feature_key = (cell.dataset, cell.seed, cell.fold, root, device,
                   _settings_key(settings))
    # A donor holds the fold's lock while it trains: a sampler cell of the fold that
    # gets to its quality report meanwhile waits for these weights instead of training
    # the same network again (and runs see the same embedding however they are
    # scheduled).
    path = _feature_path(settings, feature_key, random_state, cache_dir)
    with _fold_lock(path) if donor else contextlib.nullcontext():
        t0 = time.perf_counter()
        clf.fit(X_fit, y_fit, X_val=X_sel, y_val=y_sel)
        classifier_s = time.perf_counter() - t0
        if donor:
            _remember(feature_key, _load_or_store(path, lambda: _last_epoch_copy(clf)))

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
        options.pop("feature_estimator", None)
        feature = _feature_estimator(settings, X_train, y_train, random_state, device,
                                     feature_key, cache_dir)
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


def _feature_params(settings):
    params = (settings.get("quality") or {}).get("feature_estimator")
    return DEFAULT_FEATURE_ESTIMATOR if params is None else params


def donates_feature_resnet(cell, settings):
    """Whether the cell's classifier trains exactly as the fold's feature ResNet does.

    The quality report embeds images with a ResNet fitted on the fold's real training
    part. A ``'none'`` cell fits its classifier on that same part, with the same seed;
    when the profile's classifier has the feature ResNet's settings (the quick and smoke
    profiles), the two trainings are the same epoch for epoch, selection on held-out
    rows aside (it only picks which epoch's weights to keep; the feature ResNet keeps
    the last). Then the ``'none'`` cell hands its last epoch's weights over as the
    fold's feature ResNet instead of the same training running again. They equal a
    separate fit's up to float rounding (the cell's evaluation passes between epochs
    moved weights by about 3e-8 in a test), not bit for bit.

    Parameters
    ----------
    cell : Cell
        The cell.
    settings : dict
        Profile settings.

    Returns
    -------
    bool

    Examples
    --------
    >>> from skgenaug.benchmark import Cell, get_profile
    >>> from skgenaug.benchmark._cells import donates_feature_resnet
    >>> donates_feature_resnet(Cell("breastmnist", "none", 0, 0, "val", ""),
    ...                        get_profile("quick"))
    True
    >>> donates_feature_resnet(Cell("breastmnist", "none", 0, 0, "val", ""),
    ...                        get_profile("paper"))
    False
    """
    if cell.method != "none" or settings.get("quality") is None:
        return False
    # Selection and hold-out differ by design (the cell validates on the held-out
    # fold, the feature ResNet on nothing); the rows trained on are the same.
    free = ("selection", "validation_fraction", "callbacks")
    cell_params = ResNetClassifier(**settings["classifier"]).get_params()
    feature_params = ResNetClassifier(**_feature_params(settings)).get_params()
    return all(cell_params[k] == feature_params[k] for k in cell_params if k not in free)


class _LastEpochWeights(Callback):
    """Keeps a copy of the module's weights at the end of the latest epoch (before the
    best epoch's weights are loaded back)."""

    def initialize(self):
        self.state_ = None
        return self

    def on_epoch_end(self, net, **kwargs):
        self.state_ = {k: v.detach().clone() for k, v in net.module_.state_dict().items()}


def _last_epoch_copy(clf):
    """A fitted ResNetClassifier with ``clf``'s last-epoch weights and the feature
    ResNet's parameters (no selection, no hold-out)."""
    keeper = dict(clf.net_.callbacks_)["last_weights"]
    feature = copy.deepcopy(clf)
    feature.net_.module_.load_state_dict(keeper.state_)
    for copied in (keeper, dict(feature.net_.callbacks_)["last_weights"]):
        copied.state_ = None  # the weights now live in the module only
    feature.set_params(selection=None, validation_fraction=0.0, callbacks=None)
    feature.best_epoch_ = None
    return feature


def _feature_path(settings, key, random_state, cache_dir):
    """Where the fold's feature ResNet is pickled (``None`` without ``cache_dir``)."""
    if cache_dir is None:
        return None
    params = _feature_params(settings)
    name = hashlib.sha256(repr((key, params, random_state)).encode()).hexdigest()
    return Path(cache_dir) / f"{name[:24]}.pkl"


@contextlib.contextmanager
def _fold_lock(path):
    """An exclusive lock on ``path``'s fold, shared by every process of a run."""
    if path is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        if fcntl is not None:  # POSIX; elsewhere a race only costs a second fit
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        yield


def _load_or_store(path, make):
    """The estimator pickled at ``path``, else ``make()``'s, pickled there (call it
    under :func:`_fold_lock`)."""
    if path is None:
        return make()
    if path.is_file():
        with open(path, "rb") as f:
            return pickle.load(f)
    estimator = make()
    partial = path.with_suffix(f".{os.getpid()}.part")
    with open(partial, "wb") as f:
        pickle.dump(estimator, f, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(partial, path)  # whole or absent, even if this process dies
    return estimator


def _remember(key, estimator):
    _FEATURE_CACHE[key] = estimator
    _FEATURE_CACHE.move_to_end(key)
    while len(_FEATURE_CACHE) > _FEATURE_CACHE_SIZE:
        _FEATURE_CACHE.popitem(last=False)
    return estimator


def _feature_estimator(settings, X_train, y_train, random_state, device, key,
                       cache_dir=None):
    """The fold's feature ResNet for the quality report, fitted once per fold.

    It depends on the fold's real training part only, so every method of a fold shares
    it (and its embedding: Fréchet distances of a fold's methods are comparable);
    refitting it per cell would give the same weights at the same cost again. Kept in
    this process's memory and, with ``cache_dir``, pickled there for the other
    workers of the run (and a resumed run), under a lock: a second worker that needs
    the same fold waits for the first one's fit (or for the fold's ``'none'`` cell,
    :func:`donates_feature_resnet`) instead of repeating it.
    """
    if key in _FEATURE_CACHE:
        return _remember(key, _FEATURE_CACHE[key])
    params = _feature_params(settings)

    def fit():
        estimator = ResNetClassifier(**params, device=device, random_state=random_state)
        return estimator.fit(X_train, y_train)

    path = _feature_path(settings, key, random_state, cache_dir)
    with _fold_lock(path):
        return _remember(key, _load_or_store(path, fit))
