"""Curation of generated images: a meta-sampler that over-generates and keeps the images
a judge assigns to their class and that copy no training image."""

import copy
import math
import numbers

import numpy as np
from imblearn.over_sampling.base import BaseOverSampler
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import NearestNeighbors
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.validation import check_is_fitted

from .._validation import draw_seed
from ..base import BaseImageOverSampler, _fill_shared_docs
from ..metrics._checks import as_rows

#: A later round draws for a class as if at least this share of its candidates passed,
#: so a class the filters almost always reject costs at most 1 / _MIN_RATE times more.
_MIN_RATE = 0.1

_REPORT_KEYS = (
    "requested",
    "generated",
    "kept",
    "low_confidence",
    "near_copy",
    "dropped",
    "surplus",
)


def _flatten(X):
    return np.asarray(X).reshape(len(X), -1)


def default_judge():
    """The judge :class:`CuratedSampler` uses when given none.

    Logistic regression on standardised pixels, strongly regularised (``C=0.01``) and
    with balanced class weights (curation matters most for the small classes, which
    an unweighted judge would doubt most); images of any layout are flattened to rows
    first. It is cheap: on the reference paper's DermaMNIST subset (929 RGB 28x28
    images, 7 classes) it fits in about 1.2 s on one CPU thread. On the paper's
    MedMNIST subsets it classified the official test images about as well as the
    benchmark's CPU-sized ResNet does: accuracy / balanced accuracy .79 / .76
    BreastMNIST, .83 / .80 PneumoniaMNIST, .51 / .49 DermaMNIST (the ResNet's
    accuracy: .82, .84, .49). Curation cannot be better than its judge: pass a
    stronger one (e.g. a small :class:`~skgenaug.ResNetClassifier`) where it matters.

    Returns
    -------
    judge : sklearn.pipeline.Pipeline
        Unfitted: flatten, :class:`~sklearn.preprocessing.StandardScaler`,
        :class:`~sklearn.linear_model.LogisticRegression`.

    Examples
    --------
    >>> from skgenaug.samplers import default_judge
    >>> [name for name, _ in default_judge().steps]
    ['functiontransformer', 'standardscaler', 'logisticregression']
    """
    return make_pipeline(
        FunctionTransformer(_flatten),
        StandardScaler(),
        LogisticRegression(C=0.01, class_weight="balanced", max_iter=1000),
    )


