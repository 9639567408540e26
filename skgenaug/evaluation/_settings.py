"""The evaluation's settings, each checked once, when its object is made.

:class:`EvaluationSettings` says what is measured (methods, profile, folds, baseline,
...), :class:`Execution` how the cells run (device, workers, threads, what is said) and
:class:`Reporting` what the report adds to the cells (comparisons, records, title,
published values). The first two check their values against ``_parameter_constraints``
(scikit-learn's parameter validation) when made; the functions that receive them check
nothing again. What can only be checked against the data (a control among the methods,
a sampling strategy for these labels) is checked by
:func:`~skgenaug.evaluation._evaluate.prepare_evaluation`, before any cell runs.
"""

import os
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from numbers import Integral, Real
from typing import Any, ClassVar

import torch
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    InvalidParameterError,
    StrOptions,
    validate_parameter_constraints,
)

from .._classifier import ResNetClassifier
from ._config import EPOCH_RULES, Profile, get_profile
from ._report import METRICS
from ._stats import ALPHA

_POSITIVE_INT = Interval(Integral, 1, None, closed="left")


def _validate(settings, caller):
    """Check a settings dataclass against its ``_parameter_constraints``."""
    values = {f.name: getattr(settings, f.name) for f in fields(settings)}
    for name in settings._ints:
        # bool is an int to Python, and a slip (n_jobs=True) to a user.
        if isinstance(values[name], bool):
            raise InvalidParameterError(
                f"The {name!r} parameter of {caller} must be an int, not a bool; got "
                f"{values[name]!r}.")
    validate_parameter_constraints(settings._parameter_constraints, values, caller)


