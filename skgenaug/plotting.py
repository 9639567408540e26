"""Figures for generated images, training runs, memorisation and benchmark scores.

Every function builds a new :class:`matplotlib.figure.Figure` through the object API
and returns it: nothing is registered with :mod:`matplotlib.pyplot`, so no global figure
state leaks and nothing needs closing. Save with ``fig.savefig("file.png")``; in a
notebook, a returned figure displays itself. Matplotlib is imported only when a function
is called (``pip install matplotlib``; it is in the ``benchmark`` and ``test`` extras).
"""

from collections.abc import Mapping

import numpy as np

from . import _methods
from ._images import check_image_stack

__all__ = [
    "METHOD_NAMES",
    "METRIC_NAMES",
    "method_colors",
    "plot_memorization",
    "plot_nearest_training_images",
    "plot_sample_grid",
    "plot_scores",
    "plot_training_curves",
]

#: Display names of the method codes: the method registry's one table (``'cvae'`` ->
#: ``'cVAE'``, ...), in table order.
METHOD_NAMES = _methods.METHOD_NAMES

#: Axis labels of the benchmark's metric codes.
METRIC_NAMES = {"auc": "AUC", "acc": "ACC", "balanced_acc": "BACC"}


def _figure(figsize):
    from matplotlib.figure import Figure

    return Figure(figsize=figsize, layout="constrained")


# ------------------------------------------------------------------------- images


def _as_image_stack(X, name):
    """``(n, H, W)`` gray or ``(n, H, W, C)`` colour images from any accepted layout."""
    return check_image_stack(X, name, flat_rows=True)


def _intensity_range(*stacks):
    if all(s.dtype == np.uint8 for s in stacks if s.size):
        return 0.0, 255.0
    values = [s for s in stacks if s.size]
    lo = min(float(s.min()) for s in values) if values else 0.0
    hi = max(float(s.max()) for s in values) if values else 1.0
    if lo >= 0.0 and hi <= 1.0:
        return 0.0, 1.0
    return lo, (hi if hi > lo else lo + 1.0)


def _draw_image(ax, image, left, top, lo, hi):
    """One image with its top-left corner at ``(left, top)`` in pixel units."""
    h, w = image.shape[:2]
    extent = (left, left + w, top + h, top)
    if image.ndim == 2:
        ax.imshow(image, cmap="gray", vmin=lo, vmax=hi, extent=extent,
                  interpolation="nearest")
    else:
        scaled = np.clip((image.astype(np.float64) - lo) / (hi - lo), 0.0, 1.0)
        ax.imshow(scaled, extent=extent, interpolation="nearest")


def _class_label(label, position, classes, class_names):
    if class_names is None:
        return str(label)
    if isinstance(class_names, Mapping):
        return str(class_names.get(label, label))
    names = list(class_names)
    if np.issubdtype(np.asarray(classes).dtype, np.integer) and (
        0 <= classes.min() and classes.max() < len(names)
    ):
        return str(names[int(label)])
    if len(names) != len(classes):
        raise ValueError(
            f"class_names has {len(names)} names for {len(classes)} classes "
            f"{classes.tolist()!r}; give one name per class or a dict."
        )
    return str(names[position])


def _labels(y, X, name):
    y = np.asarray(y).ravel()
    if len(y) != len(X):
        raise ValueError(f"{name} has {len(y)} labels for {len(X)} images.")
    return y


