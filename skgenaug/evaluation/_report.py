"""Tables, paired comparisons and the Markdown report of an evaluation."""

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._methods import UNAUGMENTED, display_name, parse_variant
from ..metrics import quality_markdown, summarize_quality
from ._config import EPOCH_RULES, SELECTION_NAMES
from ._stats import ALPHA, POWER, paired_comparison

METRICS = {"auc": "AUC", "acc": "ACC", "balanced_acc": "BACC"}
#: Metrics of the paired comparisons (balanced accuracy matters on skewed test splits
#: and in the long-tail scenario).
PAIRED = ("auc", "acc", "balanced_acc")
#: The control of the second comparison: random over-sampling adds as many images as
#: any sampler (so as many optimizer steps), but only copies; a generator that beats
#: it adds more than extra steps and class balance.
CONTROL = "ros"


@dataclass(frozen=True)
class ReferenceValues:
    """Published numbers that a report prints beside a run's own scores.

    The evaluation knows no paper: a caller that reproduces one (the MedMNIST table,
    :mod:`skgenaug.medmnist`) passes its table here.

    Parameters
    ----------
    name : str
        Short label of the source in column names and table heads (``'paper'``:
        columns ``paper_auc`` and ``diff_paper_auc``).
    citation : str
        Where the numbers come from, printed under the report's header.
    values : mapping
        ``{dataset: {method: {metric: value or None}}}``; missing entries and ``None``
        are "no published number".
    note : str, default=''
        A sentence printed before the validation-selected scores (how the published
        numbers were selected, for instance).

    Examples
    --------
    >>> from skgenaug.evaluation import ReferenceValues
    >>> ref = ReferenceValues("paper", "A. Author (2020)", {"d": {"none": {"auc": 0.9}}})
    >>> ref.value("d", "none", "auc"), ref.value("d", "cvae", "auc"), ref.metrics
    (0.9, None, ('auc',))
    """

    name: str
    citation: str
    values: Mapping = field(default_factory=dict)
    note: str = ""

    @property
    def metrics(self):
        """The metrics that have at least one published number, in report order."""
        found = {metric for methods in self.values.values() for row in methods.values()
                 for metric, value in (row or {}).items() if value is not None}
        return tuple(m for m in METRICS if m in found)

    def value(self, dataset, method, metric):
        """The published number of one (data set, method, metric), or ``None``."""
        row = self.values.get(dataset, {}).get(method) or {}
        return row.get(metric)


def summarize(cells, reference=None):
    """Mean and standard deviation of each metric per selection, data set and method.

    Parameters
    ----------
    cells : pandas.DataFrame
        One row per finished cell (``selection, dataset, method, seed, fold`` and the
        metric columns).
    reference : ReferenceValues or None, default=None
        Published numbers to put beside the means.

    Returns
    -------
    summary : pandas.DataFrame
        One row per (selection, dataset, method): ``n``, ``<metric>_mean``,
        ``<metric>_std`` (ddof 1), and with a reference named ``r`` the columns
        ``r_<metric>`` and ``diff_r_<metric>`` for each of its metrics.
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
        for metric in reference.metrics if reference is not None else ():
            value = reference.value(ds, method, metric)
            column = f"{reference.name}_{metric}"
            row[column] = np.nan if value is None else value
            row[f"diff_{column}"] = row[f"{metric}_mean"] - row[column]
        rows.append(row)
    return pd.DataFrame(rows)


def _heldout_ratio(cells):
    """``n_test / n_train`` of the Nadeau-Bengio correction: held-out fold over
    training part (cells stored before ``heldout_ratio`` existed: ``n_val / n_train``,
    the same thing for the MedMNIST table)."""
    if "heldout_ratio" in cells.columns and cells["heldout_ratio"].notna().all():
        return float(cells["heldout_ratio"].mean())
    return float((cells.n_val / cells.n_train).mean())


def compare(cells, reference="none", methods=None, rope=0.01, bootstrap=None):
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
    rope : float, default=0.01
        Half-width of the region of practical equivalence (Bayesian test).
    bootstrap : PairedBootstrap or None, default=None
        The stored test-set predictions: where every fold was scored on one test set,
        the paired bootstrap over test images gives ``test_low``, ``test_high`` and
        ``p_test``.

    Returns
    -------
    comparisons : pandas.DataFrame
        One row per (selection, dataset, method, metric) with the columns of
        :func:`~skgenaug.evaluation._stats.paired_comparison`, ``reference`` and the
        test-set interval (``nan`` where it does not apply).
    """
    rows = []
    keys = ["seed", "fold"]
    for (sel, ds), group in cells.groupby(["selection", "dataset"], sort=False):
        base = group[group.method == reference]
        if base.empty:
            continue
        ratio = _heldout_ratio(base)
        fixed = bootstrap is not None and bootstrap.applies(sel, ds)
        for method in group.method.unique():
            if method == reference or (methods is not None and method not in methods):
                continue
            paired = group[group.method == method].merge(base, on=keys, suffixes=("", "_b"))
            pairs = list(zip(paired.seed.astype(int), paired.fold.astype(int)))
            for metric in PAIRED:
                stats = paired_comparison(paired[metric], paired[metric + "_b"], ratio,
                                          rope=rope)
                test_low = test_high = p_test = np.nan
                if fixed:
                    test_low, test_high, p_test = bootstrap.compare(
                        [(sel, ds, method, s, f) for s, f in pairs],
                        [(sel, ds, reference, s, f) for s, f in pairs], metric)
                rows.append(dict(selection=sel, dataset=ds, method=method,
                                 reference=reference, metric=metric,
                                 test_train_ratio=ratio, **stats, test_low=test_low,
                                 test_high=test_high, p_test=p_test))
    return pd.DataFrame(rows)


