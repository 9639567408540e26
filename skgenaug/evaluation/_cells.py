"""One cell: (data set, method, fold, repeat seed, selection) -> test scores.

The cell takes its rows from a data source (:mod:`skgenaug.evaluation._data`): it trains
the method's sampler on the training part only, trains the classifier on the
(augmented) training part, keeping the epoch of the profile's ``epoch_rule`` (chosen
on real validation rows, or the last), and scores
the test rows; sampler cells also get a quality report of their generated images.
What the cells of a run share (generators, curations, feature ResNets) comes from
their :class:`~skgenaug.evaluation._artifacts.ArtifactCache`; which cells run, and in
what order, is :mod:`skgenaug.evaluation._plan`'s.
"""

import contextlib
import os
import signal
import threading
import time
from dataclasses import dataclass

import numpy as np
import torch
from sklearn.base import clone

from .._classifier import ResNetClassifier
from .._methods import UNAUGMENTED
from ..metrics import (
    classification_scores,
    extract_features,
    memorization_report,
    near_duplicates,
    quality_report,
)
from ..samplers import CuratedSampler
from ._artifacts import (
    ArtifactCache,
    _LastEpochWeights,
    _profile_key,
    donates_feature_resnet,
)
from ._data import model_seeds
from ._plan import Cell, MethodSpec, _generation_params, default_sampling_strategy

#: Generated and real images kept per class for the sample grids (fold 0 of the first
#: repeat only).
PREVIEW_PER_CLASS = 8


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


#: Leak screening: the quantile of the real training images' distances to their
#: nearest test image below which a generated image counts as near a test image, and
#: how many of the closest (generated, test) pairs the figure shows.
LEAK_QUANTILE, LEAK_PAIRS = 0.01, 8


def _leak_screening(feature, X_train, X_generated, X_test):
    """Generated images near test images, in the quality report's feature space.

    :func:`~skgenaug.metrics.memorization_report` with the test images in the place of
    the training ones: each generated image's distance to its nearest test image,
    against the real training images' distances to theirs. A generator that has not
    seen the test images puts about :data:`LEAK_QUANTILE` of its images below the
    threshold, as the training images do by construction.
    """
    features = {name: extract_features(feature, images) for name, images in (
        ("train", X_train), ("generated", X_generated), ("test", X_test))}
    report = memorization_report(features["test"], features["generated"],
                                 features["train"], quantile=LEAK_QUANTILE,
                                 n_worst=LEAK_PAIRS)
    pairs = dict(leak_generated=X_generated[report.worst_indices],
                 leak_test=X_test[report.worst_train_indices],
                 leak_distance=report.worst_distances,
                 leak_threshold=np.array(report.threshold))
    return dict(leak_share=report.near_copy_share,
                leak_real_share=report.holdout_near_copy_share,
                leak_threshold=report.threshold), pairs


def on_the_fly(profile, data, method):
    """The classifier's on-the-fly augmentation in a cell: the profile's for every
    method (flips as the data set allows, where it says), none for the control that
    trains without any augmentation, and nothing to add when the profile has none."""
    if method == UNAUGMENTED:
        return dict(augment=None)
    if profile.classifier_augment == "none":
        return {}
    params = dict(augment=profile.classifier.get("augment")
                  or profile.classifier_augment)
    flips = getattr(data, "flips", None)
    if flips is not None and "flips" not in profile.classifier:
        params["flips"] = tuple(flips)
    return params


def run_cell(cell, profile, data, spec=None, *, sampling_strategy=None, device="cpu",
             threads=None, artifacts=None, preview=None):
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
    artifacts : ArtifactCache or None, default=None
        What the cells of a run share
        (:class:`~skgenaug.evaluation._artifacts.ArtifactCache`): the fold's fitted
        generator, trained once for the cells that differ only in drawing (the
        ``@N`` and ``+curated`` variants of a method), its curations, and the fold's
        feature ResNet of the quality report, in any process. ``None``: nothing
        shared, nothing written.
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
    job = _Job(cell, profile, data, spec,
               sampling_strategy or default_sampling_strategy(profile), device,
               artifacts or ArtifactCache(), preview)
    if threads:
        torch.set_num_threads(threads)
    with _stored_only_if_whole():
        return _compute(job)


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


@dataclass(frozen=True)
class _Job:
    """One cell with everything it runs with (:func:`run_cell`'s arguments)."""

    cell: Cell
    profile: object
    data: object
    spec: MethodSpec
    sampling_strategy: object
    device: str
    artifacts: ArtifactCache
    preview: bool


def _selection(cell, profile):
    """The classifier's ``selection`` in a cell: the profile's epoch rule in an honest
    cell (``None``, the last epoch, for ``'last'``), best test accuracy in a
    ``'test-best'`` one."""
    if cell.selection == "val":
        return None if profile.epoch_rule == "last" else profile.epoch_rule
    return "accuracy"


