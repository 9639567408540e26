"""Tables, paired comparisons, figures and files of a benchmark run."""

import json

import numpy as np
import pandas as pd

from ..metrics import quality_markdown, summarize_quality
from ._config import METHOD_NAMES, SELECTION_NAMES
from ._paper import PAPER_CITATION, paper_value
from ._stats import paired_comparison

METRICS = {"auc": "AUC", "acc": "ACC", "balanced_acc": "BACC"}
#: Metrics the paper reports (its values are printed beside ours).
COMPARED = ("auc", "acc")
#: Metrics of the paired comparisons (balanced accuracy matters on skewed test splits
#: and in the long-tail scenario).
PAIRED = ("auc", "acc", "balanced_acc")
#: The control of the second comparison: random over-sampling adds as many images as
#: any sampler (so as many optimizer steps), but only copies; a generator that beats
#: it adds more than extra steps and class balance.
CONTROL = "ros"


def summarize(cells):
    """Mean and standard deviation of each metric per selection, data set and method.

    Parameters
    ----------
    cells : pandas.DataFrame
        One row per finished cell (``selection, dataset, method, seed, fold`` and the
        metric columns).

    Returns
    -------
    summary : pandas.DataFrame
        One row per (selection, dataset, method): ``n``, ``<metric>_mean``,
        ``<metric>_std`` (ddof 1), ``paper_<metric>`` and ``diff_paper_<metric>`` for
        AUC and ACC.
    """
    rows = []
    for (sel, ds, method), group in cells.groupby(
        ["selection", "dataset", "method"], sort=False
    ):
        row = dict(selection=sel, dataset=ds, method=method, n=len(group))
        for metric in METRICS:
            values = group[metric].astype(float)
            row[f"{metric}_mean"] = values.mean()
            row[f"{metric}_std"] = values.std(ddof=1) if len(values) > 1 else np.nan
        for metric in COMPARED:
            paper = paper_value(ds, method, metric)
            row[f"paper_{metric}"] = np.nan if paper is None else paper
            row[f"diff_paper_{metric}"] = row[f"{metric}_mean"] - row[f"paper_{metric}"]
        rows.append(row)
    return pd.DataFrame(rows)


def compare(cells, reference="none", methods=None):
    """Paired differences of methods against a reference method, by (seed, fold).

    Parameters
    ----------
    cells : pandas.DataFrame
        One row per finished cell.
    reference : str, default='none'
        The method every other one is compared with (``'ros'``: the control that adds
        as many images, as copies).
    methods : sequence of str or None, default=None
        Methods to compare; ``None`` compares every other method of ``cells``.

    Returns
    -------
    comparisons : pandas.DataFrame
        One row per (selection, dataset, method, metric) with the columns of
        :func:`~skgenaug.benchmark._stats.paired_comparison`, and ``reference``.
    """
    rows = []
    keys = ["seed", "fold"]
    for (sel, ds), group in cells.groupby(["selection", "dataset"], sort=False):
        base = group[group.method == reference]
        if base.empty:
            continue
        ratio = float((base.n_val / base.n_train).mean())
        for method in group.method.unique():
            if method == reference or (methods is not None and method not in methods):
                continue
            paired = group[group.method == method].merge(base, on=keys, suffixes=("", "_b"))
            for metric in PAIRED:
                stats = paired_comparison(paired[metric], paired[metric + "_b"], ratio)
                rows.append(dict(selection=sel, dataset=ds, method=method,
                                 reference=reference, metric=metric,
                                 test_train_ratio=ratio, **stats))
    return pd.DataFrame(rows)


def compare_with_control(cells):
    """Paired differences of the image-making methods against :data:`CONTROL` (ROS).

    Empty when the run has no ROS cells.
    """
    makers = [m for m in cells.method.unique() if m not in ("none", CONTROL)]
    if CONTROL not in set(cells.method) or not makers:
        return pd.DataFrame()
    return compare(cells, reference=CONTROL, methods=makers)


def _pm(mean, std):
    if not np.isfinite(mean):
        return "–"
    return f"{mean:.3f} ± {std:.3f}" if np.isfinite(std) else f"{mean:.3f}"


def _num(value, signed=False):
    if value is None or not np.isfinite(value):
        return "–"
    return f"{value:+.3f}" if signed else f"{value:.3f}"


def _p(value):
    if value is None or not np.isfinite(value):
        return "–"
    return f"{value:.3f}" if value >= 0.001 else "<0.001"