def compare_with_controls(cells, baseline="none", controls=(CONTROL,), rope=0.01,
                          bootstrap=None):
    """Paired differences of the image-making methods against each control method.

    A control is a method that adds images but is not expected to add information:
    ROS (:data:`CONTROL`) adds copies, so as many images and optimizer steps; the
    geometric transforms are the classic augmentation a generator must beat. A method
    with ``@N`` (``N`` images per class) is compared with the control's ``@N`` variant
    where that ran, else with the plain control.

    Parameters
    ----------
    cells : pandas.DataFrame
        One row per finished cell.
    baseline : str, default='none'
        The run's baseline (never compared here, nor used as a control).
    controls : sequence of str, default=('ros',)
        Control methods; those without cells are skipped.
    rope : float, default=0.01
        Half-width of the region of practical equivalence (Bayesian test).
    bootstrap : PairedBootstrap or None, default=None
        As in :func:`compare`.

    Returns
    -------
    comparisons : pandas.DataFrame
        As :func:`compare`; empty when no control ran.
    """
    present = list(cells.method.unique())
    frames = []
    for control in controls:
        if control not in present or control == baseline:
            continue
        family = {m for m in present if _base(m) == _base(control)}
        against = {}
        for method in present:
            if method in (baseline, "none", UNAUGMENTED) or method in family:
                continue
            reference = _at_ratio(control, method, present)
            against.setdefault(reference, []).append(method)
        frames += [compare(cells, reference=ref, methods=methods, rope=rope,
                           bootstrap=bootstrap)
                   for ref, methods in against.items()]
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _base(method):
    try:
        return parse_variant(method).base
    except ValueError:
        return method


def _at_ratio(control, method, present):
    """``control@N`` when ``method`` adds ``N`` per class and that ran, else
    ``control``."""
    try:
        n = parse_variant(method).add_per_class
    except ValueError:  # a user's method (a synthetic set 'name@N'): its name's @N
        n = method.rpartition("@")[2]
        n = int(n) if "@" in method and n.isdigit() else None
    candidate = f"{control}@{n}"
    return candidate if n is not None and candidate in present else control


def _pm(mean, std):
    if not np.isfinite(mean):
        return "–"
    return f"{mean:.3f} ± {std:.3f}" if np.isfinite(std) else f"{mean:.3f}"


def _num(value, signed=False):
    if value is None or not np.isfinite(value):
        return "–"
    return f"{value:+.3f}" if signed else f"{value:.3f}"


def _interval(low, high):
    if not (np.isfinite(low) and np.isfinite(high)):
        return "–"
    return f"[{_num(low, True)}, {_num(high, True)}]"


def _p(value):
    if value is None or not np.isfinite(value):
        return "–"
    return f"{value:.3f}" if value >= 0.001 else "<0.001"


