"""Does augmentation help my classifier, and which kind? The public workflow."""

import numbers
from dataclasses import replace
from pathlib import Path

import numpy as np
from imblearn.utils import check_sampling_strategy
from sklearn.model_selection import StratifiedKFold

from .._images import check_image_stack
from .._methods import METHODS
from .._validation import check_two_classes
from ..base import AddPerClass
from ._config import check_controls, parse_methods
from ._data import ArrayData
from ._plan import (
    MethodSpec,
    Plan,
    cell_hashes,
    default_sampling_strategy,
    make_cells,
    with_unaugmented_control,
)
from ._run import run_cells
from ._scenarios import SCENARIOS
from ._settings import EvaluationSettings, Execution, Reporting
from ._synthetic_method import (
    _PoolSampler,
    check_synthetic,
    check_synthetic_counts,
    split_count,
)

#: Methods run when none are given: no augmentation, the classic baseline and a
#: generator.
DEFAULT_METHODS = ("none", "geometric", "cvae")


def evaluate_augmentation(X, y, methods=DEFAULT_METHODS, *, X_test=None, y_test=None,
                          X_unlabelled=None, synthetic=None, profile="quick",
                          classifier=None, cv=None,
                          n_repeats=None, baseline="none", controls=None,
                          sampling_strategy=None,
                          validation_fraction=None, quality=True, results_dir=None,
                          name="data", n_jobs=None, backend="loky", threads=None,
                          device="cpu", random_state=0, primary_metric="auc",
                          rope=0.01, classifier_augment=None, epoch_rule=None,
                          verbose=0):
    """Does augmentation help a classifier of these images, and which kind?

    Cross-validates a :class:`~skgenaug.ResNetClassifier` (augmented on the fly per
    ``classifier_augment``, the baseline included) trained without generated images and
    with each augmentation method, on the same folds, with the same model seeds and the
    same optimizer steps, and compares every method with a baseline by paired
    differences, adjusted for multiplicity on a pre-declared primary metric (Nadeau-Bengio
    corrected intervals). In each fold the sampler is fitted on the training part only,
    and the classifier keeps the epoch ``epoch_rule`` says, chosen on real validation
    images or the last one, never on the test images:

    - **without a test set** (``X_test=None``) each held-out fold is the test set, and
      the validation images are a stratified ``validation_fraction`` of the training
      part, which the sampler does not see (never the test fold);
    - **with a test set** the held-out fold validates and the test set scores every
      cell, as the MedMNIST table does (its seed-0 cells are reproduced exactly by
      passing the pooled paper subset with ``cv=5, random_state=0``).

    Each cell is a (method, repeat, fold); with ``results_dir`` every finished cell is
    stored there at once, so an interrupted run resumes where it stopped, and the report
    (:meth:`AugmentationEvaluation.save`) is written there. Cells run in parallel (one
    per CPU by default), costliest first; the folds' feature ResNets of the image
    quality reports are fitted once and shared.

    Parameters
    ----------
    X : array-like of shape (n_samples, H, W) or (n_samples, H, W, C)
        Labelled images, gray, RGB or RGBA; ``uint8`` (pixels 0-255) as
        :func:`~skgenaug.datasets.load_images` returns them, integer arrays within
        0-255 (converted to ``uint8``), or floats in [0, 1].
    y : array-like of shape (n_samples,)
        Labels (integers or strings), at least 2 classes, each with at least as many
        images as folds.
    methods : str, sequence or dict, default=('none', 'geometric', 'cvae')
        Method names of the registry (a comma list such as ``'none,geometric,cvae'``,
        case-insensitive, or ``'all'``): ``none``, ``ae``, ``cvae``, ``cgan``,
        ``ae-conv``, ``cvae-conv``, ``cgan-conv``, ``wgan-gp``, ``acgan``,
        ``geometric``, ``ros``, ``smote``, ``diffusion``, ``diffusion-variation``
        (their parameters come from ``profile``), each optionally with modifiers:
        ``+pool`` (the generator also trains on ``X_unlabelled``), ``+curated``
        (:class:`~skgenaug.CuratedSampler` filters its images, with the profile's
        ``curation`` settings), ``+weighted`` (generated rows weigh
        ``min(1, n_real / n_generated)`` in the classifier's loss) and ``@N`` (``N``
        images per class), e.g. ``'diffusion+pool+curated@450'``;
        sampler instances (named by their class); or a dict ``{name: sampler}``
        (``None`` for no augmentation, under the name ``'none'``). A sampler instance
        is cloned per cell, with the cell's ``random_state``; its other parameters,
        ``sampling_strategy`` included, are used as given.
    X_test, y_test : array-like or None, default=None
        A separate test set with the classes of ``y``; see above.
    X_unlabelled : array-like or None, default=None
        Images without labels, like ``X``: every training part's ``+pool`` methods
        train their generator on them too (without a class; see
        :doc:`the user guide </user_guide/unlabelled>`). They are never validated or
        tested on, and the classifier never sees them.
    synthetic : dict or None, default=None
        Images made elsewhere (by a generator outside this library), ``{name: (X_syn,
        y_syn)}``: each set is a method of its own, ``name``, that fits no generator
        but draws its images from the set: per cell, as many per class as the other
        methods add (``sampling_strategy``, else the profile's ``AddPerClass(n)``;
        ``N`` for a set named ``'name@N'``),
        without replacement, seeded by the cell's seed, so each fold draws other
        images and a run is reproducible. It is compared with the baseline and the
        controls (ROS, where it runs) like any method. ``X_syn`` must be images like
        ``X`` (same size, channels and kind), ``y_syn`` must name exactly the classes
        of ``y``, and every class must hold as many images as a fold draws (checked
        before anything runs). The tool cannot know what made these images: if their
        generator saw the images tested on here, they leak them (the report says so).
    profile : {'quick', 'paper', 'smoke'} or Profile, default='quick'
        Classifier, generator and quality settings, folds and repeats
        (:func:`~skgenaug.evaluation.get_profile`): ``'quick'`` is sized for a CPU,
        ``'paper'`` is the reference paper's (for a GPU), ``'smoke'`` only checks the
        machinery.
    classifier : ResNetClassifier, dict or None, default=None
        The classifier's settings: a :class:`~skgenaug.ResNetClassifier` (its
        parameters are used; ``random_state`` and ``device`` are set per cell and
        ``selection`` is ``'accuracy'``) or a dict of its parameters. ``None``: the
        profile's.
    cv : int, cross-validation splitter, iterable or None, default=None
        An int: stratified folds, shuffled with the repeat's seed. A scikit-learn
        splitter (``StratifiedKFold(...)``, ``RepeatedStratifiedKFold(...)``, ...) or
        an iterable of ``(train, held_out)`` index arrays: those splits, the same for
        every method; it must give the same splits on every call. ``None``: the
        profile's folds.
    n_repeats : int or None, default=None
        Repeats of the cross-validation (repeated stratified k-fold), repeat ``r``
        with seed ``random_state + r`` (``cv`` an int only): new folds and new
        classifier and sampler seeds (distinct from each other), so that the
        intervals include the variance of the seeds. Each repeat costs as much as the
        first. ``None``: the profile's (1 for ``'quick'`` and ``'smoke'``, 3 for
        ``'paper'``).
    baseline : str, default='none'
        The method every other one is compared with; ``'none'`` is added to the methods
        when missing.
    controls : sequence of str or None, default=None
        Methods every image-making method is also compared with (a method adding
        ``N`` per class with the control's ``@N`` variant, where that ran), e.g.
        ``['geometric']``: a generator that does not beat the geometric transforms
        has not shown it adds more than they do. They must be among the methods.
        ``None``: ROS where it runs (it adds copies: as many images, no information).
    sampling_strategy : str, dict, callable or None, default=None
        ``sampling_strategy`` of the registered samplers: ``AddPerClass(n)``,
        ``'auto'`` (every class topped up to the largest) or any imbalanced-learn
        over-sampling strategy. ``None``: the profile's (``AddPerClass(150)`` for the
        named profiles).
    validation_fraction : float or None, default=None
        Without a test set: share (per class) of each training part held out as real
        validation images. ``None``: the profile's (0.2).
    quality : bool, default=True
        Report the quality of each sampler's images on the fold's real validation
        images (:func:`~skgenaug.metrics.quality_report`, with the profile's options;
        it needs more than 5 validation images per fold). ``False`` leaves it out.
    results_dir : str, path-like or None, default=None
        Folder of the stored cells (``cells.sqlite``), the shared feature ResNets and
        the report; a second call with the same folder reuses every stored cell whose
        data and settings are unchanged (a fingerprint of the images is part of each
        cell's key). ``None``: nothing is kept.
    name : str, default='data'
        Name of the data set in tables and file names.
    n_jobs : int or None, default=None
        Cells run in parallel; ``None``: one per CPU this process may use (one on a
        GPU); negative values count back from the CPUs, as in joblib.
    backend : {'loky', 'threading', 'dask'}, default='loky'
        joblib backend.
    threads : int or None, default=None
        Torch threads per cell; ``None``: the CPUs shared out among the cells.
    device : str, default='cpu'
        Torch device: ``'cpu'``, ``'cuda'``, ``'cuda:N'`` or ``'auto'``.
    random_state : int, default=0
        Seed of the folds and of every fit (cell seed ``1000 * seed + fold``). An int,
        so that runs are reproducible and resumable.
    primary_metric : {'auc', 'acc', 'balanced_acc'}, default='auc'
        The primary endpoint, declared before any cell runs (``config.json`` records
        it first): its comparisons of every method with ``baseline`` form the family
        that Holm's correction covers, and the report opens with the verdict on it.
        Other metrics and the controls are secondary (Benjamini-Hochberg within each
        metric) and exploratory.
    rope : float, default=0.01
        Half-width of the region of practical equivalence on every metric: the report
        calls a method "practically equivalent" to the baseline where the Bayesian
        correlated t-test gives ``P(|difference| < rope) >= 0.95``.
    classifier_augment : {'standard', 'trivial', 'none'} or None, default=None
        On-the-fly augmentation of every cell's classifier, the baseline's included
        (``ResNetClassifier(augment=...)``, flips as the classifier's ``flips``), so
        that every method is compared on top of the augmentation practitioners use;
        the method ``'plain'`` (no augmentation at all, on the fly included) is then
        added as a control row outside the primary family. ``'none'``: no on-the-fly
        augmentation. ``None``: the profile's (``'standard'`` for ``'quick'``; ``'none'``
        for ``'paper'``, whose classifier had none, and ``'smoke'``).
    epoch_rule : {'accuracy', 'auc', 'last'} or None, default=None
        Which epoch's weights every cell's classifier keeps: the epoch of best accuracy
        or best AUC on the validation images, or the last epoch (the validation images
        then stay out of training, so that every rule trains on the same images, but
        choose nothing). ``None``: the profile's (``'last'`` for ``'quick'``, chosen by
        nested validation; ``'accuracy'`` for ``'paper'`` and ``'smoke'``).
    verbose : int, default=0
        ``0``: silent; ``1`` or more: what runs, and a progress bar.

    Returns
    -------
    evaluation : AugmentationEvaluation
        ``cells``, ``summary``, ``comparisons`` (against ``baseline``, and against ROS
        where it ran), ``quality``, ``to_markdown()``, ``plot()``, ``save(folder)``.

    Raises
    ------
    ValueError
        For bad input, before anything runs or is written: images of the wrong shape,
        dtype or with NaN, mismatched lengths, a single class, a class with fewer
        images than folds, a test set with other classes or another image shape, a
        synthetic set with other classes, another image shape or fewer images of a
        class than a fold draws, or named like a method, an unknown method name (the
        message lists the known ones), a baseline that is not among the methods, an
        unusable ``cv``, ``classifier`` or ``sampling_strategy``.

    See Also
    --------
    skgenaug.datasets.load_images : Read a folder of class subfolders or an npz file.

    Examples
    --------
    >>> from skgenaug import evaluate_augmentation
    >>> from skgenaug.datasets import make_image_classification
    >>> X, y = make_image_classification(60, image_size=12, random_state=0)
    >>> result = evaluate_augmentation(X, y, "none,geometric", profile="smoke",
    ...                                n_jobs=1)
    >>> result.summary[["method", "n"]].values.tolist()
    [['none', 2], ['geometric', 2]]
    >>> result.comparisons[["method", "reference", "metric"]].iloc[0].tolist()
    ['geometric', 'none', 'auc']
    """
    settings = EvaluationSettings(
        methods=methods, profile=profile, classifier=classifier, cv=cv,
        n_repeats=n_repeats, baseline=baseline, controls=controls,
        sampling_strategy=sampling_strategy, validation_fraction=validation_fraction,
        quality=quality, results_dir=results_dir, name=name, random_state=random_state,
        primary_metric=primary_metric, rope=rope, classifier_augment=classifier_augment,
        epoch_rule=epoch_rule)
    execution = Execution(device=device, n_jobs=n_jobs, threads=threads, backend=backend,
                          verbose=verbose)
    prepared = prepare_evaluation(X, y, settings, X_test=X_test, y_test=y_test,
                                  X_unlabelled=X_unlabelled, synthetic=synthetic)
    return prepared.run(execution)