def _scores_table(summary):
    head = ("| data set | method | n | AUC | paper AUC | Δ paper | ACC | paper ACC | "
            "Δ paper | BACC |")
    lines = [head, "|" + " --- |" * 10]
    for r in summary.itertuples():
        lines.append(
            f"| {r.dataset} | {METHOD_NAMES[r.method]} | {r.n} | "
            f"{_pm(r.auc_mean, r.auc_std)} | {_num(r.paper_auc)} | "
            f"{_num(r.diff_paper_auc, True)} | {_pm(r.acc_mean, r.acc_std)} | "
            f"{_num(r.paper_acc)} | {_num(r.diff_paper_acc, True)} | "
            f"{_pm(r.balanced_acc_mean, r.balanced_acc_std)} |"
        )
    return lines


def _comparison_table(comparisons, reference="none"):
    lines = [
        f"| data set | method | metric | n | Δ vs {METHOD_NAMES[reference]} | "
        "95% CI (corrected) | "
        "p (corrected) | p (ttest_rel) | p (Wilcoxon) | verdict |",
        "|" + " --- |" * 10,
    ]
    for r in comparisons.itertuples():
        mark = "**" if r.verdict in ("helps", "hurts") else ""
        lines.append(
            f"| {r.dataset} | {METHOD_NAMES[r.method]} | {METRICS[r.metric]} | {r.n} | "
            f"{mark}{_num(r.mean_diff, True)}{mark} | "
            f"[{_num(r.ci_low, True)}, {_num(r.ci_high, True)}] | {_p(r.p_corrected)} | "
            f"{_p(r.p_ttest_rel)} | {_p(r.p_wilcoxon)} | {mark}{r.verdict}{mark} |"
        )
    return lines


def _verdict_lines(comparisons, reference="none"):
    lines = []
    for method in comparisons.method.unique():
        parts = []
        for ds, group in comparisons[comparisons.method == method].groupby(
            "dataset", sort=False
        ):
            said = ", ".join(
                f"{METRICS[r.metric]} {r.verdict} ({_num(r.mean_diff, True)})"
                for r in group.itertuples()
            )
            parts.append(f"{ds}: {said}")
        lines.append(f"- **{METHOD_NAMES[method]}** vs {METHOD_NAMES[reference]} — "
                     + "; ".join(parts) + ".")
    return lines


def _comparison_section(comparisons, selection, reference, title, verdict_title,
                        intro):
    """Table and verdicts of one selection's comparisons; nothing when there are none."""
    if comparisons is None or not len(comparisons):
        return []
    part = comparisons[comparisons.selection == selection]
    if not len(part):
        return []
    return (["", f"### {title}", "", intro, ""]
            + _comparison_table(part, reference)
            + ["", f"### {verdict_title}", ""] + _verdict_lines(part, reference))