def _scores_table(summary, reference=None):
    compared = () if reference is None else reference.metrics
    name = None if reference is None else reference.name
    head = ["data set", "method", "n"]
    for metric, label in METRICS.items():
        head.append(label)
        if metric in compared:
            head += [f"{name} {label}", f"Δ {name}"]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for r in summary.to_dict("records"):
        cells = [r["dataset"], display_name(r["method"]), str(r["n"])]
        for metric in METRICS:
            cells.append(_pm(r[f"{metric}_mean"], r[f"{metric}_std"]))
            if metric in compared:
                cells += [_num(r[f"{name}_{metric}"]),
                          _num(r[f"diff_{name}_{metric}"], True)]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _comparison_table(comparisons, reference="none"):
    several = comparisons.reference.nunique() > 1  # a control at several @N
    delta = "Δ" if several else f"Δ vs {display_name(reference)}"
    head = ["data set", "method"] + (["vs"] if several else []) + [
        "metric", "n", delta, "95% CI (corrected)", "95% CI (test set)",
        "p (corrected)", "p (adjusted)",
        "detectable Δ", "P(better / ≈ / worse)", "verdict"]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for r in comparisons.itertuples():
        mark = "**" if r.verdict in ("helps", "hurts") else ""
        vs = [display_name(r.reference)] if several else []
        adjusted = getattr(r, "p_adjusted", np.nan)
        family = getattr(r, "family", None)
        method = display_name(r.method) + (" (primary)" if family == "primary" else "")
        row = [r.dataset, method, *vs, METRICS[r.metric], str(r.n),
               f"{mark}{_num(r.mean_diff, True)}{mark}",
               f"[{_num(r.ci_low, True)}, {_num(r.ci_high, True)}]",
               _interval(getattr(r, "test_low", np.nan), getattr(r, "test_high", np.nan)),
               _p(r.p_corrected),
               _p(adjusted) + (" (Holm)" if family == "primary" else
                               " (BH)" if family else ""),
               f"±{_num(r.detectable)}",
               f"{_num(r.p_better)} / {_num(r.p_rope)} / {_num(r.p_worse)}",
               f"{mark}{r.verdict}{mark}" + (", practically equivalent"
                                            if r.p_rope >= 0.95 else "")]
        lines.append("| " + " | ".join(row) + " |")
    return lines


def _verdict_lines(comparisons, reference="none"):
    lines = []
    for method in comparisons.method.unique():
        rows = comparisons[comparisons.method == method]
        parts = []
        for ds, group in rows.groupby("dataset", sort=False):
            said = ", ".join(
                f"{METRICS[r.metric]} {r.verdict} ({_num(r.mean_diff, True)})"
                for r in group.itertuples()
            )
            parts.append(f"{ds}: {said}")
        lines.append(f"- **{display_name(method)}** vs "
                     f"{display_name(rows.reference.iloc[0])} — " + "; ".join(parts) + ".")
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


def _ruled_out(rows):
    """The largest |difference| any interval of ``rows`` still allows."""
    bounds = np.abs(rows[["ci_low", "ci_high"]].to_numpy(dtype=float))
    return float(np.nanmax(bounds)) if np.isfinite(bounds).any() else np.nan