class PreparedEvaluation:
    """A checked evaluation, ready to run: the input is validated, nothing is written.

    Made by :func:`prepare_evaluation`. The command line reports bad input before the
    run starts (and before the results folder exists), then calls :meth:`run`.

    Attributes
    ----------
    plan : Plan
        Profile, data and methods.
    cells : list of Cell
        Every cell of the run.
    results_dir : path-like or None
        Where cells and report go.
    reporting : Reporting
        Baseline, controls and run information of the report.
    """

    def __init__(self, plan, cells, results_dir, reporting):
        self.plan, self.cells = plan, cells
        self.results_dir, self.reporting = results_dir, reporting

    def run(self, execution=None, *, command=None, source=None):
        """Run (or resume) the cells (see :func:`evaluate_augmentation`).

        Parameters
        ----------
        execution : Execution or None, default=None
            How the cells run; ``None``: ``Execution()``.
        command : str or None, default=None
            The command line, recorded in the report.
        source : str or None, default=None
            Where the data came from, recorded in the report.

        Returns
        -------
        evaluation : AugmentationEvaluation
        """
        info = self.reporting.run_info
        reporting = replace(
            self.reporting, command=command or "evaluate_augmentation(...)",
            run_info=dict(info, data=dict(info["data"], source=source)),
            config=dict(self.reporting.config, source=source))
        return run_cells(self.plan, self.cells, self.results_dir, execution, reporting)


