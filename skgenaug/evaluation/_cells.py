"""One cell: (data set, method, fold, repeat seed, selection) -> test scores.

The cell takes its rows from a data source (:mod:`skgenaug.evaluation._data`): it trains
the method's sampler on the training part only, trains the classifier on the
(augmented) training part with real validation rows for epoch selection, and scores
the test rows; sampler cells also get a quality report of their generated images.
"""

import collections
import contextlib
import copy
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
from imblearn.utils import check_sampling_strategy
from sklearn.base import clone
from skorch.callbacks import Callback

from .._generative import BaseGenerativeSampler
from .._methods import METHODS, Variant, parse_variant
from ..base import AddPerClass
from ..classifier import ResNetClassifier
from ..metrics import DEFAULT_FEATURE_ESTIMATOR, classification_scores, quality_report
from ..samplers import CuratedSampler
from ._config import config_hash
from ._data import model_seed
from ._scenarios import SCENARIOS

#: Generated and real images kept per class for the sample grids (fold 0 of the first
#: repeat only).
PREVIEW_PER_CLASS = 8
#: Generator cost (see :class:`skgenaug._methods.Method`) assumed for a sampler
#: instance given by the user.
_INSTANCE_GENERATOR_COST = 0.2


@dataclass(frozen=True)
class Cell:
    """Identity of one cell; with the configuration hash it is the store's key.

    Parameters
    ----------
    dataset : str
        Data set name: a MedMNIST flag such as ``'breastmnist'``, or the name of the
        user's data.
    method : str
        ``'none'``, ``'cvae'``, ... or the name of a sampler instance.
    fold : int
        Held-out fold.
    seed : int
        Seed of the repeat (drives the fold split; the MedMNIST table's subset draw).
    selection : str
        ``'val'`` or ``'test-best'``.
    config_hash : str
        :func:`~skgenaug.evaluation.config_hash` of the settings the cell depends on.

    Examples
    --------
    >>> from skgenaug.evaluation import Cell
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


@dataclass(frozen=True)
class MethodSpec:
    """How a cell builds one method's sampler.

    Parameters
    ----------
    name : str
        The method's name in tables: a registered method, possibly with modifiers
        (:func:`~skgenaug._methods.parse_variant`:
        ``'diffusion+pool+curated@450'``), or the name of a user's sampler.
    sampler : estimator or None, default=None
        A sampler given by the user (a template, cloned per cell); ``None`` for a
        method of the registry (:data:`~skgenaug._methods.METHODS`), whose
        parameters come from the profile.
    """

    name: str
    sampler: object = None

    @property
    def registered(self):
        return self.sampler is None

    @property
    def variant(self):
        """The :class:`~skgenaug._methods.Variant` of a registered method.

        A user's sampler has no modifiers."""
        if self.registered:
            return parse_variant(self.name)
        return Variant(self.name)

    @property
    def method(self):
        """The registered :class:`~skgenaug._methods.Method`.

        ``None`` for a user's sampler."""
        return METHODS[self.variant.base] if self.registered else None

    def sampling_strategy(self, strategy):
        """The strategy of this method's cells: ``AddPerClass(N)`` for ``@N``, else
        ``strategy``."""
        n = self.variant.add_per_class
        return strategy if n is None else AddPerClass(n)

    def build(self, profile, sampling_strategy, random_state, device):
        """The cell's sampler (``None`` for ``'none'``), without the variant's
        curation (applied when the cell runs).

        A registered method gets the profile's parameters of its base method, its
        sampling strategy (:meth:`sampling_strategy`), the cell's seed and ``device``;
        a user's sampler is cloned and gets the cell's seed (its other parameters,
        ``sampling_strategy`` included, as given).
        """
        if self.registered:
            method = self.method
            params = profile.samplers.get(method.name, {}) if method.sampler else {}
            return method.make_sampler(self.sampling_strategy(sampling_strategy),
                                       random_state, device, **params)
        sampler = clone(self.sampler)
        if "random_state" in sampler.get_params(deep=False):
            sampler.set_params(random_state=random_state)
        return sampler

    def hashed(self, profile=None):
        """The sampler's description in a cell's hash. ``None`` for a plain registered
        method (the profile's parameters are hashed, as before variants existed); a
        variant's base parameters and modifiers (with ``profile``'s curation
        settings); a user's sampler's class and parameters."""
        if self.registered:
            variant = self.variant
            if variant.is_plain:
                return None
            described = dict(base=variant.base, pool=variant.pool,
                             curated=variant.curated, weighted=variant.weighted,
                             add_per_class=variant.add_per_class)
            if profile is not None:
                described["params"] = profile.samplers.get(variant.base)
                if variant.curated:
                    described["curation"] = dict(profile.curation)
            return described
        params = self.sampler.get_params(deep=False)
        params.pop("random_state", None)
        return dict(estimator=f"{type(self.sampler).__module__}."
                              f"{type(self.sampler).__qualname__}",
                    params=json.loads(json.dumps(params, sort_keys=True, default=repr)))

    def generator_cost(self):
        if self.registered:
            return self.method.generator_cost
        return _INSTANCE_GENERATOR_COST