def verdict_paragraph(comparisons, selection, baseline, primary_metric, rope,
                      alpha=ALPHA, declared=True):
    """The run's verdict on its primary metric, for the top of the report.

    Parameters
    ----------
    comparisons : pandas.DataFrame
        Adjusted comparisons (:func:`~skgenaug.evaluation._stats.adjust_comparisons`).
    selection : str
        The selection rule the verdict speaks of (``'val'``).
    baseline : str
        The run's baseline.
    primary_metric : str
        The metric declared primary.
    rope : float
        Half-width of the region of practical equivalence.
    alpha : float, default=0.05
        Family-wise level.
    declared : bool, default=True
        Whether the primary metric was declared before the cells ran (``False``: a
        report written again from stored cells says so).

    Returns
    -------
    lines : list of str
        Empty when there is no primary comparison.
    """
    if comparisons is None or "family" not in comparisons:
        return []
    rows = comparisons[(comparisons.family == "primary")
                       & (comparisons.selection == selection)]
    if not len(rows):
        return []
    label, name = METRICS[primary_metric], display_name(baseline)
    tested = rows[rows.p_holm.notna()]
    lines = ["## Verdict", "",
             (f"Primary metric, declared before the run: **{label}**." if declared
              else f"Primary metric: **{label}**, declared when these stored cells "
                   "were re-reported, not before they ran.")
             + " Family: every "
             f"(data set, method) against {name}, {len(tested)} comparison(s) with a "
             f"p-value, Holm-adjusted (family-wise level {alpha}); other metrics and "
             "the controls are secondary (Benjamini-Hochberg within each metric) and "
             "exploratory.", ""]

    def said(r):
        return (f"{display_name(r.method)} on {r.dataset}: {_num(r.mean_diff, True)} "
                f"{label} [{_num(r.ci_low, True)}, {_num(r.ci_high, True)}], "
                f"Holm p = {_p(r.p_holm)}")

    better = rows[rows.verdict == "helps"]
    worse = rows[rows.verdict == "hurts"]
    if len(better):
        text = (f"**{len(better)} of {len(rows)} beat {name} after Holm's "
                "correction**: " + "; ".join(said(r) for r in better.itertuples()) + ".")
    else:
        bound = _ruled_out(rows)
        detectable = rows.detectable.dropna()
        text = (f"**No method beat {name} on {label} after Holm's correction.** Every "
                f"primary 95% interval lies within ±{_num(bound)} {label}, so larger "
                "differences are ruled out (intervals not adjusted)")
        if len(detectable):
            text += (f"; the smallest differences this run could detect with "
                     f"{POWER:.0%} power range from {_num(detectable.min())} to "
                     f"{_num(detectable.max())} {label}, so a smaller effect may have "
                     "gone unseen")
        text += "."
    if len(worse):
        text += (f" Worse than {name} after Holm: "
                 + "; ".join(said(r) for r in worse.itertuples()) + ".")
    equivalent = rows[rows.p_rope >= 0.95]
    if len(equivalent):
        text += (f" Practically equivalent to {name} (P(|Δ| < {rope}) ≥ 0.95, Bayesian "
                 "correlated t-test): " + ", ".join(
                     f"{display_name(r.method)} on {r.dataset}"
                     for r in equivalent.itertuples()) + ".")
    if len(tested) == 1:
        text += (" The primary family holds a single comparison: Holm's correction "
                 "leaves its p-value as it is.")
    untested = rows[rows.p_holm.isna()]
    if len(untested):
        text += (" Not tested (fewer than two pairs, or every pair equal): "
                 + ", ".join(f"{display_name(r.method)} on {r.dataset}"
                             for r in untested.itertuples()) + ".")
    return lines + [text, ""]


def training_lines(info):
    """The sentences on the classifier's training of a report's protocol: on-the-fly
    augmentation, then the budget."""
    augment = info.get("classifier_augment", "none")
    if augment == "none":
        lines = ["On-the-fly augmentation: none (every cell's classifier trains on its "
                 "images as they are)."]
    else:
        lines = [f"On-the-fly augmentation: every cell's classifier, the baseline's "
                 f"included, trains with `augment='{augment}'` "
                 f"({info.get('flips_note') or 'flips as the classifier allows'}), so "
                 "every method is compared on top of it; 'No augmentation at all' "
                 "(`plain`) is a control row, outside the primary family."]
    if info.get("precisions"):
        lines.append("Classifier arithmetic: " + " and ".join(info["precisions"])
                     + " (`precision='auto'` autocasts to bfloat16 where the CPU or GPU "
                     "computes it natively, float32 elsewhere).")
    return lines + epoch_lines(info) + budget_lines(info)


def epoch_lines(info):
    """The sentence on which epoch an honest cell's classifier keeps (none in a report
    of ``'test-best'`` cells only, whose selection section says which they keep)."""
    if "val" not in info.get("selections", ["val"]):
        return []
    rule = info.get("epoch_rule", "accuracy")
    return [f"Epoch kept (`epoch_rule='{rule}'`): {EPOCH_RULES[rule]}."]


