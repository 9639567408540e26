"""What the cells of a run share: fitted generators, curations and the folds' feature
ResNets, pickled in the results folder under per-fold locks (:class:`ArtifactCache`)."""

import collections
import contextlib
import copy
import hashlib
import json
import os
import pickle
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

from skorch.callbacks import Callback

from .._classifier import ResNetClassifier
from .._generative import BaseGenerativeSampler
from .._methods import UNAUGMENTED
from ..metrics import DEFAULT_FEATURE_ESTIMATOR
from ._plan import _generation_params

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
    when the profile's classifier has the feature ResNet's settings (the smoke profile;
    the quick profile's classifier is larger since issue 25), the two trainings are the
    same epoch for epoch, selection on held-out rows aside (it only picks which epoch's
    weights to keep; the feature ResNet keeps the last). Then the ``'none'`` cell hands
    its last epoch's weights over as the fold's feature ResNet instead of the same
    training running again. They equal a separate fit's up to float rounding (the cell's
    evaluation passes between epochs moved weights by about 3e-8 in a test), not bit for
    bit.

    Parameters
    ----------
    cell : Cell
        A cell of the run.
    profile : Profile
        The run's profile.

    Returns
    -------
    donates : bool
        True when the cell is a ``'none'`` cell whose classifier's settings are the
        feature ResNet's.

    Examples
    --------
    >>> from skgenaug.evaluation import Cell, get_profile
    >>> from skgenaug.evaluation._cells import donates_feature_resnet
    >>> donates_feature_resnet(Cell("breastmnist", "none", 0, 0, "val", ""),
    ...                        get_profile("smoke"))
    True
    >>> donates_feature_resnet(Cell("breastmnist", "none", 0, 0, "val", ""),
    ...                        get_profile("paper"))
    False
    """
    # With on-the-fly augmentation, the unaugmented control trains as the feature
    # ResNet does; without it, the baseline.
    donor = "none" if profile.classifier_augment == "none" else UNAUGMENTED
    if cell.method != donor or profile.quality is None:
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


def _remember(key, estimator):
    _FEATURE_CACHE[key] = estimator
    _FEATURE_CACHE.move_to_end(key)
    while len(_FEATURE_CACHE) > _FEATURE_CACHE_SIZE:
        _FEATURE_CACHE.popitem(last=False)
    return estimator


class ArtifactCache:
    """What the cells of a run share, pickled in its results folder, with the locks
    that keep each file whole and each artifact fitted once.

    - a fold's fitted generator (``generator_dir``), shared by the cells that train
      the same one (the ``@N`` and ``+curated`` variants of a method, a diffusion
      model's drawing variations), and each curation of it with its output;
    - a fold's feature ResNet for the quality report (``feature_dir``), fitted once
      or handed over by the fold's ``'none'`` cell (:func:`donates_feature_resnet`);
      the last few are also kept in this process's memory.

    Any process of the run may fit an artifact; the others wait on the fold's lock
    and load it. Picklable (two paths), so it travels to every worker.

    Parameters
    ----------
    feature_dir : str, path-like or None, default=None
        Folder of the feature ResNets; ``None``: kept in memory only.
    generator_dir : str, path-like or None, default=None
        Folder of the generators and curations; ``None``: nothing shared.
    """

    def __init__(self, feature_dir=None, generator_dir=None):
        self.feature_dir = None if feature_dir is None else Path(feature_dir)
        self.generator_dir = None if generator_dir is None else Path(generator_dir)

    def __repr__(self):
        return (f"ArtifactCache(feature_dir={self.feature_dir}, "
                f"generator_dir={self.generator_dir})")

    # ------------------------------------------------------------ generators
    def generator_path(self, cell, data, spec, sampler, device):
        """Where the cell's fitted generator is pickled, shared by the cells of its
        fold that train the same one; ``None`` where none is shared (no folder, a
        user's sampler, a sampler without a network)."""
        if (self.generator_dir is None or not spec.registered
                or not isinstance(sampler, BaseGenerativeSampler)):
            return None
        params = sampler.get_params(deep=False)
        for name in ("sampling_strategy", *_generation_params(sampler)):
            params.pop(name)
        key = (data.cache_key(), cell.seed, cell.fold, device, spec.variant.pool,
               type(sampler).__qualname__,
               json.dumps(params, sort_keys=True, default=repr))
        name = hashlib.sha256(repr(key).encode()).hexdigest()
        return self.generator_dir / f"{name[:24]}.pkl"

    def generator(self, path, fit):
        """The generator pickled at ``path`` (:meth:`generator_path`), else
        ``fit()``'s, pickled there; one process fits, the others wait and load."""
        with _fold_lock(path):
            return _load_or_store(path, fit)

    def curation(self, generator_path, curated, fit_resample):
        """``(curated, X_res, y_res)``: the curation of the generator pickled at
        ``generator_path`` with its output, loaded, else ``fit_resample()``'s
        (``(X_res, y_res)``), pickled; shared by the cells of the fold that curate
        alike. Without a shared generator it is just computed."""
        path = _curated_path(generator_path, curated)
        with _fold_lock(path):
            return _load_or_store(path, lambda: (curated, *fit_resample()))

    # ------------------------------------------------------- feature ResNets
    def _feature_path(self, profile, key, random_state):
        """Where the fold's feature ResNet is pickled (``None`` without a folder)."""
        if self.feature_dir is None:
            return None
        params = _feature_params(profile)
        name = hashlib.sha256(repr((key, params, random_state)).encode()).hexdigest()
        return self.feature_dir / f"{name[:24]}.pkl"

    def feature_resnet(self, profile, X_train, y_train, random_state, device, key):
        """The fold's feature ResNet for the quality report, fitted once per fold.

        It depends on the fold's real training part only, so every method of a fold
        shares it (and its embedding: Fréchet distances of a fold's methods are
        comparable); refitting it per cell would give the same weights at the same
        cost again. A second worker that needs the same fold waits for the first
        one's fit (or for the fold's ``'none'`` cell, :meth:`donation`) instead of
        repeating it.
        """
        if key in _FEATURE_CACHE:
            return _remember(key, _FEATURE_CACHE[key])
        params = _feature_params(profile)

        def fit():
            estimator = ResNetClassifier(**params, device=device,
                                         random_state=random_state)
            return estimator.fit(X_train, y_train)

        path = self._feature_path(profile, key, random_state)
        with _fold_lock(path):
            return _remember(key, _load_or_store(path, fit))

    @contextlib.contextmanager
    def donation(self, profile, key, random_state, clf):
        """While the fold's ``'none'`` cell trains ``clf`` (with the
        ``last_weights`` callback), hold the fold's lock; then keep its last epoch's
        weights as the fold's feature ResNet. A sampler cell of the fold that gets
        to its quality report meanwhile waits for these weights instead of training
        the same network again (and runs see the same embedding however they are
        scheduled)."""
        path = self._feature_path(profile, key, random_state)
        with _fold_lock(path):
            yield
            _remember(key, _load_or_store(path, lambda: _last_epoch_copy(clf)))
