"""All quality metrics of one fitted sampler in one call, and their summary table."""

import numbers
import time
from collections.abc import Mapping

import numpy as np
from sklearn.base import BaseEstimator, clone, is_classifier
from sklearn.exceptions import NotFittedError
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, column_or_1d

from .._classifier import ResNetClassifier
from .._validation import draw_seed
from ._checks import as_rows
from ._features import extract_features
from ._fidelity import frechet_distance, precision_recall_density_coverage
from ._privacy import memorization_report
from ._utility import _model_scores

#: Settings of the small ResNet-18 fitted when ``quality_report`` gets no feature
#: estimator: width 8, 20 epochs of Adam with batch 32, no validation split, the last
#: epoch kept. Fewer optimizer steps (10 epochs of batch 64: 30 steps on 170 images)
#: left its batch-norm statistics unsettled: in eval mode it put every image of a
#: 150:20 training set into the minority class.
DEFAULT_FEATURE_ESTIMATOR = dict(
    width=8, max_epochs=20, batch_size=32, lr=1e-3, optimizer="adam", selection=None,
    validation_fraction=0.0,
)


def _generation_labels(n_per_class, y_train, classes):
    if n_per_class is None:
        labels, counts = np.unique(y_train, return_counts=True)
        return np.repeat(labels, counts)
    if isinstance(n_per_class, Mapping):
        unknown = set(n_per_class) - set(classes.tolist())
        if unknown:
            raise ValueError(
                f"n_per_class names class(es) {sorted(unknown)!r} the sampler was not "
                f"fitted on (classes: {classes.tolist()!r})."
            )
        counts = {label: n_per_class.get(label, 0) for label in classes}
    else:
        counts = {label: n_per_class for label in classes}
    for label, n in counts.items():
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 0:
            raise ValueError(
                f"n_per_class must be a non-negative int (or a dict of them); got {n!r} "
                f"for class {label!r}."
            )
    return np.repeat(np.array(list(counts)), list(counts.values()))


def _is_fitted(estimator):
    try:
        check_is_fitted(estimator)
    except NotFittedError:
        return False
    return True