def make_cells(profile, datasets, methods, selections, seeds, folds=None, hashes=None):
    """Every cell of a run, in a deterministic order.

    Parameters
    ----------
    profile : Profile
        The profile.
    datasets, methods, selections : list of str
        What to run.
    seeds : iterable of int
        Repeat seeds.
    folds : int or None, default=None
        Folds per repeat; ``None``: ``profile.folds``.
    hashes : dict or None, default=None
        ``{method: config hash}``; ``None`` hashes the profile's settings for the
        MedMNIST table (:func:`~skgenaug.evaluation.config_hash`).

    Returns
    -------
    cells : list of Cell
        One cell per data set, method, selection, seed and fold.

    Examples
    --------
    >>> from skgenaug.evaluation import get_profile, make_cells
    >>> profile = get_profile("smoke")
    >>> cells = make_cells(profile, ["breastmnist"], ["none", "cvae"], ["val"], [0])
    >>> len(cells) == 2 * profile.folds
    True
    """
    hashes = hashes or {m: config_hash(profile, m, sampler=MethodSpec(m).hashed(profile))
                        for m in methods}
    folds = profile.folds if folds is None else folds
    return [
        Cell(d, m, f, s, sel, hashes[m])
        for d in datasets
        for sel in selections
        for s in seeds
        for f in range(folds)
        for m in methods
    ]


def default_sampling_strategy(profile):
    """The samplers' ``sampling_strategy`` in the profile's scenario.

    ``AddPerClass(add_per_class)`` for ``'balanced'`` (the paper's), ``'auto'`` (top
    every class up to the largest) for ``'long-tail'``.

    Parameters
    ----------
    profile : Profile
        The profile.

    Returns
    -------
    strategy : AddPerClass or str
    """
    return SCENARIOS[profile.scenario].sampling_strategy(profile)


def _n_generated(spec, sampler, strategy, y_train):
    """Images a sampler will add to ``y_train`` (imbalanced-learn's own count)."""
    if sampler is None:
        return 0.0
    if spec.registered:
        strategy = spec.sampling_strategy(strategy)  # a variant's @N
    else:
        strategy = sampler.get_params(deep=False).get("sampling_strategy", strategy)
    try:
        wanted = check_sampling_strategy(strategy, y_train, "over-sampling")
    except (ValueError, TypeError):  # a strategy this estimate cannot read
        return 0.0
    return float(sum(wanted.values()))


def generator_group(cell, spec, profile):
    """The cells that train the same generator share this key (``None``: none shared):
    in one fold, registered network methods whose samplers differ only in what
    drawing uses (``@N``, ``+curated``, a diffusion model's ``strength``)."""
    sampler = None if not spec.registered else spec.method.sampler_class
    if sampler is None or not issubclass(sampler, BaseGenerativeSampler):
        return None
    params = {k: v for k, v in profile.samplers.get(spec.method.name, {}).items()
              if k not in _generation_params(sampler)}
    return (cell.dataset, cell.seed, cell.fold, sampler.__qualname__,
            json.dumps(params, sort_keys=True, default=repr), spec.variant.pool)