def plot_sample_grid(real_X, real_y, generated_X, generated_y, *, n_per_class=8,
                     class_names=None, title=None, random_state=None):
    """Real and generated images side by side, one row per class.

    Parameters
    ----------
    real_X : array-like of shape (n_real, H, W), (n_real, H, W, C) or (n_real, n_pixels)
        Real images (gray or RGB, ``uint8`` or float; flat rows of square images are
        reshaped).
    real_y : array-like of shape (n_real,)
        Their classes.
    generated_X : array-like of shape (n_generated, ...)
        Generated images, same image shape.
    generated_y : array-like of shape (n_generated,)
        The classes they were generated for.
    n_per_class : int, default=8
        Images per class and panel (fewer where a class has fewer).
    class_names : sequence, dict or None, default=None
        Row labels: a dict ``{label: name}``, or a sequence indexed by integer labels
        (MedMNIST's ``target_names``) or by class position. ``None`` shows the labels.
    title : str or None, default=None
        Figure title.
    random_state : int, RandomState instance or None, default=None
        ``None`` shows the first images of each class; otherwise a seeded random choice.

    Returns
    -------
    fig : matplotlib.figure.Figure
        Two axes, ``'real'`` and ``'generated'``, holding one image artist per shown
        image. Both sets share one intensity scale (0 to 255 for ``uint8``).

    Examples
    --------
    >>> from skgenaug.datasets import make_image_classification
    >>> from skgenaug.plotting import plot_sample_grid
    >>> X, y = make_image_classification(40, n_classes=2, random_state=0)
    >>> fig = plot_sample_grid(X[:20], y[:20], X[20:], y[20:], n_per_class=4)
    >>> [ax.get_title() for ax in fig.axes], len(fig.axes[0].images)
    (['real', 'generated'], 8)
    """
    from sklearn.utils import check_random_state

    real = _as_image_stack(real_X, "real_X")
    fake = _as_image_stack(generated_X, "generated_X")
    if real.shape[1:] != fake.shape[1:]:
        raise ValueError(
            f"real_X and generated_X hold images of different shapes: {real.shape[1:]} "
            f"and {fake.shape[1:]}."
        )
    real_y = _labels(real_y, real, "real_y")
    fake_y = _labels(generated_y, fake, "generated_y")
    if isinstance(n_per_class, bool) or not isinstance(n_per_class, (int, np.integer)) \
            or n_per_class < 1:
        raise ValueError(f"n_per_class must be a positive int; got {n_per_class!r}.")
    classes = np.union1d(real_y, fake_y)
    if len(classes) == 0:
        raise ValueError("No images to show: real_y and generated_y are empty.")
    rng = None if random_state is None else check_random_state(random_state)
    lo, hi = _intensity_range(real, fake)
    h, w = real.shape[1:3]
    gap = max(1, round(0.1 * max(h, w)))

    fig = _figure((1.0 + 2 * n_per_class * 0.42, 0.6 + 0.45 * len(classes)))
    axes = fig.subplots(1, 2, squeeze=True)
    for ax, images, labels, name in ((axes[0], real, real_y, "real"),
                                     (axes[1], fake, fake_y, "generated")):
        for row, label in enumerate(classes):
            idx = np.flatnonzero(labels == label)
            if rng is not None and len(idx) > n_per_class:
                idx = np.sort(rng.choice(idx, n_per_class, replace=False))
            for col, i in enumerate(idx[:n_per_class]):
                _draw_image(ax, images[i], col * (w + gap), row * (h + gap), lo, hi)
        ax.set_xlim(-gap / 2, n_per_class * (w + gap) - gap / 2)
        ax.set_ylim(len(classes) * (h + gap) - gap / 2, -gap / 2)
        ax.set_aspect("equal")
        ax.set_title(name)
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_visible(False)
    axes[0].set_yticks(
        [row * (h + gap) + h / 2 for row in range(len(classes))],
        [_class_label(c, i, classes, class_names) for i, c in enumerate(classes)],
    )
    axes[0].tick_params(left=False)
    if title:
        fig.suptitle(title)
    return fig