def quality_report(sampler, X_train, y_train, X_holdout, y_holdout, *,
                   feature_estimator=None, n_per_class=None, n_neighbors=5,
                   quantile=0.05, utility=True,
                   utility_estimator=None, device=None, random_state=None):
    """Fidelity, diversity, memorisation and utility of one fitted sampler.

    Draws generated images with ``sampler.generate``, embeds training, held-out and
    generated images with a classifier of *real* images, and computes:

    - fidelity and diversity against the training images (the generator's target):
      :func:`frechet_distance`, :func:`precision_recall_density_coverage`; the same
      metrics for the held-out real images against the training images are reported
      as ``reference_*`` (what a generator of new real images would score; the
      held-out set is usually smaller, so its Fréchet distance is biased upwards);
    - memorisation (:func:`memorization_report`) in pixel space and, with a
      classifier embedding, in feature space (pixel distances favour blurry images:
      see the notes of :func:`memorization_report`);
    - utility: train-synthetic-test-real (``tstr_*``), train-real-test-synthetic
      (``trts_*``) and the train-real-test-real reference (``trtr_*``), each scored
      on the held-out images (TRTS on the generated ones).

    Parameters
    ----------
    sampler : BaseGenerativeSampler
        A fitted sampler (``fit`` or ``fit_resample`` on ``X_train, y_train``), or any
        object with ``classes_`` and ``generate(y, random_state)`` returning images in
        the layout and dtype of ``X_train``.
    X_train : array-like of shape (n_train, ...)
        The images the sampler was trained on, in their layout and dtype.
    y_train : array-like of shape (n_train,)
        Their labels.
    X_holdout : array-like of shape (n_holdout, ...)
        Real images the sampler (and the feature classifier) never trained on, e.g.
        the validation split or held-out fold.
    y_holdout : array-like of shape (n_holdout,)
        Their labels.
    feature_estimator : ResNetClassifier, 'pixels' or None, default=None
        The embedding. ``None`` fits a small ResNet-18 on ``X_train, y_train``
        (:data:`DEFAULT_FEATURE_ESTIMATOR`; seeded from ``random_state``); a fitted
        :class:`~skgenaug.ResNetClassifier` is used as it is (it should have seen only
        real images); an unfitted one is cloned and fitted on ``X_train, y_train``;
        ``'pixels'`` uses flattened pixels (``uint8`` divided by 255).
    n_per_class : int, dict or None, default=None
        Generated images per class; ``None`` mirrors the class counts of ``y_train``
        (equal set sizes keep the Fréchet distances comparable).
    n_neighbors : int, default=5
        ``k`` of the k-NN radii of precision, recall, density and coverage; must be
        smaller than every set's size.
    quantile : float in (0, 1), default=0.05
        Near-copy threshold: this quantile of the held-out nearest-training distances.
    utility : bool, default=True
        Compute the TSTR / TRTS / TRTR scores (one or two extra classifier fits).
    utility_estimator : classifier or None, default=None
        Classifier for the utility scores, cloned and fitted on the generated images
        (TSTR) and on ``X_train`` (TRTR, TRTS). ``None`` uses the feature classifier:
        a clone of it (reseeded) for TSTR, and the fitted feature classifier itself as
        the classifier of real images (one extra fit in all); with ``'pixels'``, a
        ResNet with :data:`DEFAULT_FEATURE_ESTIMATOR` settings (two fits).
    device : str or None, default=None
        Torch device of the ResNets built here from :data:`DEFAULT_FEATURE_ESTIMATOR`;
        ``None`` takes the sampler's (``device_``), else ``'cpu'``. Estimators you
        pass keep their own ``device``.
    random_state : int, RandomState instance or None, default=None
        Seeds the generated draw and the classifiers fitted here.

    Returns
    -------
    report : dict
        JSON-serialisable scalars: ``n_train``, ``n_holdout``, ``n_generated``,
        ``feature_space`` ('resnet' or 'pixels'), ``n_features``;
        ``frechet_distance``, ``precision``, ``recall``, ``density``, ``coverage`` and
        their ``reference_*`` counterparts; ``near_copy_quantile`` and, for ``pixel``
        and (unless ``feature_estimator='pixels'``) ``feature`` space,
        ``<space>_near_copy_share``, ``<space>_holdout_near_copy_share``,
        ``<space>_near_copy_ratio``, ``<space>_median_distance_ratio``; with
        ``utility``, ``{tstr,trts,trtr}_{accuracy,balanced_accuracy,auc}``;
        ``seconds``. ``near_copy_ratio`` can be ``inf`` and AUCs ``nan`` (Python's
        ``json`` writes them as ``Infinity`` / ``NaN``).

    See Also
    --------
    summarize_quality : Mean and spread of many reports per data set and method.

    Examples
    --------
    >>> from skgenaug import CVAESampler
    >>> from skgenaug.datasets import make_image_classification
    >>> from skgenaug.metrics import quality_report
    >>> X, y = make_image_classification(160, random_state=0)
    >>> sampler = CVAESampler(max_epochs=5, random_state=0).fit(X[:120], y[:120])
    >>> report = quality_report(sampler, X[:120], y[:120], X[120:], y[120:],
    ...                         utility=False, random_state=0)  # doctest: +SKIP
    >>> sorted(report)[:4]  # doctest: +SKIP
    ['coverage', 'density', 'feature_space', 'frechet_distance']
    """
    start = time.perf_counter()
    _check_sampler(sampler)
    X_train, y_train = _check_images_and_labels(X_train, y_train, "train")
    X_holdout, y_holdout = _check_images_and_labels(X_holdout, y_holdout, "holdout")
    if device is None:
        device = str(getattr(sampler, "device_", "cpu"))
    rng = check_random_state(random_state)
    gen_seed, feature_seed, utility_seed = (draw_seed(rng) for _ in range(3))

    y_gen = _generation_labels(n_per_class, y_train, np.asarray(sampler.classes_))
    if len(y_gen) == 0:
        raise ValueError("n_per_class asks for no generated images.")
    X_gen = np.asarray(sampler.generate(y_gen, random_state=gen_seed))

    extractor, embed = _embedding(feature_estimator, X_train, y_train, device,
                                  feature_seed)
    F_train, F_hold, F_gen = embed(X_train), embed(X_holdout), embed(X_gen)
    report = dict(
        n_train=int(len(X_train)), n_holdout=int(len(X_holdout)),
        n_generated=int(len(X_gen)),
        feature_space="pixels" if extractor is None else "resnet",
        n_features=int(F_train.shape[1]),
    )
    report.update(_fidelity_and_diversity(F_train, F_gen, F_hold, n_neighbors))
    # memorisation in pixel space and, with a classifier, in feature space
    report["near_copy_quantile"] = float(quantile)
    report.update(_memorisation("pixel", X_train, X_gen, X_holdout, quantile))
    if extractor is not None:
        report.update(_memorisation("feature", F_train, F_gen, F_hold, quantile))
    if utility:
        template = _utility_template(utility_estimator, extractor, device)
        # the feature classifier is already a classifier of the real training images
        reuse = utility_estimator is None and template is extractor
        real_model = extractor if reuse else None
        report.update(_utility_scores(
            template, utility_seed, real_model, (X_train, y_train), (X_gen, y_gen),
            (X_holdout, y_holdout),
        ))
    report["seconds"] = time.perf_counter() - start
    return report