def estimated_cost(cell, profile, data, spec, sampling_strategy=None,
                   with_generator=True):
    """A rough, relative cost of a cell, so that the slowest cells can run first.

    Counts image-epochs: the classifier's over the training part plus the generated
    images, the generator's over the training part (weighted by the method's
    ``generator_cost``), both scaled up for colour images. With the slowest cells
    first, no worker idles at the end of a run while one long cell finishes.

    Parameters
    ----------
    cell : Cell
        The cell.
    profile : Profile
        The profile.
    data : a data source (:mod:`skgenaug.evaluation._data`)
        The cell's data source.
    spec : MethodSpec
        The cell's method.
    sampling_strategy : object or None, default=None
        The samplers' strategy; ``None``: the scenario's.
    with_generator : bool, default=True
        Count the generator's training (``False`` for a cell whose generator another
        cell fits).

    Returns
    -------
    cost : float
        In classifier image-epochs; comparable between the cells of one run only.
    """
    split = data.split(cell.seed, cell.fold)
    X_train, y_train = split.X_train, split.y_train
    colour = X_train.shape[-1] if X_train.ndim == 4 else 1
    strategy = sampling_strategy or default_sampling_strategy(profile)
    sampler = spec.build(profile, strategy, 0, "cpu")
    n_generated = _n_generated(spec, sampler, strategy, y_train)
    epochs = 0 if sampler is None else sampler.get_params().get("max_epochs", 0)
    n_fit = len(y_train)
    if spec.registered and spec.variant.pool and split.X_unlabelled is not None:
        n_fit += len(split.X_unlabelled)
    generator = n_fit * epochs * spec.generator_cost() * colour * with_generator
    classifier = (len(y_train) + n_generated) * profile.classifier["max_epochs"]
    return classifier * (1 + (colour - 1) / 2) + generator


def _preview(X_train, y_train, X_res, y_res):
    """A few real and generated images per class, for the sample grids; ``None`` when
    the sampler added nothing."""
    X_new, y_new = X_res[len(X_train):], y_res[len(X_train):]
    if not len(y_new):
        return None
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


def run_cell(cell, profile, data, spec=None, *, sampling_strategy=None, device="cpu",
             threads=None, cache_dir=None, generator_dir=None, preview=None):
    """Train and score one cell.

    Parameters
    ----------
    cell : Cell
        What to run.
    profile : Profile
        The profile (must hash to ``cell.config_hash``).
    data : a data source (:mod:`skgenaug.evaluation._data`)
        The cell's data source.
    spec : MethodSpec or None, default=None
        The cell's method; ``None``: the registered method ``cell.method``.
    sampling_strategy : object or None, default=None
        The samplers' ``sampling_strategy``; ``None``: the scenario's
        (:func:`default_sampling_strategy`).
    device : str, default='cpu'
        Torch device of sampler and classifier.
    threads : int or None
        ``torch.set_num_threads`` for this worker; ``None`` leaves it alone.
    cache_dir : str, path-like or None, default=None
        Folder shared by the cells of a run (``feature_models`` in the results
        folder): the quality report's feature ResNet of each fold is fitted by the
        first cell that needs it and loaded by the others, in any process.
    generator_dir : str, path-like or None, default=None
        Folder shared by the cells of a run (``generator_models`` in the results
        folder) where the fitted generator of a registered network method is pickled,
        so that the cells of a fold that train the same generator on the same rows
        (the ``@N`` and ``+curated`` variants of a method) fit it once. The output is
        the one ``fit_resample`` gives
        (:meth:`~skgenaug.base.BaseImageOverSampler.resample`).
    preview : bool or None, default=None
        Keep a few generated images for the sample grids; ``None``: for fold 0 of
        seed 0.

    Returns
    -------
    result : dict
        Scores (``auc``, ``acc``, ``balanced_acc`` on the test rows), sizes
        (``n_train``, ``n_generated``, ``n_val``, ``n_test``, ``heldout_ratio``),
        timings, the kept epoch, for sampler cells with the profile's ``quality``
        setting a ``quality`` dict (:func:`~skgenaug.metrics.quality_report` of the
        sampler, on the validation rows), and with ``preview`` a ``preview`` of
        generated images.

    Examples
    --------
    Train and score the first cell of the smoke profile (needs the BreastMNIST file):

    >>> from skgenaug.evaluation import get_profile, make_cells, run_cell
    >>> from skgenaug.medmnist import MedMNISTData
    >>> profile = get_profile("smoke")
    >>> cell = make_cells(profile, ["breastmnist"], ["cvae"], ["val"], [0])[0]
    >>> data = MedMNISTData("breastmnist", "../shared/medmnist", profile)
    >>> result = run_cell(cell, profile, data)  # doctest: +SKIP
    >>> sorted(k for k in ("auc", "acc") if k in result)  # doctest: +SKIP
    ['acc', 'auc']
    """
    spec = spec or MethodSpec(cell.method)
    preview = (cell.fold == 0 and cell.seed == 0) if preview is None else preview
    with _stored_only_if_whole():
        return _run_cell(cell, profile, data, spec, sampling_strategy, device, threads,
                         cache_dir, generator_dir, preview)


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