@dataclass(frozen=True)
class EvaluationSettings:
    """What an evaluation measures, checked when made.

    The parameters of :func:`~skgenaug.evaluate_augmentation` that are neither data nor
    how the cells run (:class:`Execution`); each is described in full there.

    Parameters
    ----------
    methods : str, sequence or dict, default=('none', 'geometric', 'cvae')
        Method names (``'none,cvae+pool+curated@450'``), sampler instances or
        ``{name: sampler}``.
    profile : str or Profile, default='quick'
        A profile name (:data:`PROFILES`) or a profile.
    classifier : ResNetClassifier, dict or None, default=None
        The classifier's settings; ``None``: the profile's.
    cv : int, cross-validation splitter, iterable or None, default=None
        Folds (an int of at least 2), a splitter or ``(train, held_out)`` pairs;
        ``None``: the profile's.
    n_repeats : int or None, default=None
        Repeats of the cross-validation (``cv`` an int only); ``None``: the profile's.
    baseline : str, default='none'
        The method every other one is compared with.
    controls : str, sequence of str or None, default=None
        Methods every image-making method is also compared with; ``None``: ROS.
    sampling_strategy : str, dict, callable or None, default=None
        The samplers' ``sampling_strategy`` (checked against the labels by
        :func:`~skgenaug.evaluation._evaluate.prepare_evaluation`).
    validation_fraction : float in (0, 1) or None, default=None
        Share of each training part held out for validation without a test set.
    quality : bool, default=True
        Whether to report the quality of each sampler's images.
    results_dir : str, path-like or None, default=None
        Folder of the stored cells and the report.
    name : str, default='data'
        Name of the data set in tables and file names.
    random_state : int, default=0
        Seed of the folds and of every fit (non-negative: runs are reproducible and
        resumable).
    primary_metric : {'auc', 'acc', 'balanced_acc'}, default='auc'
        The metric declared primary before any cell runs (written to ``config.json``).
    rope : float, default=0.01
        Half-width (> 0) of the region of practical equivalence.
    classifier_augment : {'standard', 'trivial', 'none'} or None, default=None
        On-the-fly augmentation of every cell's classifier, the baseline's included
        (``'none'``: none, and no ``'plain'`` control row); ``None``: the profile's.
    epoch_rule : {'accuracy', 'auc', 'last'} or None, default=None
        Which epoch each cell's classifier keeps (``Profile.epoch_rule``); ``None``:
        the profile's.

    See Also
    --------
    skgenaug.evaluate_augmentation : Makes these settings from its parameters.

    Examples
    --------
    >>> from skgenaug.evaluation import EvaluationSettings
    >>> settings = EvaluationSettings(methods="none,geometric", profile="smoke", cv=3)
    >>> settings.resolve_profile().folds
    3
    >>> try:
    ...     EvaluationSettings(cv=1)
    ... except ValueError as error:
    ...     print(error)
    The 'cv' parameter of evaluate_augmentation must be an int in the range [2, inf), \
an object implementing 'split' and 'get_n_splits', an iterable or None. Got 1 instead.
    """

    methods: Any = ("none", "geometric", "cvae")
    profile: Any = "quick"
    classifier: Any = None
    cv: Any = None
    n_repeats: Any = None
    baseline: str = "none"
    controls: Any = None
    sampling_strategy: Any = None
    validation_fraction: Any = None
    quality: bool = True
    results_dir: Any = None
    name: str = "data"
    random_state: int = 0
    primary_metric: str = "auc"
    rope: float = 0.01
    classifier_augment: Any = None
    epoch_rule: Any = None

    _parameter_constraints: ClassVar[dict] = {
        "methods": [str, "array-like", dict, HasMethods(["fit_resample", "get_params"])],
        "profile": [str, Profile],
        "classifier": [ResNetClassifier, dict, None],
        "cv": ["cv_object"],
        "n_repeats": [_POSITIVE_INT, None],
        "baseline": [str],
        "controls": [str, "array-like", None],
        # Checked against the labels by prepare_evaluation (imblearn's own check).
        "sampling_strategy": "no_validation",
        "validation_fraction": [Interval(Real, 0, 1, closed="neither"), None],
        "quality": ["boolean"],
        "results_dir": [str, os.PathLike, None],
        "name": [str],
        # An int, so that runs are reproducible and resumable.
        "random_state": [Interval(Integral, 0, None, closed="left")],
        "primary_metric": [StrOptions(set(METRICS))],
        "rope": [Interval(Real, 0, None, closed="neither")],
        "classifier_augment": [StrOptions({"standard", "trivial", "none"}), None],
        "epoch_rule": [StrOptions(set(EPOCH_RULES)), None],
    }
    _ints: ClassVar[tuple] = ("cv", "n_repeats", "random_state")

    def __post_init__(self):
        _validate(self, "evaluate_augmentation")
        if not self.name.strip():
            raise InvalidParameterError("The 'name' parameter of evaluate_augmentation "
                                        f"must be a non-empty string; got {self.name!r}.")
        if self.cv is not None and not isinstance(self.cv, Integral) and \
                self.n_repeats not in (None, 1):
            raise InvalidParameterError(
                "n_repeats applies to cv given as an int; with a splitter, repeat "
                "through it (e.g. RepeatedStratifiedKFold).")
        self.resolve_profile()  # an unknown profile or a bad classifier setting

    def resolve_profile(self):
        """The profile these settings name, with their classifier, folds, repeats,
        validation share and quality report.

        Returns
        -------
        profile : Profile
        """
        overrides = dict(validation_fraction=self.validation_fraction,
                         repeats=self.n_repeats, classifier=self._classifier_params(),
                         classifier_augment=self.classifier_augment,
                         epoch_rule=self.epoch_rule)
        if isinstance(self.cv, Integral):
            overrides["folds"] = int(self.cv)
        elif self.cv is not None:
            overrides["repeats"] = 1
        profile = get_profile(self.profile, **overrides)
        return profile if self.quality else replace(profile, quality=None)

    def _classifier_params(self):
        if self.classifier is None:
            return None
        params = self.classifier
        if isinstance(params, ResNetClassifier):
            params = params.get_params(deep=False)
        # Set per cell: the seed and device of the cell, selection on real images.
        params = {k: v for k, v in params.items()
                  if k not in ("random_state", "device", "selection")}
        try:
            # What fit would check, checked now: a bad value is an error here, not in
            # every worker.
            ResNetClassifier(**params)._validate_params()
        except TypeError as exc:
            raise InvalidParameterError(f"classifier: {exc}") from exc
        return params


def _silent(*args, **kwargs):
    pass