def _check_sampler(sampler):
    if not callable(getattr(sampler, "generate", None)):
        raise TypeError(
            "sampler must have a generate(y, random_state) method (a fitted "
            f"skgenaug sampler); got {type(sampler).__name__}."
        )
    if isinstance(sampler, BaseEstimator):
        check_is_fitted(sampler, "classes_")
    elif not hasattr(sampler, "classes_"):
        raise TypeError("sampler needs a classes_ attribute (the labels it can draw).")


def _check_images_and_labels(X, y, name):
    X, y = np.asarray(X), column_or_1d(np.asarray(y))
    if len(X) != len(y):
        raise ValueError(f"X_{name} has {len(X)} rows but y_{name} {len(y)} labels.")
    return X, y


def _embedding(feature_estimator, X_train, y_train, device, seed):
    """``(extractor, embed)``: the fitted feature classifier (``None`` for pixels) and
    the function that embeds images with it."""
    if isinstance(feature_estimator, str):
        if feature_estimator != "pixels":
            raise ValueError(
                "feature_estimator must be None, 'pixels' or a ResNetClassifier; got "
                f"{feature_estimator!r}."
            )
        return None, lambda X: as_rows(X, "images", scale_uint8=True)
    if feature_estimator is None:
        extractor = ResNetClassifier(**DEFAULT_FEATURE_ESTIMATOR, device=device,
                                     random_state=seed)
    else:
        extractor = feature_estimator
    if not _is_fitted(extractor):
        extractor = clone(extractor)
        if "random_state" in extractor.get_params():
            extractor.set_params(random_state=seed)
        extractor.fit(X_train, y_train)
    return extractor, lambda X: extract_features(extractor, X)


def _fidelity_and_diversity(F_train, F_gen, F_hold, n_neighbors):
    """Fréchet distance and k-NN scores of the generated images against the training
    images, and (``reference_*``) those of the held-out real images."""
    scores = dict(frechet_distance=frechet_distance(F_train, F_gen))
    scores.update(precision_recall_density_coverage(F_train, F_gen,
                                                    n_neighbors=n_neighbors))
    scores["reference_frechet_distance"] = frechet_distance(F_train, F_hold)
    reference = precision_recall_density_coverage(F_train, F_hold, n_neighbors=n_neighbors)
    scores.update({f"reference_{name}": value for name, value in reference.items()})
    return scores


def _memorisation(space, train, gen, hold, quantile):
    memo = memorization_report(train, gen, hold, quantile=quantile, n_worst=0)
    return {
        f"{space}_near_copy_share": memo.near_copy_share,
        f"{space}_holdout_near_copy_share": memo.holdout_near_copy_share,
        f"{space}_near_copy_ratio": memo.near_copy_ratio,
        f"{space}_median_distance_ratio": memo.median_distance_ratio,
    }


def _utility_template(utility_estimator, extractor, device):
    """The classifier that the utility scores clone."""
    if utility_estimator is not None:
        return utility_estimator
    if extractor is not None and is_classifier(extractor):
        return extractor
    return ResNetClassifier(**DEFAULT_FEATURE_ESTIMATOR, device=device)


def _utility_scores(template, seed, real_model, train, generated, holdout):
    """TSTR, TRTS and TRTR scores; ``real_model`` is a fitted classifier of the real
    training images, or ``None`` to fit one (a clone of ``template``)."""

    def fresh():
        model = clone(template)
        if "random_state" in model.get_params():
            model.set_params(random_state=seed)
        return model

    if real_model is None:
        real_model = fresh().fit(*train)
    synth_model = fresh().fit(*generated)
    scores = {}
    for prefix, model, (X, y) in (("tstr", synth_model, holdout),
                                  ("trts", real_model, generated),
                                  ("trtr", real_model, holdout)):
        scores.update({f"{prefix}_{k}": v for k, v in _model_scores(model, X, y).items()})
    return scores


#: Columns of :func:`quality_markdown`, with their headings.
QUALITY_COLUMNS = {
    "frechet_distance": "FD",
    "reference_frechet_distance": "FD real",
    "precision": "precision",
    "recall": "recall",
    "density": "density",
    "coverage": "coverage",
    "pixel_near_copy_share": "near copies (pixels)",
    "feature_near_copy_share": "near copies (features)",
    "tstr_accuracy": "TSTR ACC",
    "trts_accuracy": "TRTS ACC",
    "trtr_accuracy": "TRTR ACC",
}