def _run_cell(cell, profile, data, spec, sampling_strategy, device, threads, cache_dir,
              generator_dir, preview):
    if threads:
        torch.set_num_threads(threads)
    start = time.perf_counter()
    split = data.split(cell.seed, cell.fold)
    X_train, y_train = split.X_train, split.y_train
    # Same seed for every method of a (seed, fold): differences come from the data.
    random_state = model_seed(cell.seed, cell.fold)

    strategy = sampling_strategy or default_sampling_strategy(profile)
    sampler = spec.build(profile, strategy, random_state, device)
    t0 = time.perf_counter()
    X_fit, y_fit, weights, sampler = _augment(
        cell, profile, data, spec, sampler, split, random_state, device, generator_dir)
    sampler_s = time.perf_counter() - t0

    if cell.selection == "val":
        X_sel, y_sel = split.X_val, split.y_val  # real images by construction
    else:  # 'test-best': the paper's optimistic rule, selecting on the test split
        X_sel, y_sel = split.X_test, split.y_test
    donor = donates_feature_resnet(cell, profile)
    params = dict(profile.classifier, selection="accuracy", device=device,
                  random_state=random_state)
    if donor:
        params["callbacks"] = [*(params.get("callbacks") or []),
                               ("last_weights", _LastEpochWeights())]
    clf = ResNetClassifier(**params)
    feature_key = (data.cache_key(), cell.seed, cell.fold, device, _profile_key(profile))
    # A donor holds the fold's lock while it trains: a sampler cell of the fold that
    # gets to its quality report meanwhile waits for these weights instead of training
    # the same network again (and runs see the same embedding however they are
    # scheduled).
    path = _feature_path(profile, feature_key, random_state, cache_dir)
    with _fold_lock(path) if donor else contextlib.nullcontext():
        t0 = time.perf_counter()
        clf.fit(X_fit, y_fit, X_val=X_sel, y_val=y_sel,
                **({} if weights is None else {"sample_weight": weights}))
        classifier_s = time.perf_counter() - t0
        if donor:
            _remember(feature_key, _load_or_store(path, lambda: _last_epoch_copy(clf)))

    # One probability column per class code of the data set, even for a class the
    # classifier never saw; the predicted class is the most probable column.
    scores = classification_scores(
        split.y_test, proba=clf.predict_proba(split.X_test), classes=clf.classes_,
        labels=np.arange(split.n_classes),
    )
    result = dict(
        auc=scores["auc"],
        acc=scores["accuracy"],
        balanced_acc=scores["balanced_accuracy"],
        best_epoch=clf.best_epoch_,
        n_train=int(len(y_train)),
        n_generated=int(len(y_fit) - len(y_train)),
        n_unlabelled=int(0 if split.X_unlabelled is None or not spec.variant.pool
                         else len(split.X_unlabelled)),
        synthetic_weight=None if weights is None else float(weights[-1]),
        n_val=int(len(split.y_val)),
        n_test=int(len(split.y_test)),
        heldout_ratio=float(split.heldout_ratio),
        sampler_s=sampler_s,
        classifier_s=classifier_s,
        wall_s=time.perf_counter() - start,
        threads=torch.get_num_threads(),
        device=device,
        pid=os.getpid(),
    )
    if sampler is not None and preview and len(y_fit) > len(y_train):
        result["preview"] = _preview(X_train, y_train, X_fit, y_fit)
    if (sampler is not None and profile.quality is not None
            and hasattr(sampler, "generate")):  # not the flat ROS / SMOTE baselines
        options = dict(profile.quality)
        options.pop("feature_estimator", None)
        feature = _feature_estimator(profile, X_train, y_train, random_state, device,
                                     feature_key, cache_dir)
        # Scored against the real validation rows, never the test rows.
        result["quality"] = quality_report(
            sampler, X_train, y_train, split.X_val, split.y_val,
            feature_estimator=feature, device=device, random_state=random_state,
            **options,
        )
    return result