def plot_nearest_training_images(report, X_train, X_generated, *, n=8, title=None):
    """The generated images closest to a training image, above those training images.

    Parameters
    ----------
    report : dict or Bunch
        From :func:`skgenaug.metrics.memorization_report` (``worst_indices``,
        ``worst_train_indices``, ``worst_distances``, ``threshold``), computed on
        ``X_train`` and ``X_generated`` (or on their features).
    X_train : array-like of shape (n_train, ...)
        The training images the report searched.
    X_generated : array-like of shape (n_generated, ...)
        The generated images of the report.
    n : int, default=8
        Pairs to show (at most the report's ``n_worst``).
    title : str or None, default=None
        Figure title.

    Returns
    -------
    fig : matplotlib.figure.Figure
        One axes with ``2 * n`` images: generated images on the top row, their nearest
        training images below, distances as column labels (starred at or below the
        near-copy threshold).

    Examples
    --------
    >>> import numpy as np
    >>> from skgenaug.datasets import make_image_classification
    >>> from skgenaug.metrics import memorization_report
    >>> from skgenaug.plotting import plot_nearest_training_images
    >>> X, _ = make_image_classification(60, random_state=0)
    >>> report = memorization_report(X[:40], X[:5], X[40:])
    >>> fig = plot_nearest_training_images(report, X[:40], X[:5], n=4)
    >>> len(fig.axes[0].images)
    8
    """
    train = _as_image_stack(X_train, "X_train")
    fake = _as_image_stack(X_generated, "X_generated")
    worst = np.asarray(report["worst_indices"])[:n]
    nearest = np.asarray(report["worst_train_indices"])[:n]
    distances = np.asarray(report["worst_distances"])[:n]
    if len(worst) == 0:
        raise ValueError("The report lists no generated images (n_worst=0?).")
    if worst.max() >= len(fake) or nearest.max() >= len(train):
        raise ValueError("The report's indices do not fit X_train / X_generated: pass "
                         "the arrays the report was computed on.")
    lo, hi = _intensity_range(train, fake)
    h, w = train.shape[1:3]
    gap = max(1, round(0.15 * max(h, w)))
    fig = _figure((0.8 + 0.75 * len(worst), 2.3))
    ax = fig.subplots()
    for col, (g, t) in enumerate(zip(worst, nearest)):
        _draw_image(ax, fake[g], col * (w + gap), 0, lo, hi)
        _draw_image(ax, train[t], col * (w + gap), h + gap, lo, hi)
    ax.set_xlim(-gap / 2, len(worst) * (w + gap) - gap / 2)
    ax.set_ylim(2 * h + 1.5 * gap, -gap / 2)
    ax.set_aspect("equal")
    threshold = report.get("threshold", -np.inf)
    ax.set_xticks([col * (w + gap) + w / 2 for col in range(len(worst))],
                  [f"{d:.3g}" + ("*" if d <= threshold else "") for d in distances],
                  fontsize=7)
    ax.set_yticks([h / 2, 1.5 * h + gap], ["generated", "nearest\ntraining"])
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xlabel("distance to the nearest training image (* = near copy)")
    if title:
        ax.set_title(title)
    return fig


# ------------------------------------------------------------------------- histories


_SKIPPED_KEYS = {"epoch", "dur", "train_batch_count", "valid_batch_count"}


def _resolve_history(obj):
    from sklearn.exceptions import NotFittedError

    if isinstance(obj, (list, tuple)) and (not obj or isinstance(obj[0], Mapping)):
        return list(obj), None
    best = getattr(obj, "best_epoch_", None)
    history = None
    for name in ("history_", "history"):
        try:
            history = getattr(obj, name)
        except (AttributeError, NotFittedError):
            continue
        if history is not None:
            break
    if history is None:
        raise ValueError(
            f"{type(obj).__name__} has no training history: pass a fitted sampler or "
            "ResNetClassifier, a skorch net or its History, or a list of per-epoch dicts."
        )
    return list(history), best


def plot_training_curves(estimator_or_history, keys=None, *, title=None):
    """Per-epoch training curves from a skorch history.

    Parameters
    ----------
    estimator_or_history : estimator, skorch net, skorch History or list of dict
        A fitted sampler or :class:`~skgenaug.ResNetClassifier` (its ``history_``), a
        skorch net (its ``history``), or the history itself.
    keys : sequence of str or None, default=None
        Entries to plot. ``None`` plots every numeric per-epoch entry except
        bookkeeping (``epoch``, ``dur``, batch counts, ``*_best`` flags, ``event_*``).
        Losses (names containing ``loss``) share one axes; other scores (accuracy,
        AUC, ...) another.
    title : str or None, default=None
        Figure title.

    Returns
    -------
    fig : matplotlib.figure.Figure
        One or two axes (``'loss'``, ``'score'``), one line per key, epoch on the x
        axis; a dashed line marks a classifier's kept epoch (``best_epoch_``).

    Examples
    --------
    >>> from skgenaug.plotting import plot_training_curves
    >>> history = [{"epoch": 1, "train_loss": 0.9, "valid_acc": 0.6},
    ...            {"epoch": 2, "train_loss": 0.5, "valid_acc": 0.8}]
    >>> fig = plot_training_curves(history)
    >>> [ax.get_ylabel() for ax in fig.axes]
    ['loss', 'score']
    """
    epochs, best = _resolve_history(estimator_or_history)
    if not epochs:
        raise ValueError("The history is empty: nothing was trained yet.")

    def numeric(value):
        return isinstance(value, (int, float, np.integer, np.floating)) and not (
            isinstance(value, (bool, np.bool_))
        )

    if keys is None:
        keys = []
        for row in epochs:
            for key, value in row.items():
                if (key in _SKIPPED_KEYS or key.endswith("_best")
                        or key.startswith("event_") or not numeric(value)):
                    continue
                if key not in keys:
                    keys.append(key)
        if not keys:
            raise ValueError("The history holds no numeric per-epoch entries to plot.")
    else:
        keys = [keys] if isinstance(keys, str) else list(keys)
        present = {key for row in epochs for key in row}
        unknown = [key for key in keys if key not in present]
        if unknown:
            raise ValueError(
                f"Key(s) {unknown!r} are not in the history; it has "
                f"{sorted(k for k in present if k != 'batches')!r}."
            )
    x = np.array([row.get("epoch", i + 1) for i, row in enumerate(epochs)], dtype=float)
    groups = [("loss", [k for k in keys if "loss" in k]),
              ("score", [k for k in keys if "loss" not in k])]
    groups = [(name, ks) for name, ks in groups if ks]
    fig = _figure((3.6 * len(groups) + 0.6, 3.0))
    axes = np.atleast_1d(fig.subplots(1, len(groups), squeeze=True))
    for ax, (name, group_keys) in zip(axes, groups):
        for key in group_keys:
            y = np.array([row[key] if numeric(row.get(key)) else np.nan
                          for row in epochs], dtype=float)
            ax.plot(x, y, marker="o" if len(x) <= 20 else None, markersize=3,
                    label=key)
        if best is not None:
            ax.axvline(best, color="0.4", linestyle="--", linewidth=1,
                       label=f"kept epoch ({best})")
        ax.set_xlabel("epoch")
        ax.set_ylabel(name)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    return fig