def prepare_evaluation(X, y, settings=None, *, X_test=None, y_test=None,
                       X_unlabelled=None, synthetic=None):
    """Check the input of :func:`evaluate_augmentation` and plan its cells; raises its
    errors; writes nothing.

    Parameters
    ----------
    X, y, X_test, y_test, X_unlabelled, synthetic
        The data, as :func:`evaluate_augmentation` takes it.
    settings : EvaluationSettings or None, default=None
        What to measure (checked when made); ``None``: ``EvaluationSettings()``.

    Returns
    -------
    prepared : PreparedEvaluation
    """
    settings = EvaluationSettings() if settings is None else settings
    X, y, classes = _check_images_and_labels(X, y)
    if (X_test is None) != (y_test is None):
        raise ValueError("Pass both X_test and y_test, or neither.")
    if X_test is not None:
        X_test, y_test = _check_test_set(X, classes, X_test, y_test)
    if X_unlabelled is not None:
        X_unlabelled = _images_like(X, X_unlabelled, "X_unlabelled")
    baseline, name, cv = settings.baseline, settings.name, settings.cv
    specs = _resolve_methods(settings.methods, baseline)
    sets = {} if synthetic is None else check_synthetic(
        synthetic, classes, specs, X.shape[1:],
        lambda images, label: _images_like(X, images, label), _as_labels)
    pooled = [m for m, spec in specs.items() if spec.variant.pool]
    if pooled and X_unlabelled is None:
        raise ValueError(f"{', '.join(pooled)} train on unlabelled images: pass them as "
                         "X_unlabelled.")
    profile = settings.resolve_profile()
    specs = {m: specs.get(m) or MethodSpec(m)
             for m in with_unaugmented_control(profile, specs, baseline)}
    results_dir = settings.results_dir
    if results_dir is not None and Path(results_dir).exists() and not Path(
            results_dir).is_dir():
        raise ValueError(f"results_dir {results_dir} exists and is not a folder.")
    strategy = _check_sampling_strategy(settings.sampling_strategy, y)
    drawn = strategy if strategy is not None else default_sampling_strategy(profile)
    drawn = {m: drawn if split_count(m)[1] is None else AddPerClass(split_count(m)[1])
             for m in sets}  # a set named 'name@N' draws N per class
    specs.update({m: MethodSpec(m, _PoolSampler(images, sampling_strategy=drawn[m]))
                  for m, images in sets.items()})
    controls = check_controls(settings.controls, list(specs), baseline)
    cv = profile.folds if cv is None else cv
    seeds = [settings.random_state + r for r in range(profile.repeats)]
    _check_class_counts(y, classes, cv)
    pools, folds = _folds(y, cv, seeds, profile.scenario)
    n_folds = len(folds[seeds[0]])
    if not _is_int(cv):  # the profile records the folds that run
        profile = replace(profile, folds=n_folds)
    data = ArrayData(name, X, y, X_test, y_test, folds, pools, [str(c) for c in classes],
                     cv, profile.validation_fraction, profile.scenario, X_unlabelled)
    check_synthetic_counts(sets, data, drawn)
    _check_quality_sizes(profile, specs, data, seeds)
    extra = {} if strategy is None else {"sampling_strategy": _describe(strategy)}
    hashes = cell_hashes(profile, specs, ["val"], data=data.hashed(), extra=extra)
    cells = make_cells(profile, [name], list(specs), ["val"], seeds, folds=n_folds,
                       hashes=hashes)
    plan = Plan(profile=profile, data={name: data}, specs=specs,
                sampling_strategy=strategy, first_seed=seeds[0])
    counts = {str(c): int(n) for c, n in zip(classes, np.bincount(y))}
    run_info = dict(
        cv=(f"{n_folds} stratified folds" if _is_int(cv)
            else f"the {n_folds} splits of `{_describe(cv)}`"),
        sampling_strategy=None if strategy is None
        else f"uses sampling_strategy={_describe(strategy)}",
        data=dict(name=name, n_images=len(y), image_shape=list(X.shape[1:]),
                  class_counts=counts, test_set=X_test is not None,
                  n_test=None if X_test is None else len(X_test),
                  n_unlabelled=None if X_unlabelled is None else len(X_unlabelled),
                  validation_fraction=profile.validation_fraction,
                  **({} if not sets else {"synthetic": {
                      m: dict(n_images=len(images.y), fingerprint=images.fingerprint)
                      for m, images in sets.items()}})),
    )
    config = dict(data=dict(run_info["data"], **data.protocol()),
                  sampling_strategy=extra.get("sampling_strategy"),
                  methods_described={m: spec.hashed() for m, spec in specs.items()
                                     if not spec.registered})
    reporting = Reporting(baseline=baseline, controls=controls, run_info=run_info,
                          config=config, primary_metric=settings.primary_metric,
                          rope=settings.rope)
    return PreparedEvaluation(plan, cells, results_dir, reporting)


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _as_images(X, name):
    """``uint8`` or float images ``(n, H, W)`` / ``(n, H, W, C)``, or a clear error."""
    X = check_image_stack(X, name)
    if X.dtype.kind in "iu":
        X = X.astype(np.uint8, copy=False)  # lossless: pixels are 0-255
    return X