def markdown(summary, comparisons, run_info, control=None):
    """The results as a Markdown document.

    Parameters
    ----------
    summary : pandas.DataFrame
        From :func:`summarize`.
    comparisons : pandas.DataFrame
        From :func:`compare`.
    control : pandas.DataFrame or None, default=None
        From :func:`compare_with_control`; shown after the comparison with None.
    run_info : dict
        ``profile``, ``description``, ``folds``, ``seeds``, ``test_max``, ``device``,
        ``wall_s`` and ``command`` of the run.

    Returns
    -------
    text : str
    """
    info = run_info
    lines = [
        f"# Generative augmentation on MedMNIST — profile `{info['profile']}`",
        "",
        f"Profile: {info['description']}.",
        f"Protocol: the paper's subset of each data set (training + validation parts "
        f"pooled), {info['folds']} stratified folds x {len(info['seeds'])} subset "
        f"seed(s) {list(info['seeds'])}; per fold the sampler is fitted on the training "
        "part only, "
        + ("balances the classes (sampling_strategy='auto'; **long-tail scenario**: "
           "the class of frequency rank r in the official training split (0 = most "
           "frequent) keeps round(n * 0.1 ** (r / (K-1))) of its n images in the pooled "
           "subset before the folds are drawn, so every training part and held-out "
           "fold has the same imbalance (largest:smallest class 167:17 for a subset of "
           "167 per class; more where the subset is uneven) and the rare classes are "
           "the data set's rare ones; compare BACC as well as ACC and AUC), "
           if info.get("scenario") == "long-tail" else "adds 150 images per class, ")
        + "and the classifier is scored on the official test split"
        + ("" if info.get("test_max") is None
           else f" (**subsampled to at most {info['test_max']} images where larger, "
                "stratified: not comparable with the paper**)")
        + ". Mean ± std over folds x seeds.",
        f"Device: {info['device']}. Wall time of this invocation: {info['wall_s']:.0f} s "
        f"({info['n_run']} cells run, {info['n_reused']} reused from the store; the "
        f"cells' own times sum to {info['cell_s']:.0f} s)"
        + (f"; earlier invocations on this store computed {info['earlier_cells']} cells "
           f"in {info['earlier_wall_s']:.0f} s of wall time"
           if info.get("earlier_cells") else "")
        + f". Command: `{info['command']}`",
        "",
        f"Paper values: {PAPER_CITATION}",
        "",
    ]
    for sel in summary.selection.unique():
        lines += [f"## Selection: {SELECTION_NAMES[sel]}", ""]
        if sel == "val":
            lines += [
                "The epoch is chosen by accuracy on the held-out fold (real images only). "
                "The paper's numbers select on the test split: they are expected to be "
                "higher than these.",
                "",
            ]
        else:
            lines += [
                "**Optimistic**: the epoch is chosen by accuracy on the test split itself, "
                "as the paper did. Use only to compare with the paper.",
                "",
            ]
        lines += ["### Test scores", ""] + _scores_table(summary[summary.selection == sel])
        lines += _comparison_section(
            comparisons, sel, "none", "Paired difference vs None (by seed and fold)",
            "Verdicts (corrected interval)",
            "95% interval and p-value: Nadeau–Bengio corrected resampled t-test "
            "(variance x (1/n + n_held_out/n_train), because folds share training "
            "data); the plain paired t-test (`scipy.stats.ttest_rel`, optimistic) "
            "and the Wilcoxon signed-rank test (n >= 6 only) are shown for "
            "reference. Bold: the corrected interval excludes 0.",
        )
        control_name = METHOD_NAMES[CONTROL]
        lines += _comparison_section(
            control, sel, CONTROL, f"Paired difference vs {control_name} (the control)",
            f"Verdicts vs {control_name} (corrected interval)",
            "Random over-sampling adds as many images as each sampler, so the "
            "classifier gets as many optimizer steps and the same class balance, "
            "but every added image is a copy. A method that beats None but not ROS "
            "has not shown that its images add anything beyond that. Same tests as "
            "above.",
        )
        lines.append("")
    return "\n".join(lines)