@_fill_shared_docs
class CuratedSampler(BaseImageOverSampler):
    """Over-sample with a generative sampler, keeping only images that pass two filters.

    A meta-sampler: it fits a clone of ``sampler`` on the training rows, draws more
    images than it needs from it (``candidates_per_image`` per image asked for) and
    keeps an image only if

    - **class**: a *judge*, a classifier fitted on the real labelled training rows,
      gives the image's intended class a probability of at least ``min_confidence``;
    - **novelty**: it is not a near-copy of a training image, by the rule of
      :func:`~skgenaug.metrics.memorization_report`: its Euclidean pixel distance to
      the nearest training image (pixels scaled to ``[0, 1]`` for ``uint8``) is above a
      threshold set at the ``copy_quantile`` quantile of the real images' own
      distances. There are no held-out rows to calibrate on, so the real distances are
      leave-one-out ones: each training image's distance to its nearest *other*
      training image (a training image is, to the others, a new real image).

    It repeats in rounds until every class has exactly the number of images the
    sampling strategy asks for. Round 1 draws ``ceil(candidates_per_image * n)``
    images of a class that needs ``n``; a later round draws
    ``ceil(candidates_per_image * r / a)`` for a class still ``r`` short, where ``a``
    is the share of its images that passed so far (at least 0.1). A class still short
    after ``max_rounds`` rounds is an error that reports what was dropped and why.

    What it promises, and what not: the returned images pass both filters, so they
    are at least as recognisable to the judge as ``min_confidence`` asks and no closer
    to a training image than all but a ``copy_quantile`` share of real images are to
    theirs. It cannot make images better than the judge can tell: a weak judge drops
    good images and keeps bad ones, and images near the judge's decision boundary,
    often the informative ones, are dropped first. Pixel distances favour smooth
    images (see :func:`~skgenaug.metrics.memorization_report`): blurry generators lose
    more images to the novelty filter without copying anything.

    Parameters
    ----------
    sampler : sampler with ``fit`` and ``generate``
        The generator (a skgenaug sampler such as :class:`~skgenaug.CVAESampler`),
        cloned and fitted in ``fit``. Its own sampling strategy is not used. Its
        ``random_state``, when ``None``, is set from this sampler's.
    sampling_strategy : float, str, dict or callable, default='auto'
        As in imbalanced-learn's over-samplers: 'auto' (= 'not majority'), 'minority',
        'not minority', 'all', a float (binary only), a dict ``{{class: desired
        total}}`` or a callable returning one; :class:`~skgenaug.AddPerClass` ``(n)``
        adds ``n`` to every class. The counts are met exactly, after curation.
    judge : classifier with ``fit`` and ``predict_proba``, or None, default=None
        Cloned and fitted on the real labelled training rows, in the input's layout
        and dtype (a scikit-learn classifier on images needs a flattening step; a
        :class:`~skgenaug.ResNetClassifier` takes them as they are). ``None`` means
        :func:`~skgenaug.samplers.default_judge`: logistic regression on standardised
        pixels. A ``random_state`` of ``None`` is set from this sampler's.
    min_confidence : float in [0, 1], default=0.5
        Least judge probability of the intended class for an image to be kept. For
        two classes 0.5 keeps the images the judge assigns to their class; for more
        classes it also asks for a clear majority. 0 turns the class filter off.
    copy_quantile : float in (0, 1) or None, default=0.05
        Quantile of the leave-one-out nearest-training distances used as near-copy
        threshold (as ``quantile`` in :func:`~skgenaug.metrics.memorization_report`).
        ``None`` turns the novelty filter off.
    candidates_per_image : float >= 1, default=2.0
        Images drawn per image still needed (see above).
    max_rounds : int, default=5
        Rounds of drawing and filtering before a class that is still short is an
        error.
    prefit : bool, default=False
        Whether ``sampler`` is already fitted, on the rows ``fit`` gets (as in
        scikit-learn's :class:`~sklearn.feature_selection.SelectFromModel`). Then
        ``fit`` copies it instead of training it again and fits only the judge and
        the novelty filter, which lets one trained generator be curated under several
        settings. Its classes must be the labelled classes of ``fit``'s rows. Cloning
        this sampler (``GridSearchCV``, ``cross_validate``) clones the wrapped
        sampler unfitted, so use ``prefit=True`` on a sampler you fit yourself.
    random_state : int, RandomState instance or None, default=None
        Seeds the draws from the fitted generator, and the generator's and judge's
        training when their own ``random_state`` is ``None``.
    verbose : int, default=0
        ``1`` prints a line per round: drawn, dropped by each filter, still needed.

    Attributes
    ----------
    {resampling_attributes}
    sampler_ : sampler
        The fitted clone of ``sampler``.
    judge_ : classifier
        The fitted judge.
    copy_threshold_ : float or None
        The near-copy distance threshold (``None`` with ``copy_quantile=None``).
    curation_report_ : dict of str to ndarray
        What the latest draw (of ``fit_resample``, or of a ``generate`` call) did,
        one entry per class of ``classes_``, as numbers of images: ``'class'``,
        ``'requested'``, ``'generated'`` (drawn from the generator), ``'kept'``
        (returned), ``'low_confidence'`` (judge probability below
        ``min_confidence``), ``'near_copy'`` (within ``copy_threshold_`` of a
        training image), ``'dropped'`` (either reason: an image can have both),
        ``'surplus'`` (passed, but the class was full). ``generated = kept + dropped
        + surplus``. ``pandas.DataFrame(curation_report_)`` shows it as a table.
    n_rounds_ : int
        Rounds the latest draw took.
    {input_attributes}

    See Also
    --------
    skgenaug.metrics.memorization_report : The near-copy rule, with a held-out set.
    AugmentedClassifier : Its ``synthetic_weight`` weighs generated rows in the loss.

    Notes
    -----
    Unlabelled rows (those the wrapped sampler's ``unlabelled_label`` marks, its
    ``unlabelled_label`` being this sampler's too) train the generator and count as
    training images for the novelty filter (a copy of an unlabelled image is a copy
    too), but never fit the judge and are never returned.

    Examples
    --------
    >>> from collections import Counter
    >>> from skgenaug import AddPerClass, CuratedSampler, GeometricSampler
    >>> from skgenaug.datasets import make_image_classification
    >>> X, y = make_image_classification(40, n_classes=2, random_state=0)
    >>> sampler = CuratedSampler(GeometricSampler(), sampling_strategy=AddPerClass(10),
    ...                          random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> sorted(Counter(y_res.tolist()).items())
    [(0, 30), (1, 30)]
    >>> sampler.curation_report_["kept"].tolist()
    [10, 10]
    """

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "sampler": [HasMethods(["fit", "generate"])],
        "judge": [HasMethods(["fit", "predict_proba"]), None],
        "min_confidence": [Interval(numbers.Real, 0, 1, closed="both")],
        "copy_quantile": [Interval(numbers.Real, 0, 1, closed="neither"), None],
        "candidates_per_image": [Interval(numbers.Real, 1, None, closed="left")],
        "max_rounds": [Interval(numbers.Integral, 1, None, closed="left")],
        "prefit": ["boolean"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    _fitted_attribute = "judge_"

    # the wrapped generator learns from them; the judge never sees them
    _learns_from_unlabelled = True

    def __init__(
        self,
        sampler,
        *,
        sampling_strategy="auto",
        judge=None,
        min_confidence=0.5,
        copy_quantile=0.05,
        candidates_per_image=2.0,
        max_rounds=5,
        prefit=False,
        random_state=None,
        verbose=0,
    ):
        super().__init__(sampling_strategy=sampling_strategy)
        self.sampler = sampler
        self.judge = judge
        self.min_confidence = min_confidence
        self.copy_quantile = copy_quantile
        self.candidates_per_image = candidates_per_image
        self.max_rounds = max_rounds
        self.prefit = prefit
        self.random_state = random_state
        self.verbose = verbose

    @property
    def unlabelled_label(self):
        """The wrapped sampler's ``unlabelled_label`` (``None`` if it has none):
        one marker for generator and curation. Set it on the wrapped sampler."""
        return getattr(self.sampler, "unlabelled_label", None)

    # ------------------------------------------------------------------ fitting
    def _fit_model(self, X, y_enc, seed):
        rng = check_random_state(seed)
        labelled = y_enc < len(self.classes_)
        if self.prefit:
            self.sampler_ = self._fitted_copy(self.sampler, rng)
        else:
            self.sampler_ = self._seeded_clone(self.sampler, rng)
            self.sampler_.fit(X, self._sampler_labels(y_enc, labelled))
        judge = default_judge() if self.judge is None else self.judge
        self.judge_ = self._seeded_clone(judge, rng)
        self.judge_.fit(X[labelled], self.classes_[y_enc[labelled]])
        judge_classes = np.asarray(self.judge_.classes_).tolist()
        missing = set(self.classes_.tolist()) - set(judge_classes)
        if missing:
            raise ValueError(
                f"The fitted judge knows classes {judge_classes!r}, not {sorted(missing)!r}"
                "; a judge must predict every class it is fitted on."
            )
        self._judge_columns = np.array([judge_classes.index(c) for c in self.classes_])
        self.copy_threshold_ = self._nearest_training = None
        if self.copy_quantile is not None:
            # every image the generator trained on, labelled or not, is one to copy
            self._nearest_training = NearestNeighbors(n_neighbors=1).fit(
                as_rows(X, "X", scale_uint8=True)
            )
            leave_one_out = self._nearest_training.kneighbors()[0][:, 0]
            self.copy_threshold_ = float(np.quantile(leave_one_out, self.copy_quantile))
        return self

    @staticmethod
    def _seeded_clone(estimator, rng):
        estimator = clone(estimator)
        params = estimator.get_params(deep=False)
        if "random_state" in params and params["random_state"] is None:
            estimator.set_params(random_state=draw_seed(rng))
        return estimator

    def _fitted_copy(self, sampler, rng):
        """A copy of the fitted ``sampler`` (``prefit=True``), drawing from ``rng``
        what :meth:`_seeded_clone` would, so the judge gets the seed it gets in a
        full fit."""
        try:
            check_is_fitted(sampler)
        except NotFittedError as exc:
            raise ValueError(
                f"prefit=True, but the wrapped {type(sampler).__name__} is not fitted; "
                "fit it on the same rows first, or set prefit=False."
            ) from exc
        fitted_classes = np.asarray(getattr(sampler, "classes_", []))
        if fitted_classes.tolist() != self.classes_.tolist():
            raise ValueError(
                f"prefit=True, but the wrapped sampler was fitted on classes "
                f"{fitted_classes.tolist()!r}, not on the labelled classes "
                f"{self.classes_.tolist()!r} of these rows."
            )
        if sampler.get_params(deep=False).get("random_state", 0) is None:
            draw_seed(rng)
        return copy.deepcopy(sampler)

    def _sampler_labels(self, y_enc, labelled):
        """Labels for the wrapped sampler: the classes, and its marker for the
        unlabelled rows."""
        labels = self.classes_[np.minimum(y_enc, len(self.classes_) - 1)]
        if labelled.all():
            return labels
        marker = self.unlabelled_label
        labels = labels.astype(np.result_type(labels.dtype, np.asarray(marker).dtype))
        labels[~labelled] = marker
        return labels

    # ------------------------------------------------------------------ generation
    def _generate(self, y_enc, random_state):
        rng = check_random_state(random_state)
        n_classes = len(self.classes_)
        requested = np.bincount(y_enc, minlength=n_classes)
        counts = {key: np.zeros(n_classes, dtype=np.int64) for key in _REPORT_KEYS}
        counts["requested"] = requested
        passed_total = np.zeros(n_classes, dtype=np.int64)
        kept = [[] for _ in range(n_classes)]
        n_rounds = 0
        while (counts["kept"] < requested).any() and n_rounds < self.max_rounds:
            n_rounds += 1
            short = requested - counts["kept"]
            codes = np.repeat(np.arange(n_classes), self._draw_sizes(short, counts,
                                                                     passed_total))
            images = self.sampler_.generate(self.classes_[codes],
                                            random_state=draw_seed(rng))
            low, near = self._filters(images, codes)
            passed = ~(low | near)
            for code in np.flatnonzero(short):
                mine = codes == code
                ok = np.flatnonzero(mine & passed)
                take = ok[: short[code]]
                kept[code].append(images[take])
                counts["generated"][code] += mine.sum()
                counts["low_confidence"][code] += (mine & low).sum()
                counts["near_copy"][code] += (mine & near).sum()
                counts["dropped"][code] += (mine & ~passed).sum()
                counts["kept"][code] += len(take)
                counts["surplus"][code] += len(ok) - len(take)
                passed_total[code] += len(ok)
            if self.verbose:
                print(
                    f"CuratedSampler round {n_rounds}: drew {len(codes)}, "
                    f"{int(low.sum())} below min_confidence, {int(near.sum())} "
                    f"near-copies; {int((requested - counts['kept']).sum())} still needed"
                )
        self.curation_report_ = {"class": self.classes_.copy(), **counts}
        self.n_rounds_ = n_rounds
        self._check_filled(requested, counts)
        out = np.empty((len(y_enc), *self.layout_.sample_shape), dtype=self.layout_.dtype)
        for code in np.flatnonzero(requested):
            out[y_enc == code] = np.concatenate(kept[code])
        return out

    def _draw_sizes(self, short, counts, passed_total):
        """Images to draw per class this round (see the class docstring)."""
        generated = counts["generated"]
        rate = np.where(generated > 0, passed_total / np.maximum(generated, 1), 1.0)
        rate = np.maximum(rate, _MIN_RATE)
        sizes = [
            math.ceil(self.candidates_per_image * n / r) if n else 0
            for n, r in zip(short.tolist(), rate.tolist())
        ]
        return np.array(sizes, dtype=np.int64)

    def _filters(self, images, codes):
        """Masks of the images the judge doubts and of the near-copies."""
        proba = np.asarray(self.judge_.predict_proba(images))
        confidence = proba[np.arange(len(codes)), self._judge_columns[codes]]
        low = confidence < self.min_confidence
        near = np.zeros(len(codes), dtype=bool)
        if self.copy_threshold_ is not None:
            rows = as_rows(images, "generated images", scale_uint8=True)
            distances = self._nearest_training.kneighbors(rows)[0][:, 0]
            near = distances <= self.copy_threshold_
        return low, near

    def _check_filled(self, requested, counts):
        short = np.flatnonzero(counts["kept"] < requested)
        if not short.size:
            return
        names = self.classes_.tolist()
        details = "; ".join(
            f"class {names[c]!r}: {counts['kept'][c]} of {requested[c]} kept, "
            f"{counts['generated'][c]} drawn, {counts['low_confidence'][c]} below "
            f"min_confidence, {counts['near_copy'][c]} near-copies"
            for c in short
        )
        raise ValueError(
            f"CuratedSampler could not fill every class in max_rounds={self.max_rounds} "
            f"rounds ({details}). Lower min_confidence or copy_quantile, raise "
            "max_rounds or candidates_per_image, or train the generator longer; "
            "curation_report_ holds the counts."
        )