def _as_labels(y, n, name, images_name):
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.ravel()
    if y.ndim != 1:
        raise ValueError(f"{name} must hold one label per image (shape (n,)); got shape "
                         f"{y.shape}.")
    if len(y) != n:
        raise ValueError(f"{name} has {len(y)} labels for {n} images in {images_name}.")
    if y.dtype.kind == "f" and not np.all(np.isfinite(y)):
        raise ValueError(f"{name} contains NaN labels.")
    if y.dtype == object:
        y = y.astype(str)
    return y


def _check_images_and_labels(X, y):
    X = _as_images(X, "X")
    y = _as_labels(y, len(X), "y", "X")
    classes = np.unique(y)
    check_two_classes(classes, "evaluate_augmentation")
    return X, np.searchsorted(classes, y).astype(np.int64), classes


def _images_like(X, images, name):
    """``images`` checked as images of X's shape and kind (uint8 or float)."""
    images = _as_images(images, name)
    if images.shape[1:] != X.shape[1:]:
        raise ValueError(f"{name} holds images of shape {images.shape[1:]}, X of shape "
                         f"{X.shape[1:]}: they must be like the training images.")
    if (images.dtype == np.uint8) != (X.dtype == np.uint8):
        raise ValueError(f"{name} has dtype {images.dtype} and X {X.dtype}: the "
                         "networks scale images by their dtype, so use one for both.")
    return images