@dataclass(frozen=True)
class Execution:
    """How the cells of an evaluation run.

    Parameters
    ----------
    device : str, default='cpu'
        Torch device: ``'cpu'``, ``'cuda'``, ``'cuda:N'`` or ``'auto'``.
    n_jobs : int or None, default=None
        Cells run in parallel (:func:`~skgenaug.evaluation._run.plan_workers`);
        negative values count back from the usable CPUs, as in joblib.
    threads : int or None, default=None
        Torch threads per cell; ``None``: the CPUs shared out among the cells.
    backend : {'loky', 'threading', 'dask'}, default='loky'
        joblib backend.
    scheduler : str or None, default=None
        Address of an existing Dask scheduler (``backend='dask'``).
    client : dask.distributed.Client or None, default=None
        An existing Dask client (``backend='dask'``).
    verbose : int, default=0
        ``0``: no progress bar; ``1`` or more: a progress bar with ETA, and messages
        printed when ``log`` is None.
    log : callable or None, default=None
        Where messages go; ``None``: printed when ``verbose`` is positive, else
        dropped.

    Examples
    --------
    >>> from skgenaug.evaluation import Execution
    >>> execution = Execution(n_jobs=2, threads=1, verbose=1)
    >>> execution.progress
    True
    >>> Execution(n_jobs=0).n_jobs
    Traceback (most recent call last):
    ...
    sklearn.utils._param_validation.InvalidParameterError: The 'n_jobs' parameter of ...
    """

    device: Any = "cpu"
    n_jobs: Any = None
    threads: Any = None
    backend: str = "loky"
    scheduler: Any = None
    client: Any = None
    verbose: int = 0
    log: Callable | None = None

    _parameter_constraints: ClassVar[dict] = {
        "device": [str, torch.device],
        "n_jobs": [Interval(Integral, None, -1, closed="right"), _POSITIVE_INT, None],
        "threads": [_POSITIVE_INT, None],
        "backend": [StrOptions({"loky", "threading", "multiprocessing", "dask"})],
        "scheduler": [str, None],
        "client": "no_validation",
        "verbose": ["verbose"],
        "log": [callable, None],
    }
    _ints: ClassVar[tuple] = ("n_jobs", "threads")

    def __post_init__(self):
        _validate(self, "the evaluation")

    @property
    def progress(self):
        """Whether a progress bar is shown."""
        return self.verbose > 0

    @property
    def say(self):
        """The callable messages go to."""
        if self.log is not None:
            return self.log
        return print if self.verbose > 0 else _silent


@dataclass(frozen=True)
class Reporting:
    """What a report adds to its cells; made by the evaluation's callers (they check
    baseline and controls against the methods; the metric and ROPE are checked here).

    Parameters
    ----------
    baseline : str, default='none'
        The method the others are compared with.
    controls : tuple of str, default=('ros',)
        Methods every image-making method is also compared with, where they ran
        (:func:`~skgenaug.evaluation._report.compare_with_controls`).
    command : str or None, default=None
        The command line or call, for the records.
    header : callable or None, default=None
        ``header(run_info) -> list of lines``, the report's title and protocol
        (``None``: a user's images, :func:`~skgenaug.evaluation._report.user_header`).
    reference : ReferenceValues or None, default=None
        Published numbers the report shows beside the scores.
    run_info, config : dict
        Extra entries of the report's run information and of ``config.json``.
    primary_metric : str, default='auc'
        The metric declared primary (Holm's family, the report's verdict).
    rope : float, default=0.01
        Half-width of the region of practical equivalence.
    """

    baseline: str = "none"
    controls: tuple = ("ros",)
    command: str | None = None
    header: Callable | None = None
    reference: Any = None
    run_info: dict = field(default_factory=dict)
    config: dict = field(default_factory=dict)
    primary_metric: str = "auc"
    rope: float = 0.01

    _parameter_constraints: ClassVar[dict] = {
        **{name: "no_validation" for name in (
            "baseline", "controls", "command", "header", "reference", "run_info",
            "config")},
        "primary_metric": [StrOptions(set(METRICS))],
        "rope": [Interval(Real, 0, None, closed="neither")],
    }
    _ints: ClassVar[tuple] = ()

    def __post_init__(self):
        _validate(self, "the report")

    def declared(self):
        """What the run declares before any cell runs: its primary metric and family,
        the level, the region of practical equivalence, baseline and controls."""
        return dict(primary_metric=self.primary_metric, alpha=ALPHA, rope=self.rope,
                    baseline=self.baseline, controls=list(self.controls),
                    family=f"{self.primary_metric} of every (data set, method) vs "
                           f"{self.baseline}; Holm within each selection rule",
                    secondary="other metrics and the controls; Benjamini-Hochberg "
                              "within each metric and selection rule")