def _augment(cell, profile, data, spec, sampler, split, random_state, device,
             generator_dir):
    """The cell's training rows after augmentation: ``(X_fit, y_fit, sample_weight or
    None, the fitted sampler or None)``, the labelled training rows first.

    The sampler trains on the training part only, with the unlabelled images for a
    ``+pool`` variant; a ``+curated`` variant curates its images with
    :class:`~skgenaug.CuratedSampler` (the profile's ``curation`` settings); a
    ``+weighted`` one weighs the generated rows ``min(1, n_real / n_generated)``.
    """
    X_train, y_train = split.X_train, split.y_train
    if sampler is None:
        return X_train, y_train, None, None
    variant = spec.variant
    X_in, y_in = X_train, y_train
    if variant.pool:
        if split.X_unlabelled is None or not len(split.X_unlabelled):
            raise ValueError(f"{cell.method}: +pool needs unlabelled images, and "
                             f"{cell.dataset} has none here.")
        marker = sampler.unlabelled_label
        X_in = np.concatenate([X_train, split.X_unlabelled])
        y_in = np.concatenate([y_train, np.full(len(split.X_unlabelled), marker,
                                                dtype=y_train.dtype)])
    path = _generator_path(cell, data, spec, sampler, device, generator_dir)
    fitted = None
    if path is not None:
        with _fold_lock(path):
            fitted = _load_or_store(path, lambda: clone(sampler).fit(X_in, y_in))
        # drawn with this cell's values of the parameters that only drawing uses
        own = sampler.get_params(deep=False)
        fitted.set_params(**{p: own[p] for p in ("sampling_strategy",
                                                  *_generation_params(sampler))})
    if variant.curated:
        curated = CuratedSampler(
            sampler if fitted is None else fitted, prefit=fitted is not None,
            sampling_strategy=sampler.sampling_strategy, random_state=random_state,
            **profile.curation)
        # '+curated' and '+curated+weighted' cells of a fold curate the same images
        curated_path = _curated_path(path, curated)
        with _fold_lock(curated_path):
            sampler, X_fit, y_fit = _load_or_store(
                curated_path, lambda: (curated, *curated.fit_resample(X_in, y_in)))
    elif fitted is not None:
        X_fit, y_fit = fitted.resample(X_train, y_train)  # seeded as fit_resample
        sampler = fitted
    else:
        X_fit, y_fit = sampler.fit_resample(X_in, y_in)  # training part only
    weights = None
    if variant.weighted:
        n_real, n_new = len(y_train), len(y_fit) - len(y_train)
        weight = min(1.0, n_real / n_new) if n_new else 1.0
        weights = np.concatenate([np.ones(n_real), np.full(n_new, weight)])
    return X_fit, y_fit, weights, sampler


def _generation_params(sampler):
    """Parameters a sampler (or sampler class) uses only when drawing (the sampling
    strategy aside)."""
    kind = sampler if isinstance(sampler, type) else type(sampler)
    return tuple(getattr(kind, "_generation_params", ()))


