"""The result of an evaluation: tables, comparisons, quality, report, figures, files."""

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

from .._methods import METHODS, display_name
from ._report import (
    compare,
    compare_with_controls,
    markdown,
    summarize,
    summarize_cell_quality,
    summarize_leaks,
)
from ._settings import Reporting
from ._stats import PairedBootstrap, adjust_comparisons
from ._store import ResultStore

#: Metrics drawn in ``scores.png``.
FIGURE_METRICS = ("auc", "acc", "balanced_acc")


def _file_part(text):
    """A name safe in a file name (a sampler instance's name may hold anything)."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", str(text)).strip("_") or "method"


class AugmentationEvaluation:
    """Cross-validated scores of augmentation methods, compared with a baseline.

    Returned by :func:`skgenaug.evaluate_augmentation` and
    :func:`skgenaug.medmnist.run_medmnist_table`; not made by hand.

    Parameters
    ----------
    cells : pandas.DataFrame
        One row per cell (``dataset, method, fold, seed, selection``, scores, sizes,
        timings and, for sampler cells, a ``quality`` dict).
    previews : dict
        ``{(dataset, method): {'real', 'generated', 'y'}}`` for the sample grids.
    run_info : dict
        What the report says about the run (profile, protocol, times, command).
    config : dict
        Everything ``config.json`` records (settings, versions, hashes, times).
    baseline : str, default='none'
        The method every other one is compared with.
    controls : sequence of str, default=('ros',)
        Control methods every image-making method is also compared with, where they
        ran (ROS adds copies; Geometric is the classic augmentation).
    target_names : dict or None, default=None
        ``{dataset: class names by code}`` for the sample grids.
    header : callable or None, default=None
        ``header(run_info) -> list of lines``: the report's title and protocol
        (:func:`~skgenaug.evaluation._report.markdown`); ``None``: a user's images.
    reference : ReferenceValues or None, default=None
        Published numbers shown beside the scores (the MedMNIST table's paper values).
    primary_metric : {'auc', 'acc', 'balanced_acc'}, default='auc'
        The metric declared primary: its comparisons with ``baseline`` form the
        family that Holm's correction covers and the verdict at the top of the report
        speaks of.
    rope : float, default=0.01
        Half-width of the region of practical equivalence of the Bayesian test.
    predictions : dict or None, default=None
        The cells' stored test-set probabilities
        (:meth:`~skgenaug.evaluation.ResultStore.predictions`): with a fixed test set
        (the MedMNIST table, or ``X_test`` given; ``run_info['data']['test_set']``),
        the comparisons get a paired bootstrap interval over its images.

    Attributes
    ----------
    cells : pandas.DataFrame
        One row per cell.
    summary : pandas.DataFrame
        Mean and standard deviation of AUC, ACC and balanced accuracy per (selection,
        data set, method); published reference values beside them, when given.
    comparisons : pandas.DataFrame
        Paired differences by (seed, fold) of every method against ``baseline``
        (``reference`` column) and of every image-making method against each control
        that ran (``controls``), for each metric: mean difference, Nadeau-Bengio
        corrected 95% interval and p-value, plain paired t-test and Wilcoxon p-values,
        smallest detectable difference, Bayesian probabilities (``p_better``,
        ``p_rope``, ``p_worse``), ``family`` (primary or secondary), Holm (``p_holm``,
        primary family) and Benjamini-Hochberg (``p_bh``, per metric) adjusted
        p-values, and the verdict from the adjusted p-value.
    quality : pandas.DataFrame
        Quality of the generated images per data set and method (mean and standard
        deviation over cells of :func:`~skgenaug.metrics.quality_report`); empty
        without quality reports.
    leaks : pandas.DataFrame
        Leak screening per data set and method
        (:func:`~skgenaug.evaluation._report.summarize_leaks`): the share of generated
        images nearer to a test image than the real training images' 1st percentile,
        and the real data's near-duplicate test images; empty without quality reports.
    baseline : str
        As given.
    n_run, n_reused : int
        Cells computed by this invocation, and reused from the results folder.
    folder : pathlib.Path or None
        The results folder, or ``None``.
    run_info, config : dict
        As given.

    Examples
    --------
    >>> from skgenaug import evaluate_augmentation
    >>> from skgenaug.datasets import make_image_classification
    >>> X, y = make_image_classification(40, image_size=12, random_state=0)
    >>> result = evaluate_augmentation(X, y, ["none", "geometric"], profile="smoke",
    ...                                n_jobs=1)  # doctest: +SKIP
    >>> result.summary[["method", "auc_mean"]]  # doctest: +SKIP
    >>> result.save("my_results")  # doctest: +SKIP
    """

    def __init__(self, cells, previews, run_info, config, baseline="none",
                 controls=("ros",), target_names=None, header=None, reference=None,
                 primary_metric="auc", rope=0.01, predictions=None):
        self.cells = cells
        self.previews = previews
        self.run_info = run_info
        self.config = config
        self.baseline = baseline
        self.target_names = target_names or {}
        self.n_run = run_info.get("n_run", 0)
        self.n_reused = run_info.get("n_reused", 0)
        self.folder = None
        self.header = header
        self.reference = reference
        self.primary_metric, self.rope = primary_metric, rope
        self.summary = summarize(cells, reference=reference)
        self.controls = tuple(controls)
        # Only a separate test set scores every fold on the same images; held-out
        # folds as test sets are covered by the fold-based interval.
        fixed = (run_info.get("data") or {}).get("test_set", True)
        bootstrap = PairedBootstrap(predictions) if predictions and fixed else None
        frames = [f for f in (
            compare(cells, reference=baseline, rope=rope, bootstrap=bootstrap),
            compare_with_controls(cells, baseline=baseline, controls=self.controls,
                                  rope=rope, bootstrap=bootstrap)) if len(f)]
        self.comparisons = adjust_comparisons(
            pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(),
            primary_metric, baseline)
        by_baseline = (self.comparisons.reference == baseline) if frames else []
        self._vs_baseline = self.comparisons[by_baseline] if frames else \
            self.comparisons
        self._vs_control = self.comparisons[~by_baseline] if frames else \
            self.comparisons
        self.quality = summarize_cell_quality(cells)
        self.leaks = summarize_leaks(cells)

    def __repr__(self):
        methods = ", ".join(self.cells.method.unique())
        return (f"<AugmentationEvaluation: {len(self.cells)} cells, methods {methods}; "
                f"baseline {self.baseline!r}>")

    def to_markdown(self):
        """The report: settings, test scores, paired comparisons, image quality.

        Returns
        -------
        text : str
            Markdown, as written to ``results.md``.
        """
        generated = self.cells.groupby("method", sort=False)["n_generated"].max() \
            if "n_generated" in self.cells else None
        # A method that makes images (a user's sampler, or a registered method with a
        # sampler: not 'none' or 'plain') but made none.
        idle = [] if generated is None else [
            m for m, n in generated.items()
            if n == 0 and (m not in METHODS or METHODS[m].sampler is not None)]
        info = dict(self.run_info, baseline=self.baseline, idle_methods=idle,
                    primary_metric=self.primary_metric, rope=self.rope)
        return markdown(self.summary, self._vs_baseline, info, self._vs_control,
                        self.quality, header=self.header, reference=self.reference,
                        leaks=self.leaks)

    def plot(self, metric="auc", *, selection=None):
        """Bar chart of the mean scores per method, with standard deviations.

        Drawn by :func:`skgenaug.plotting.plot_scores` (reference values, when given,
        as ticks).

        Parameters
        ----------
        metric : str or sequence of str, default='auc'
            ``'auc'``, ``'acc'``, ``'balanced_acc'``, or several (one axes each).
        selection : str or None, default=None
            Selection rule shown; ``None``: the first of the run (``'val'``).

        Returns
        -------
        fig : matplotlib.figure.Figure
        """
        from ..plotting import plot_scores

        selection = selection or self.summary.selection.iloc[0]
        title = (f"{self.run_info.get('profile', '')} profile, "
                 f"{'validation-selected' if selection == 'val' else selection}")
        return plot_scores(self.summary, metric, selection=selection, title=title)

    def sample_grids(self):
        """Real training images beside generated ones, per (data set, method).

        Fold 0 of the first repeat, drawn by :func:`skgenaug.plotting.plot_sample_grid`.

        Returns
        -------
        figures : dict
            ``{(dataset, method): matplotlib.figure.Figure}``.
        """
        from ..plotting import plot_sample_grid

        figures = {}
        for (dataset, method), preview in self.previews.items():
            names = self.target_names.get(dataset)
            figures[(dataset, method)] = plot_sample_grid(
                preview["real"], preview["y"], preview["generated"], preview["y"],
                class_names=names,
                title=f"{dataset} — {display_name(method)}, fold 0 of repeat 1",
            )
        return figures

    @classmethod
    def from_folder(cls, folder, *, header=None, reference=None, primary_metric="auc",
                    rope=0.01):
        """The evaluation a results folder holds, from its stored cells, without
        computing anything.

        Reads ``cells.csv``, ``config.json``, ``quality.csv`` and the test-set
        predictions in ``cells.sqlite`` where the folder has it; the comparisons,
        adjustments and verdicts are computed again (with ``primary_metric`` and
        ``rope``), so that a report written by an earlier version can be written again
        with today's statistics. The sample grids need the images and are not redrawn.

        Parameters
        ----------
        folder : str or path-like
            A folder written by :meth:`save`.
        header : callable or None, default=None
            The report's title and protocol (``None``: a user's images).
        reference : ReferenceValues or None, default=None
            Published numbers shown beside the scores.
        primary_metric : {'auc', 'acc', 'balanced_acc'}, default='auc'
            The primary metric. When the folder's run declared none, the report says
            that this one was declared when the stored cells were re-reported.
        rope : float, default=0.01
            Half-width of the region of practical equivalence.

        Returns
        -------
        evaluation : AugmentationEvaluation
        """
        folder = Path(folder)
        for name in ("cells.csv", "config.json"):
            if not (folder / name).is_file():
                raise FileNotFoundError(f"{folder / name} is missing: {folder} is not "
                                        "a results folder written by save().")
        cells = pd.read_csv(folder / "cells.csv")
        config = json.loads((folder / "config.json").read_text())
        declared = config.get("declared") or {}
        before = bool(config.get("declared_before_cells")) and \
            declared.get("primary_metric") == primary_metric
        if not before:
            config["declared"] = Reporting(
                baseline=config.get("baseline", "none"),
                controls=tuple(config.get("controls", ("ros",))),
                primary_metric=primary_metric, rope=rope).declared()
            config["declared_at"] = "when the stored cells were re-reported, after " \
                                    "they ran"
            config["declared_before_cells"] = False
        info = dict(config.get("run_info") or _run_info(config), declared_before=before)
        predictions = None
        if (folder / "cells.sqlite").is_file():
            with ResultStore(folder / "cells.sqlite") as store:
                predictions = store.predictions(cells.key) if "key" in cells else None
        evaluation = cls(cells, {}, info, config, baseline=config.get("baseline", "none"),
                         controls=tuple(config.get("controls", ("ros",))),
                         header=header, reference=reference,
                         primary_metric=primary_metric, rope=rope,
                         predictions=predictions)
        if (folder / "quality.csv").is_file():
            evaluation.quality = pd.read_csv(folder / "quality.csv")
        evaluation.folder = folder
        return evaluation

    def leak_figures(self):
        """The generated images closest to a test image, above those test images.

        Fold 0 of the first repeat, per (data set, method) that added images, drawn by
        :func:`skgenaug.plotting.plot_nearest_training_images`.

        Returns
        -------
        figures : dict
            ``{(dataset, method): matplotlib.figure.Figure}``.
        """
        from ..plotting import plot_nearest_training_images

        figures = {}
        for (dataset, method), preview in self.previews.items():
            if "leak_generated" not in preview:
                continue
            n = len(preview["leak_generated"])
            pairs = dict(worst_indices=np.arange(n), worst_train_indices=np.arange(n),
                         worst_distances=preview["leak_distance"],
                         threshold=float(preview["leak_threshold"]))
            figures[(dataset, method)] = plot_nearest_training_images(
                pairs, preview["leak_test"], preview["leak_generated"], n=n,
                title=f"{dataset} — {display_name(method)}: generated images (top) "
                      "closest to a test image (below)")
        return figures

    def save_report(self, folder):
        """Write the report, its tables (not the cells) and the score figures.

        Files: ``results.md``, ``summary.csv``, ``comparisons.csv``, ``quality.csv``
        and ``leaks.csv`` (when there are quality reports), ``config.json`` and
        ``scores.png``
        (``scores_<selection>.png`` for a second selection rule).

        Parameters
        ----------
        folder : str or path-like
            Created when absent.

        Returns
        -------
        folder : pathlib.Path
        """
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        config = dict(self.config)
        if len(self.quality):
            self.quality.to_csv(folder / "quality.csv", index=False)
            config["quality"] = self.quality.to_dict("records")
        if len(self.leaks):
            self.leaks.to_csv(folder / "leaks.csv", index=False)
        (folder / "results.md").write_text(self.to_markdown() + "\n")
        self.summary.to_csv(folder / "summary.csv", index=False)
        self.comparisons.to_csv(folder / "comparisons.csv", index=False)
        (folder / "config.json").write_text(
            json.dumps(config, indent=2, default=str) + "\n")
        for i, selection in enumerate(self.summary.selection.unique()):
            name = "scores.png" if i == 0 else f"scores_{selection}.png"
            self.plot(FIGURE_METRICS, selection=selection).savefig(folder / name, dpi=80)
        return folder

    def save(self, folder):
        """Write the report and its tables and figures to a folder.

        Files: those of :meth:`save_report`, ``cells.csv`` (one row per cell, without
        the quality dicts), ``samples_<dataset>_<method>.png`` (sample grids) and
        ``leaks_<dataset>_<method>.png`` (:meth:`leak_figures`).

        Parameters
        ----------
        folder : str or path-like
            Created when absent.

        Returns
        -------
        folder : pathlib.Path
        """
        folder = self.save_report(folder)
        self.cells.drop(columns="quality", errors="ignore").to_csv(
            folder / "cells.csv", index=False)
        for (dataset, method), fig in self.sample_grids().items():
            fig.savefig(folder / f"samples_{_file_part(dataset)}_{_file_part(method)}.png",
                        dpi=80)
        for (dataset, method), fig in self.leak_figures().items():
            fig.savefig(folder / f"leaks_{_file_part(dataset)}_{_file_part(method)}.png",
                        dpi=80)
        return folder


def _run_info(config):
    """The report's run information rebuilt from a ``config.json`` written before it
    recorded ``run_info``."""
    settings = config.get("settings", {})
    data = config.get("data")
    invocations = config.get("invocations") or []
    info = dict(
        # Older configs name the profile "profile" and keep the seeds in the settings.
        profile=settings.get("name") or settings.get("profile") or "",
        description=settings.get("description", ""), folds=settings.get("folds"),
        seeds=config.get("seeds") or settings.get("seeds") or [0],
        earlier_cells=sum(r.get("cells_run", 0) for r in invocations[:-1]),
        earlier_wall_s=sum(r.get("wall_s", 0.0) for r in invocations[:-1]
                           if r.get("cells_run", 0)),
        test_max=settings.get("test_max"), scenario=settings.get("scenario"),
        add_per_class=settings.get("add_per_class"),
        unlabelled_max=settings.get("unlabelled_max"),
        variants=any("+" in m or "@" in m for m in config.get("methods", [])),
        device=config.get("device_name", config.get("device", "")),
        wall_s=config.get("wall_s", 0.0), n_run=config.get("cells_run", 0),
        n_reused=config.get("cells_reused", 0),
        cell_s=config.get("cells_compute_s", 0.0),
        command=config.get("command") or "(not recorded)")
    if data is not None:
        info["data"] = dict(data, source=config.get("source"))
        info["cv"] = f"{settings.get('folds')} stratified folds"
        strategy = config.get("sampling_strategy")
        info["sampling_strategy"] = None if strategy is None else \
            f"uses sampling_strategy={strategy}"
    return info