def plot_scores(summary, path):
    """Bar chart of AUC and ACC per data set and method, with the paper's values.

    Parameters
    ----------
    summary : pandas.DataFrame
        From :func:`summarize`.
    path : str or path-like
        PNG file to write.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    selections = list(summary.selection.unique())
    datasets = list(summary.dataset.unique())
    methods = [m for m in METHOD_NAMES if m in set(summary.method)]
    fig, axes = plt.subplots(len(selections), 2, squeeze=False,
                             figsize=(4 + 1.6 * len(datasets), 3.2 * len(selections)))
    colors = method_colors(methods)
    width = 0.8 / len(methods)
    x = np.arange(len(datasets))
    for row, sel in enumerate(selections):
        part = summary[summary.selection == sel].set_index(["dataset", "method"])
        for col, metric in enumerate(COMPARED):
            ax = axes[row, col]
            for i, method in enumerate(methods):
                def get(column, method=method, part=part):
                    return [part[column].get((d, method), np.nan) for d in datasets]

                pos = x - 0.4 + (i + 0.5) * width
                ax.bar(pos, get(f"{metric}_mean"), width, yerr=get(f"{metric}_std"),
                       label=METHOD_NAMES[method], capsize=2, color=colors[method])
                ax.plot(pos, get(f"paper_{metric}"), "k_", markersize=10,
                        label="paper" if i == 0 else None)
            ax.set_xticks(x, [d.replace("mnist", "") for d in datasets])
            low = np.nanmin(part[f"{metric}_mean"] - part[f"{metric}_std"].fillna(0))
            ax.set_ylim(min(0.4, np.floor(10 * low) / 10), 1.0)
            ax.set_ylabel(METRICS[metric])
            ax.set_title(f"{METRICS[metric]} — {sel}" + (" (optimistic)"
                                                         if sel == "test-best" else ""),
                         fontsize=9)
            ax.grid(axis="y", alpha=0.3)
    # Outside the axes: with a dozen methods a legend inside hides bars.
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="center left", bbox_to_anchor=(1.0, 0.5),
               fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=80, bbox_inches="tight")
    plt.close(fig)


def method_colors(methods):
    """One distinct color per method (matplotlib's default cycle has only ten).

    Parameters
    ----------
    methods : sequence of str
        Method names, in table order.

    Returns
    -------
    colors : dict
        ``{method: RGBA tuple}``.
    """
    import matplotlib

    palette = matplotlib.colormaps["tab20"].colors
    # Even entries of tab20 first (the saturated ones), then the light ones; a method
    # keeps its color whichever methods a run has.
    ranked = palette[0::2] + palette[1::2]
    position = {m: i for i, m in enumerate(METHOD_NAMES)}
    return {m: ranked[position[m] % len(ranked)] for m in methods}


def _mosaic(images, labels, gap=4):
    """Rows = classes; images side by side; gray or RGB uint8."""
    rows = []
    for label in np.unique(labels):
        row = images[labels == label]
        pad = [(0, 0), (0, gap)] + [(0, 0)] * (row.ndim - 3)
        rows.append(np.concatenate([np.pad(im, pad[:im.ndim]) for im in row], axis=1))
    width = max(r.shape[1] for r in rows)
    rows = [np.pad(r, [(0, gap), (0, width - r.shape[1])] + [(0, 0)] * (r.ndim - 2))
            for r in rows]
    return np.concatenate(rows, axis=0)


def plot_samples(preview, title, path):
    """Real (left) and generated (right) training images per class, one row per class.

    Parameters
    ----------
    preview : dict
        ``real``, ``generated`` (uint8 images) and ``y`` (their classes).
    title : str
        Figure title.
    path : str or path-like
        PNG file to write.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    real = _mosaic(preview["real"], preview["y"])
    fake = _mosaic(preview["generated"], preview["y"])
    classes = np.unique(preview["y"])
    row_height = real.shape[0] / len(classes)
    size = (1 + real.shape[1] / 40, 0.8 + real.shape[0] / 60)
    fig, axes = plt.subplots(1, 2, figsize=size)
    for ax, mosaic, name in ((axes[0], real, "real"), (axes[1], fake, "generated")):
        ax.imshow(mosaic, cmap="gray" if mosaic.ndim == 2 else None, vmin=0, vmax=255)
        ax.set_title(name, fontsize=8)
        ax.set_xticks([])
        ax.set_yticks((np.arange(len(classes)) + 0.45) * row_height,
                      [f"class {c}" for c in classes], fontsize=7)
    fig.suptitle(title, fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def write_outputs(out, cells, run_info, config, previews):
    """Write results.md, cells.csv, config.json, scores.png, sample grids, quality.csv.

    quality.csv (also config.json's ``quality`` and a second table of results.md) is
    written when the cells carry :func:`~skgenaug.metrics.quality_report` results.

    Parameters
    ----------
    out : pathlib.Path
        Results folder.
    cells : pandas.DataFrame
        One row per cell of the run.
    run_info : dict
        See :func:`markdown`.
    config : dict
        Written to config.json.
    previews : dict
        ``{(dataset, method): preview}`` for the sample grids.

    Returns
    -------
    text : str
        The Markdown of results.md.
    """
    summary, comparisons = summarize(cells), compare(cells)
    control = compare_with_control(cells)
    text = markdown(summary, comparisons, run_info, control)
    if "quality" in cells.columns:
        quality = summarize_quality(cells)
        config = dict(config, quality=quality.to_dict("records"))
        if len(quality):
            quality.to_csv(out / "quality.csv", index=False)
            shown = quality.assign(method=quality.method.map(METHOD_NAMES))
            text += (
                "\n\n## Generated-image quality\n\n"
                "Each sampler (fitted on a fold's training part) against its training "
                "images, in the embedding of a small ResNet trained on them: Fréchet "
                "distance (FD; 'FD real' is the held-out real fold's, the reference), "
                "precision / recall / density / coverage (k = 5), the share of "
                "near-copies of training images, and, where computed, train-synthetic-"
                "test-real (TSTR), train-real-test-synthetic (TRTS) and real-only "
                "(TRTR) accuracies on the held-out fold. Mean ± std over folds x seeds "
                "(shared by both selection rules).\n\n"
                + quality_markdown(shown)
            )
        cells = cells.drop(columns="quality")
    (out / "results.md").write_text(text + "\n")
    cells.to_csv(out / "cells.csv", index=False)
    summary.to_csv(out / "summary.csv", index=False)
    pd.concat([comparisons, control]).to_csv(out / "comparisons.csv", index=False)
    (out / "config.json").write_text(json.dumps(config, indent=2, default=str) + "\n")
    plot_scores(summary, out / "scores.png")
    for (ds, method), preview in previews.items():
        title = (f"{ds}, {METHOD_NAMES[method]}: real training images (left) and "
                 "generated ones (right), fold 0 of seed 0")
        plot_samples(preview, title, out / f"samples_{ds}_{method}.png")
    return text