def budget_lines(info):
    """The sentence on training budgets of a report's protocol."""
    if info.get("equal_steps", False):
        return ["Equal training budgets: every epoch of every cell draws as many rows "
                "as the fold's real training part, from the real and generated images "
                "together, so every cell trains the same number of optimizer steps and "
                "a gain cannot come from extra steps."]
    return ["Training budgets are not equal: an epoch is every row, so a cell with "
            "added images trains more optimizer steps than the baseline (compare with "
            "ROS, which adds as many rows)."]


def variant_lines(info):
    if not info.get("variants"):
        return []
    return [
        "Method variants: 'unlabelled pool' — the generator also trains on the "
        "unlabelled images; 'curated' — its images pass CuratedSampler's filters "
        "(a judge fitted on the real training images gives the intended class at least "
        "min_confidence, and no near-copy of a training image); 'weighted' — generated "
        "images weigh min(1, n_real / n_generated) each in the classifier's loss; "
        "'N/class' — N images added per class. Variants of one method in one fold "
        "share one trained generator.",
    ]


def user_header(info):
    data = info["data"]
    counts = ", ".join(f"{name}: {n}" for name, n in data["class_counts"].items())
    strategy = info.get("sampling_strategy") or (
        "balances the classes (sampling_strategy='auto')"
        if info.get("scenario") == "long-tail"
        else f"adds {info['add_per_class']} images per class")
    if data["test_set"]:
        split = (f"the held-out fold (real images) is the validation set, and the "
                 f"separate test set ({data['n_test']} images) scores the classifier")
    else:
        split = (f"the held-out fold is the test set; a stratified "
                 f"{data['validation_fraction']:.0%} of each training part (real images, "
                 "never the test fold, never seen by the sampler) is the validation "
                 "set")
    return [
        f"# Augmentation evaluation: `{data['name']}` — profile `{info['profile']}`",
        "",
        f"Data: {data['n_images']} labelled images of shape "
        f"{'x'.join(map(str, data['image_shape']))} ({counts})"
        + (f", from `{data['source']}`" if data.get("source") else "") + ".",
        f"Profile: {info['description']}.",
        f"Protocol: {info['cv']} x {len(info['seeds'])} repeat(s) (seeds "
        f"{list(info['seeds'])}); per fold the sampler is fitted on the training part "
        f"only and {strategy}; {split}. Every method sees the same folds and the same "
        "model seeds. Mean ± std over folds x repeats.",
    ] + training_lines(info) + variant_lines(info) + synthetic_lines(data)


def synthetic_lines(data):
    """The warning on images made elsewhere (``synthetic=``), when the run has any."""
    sets = data.get("synthetic")
    if not sets:
        return []
    named = ", ".join(f"`{m}` ({s['n_images']} images)" for m, s in sets.items())
    tested = ("the test set" if data.get("test_set")
              else "every image of the data, each in its held-out fold")
    return [
        "",
        f"**Images made elsewhere**: {named} draw their images from a synthetic set "
        "given to the run (per fold, as many per class as the other methods add, "
        "without replacement), not from a generator fitted on the training part. "
        "**The tool cannot know what made these images, nor from which data**: if "
        f"their generator was trained on images tested on here ({tested}), the "
        "synthetic images can carry the test images into training, a leak that "
        "inflates their scores. Trust them only from a generator that never saw these "
        "images; the leak screening (with the quality report) looks for synthetic "
        "images near test images, but cannot rule a leak out.",
    ]


#: What the comparison with each control shows (``None``: any other control).
_CONTROL_INTROS = {
    CONTROL: (
        "Random over-sampling adds as many images as each sampler, so the classifier "
        "gets as many optimizer steps and the same class balance, but every added "
        "image is a copy. A method that beats the baseline but not ROS has not shown "
        "that its images add anything beyond that. A method adding N images per class "
        "(@N) is compared with ROS@N where that ran. Same tests as above."
    ),
    None: (
        "{name} is the control here: a method that does not beat it has not shown "
        "that its images add more than {name} does. A method adding N images per "
        "class (@N) is compared with {name}@N where that ran. Same tests as above."
    ),
}


def _by_control(control):
    """``(control method, its comparisons)`` pairs, ``@N`` variants of a control
    together."""
    if control is None or not len(control):
        return []
    return list(control.groupby(control.reference.map(_base), sort=False))