# ------------------------------------------------------------------------- memorisation


def plot_memorization(report, *, bins=30, title=None):
    """Histogram of nearest-training distances: generated against held-out real.

    Parameters
    ----------
    report : dict or Bunch
        From :func:`skgenaug.metrics.memorization_report`.
    bins : int or sequence, default=30
        Histogram bins, shared by both sets.
    title : str or None, default=None
        Axes title; ``None`` states both near-copy shares.

    Returns
    -------
    fig : matplotlib.figure.Figure
        One axes with two density histograms and a vertical line at the near-copy
        threshold.

    Examples
    --------
    >>> import numpy as np
    >>> from skgenaug.metrics import memorization_report
    >>> from skgenaug.plotting import plot_memorization
    >>> rng = np.random.default_rng(0)
    >>> report = memorization_report(rng.normal(size=(200, 4)),
    ...                              rng.normal(size=(100, 4)), rng.normal(size=(100, 4)))
    >>> fig = plot_memorization(report)
    >>> fig.axes[0].get_xlabel()
    'distance to the nearest training sample (features)'
    """
    try:
        gen = np.asarray(report["generated_distances"], dtype=float)
        hold = np.asarray(report["holdout_distances"], dtype=float)
        threshold = float(report["threshold"])
    except (KeyError, TypeError):
        raise ValueError(
            "report must be the result of skgenaug.metrics.memorization_report "
            "(generated_distances, holdout_distances, threshold)."
        ) from None
    edges = np.histogram_bin_edges(np.concatenate([gen, hold]), bins=bins)
    fig = _figure((5.0, 3.2))
    ax = fig.subplots()
    ax.hist(hold, bins=edges, density=True, alpha=0.55, color="tab:blue",
            label=f"held-out real (n={len(hold)})")
    ax.hist(gen, bins=edges, density=True, alpha=0.55, color="tab:orange",
            label=f"generated (n={len(gen)})")
    q = report.get("quantile")
    what = f"{q:g}-quantile of held-out" if q is not None else "threshold"
    ax.axvline(threshold, color="k", linestyle="--", linewidth=1,
               label=f"near-copy threshold ({what})")
    space = report.get("space", "features")
    ax.set_xlabel(f"distance to the nearest training sample ({space})")
    ax.set_ylabel("density")
    if title is None and "near_copy_share" in report:
        title = (f"near copies: generated {report['near_copy_share']:.1%}, "
                 f"held-out {report.get('holdout_near_copy_share', np.nan):.1%}")
    if title:
        ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8)
    return fig


# ------------------------------------------------------------------------- scores