def _check_test_set(X, classes, X_test, y_test):
    X_test = _images_like(X, X_test, "X_test")
    y_test = _as_labels(y_test, len(X_test), "y_test", "X_test")
    test_classes = np.unique(y_test)
    only_train = sorted(set(classes.tolist()) - set(test_classes.tolist()))
    only_test = sorted(set(test_classes.tolist()) - set(classes.tolist()))
    if only_train or only_test:
        raise ValueError(
            "The test set's classes differ from the training set's: "
            + "; ".join(part for part in (
                f"only in the training set: {only_train}" if only_train else "",
                f"only in the test set: {only_test}" if only_test else "") if part)
            + ". Every class must be in both (same names for image folders)."
        )
    return X_test, np.searchsorted(classes, y_test).astype(np.int64)


def _resolve_methods(methods, baseline):
    """``{name: MethodSpec}`` from names, sampler instances or a dict of them."""
    if isinstance(methods, str):
        names = parse_methods(methods)
        specs = {m: MethodSpec(m) for m in names}
    else:
        items = (list(methods.items()) if isinstance(methods, dict)
                 else [(None, m) for m in ([methods] if hasattr(methods, "fit_resample")
                                           else list(methods))])
        specs = {}
        for key, method in items:
            if isinstance(method, str) and key is None:
                for name in parse_methods(method):  # 'all' gives several
                    if name in specs:
                        raise ValueError(f"Method {name!r} is given twice.")
                    specs[name] = MethodSpec(name)
                continue
            if isinstance(method, str):
                raise ValueError(f"methods[{key!r}] is the string {method!r}; a dict "
                                 "maps names to sampler instances.")
            if method is None:
                if key != "none":
                    raise ValueError(f"methods[{key!r}] is None; None (no augmentation) "
                                     "goes under the name 'none'.")
                name, spec = "none", MethodSpec("none")
            elif hasattr(method, "fit_resample") and hasattr(method, "get_params"):
                name = str(key) if key is not None else _instance_name(method, specs)
                spec = MethodSpec(name, method)
            else:
                raise ValueError(
                    f"{method!r} is neither a method name nor a sampler (an estimator "
                    f"with fit_resample). Known names: {', '.join(METHODS)}."
                )
            if name in specs:
                raise ValueError(f"Method {name!r} is given twice.")
            specs[name] = spec
    if not specs:
        raise ValueError(f"No method given; choose among {', '.join(METHODS)}.")
    if baseline not in specs:
        if baseline != "none":
            raise ValueError(f"baseline={baseline!r} is not among the methods "
                             f"{list(specs)}.")
        specs = {"none": MethodSpec("none"), **specs}
    return specs