def summarize_quality(cells, *, by=("dataset", "method")):
    """Mean and standard deviation of quality reports per data set and method.

    Parameters
    ----------
    cells : pandas.DataFrame or list of dict
        One row per report: the ``by`` columns and either a ``quality`` column holding
        :func:`quality_report` dicts (rows without one are skipped) or the report's
        keys as columns. Rows repeating the same ``(*by, seed, fold)`` (such as the
        benchmark's two selection rules, which share one sampler) count once.
    by : sequence of str, default=('dataset', 'method')
        Grouping columns.

    Returns
    -------
    summary : pandas.DataFrame
        One row per group: ``by``, ``n`` and ``<metric>_mean``, ``<metric>_std``
        (``ddof=1``) for every numeric metric of the reports.

    Examples
    --------
    >>> from skgenaug.metrics import summarize_quality
    >>> rows = [dict(dataset="d", method="cvae", seed=0, fold=f,
    ...              quality=dict(precision=p, recall=0.5)) for f, p in enumerate([.6, .8])]
    >>> summary = summarize_quality(rows)
    >>> summary[["n", "precision_mean", "recall_mean"]].round(3).values.tolist()
    [[2.0, 0.7, 0.5]]
    """
    import pandas as pd

    frame = pd.DataFrame(list(cells)) if not isinstance(cells, pd.DataFrame) else cells
    by = list(by)
    missing = [c for c in by if c not in frame.columns]
    if missing:
        raise ValueError(f"cells lack the grouping column(s) {missing!r}.")
    if "quality" in frame.columns:
        keep = frame["quality"].map(lambda q: isinstance(q, Mapping))
        frame = frame[keep]
        extra = [c for c in ("seed", "fold") if c in frame.columns]
        expanded = pd.DataFrame(list(frame["quality"]), index=frame.index)
        frame = pd.concat([frame[by + extra], expanded], axis=1)
    ids = by + [c for c in ("seed", "fold") if c in frame.columns]
    if len(ids) > len(by):
        frame = frame.drop_duplicates(subset=ids)
    metrics = [c for c in frame.columns if c not in ids and c != "selection"
               and pd.api.types.is_numeric_dtype(frame[c])
               and not pd.api.types.is_bool_dtype(frame[c])]
    rows = []
    for keys, group in frame.groupby(by, sort=False):
        keys = keys if isinstance(keys, tuple) else (keys,)
        row = dict(zip(by, keys), n=len(group))
        for metric in metrics:
            values = group[metric].astype(float)
            row[f"{metric}_mean"] = values.mean()
            row[f"{metric}_std"] = values.std(ddof=1) if len(values) > 1 else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def quality_markdown(summary, *, columns=None, digits=3):
    """A Markdown table of :func:`summarize_quality` output.

    Parameters
    ----------
    summary : pandas.DataFrame
        From :func:`summarize_quality`.
    columns : dict or None, default=None
        ``{metric: heading}``; ``None`` means :data:`QUALITY_COLUMNS` (those present).
    digits : int, default=3
        Decimals.

    Returns
    -------
    text : str
        Rows ``| data set | method | n | metric mean ± std | ... |``.

    Examples
    --------
    >>> from skgenaug.metrics import quality_markdown, summarize_quality
    >>> rows = [dict(dataset="d", method="cvae", quality=dict(precision=0.7))]
    >>> print(quality_markdown(summarize_quality(rows)))
    | data set | method | n | precision |
    | --- | --- | --- | --- |
    | d | cvae | 1 | 0.700 |
    """
    columns = dict(QUALITY_COLUMNS if columns is None else columns)
    columns = {m: h for m, h in columns.items() if f"{m}_mean" in summary.columns}

    def cell(mean, std):
        if mean is None or not np.isfinite(mean):
            return "–"
        if std is None or not np.isfinite(std):
            return f"{mean:.{digits}f}"
        return f"{mean:.{digits}f} ± {std:.{digits}f}"

    head = ["data set", "method", "n", *columns.values()]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for row in summary.to_dict("records"):
        values = [cell(row[f"{m}_mean"], row.get(f"{m}_std")) for m in columns]
        lines.append(f"| {row.get('dataset', '')} | {row.get('method', '')} | "
                     f"{row['n']} | " + " | ".join(values) + " |")
    return "\n".join(lines)