def _score_table(table, metric, selection):
    """``(datasets, methods, mean, std, paper)`` from any accepted table format."""
    import pandas as pd

    frame = pd.DataFrame(table).copy()
    for column in ("dataset", "method"):
        if column not in frame.columns:
            raise ValueError(f"table needs a {column!r} column; it has "
                             f"{list(frame.columns)!r}.")
    if "selection" in frame.columns:
        choices = list(dict.fromkeys(frame["selection"]))
        if selection is None and len(choices) > 1:
            raise ValueError(f"table holds several selection rules {choices!r}; pass "
                             "selection= to choose one.")
        if selection is not None:
            if selection not in choices:
                raise ValueError(f"selection={selection!r} is not in the table "
                                 f"({choices!r}).")
            frame = frame[frame["selection"] == selection]
    if f"{metric}_mean" in frame.columns:  # the benchmark's summary
        frame = frame.assign(
            _mean=frame[f"{metric}_mean"].astype(float),
            _std=frame[f"{metric}_std"].astype(float)
            if f"{metric}_std" in frame.columns else np.nan,
        )
        agg = frame.groupby(["dataset", "method"], sort=False)[["_mean", "_std"]].first()
    else:
        if metric in frame.columns:  # one row per run (the benchmark's cells)
            values = frame[metric]
        elif "value" in frame.columns:  # long format
            if "metric" in frame.columns:
                frame = frame[frame["metric"] == metric]
                if frame.empty:
                    raise ValueError(f"No rows with metric == {metric!r}.")
            values = frame["value"]
        else:
            raise ValueError(
                f"table has no column {metric!r}, {metric + '_mean'!r} or 'value'; "
                f"columns: {list(frame.columns)!r}."
            )
        frame = frame.assign(_value=values.astype(float))
        grouped = frame.groupby(["dataset", "method"], sort=False)["_value"]
        agg = pd.DataFrame({"_mean": grouped.mean(), "_std": grouped.std(ddof=1)})
        if "std" in frame.columns and (grouped.size() == 1).all():
            agg["_std"] = frame.groupby(["dataset", "method"], sort=False)["std"].first()
    paper = None
    if f"paper_{metric}" in frame.columns:
        paper = frame.groupby(["dataset", "method"], sort=False)[f"paper_{metric}"].first()
    datasets = list(dict.fromkeys(frame["dataset"]))
    methods = list(dict.fromkeys(frame["method"]))
    methods = sorted(methods, key=_methods.method_order)  # registry order, stable
    return datasets, methods, agg, paper


def method_colors(methods):
    """One distinct colour per method, the same in every figure.

    Registered methods (:data:`METHOD_NAMES`) keep the colour of their place in the
    registry whichever methods a figure shows; other names (variants such as
    ``'diffusion+pool@450'``, user samplers) take the next colours that no method of
    the figure has. Matplotlib's default cycle has ten colours, so the palette is
    ``tab20``, its saturated half first, then ``tab20b`` and ``tab20c``: 60 colours
    before any repeats.

    Parameters
    ----------
    methods : sequence of str
        Method codes.

    Returns
    -------
    colors : dict
        ``{method: RGB tuple}``.

    Examples
    --------
    >>> from skgenaug.plotting import method_colors
    >>> colors = method_colors(["none", "cvae", "my sampler"])
    >>> len(set(colors.values()))
    3
    """
    import matplotlib

    tab20 = matplotlib.colormaps["tab20"].colors
    palette = (tab20[0::2] + tab20[1::2] + matplotlib.colormaps["tab20b"].colors
               + matplotlib.colormaps["tab20c"].colors)
    registry = list(METHOD_NAMES)
    fixed = {m: registry.index(m) for m in methods if m in registry}
    taken = set(fixed.values())
    # after the registry's colours, then wrapping round to those this figure leaves free
    order = [*range(len(registry), len(palette)), *range(len(registry))]
    free = iter([p for p in order if p not in taken])
    colors = {}
    for method in methods:
        position = fixed[method] if method in fixed else next(free, None)
        if position is None:  # more methods than colours
            position = len(colors)
        colors[method] = palette[position % len(palette)]
    return colors