def markdown(summary, comparisons, run_info, control=None, quality=None, *, header=None,
             reference=None, leaks=None):
    """The results as a Markdown document.

    Parameters
    ----------
    summary : pandas.DataFrame
        From :func:`summarize`.
    comparisons : pandas.DataFrame
        From :func:`compare` (against the run's baseline, ``run_info['baseline']``,
        default ``'none'``).
    run_info : dict
        ``profile``, ``description``, ``folds``, ``seeds``, ``device``, ``wall_s``,
        ``n_run``, ``n_reused``, ``cell_s`` and ``command`` of the run, and what its
        header needs.
    control : pandas.DataFrame or None, default=None
        From :func:`compare_with_controls`; shown after the comparison with the
        baseline, a section per control.
    quality : pandas.DataFrame or None, default=None
        From :func:`~skgenaug.metrics.summarize_quality`; a section of its own.
    header : callable or None, default=None
        ``header(run_info) -> list of lines``: the title and protocol of the run.
        ``None``: :func:`user_header` (a user's images).
    reference : ReferenceValues or None, default=None
        Published numbers shown beside the scores (``summary`` holds them).
    leaks : pandas.DataFrame or None, default=None
        From :func:`summarize_leaks`; a section of its own.

    Returns
    -------
    text : str
    """
    info = run_info
    baseline = info.get("baseline", "none")
    lines = (header or user_header)(info) + [""]
    first = summary.selection.iloc[0] if len(summary) else "val"
    lines += verdict_paragraph(comparisons, first, baseline,
                               info.get("primary_metric", "auc"), info.get("rope", 0.01),
                               declared=info.get("declared_before", True))
    lines += [
        f"Device: {info['device']}. Wall time of this invocation: {info['wall_s']:.0f} s "
        f"({info['n_run']} cells run, {info['n_reused']} reused from the store; the "
        f"cells' own times sum to {info['cell_s']:.0f} s)"
        + (f"; earlier invocations on this store computed {info['earlier_cells']} cells "
           f"in {info['earlier_wall_s']:.0f} s of wall time"
           if info.get("earlier_cells") else "")
        + f". Command: `{info['command']}`",
        "",
    ]
    if reference is not None:
        lines += [f"{reference.name.capitalize()} values: {reference.citation}", ""]
    for sel in summary.selection.unique():
        lines += [f"## Selection: {SELECTION_NAMES[sel]}", ""]
        if sel == "val" and reference is not None and reference.note:
            lines += [reference.note, ""]
        elif sel != "val":
            lines += [
                "**Optimistic**: the epoch is chosen by accuracy on the test split itself, "
                "as the paper did. Use only to compare with the paper.",
                "",
            ]
        lines += ["### Test scores", ""] + _scores_table(summary[summary.selection == sel],
                                                         reference)
        idle = [display_name(m) for m in info.get("idle_methods", ())]
        if idle:
            lines += ["", f"**Note**: {', '.join(idle)} added no images in any cell (its "
                          "sampling_strategy asks for none on these classes): its scores "
                          "are those of training without augmentation."]
        name = display_name(baseline)
        lines += _comparison_section(
            comparisons, sel, baseline,
            f"Paired difference vs {name} (by seed and fold)",
            "Verdicts (adjusted p-values)",
            "95% interval and p-value: Nadeau–Bengio corrected resampled t-test "
            "(variance x (1/n + n_held_out/n_train), because folds share training "
            "data). p (adjusted): Holm over the primary family (marked 'primary'), "
            "Benjamini–Hochberg over all rows of one metric for the others; the "
            "verdict follows it (bold: below 0.05). Detectable Δ: the smallest "
            f"difference the test would find with {POWER:.0%} power. P(better / ≈ / "
            "worse): Bayesian correlated t-test (Benavoli et al. 2017) with a region "
            f"of practical equivalence of ±{info.get('rope', 0.01)}; 'practically "
            "equivalent' where P(≈) ≥ 0.95. 95% CI (test set): where every fold is "
            "scored on one test set, a paired bootstrap over its images (the same "
            "resampled images for both methods, the difference averaged over folds); "
            "a verdict then needs it to exclude 0 too. comparisons.csv also holds "
            "the plain paired t-test (`ttest_rel`, optimistic) and the Wilcoxon "
            "signed-rank test.",
        )
        for family, part in _by_control(control):
            name = display_name(family)
            intro = _CONTROL_INTROS.get(family, _CONTROL_INTROS[None]).format(name=name)
            lines += _comparison_section(
                part, sel, family, f"Paired difference vs {name} (a control)",
                f"Verdicts vs {name} (adjusted p-values)", intro)
        lines.append("")
    text = "\n".join(lines)
    if quality is not None and len(quality):
        shown = quality.assign(method=quality.method.map(display_name))
        text += (
            "\n\n## Generated-image quality\n\n"
            "Each sampler (fitted on a fold's training part) against its training "
            "images, in the embedding of a small ResNet trained on them: Fréchet "
            "distance (FD; 'FD real' is the real validation images', the reference), "
            "precision / recall / density / coverage (k = 5), the share of "
            "near-copies of training images, and, where computed, train-synthetic-"
            "test-real (TSTR), train-real-test-synthetic (TRTS) and real-only "
            "(TRTR) accuracies on the validation images. Mean ± std over folds x "
            + "repeats (shared by the selection rules).\n\n"
            + quality_markdown(shown)
        )
    text += _leak_section(leaks)
    return text