def _instance_name(sampler, taken):
    base = type(sampler).__name__.lower()
    name, i = base, 2
    while name in taken:
        name, i = f"{base}-{i}", i + 1
    return name


def _check_sampling_strategy(strategy, y):
    if strategy is None:
        return None
    try:
        check_sampling_strategy(strategy, y, "over-sampling")
    except (ValueError, TypeError) as exc:
        raise ValueError(f"sampling_strategy={strategy!r} is not usable here: {exc}") \
            from exc
    return strategy


def _describe(value):
    """A stable description (hashes, reports) of a strategy or splitter."""
    if isinstance(value, (str, numbers.Number, dict, AddPerClass)):
        return value if not isinstance(value, AddPerClass) else repr(value)
    if callable(value) and hasattr(value, "__qualname__"):
        return f"{value.__module__}.{value.__qualname__}"
    return repr(value)


def _split_list(cv, y_pool):
    if _is_int(cv):
        return None
    if hasattr(cv, "split"):
        return [tuple(map(np.asarray, s)) for s in cv.split(np.zeros((len(y_pool), 1)),
                                                             y_pool)]
    return [tuple(map(np.asarray, s)) for s in cv]


def _folds(y, cv, seeds, scenario):
    """``({seed: pool rows or None}, {seed: [(train, held_out), ...]})``, computed once
    here so that every method and every worker sees the same folds."""
    if not (_is_int(cv) or hasattr(cv, "split") or hasattr(cv, "__iter__")):
        raise ValueError(f"cv must be an int, a splitter or an iterable of (train, test) "
                         f"index pairs; got {cv!r}.")
    if _is_int(cv) and cv < 2:
        raise ValueError(f"cv must be at least 2 folds; got {cv}.")
    pools, folds = {}, {}
    given = None if _is_int(cv) or hasattr(cv, "split") else _split_list(cv, y)
    if given is not None and SCENARIOS[scenario].long_tail:
        raise ValueError("Splits given as index pairs index the whole data set; the "
                         "long-tail scenario thins it first: pass cv as an int or a "
                         "splitter.")
    for seed in seeds:
        rows = SCENARIOS[scenario].prepare_pool(y, seed)
        pools[seed] = rows
        y_pool = y if rows is None else y[rows]
        try:
            if _is_int(cv):
                splitter = StratifiedKFold(int(cv), shuffle=True, random_state=seed)
                splits = list(splitter.split(np.zeros((len(y_pool), 1)), y_pool))
            elif given is not None:
                splits = given
            else:
                splits = _split_list(cv, y_pool)
                if any(not (np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1]))
                       for a, b in zip(splits, _split_list(cv, y_pool))):
                    raise ValueError(
                        f"cv={cv!r} gives different splits on each call (shuffling "
                        "without a fixed random_state?): methods would not share folds "
                        "and a run could not resume. Fix its random_state."
                    )
        except ValueError as exc:
            if "cv=" in str(exc):
                raise
            raise ValueError(f"cv cannot split these labels: {exc}") from exc
        for train, held in splits:
            if len(train) == 0 or len(held) == 0 or max(train.max(), held.max()) >= len(
                    y_pool):
                raise ValueError("cv gave an empty part or an index beyond the images.")
        folds[seed] = splits
    return pools, folds