def plot_scores(table, metric="auc", *, selection=None, show_paper=True,
                method_names=None, title=None, ylim=None):
    """Grouped bar chart of benchmark scores per data set and method, with error bars.

    Three table formats are accepted (as a :class:`pandas.DataFrame` or anything it
    accepts):

    - the summary of an evaluation (:func:`skgenaug.evaluate_augmentation`, the
      benchmark's ``summary.csv``): columns ``dataset, method, <metric>_mean,
      <metric>_std`` and, where known, the paper's value ``paper_<metric>`` (drawn as a
      black tick);
    - one row per run (the benchmark's ``cells.csv``): ``dataset, method, <metric>``;
      bars show the mean, error bars the standard deviation (``ddof=1``) over rows;
    - long format: ``dataset, method, value`` (and ``metric`` to pick rows by
      ``metric``; an optional ``std`` column is used when each group has one row).

    A ``selection`` column (the benchmark's model-selection rule) is filtered by
    ``selection``.

    Parameters
    ----------
    table : pandas.DataFrame, dict or list of dict
        Scores in one of the formats above.
    metric : str or sequence of str, default='auc'
        Which score to plot (``'auc'``, ``'acc'``, ``'balanced_acc'``, ...); several
        give one axes each, side by side.
    selection : str or None, default=None
        Keep rows of this selection rule; required when the table holds several.
    show_paper : bool, default=True
        Draw ``paper_<metric>`` values when the table has them.
    method_names : dict or None, default=None
        Legend names of method codes; defaults to :data:`METHOD_NAMES` (``'cvae'`` ->
        ``'cVAE'``, ...); other codes are shown as they are.
    title : str or None, default=None
        Figure title.
    ylim : tuple or None, default=None
        y-axis limits; ``None`` starts the axis a little below the lowest bar.

    Returns
    -------
    fig : matplotlib.figure.Figure
        One axes per metric: one group of bars per data set, one bar per method, each
        method in its own colour (:func:`method_colors`); the legend is on the last
        axes.

    Examples
    --------
    >>> import pandas as pd
    >>> from skgenaug.plotting import plot_scores
    >>> table = pd.DataFrame({"dataset": ["breast"] * 4, "method": ["none", "none",
    ...                       "cvae", "cvae"], "value": [0.85, 0.87, 0.88, 0.86]})
    >>> fig = plot_scores(table, metric="auc")
    >>> len(fig.axes[0].patches), fig.axes[0].get_ylabel()
    (2, 'AUC')
    """
    metrics = [metric] if isinstance(metric, str) else list(metric)
    if not metrics:
        raise ValueError("metric must name at least one score.")
    tables = [_score_table(table, m, selection) for m in metrics]
    names = {**METHOD_NAMES, **(method_names or {})}
    n_datasets = len(tables[0][0])
    n_methods = max(len(t[1]) for t in tables)
    panel = 1.3 + 1.1 * n_datasets * max(1, n_methods / 3)
    beside = n_methods > 4 or len(metrics) > 1
    fig = _figure((0.5 + panel * len(metrics) + (1.6 if beside else 0), 3.4))
    axes = np.atleast_1d(fig.subplots(1, len(metrics), squeeze=True))
    for ax, name, (datasets, methods, agg, paper) in zip(axes, metrics, tables):
        _draw_score_bars(ax, name, datasets, methods, agg,
                         paper if show_paper else None, names, ylim)
    last = axes[-1]
    if n_methods > 4 or len(axes) > 1:  # beside the axes: inside, entries hide bars
        last.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1.0))
    else:
        last.legend(fontsize=8, ncol=min(n_methods + 1, 5))
    if title:
        if len(axes) == 1:
            axes[0].set_title(title)
        else:
            fig.suptitle(title)
    return fig


def _draw_score_bars(ax, metric, datasets, methods, agg, paper, names, ylim):
    width = 0.8 / len(methods)
    x = np.arange(len(datasets))
    colors = method_colors(methods)
    lows, paper_drawn = [], False
    for i, method in enumerate(methods):
        mean = np.array([agg["_mean"].get((d, method), np.nan) for d in datasets])
        std = np.array([agg["_std"].get((d, method), np.nan) for d in datasets])
        pos = x - 0.4 + (i + 0.5) * width
        yerr = None if np.all(np.isnan(std)) else np.nan_to_num(std)
        ax.bar(pos, mean, width, yerr=yerr, capsize=3, color=colors[method],
               label=names.get(method) or _methods.display_name(method))
        lows.append(mean - np.nan_to_num(std))
        if paper is not None:
            values = np.array([paper.get((d, method), np.nan) for d in datasets],
                              dtype=float)
            if np.isfinite(values).any():
                ax.plot(pos, values, "k_", markersize=12, markeredgewidth=2,
                        label=None if paper_drawn else "paper")
                paper_drawn = True
    ax.set_xticks(x, [str(d).removesuffix("mnist") for d in datasets])
    ax.set_ylabel(METRIC_NAMES.get(metric, metric))
    if ylim is not None:
        ax.set_ylim(*ylim)
    else:
        low = np.nanmin(np.concatenate(lows)) if lows else 0.0
        if np.isfinite(low) and 0.0 <= low <= 1.0:
            ax.set_ylim(max(0.0, np.floor(10 * low - 0.5) / 10), 1.0)
    ax.grid(axis="y", alpha=0.3)