def summarize_cell_quality(cells):
    """Quality reports of the cells summarised per data set and method (empty when
    there are none)."""
    if "quality" not in cells.columns or not cells["quality"].notna().any():
        return pd.DataFrame()
    return summarize_quality(cells)


def summarize_leaks(cells):
    """Leak screening per data set and method (empty when no cell screened).

    Parameters
    ----------
    cells : pandas.DataFrame
        One row per cell, with ``leak_share``, ``leak_real_share`` and
        ``test_near_duplicates`` where the cells computed them.

    Returns
    -------
    leaks : pandas.DataFrame
        Per (dataset, method): ``n`` cells, the mean share of generated images nearer
        to a test image than the threshold (``leak_share``), the real training images'
        share (``leak_real_share``, about the quantile by construction), their ratio,
        and the data set's test images that nearly duplicate a training image
        (``test_near_duplicates``, the largest count over its cells, of ``n_test``).
    """
    if "leak_share" not in cells.columns or not cells["leak_share"].notna().any():
        return pd.DataFrame()
    screened = cells[cells.leak_share.notna()]
    rows = []
    for (dataset, method), group in screened.groupby(["dataset", "method"], sort=False):
        real = float(group.leak_real_share.mean())
        share = float(group.leak_share.mean())
        duplicates = cells[cells.dataset == dataset].test_near_duplicates
        rows.append(dict(dataset=dataset, method=method, n=len(group),
                         leak_share=share,
                         leak_share_std=float(group.leak_share.std(ddof=1))
                         if len(group) > 1 else np.nan,
                         leak_real_share=real,
                         leak_ratio=share / real if real > 0 else np.nan,
                         test_near_duplicates=int(duplicates.max()),
                         n_test=int(group.n_test.max()) if "n_test" in group else None))
    return pd.DataFrame(rows)


def _leak_section(leaks):
    if leaks is None or not len(leaks):
        return ""
    lines = [
        "", "## Leak screening", "",
        "Each generated image's distance to its nearest **test** image, in the "
        "quality report's feature space, against the real training images' distances "
        "to theirs: 'near a test image' means closer than the 1st percentile of the "
        "training images' distances (so about 1% of real training images are, by "
        "construction). A generator that never saw the test images puts about as "
        "many of its images there; a much larger share means generated images "
        "resemble test images more than training images do (a leak that inflates "
        "every score). The closest pairs are drawn in `leaks_<dataset>_<method>.png` "
        "(fold 0 of the first repeat). Near-duplicate test images: test images within "
        "an RMS pixel difference of 0.02 of a training image in the real data "
        "(`skgenaug.metrics.near_duplicates`).", "",
        "| data set | method | cells | near a test image | training images' share "
        "| ratio | near-duplicate test images (real data) |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in leaks.itertuples():
        share = _pm(r.leak_share, r.leak_share_std)
        test = f" of {r.n_test}" if r.n_test else ""
        lines.append(f"| {r.dataset} | {display_name(r.method)} | {r.n} | {share} | "
                     f"{_num(r.leak_real_share)} | {_num(r.leak_ratio)} | "
                     f"{r.test_near_duplicates}{test} |")
    return "\n".join(lines)