def _check_quality_sizes(profile, specs, data, seeds):
    """The quality report compares generated images with a fold's real validation
    images by k nearest neighbours: each fold needs more than k of them."""
    if profile.quality is None:
        return
    makers = [m for m, spec in specs.items()  # the samplers that get a report
              if hasattr(spec.sampler if not spec.registered else spec.method.sampler_class,
                         "generate")]
    if not makers:
        return
    k = profile.quality.get("n_neighbors", 5)
    splits = [data.split(seed, fold)
              for seed in seeds for fold in range(data.fold_counts()[seed])]
    smallest = min(min(len(split.y_val), len(split.y_train)) for split in splits)
    if smallest <= k:
        raise ValueError(
            f"A fold holds only {smallest} real validation images; the quality report of "
            f"{', '.join(makers)} compares generated images with them by {k} nearest "
            "neighbours and needs more than that. Add images, hold out a larger "
            "validation_fraction (now "
            f"{profile.validation_fraction}), give a test set (the held-out folds then "
            "validate), or leave the quality report out (quality=False; --no-quality)."
        )


def _check_class_counts(y, classes, cv):
    counts = np.bincount(y, minlength=len(classes))
    needed = int(cv) if _is_int(cv) else 2
    few = [(c, n) for c, n in zip(classes.tolist(), counts.tolist()) if n < needed]
    if few:
        shown = ", ".join(f"class {c!r} has {n}" for c, n in few)
        raise ValueError(
            f"Too few images per class ({shown}): "
            + (f"{needed}-fold stratified cross-validation needs at least {needed} per "
               "class. Pass a smaller cv, or add images." if _is_int(cv) else
               "every class needs at least 2 images.")
        )
