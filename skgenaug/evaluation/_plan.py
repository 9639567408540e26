"""Planning a run: its cells, their methods, and what each is expected to cost (the
costliest run first)."""

import json
from dataclasses import asdict, dataclass

from imblearn.utils import check_sampling_strategy
from sklearn.base import clone

from .._generative import BaseGenerativeSampler
from .._methods import METHODS, UNAUGMENTED, Variant, parse_variant
from ..base import AddPerClass
from ._config import config_hash
from ._scenarios import SCENARIOS

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
            params = profile.sampler_params(method.name) or {}
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
                described["params"] = profile.sampler_params(variant.base)
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


def with_unaugmented_control(profile, methods, baseline="none"):
    """The run's methods with the control of an augmented baseline: ``'plain'`` (no
    augmentation at all) right after ``baseline`` when the profile's classifier
    augments on the fly and the run does not have it yet.

    Parameters
    ----------
    profile : Profile
        Its ``classifier_augment`` decides.
    methods : sequence of str
        The run's method names.
    baseline : str, default='none'
        The method the control follows.

    Returns
    -------
    methods : list of str
    """
    methods = list(methods)
    if profile.classifier_augment == "none" or UNAUGMENTED in methods:
        return methods
    at = methods.index(baseline) + 1 if baseline in methods else 0
    return [*methods[:at], UNAUGMENTED, *methods[at:]]


def cell_hashes(profile, specs, selections, **describe):
    """The configuration hash of each (method, selection) of a run.

    Parameters
    ----------
    profile : Profile
        The profile.
    specs : mapping of str to MethodSpec
        The run's methods.
    selections : sequence of str
        The run's selection rules.
    **describe
        ``data`` and ``extra`` of :func:`~skgenaug.evaluation._config.cell_settings`.

    Returns
    -------
    hashes : dict
        ``{(method, selection): config hash}``.
    """
    return {(m, sel): config_hash(profile, m, selection=sel,
                                  sampler=spec.hashed(profile), **describe)
            for m, spec in specs.items() for sel in selections}


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
        ``{(method, selection): config hash}`` (:func:`cell_hashes`); ``None`` hashes
        the profile's settings for the MedMNIST table.

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
    hashes = hashes or cell_hashes(profile, {m: MethodSpec(m) for m in methods},
                                   selections)
    folds = profile.folds if folds is None else folds
    return [
        Cell(d, m, f, s, sel, hashes[m, sel])
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


def _generation_params(sampler):
    """Parameters a sampler (or sampler class) uses only when drawing (the sampling
    strategy aside)."""
    kind = sampler if isinstance(sampler, type) else type(sampler)
    return tuple(getattr(kind, "_generation_params", ()))


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
    params = {k: v for k, v in profile.sampler_params(spec.method.name).items()
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


@dataclass(frozen=True)
class Plan:
    """What a run's cells need besides their identity (sent to every worker).

    Parameters
    ----------
    profile : Profile
        The profile.
    data : dict
        ``{data set name: a data source, :mod:`skgenaug.evaluation._data`}``.
    specs : dict
        ``{method name: MethodSpec}``, in table order.
    sampling_strategy : object or None, default=None
        The samplers' strategy; ``None``: the scenario's.
    first_seed : int, default=0
        Seed of the first repeat (its fold 0 keeps sample previews).
    """

    profile: object
    data: dict
    specs: dict
    sampling_strategy: object = None
    first_seed: int = 0