def _generator_path(cell, data, spec, sampler, device, generator_dir):
    """Where the cell's fitted generator is pickled, shared by the cells of its fold
    that train the same one; ``None`` where none is shared (no folder, a user's
    sampler, a sampler without a network)."""
    if (generator_dir is None or not spec.registered
            or not isinstance(sampler, BaseGenerativeSampler)):
        return None
    params = sampler.get_params(deep=False)
    for name in ("sampling_strategy", *_generation_params(sampler)):
        params.pop(name)
    key = (data.cache_key(), cell.seed, cell.fold, device, spec.variant.pool,
           type(sampler).__qualname__, json.dumps(params, sort_keys=True, default=repr))
    name = hashlib.sha256(repr(key).encode()).hexdigest()
    return Path(generator_dir) / f"{name[:24]}.pkl"


def _curated_path(generator_path, curated):
    """Where a curation of the generator pickled at ``generator_path`` is pickled with
    its output, shared by the cells of the fold that curate alike (the same settings,
    drawing parameters, sampling strategy and seed); ``None`` where the generator is
    not shared."""
    if generator_path is None:
        return None
    settings = curated.get_params(deep=False)
    generator = settings.pop("sampler")
    settings["drawing"] = {p: generator.get_params()[p]
                           for p in _generation_params(generator)}
    key = json.dumps(settings, sort_keys=True, default=repr)
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    # not '.pkl': the generator_models/*.pkl files are the fitted generators
    return generator_path.with_name(f"{generator_path.stem}-{digest}.curated")


#: Fitted feature ResNets of the last few folds, in this process.
_FEATURE_CACHE = collections.OrderedDict()
_FEATURE_CACHE_SIZE = 4


def _profile_key(profile):
    """What fixes a fold's training part and the feature ResNet (not the samplers, not
    the number of repeats)."""
    fields = ("folds", "scenario", "n_per_class", "validation_fraction", "classifier",
              "quality")
    settings = profile.to_dict()
    return json.dumps({k: settings[k] for k in fields}, sort_keys=True, default=str)


def _feature_params(profile):
    params = (profile.quality or {}).get("feature_estimator")
    return DEFAULT_FEATURE_ESTIMATOR if params is None else params


def donates_feature_resnet(cell, profile):
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
    profile : Profile
        The profile.

    Returns
    -------
    bool

    Examples
    --------
    >>> from skgenaug.evaluation import Cell, get_profile
    >>> from skgenaug.evaluation._cells import donates_feature_resnet
    >>> donates_feature_resnet(Cell("breastmnist", "none", 0, 0, "val", ""),
    ...                        get_profile("quick"))
    True
    >>> donates_feature_resnet(Cell("breastmnist", "none", 0, 0, "val", ""),
    ...                        get_profile("paper"))
    False
    """
    if cell.method != "none" or profile.quality is None:
        return False
    # Selection and hold-out differ by design (the cell validates on the held-out
    # fold, the feature ResNet on nothing); the rows trained on are the same.
    free = ("selection", "validation_fraction", "callbacks")
    cell_params = ResNetClassifier(**profile.classifier).get_params()
    feature_params = ResNetClassifier(**_feature_params(profile)).get_params()
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


def _feature_path(profile, key, random_state, cache_dir):
    """Where the fold's feature ResNet is pickled (``None`` without ``cache_dir``)."""
    if cache_dir is None:
        return None
    params = _feature_params(profile)
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
    """The object (an estimator, or a curation with its output) pickled at ``path``,
    else ``make()``'s, pickled there (call it under :func:`_fold_lock`)."""
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


def _feature_estimator(profile, X_train, y_train, random_state, device, key,
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
    params = _feature_params(profile)

    def fit():
        estimator = ResNetClassifier(**params, device=device, random_state=random_state)
        return estimator.fit(X_train, y_train)

    path = _feature_path(profile, key, random_state, cache_dir)
    with _fold_lock(path):
        return _remember(key, _load_or_store(path, fit))