def _compute(job):
    cell, profile, data, spec, device = (job.cell, job.profile, job.data, job.spec,
                                         job.device)
    start = time.perf_counter()
    split = data.split(cell.seed, cell.fold)
    X_train, y_train = split.X_train, split.y_train
    # The same seeds for every method of a (seed, fold): differences come from the data.
    random_state, sampler_seed = model_seeds(cell.seed, cell.fold)

    sampler = spec.build(profile, job.sampling_strategy, sampler_seed, device)
    t0 = time.perf_counter()
    X_fit, y_fit, weights, sampler = _augment(job, sampler, split, sampler_seed)
    sampler_s = time.perf_counter() - t0

    selection = _selection(cell, profile)
    if selection is None:  # the last epoch: the held-out rows stay out of training
        X_sel = y_sel = None
    elif cell.selection == "val":
        X_sel, y_sel = split.X_val, split.y_val  # real images by construction
    else:  # 'test-best': the paper's optimistic rule, selecting on the test split
        X_sel, y_sel = split.X_test, split.y_test
    donor = donates_feature_resnet(cell, profile)
    params = dict(profile.classifier, selection=selection, device=device,
                  random_state=random_state)
    if selection is None:
        params["validation_fraction"] = 0.0
    if profile.equal_steps:  # as many optimizer steps as the real rows alone give
        params["epoch_size"] = len(y_train)
    params.update(on_the_fly(profile, data, cell.method))
    if donor:
        params["callbacks"] = [*(params.get("callbacks") or []),
                               ("last_weights", _LastEpochWeights())]
    clf = ResNetClassifier(**params)
    feature_key = (data.cache_key(), cell.seed, cell.fold, device, _profile_key(profile))
    with (job.artifacts.donation(profile, feature_key, random_state, clf) if donor
          else contextlib.nullcontext()):
        t0 = time.perf_counter()
        clf.fit(X_fit, y_fit, X_val=X_sel, y_val=y_sel,
                **({} if weights is None else {"sample_weight": weights}))
        classifier_s = time.perf_counter() - t0

    # One probability column per class code of the data set, even for a class the
    # classifier never saw; the predicted class is the most probable column.
    proba = clf.predict_proba(split.X_test)
    scores = classification_scores(split.y_test, proba=proba, classes=clf.classes_,
                                   labels=np.arange(split.n_classes))
    # Kept (compressed, in the store) for the paired bootstrap over test images.
    padded = np.zeros((len(proba), split.n_classes), dtype=np.float32)
    padded[:, np.asarray(clf.classes_, dtype=int)] = proba
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
        precision=clf.precision_,
        pid=os.getpid(),
        classifier_seed=random_state,
        sampler_seed=None if sampler is None else sampler_seed,
        test_proba=padded,
        test_y=np.asarray(split.y_test),
    )
    if sampler is not None and job.preview and len(y_fit) > len(y_train):
        result["preview"] = _preview(X_train, y_train, X_fit, y_fit)
    # Test images that nearly duplicate a training image inflate every method alike.
    result["test_near_duplicates"] = near_duplicates(X_train, split.X_test).n
    added = len(y_fit) > len(y_train)
    feature = None
    if sampler is not None and profile.quality is not None and (
            added or hasattr(sampler, "generate")):
        feature = job.artifacts.feature_resnet(profile, X_train, y_train,
                                               random_state, device, feature_key)
    if feature is not None and added:
        leak, pairs = _leak_screening(feature, X_train, X_fit[len(y_train):],
                                      split.X_test)
        result.update(leak)
        if "preview" in result:
            result["preview"].update(pairs)
    if feature is not None and hasattr(sampler, "generate"):  # not ROS / SMOTE
        options = dict(profile.quality)
        options.pop("feature_estimator", None)
        # Scored against the real validation rows, never the test rows.
        result["quality"] = quality_report(
            sampler, X_train, y_train, split.X_val, split.y_val,
            feature_estimator=feature, device=device, random_state=sampler_seed,
            **options,
        )
    return result




def _augment(job, sampler, split, random_state):
    """The cell's training rows after augmentation: ``(X_fit, y_fit, sample_weight or
    None, the fitted sampler or None)``, the labelled training rows first.

    The sampler trains on the training part only, with the unlabelled images for a
    ``+pool`` variant; a ``+curated`` variant curates its images with
    :class:`~skgenaug.CuratedSampler` (the profile's ``curation`` settings); a
    ``+weighted`` one weighs the generated rows ``min(1, n_real / n_generated)``.
    """
    cell, spec = job.cell, job.spec
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
    path = job.artifacts.generator_path(cell, job.data, spec, sampler, job.device)
    fitted = None
    if path is not None:
        fitted = job.artifacts.generator(path, lambda: clone(sampler).fit(X_in, y_in))
        # drawn with this cell's values of the parameters that only drawing uses
        own = sampler.get_params(deep=False)
        fitted.set_params(**{p: own[p] for p in ("sampling_strategy",
                                                  *_generation_params(sampler))})
    if variant.curated:
        curated = CuratedSampler(
            sampler if fitted is None else fitted, prefit=fitted is not None,
            sampling_strategy=sampler.sampling_strategy, random_state=random_state,
            **job.profile.curation)
        # '+curated' and '+curated+weighted' cells of a fold curate the same images
        sampler, X_fit, y_fit = job.artifacts.curation(
            path, curated, lambda: curated.fit_resample(X_in, y_in))
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
