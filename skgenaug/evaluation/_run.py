"""Running cells: the one engine of the evaluation and the MedMNIST table.

Cells run through joblib (loky processes, threads or Dask), costliest first, each stored
in the results folder's SQLite store the moment it finishes, so that a run resumes
where it stopped; the folds' feature ResNets of the quality reports are fitted once per
run and shared through the results folder.
"""

import contextlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import joblib
import pandas as pd

from .._methods import display_name
from .._torch_utils import resolve_device
from .._version import __version__
from . import _cells, _plan
from ._artifacts import ArtifactCache, donates_feature_resnet
from ._config import SELECTIONS
from ._result import AugmentationEvaluation
from ._settings import Execution, Reporting
from ._store import ResultStore


def _run_one(cell, plan, device, threads, artifacts):
    # Looked up at call time so that tests can replace _cells.run_cell.
    return cell, _cells.run_cell(
        cell, plan.profile, plan.data[cell.dataset], plan.specs[cell.method],
        sampling_strategy=plan.sampling_strategy, device=device, threads=threads,
        artifacts=artifacts, preview=cell.fold == 0 and cell.seed == plan.first_seed,
    )


#: Subfolders of the results folder holding what the cells of a run share
#: (:class:`~skgenaug.evaluation._artifacts.ArtifactCache`).
FEATURE_FOLDER, GENERATOR_FOLDER = "feature_models", "generator_models"


@contextlib.contextmanager
def _backend(execution):
    """joblib's parallel configuration; for 'dask', a distributed Client too."""
    backend, n_jobs, client = execution.backend, execution.n_jobs, execution.client
    if backend != "dask":
        with joblib.parallel_config(backend=backend, n_jobs=n_jobs):
            yield
        return
    from dask.distributed import Client, LocalCluster

    with contextlib.ExitStack() as stack:
        if client is None:
            if execution.scheduler:
                client = stack.enter_context(Client(execution.scheduler))
            else:
                cluster = stack.enter_context(
                    LocalCluster(n_workers=n_jobs, threads_per_worker=1,
                                 dashboard_address=None)
                )
                client = stack.enter_context(Client(cluster))
        with joblib.parallel_config(backend="dask", n_jobs=n_jobs):
            yield


def _progress(total, enabled):
    if not enabled:
        return contextlib.nullcontext(None)
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="cells", unit="cell", dynamic_ncols=True)


def execute(todo, plan, store, *, artifacts, execution):
    """Run cells and store each the moment it finishes.

    Parameters
    ----------
    todo : list of Cell
        Cells to run; they start in order of
        :func:`~skgenaug.evaluation._plan.estimated_cost`, the most costly first,
        after the cells that train the folds' feature ResNets
        (:func:`~skgenaug.evaluation._artifacts.donates_feature_resnet`).
    plan : Plan
        Profile, data sources and methods of the cells.
    store : ResultStore
        Where finished cells go (written from this process only).
    artifacts : ArtifactCache
        What the cells share (generators, curations, feature ResNets), in any worker.
    execution : Execution
        Device, parallel cells, threads per cell (resolved: ints), backend and
        progress bar.

    Returns
    -------
    n_done : int
        Cells run and stored.
    """
    if not todo:
        return 0
    profile = plan.profile

    costs = {}
    for cell in todo:
        spec = plan.specs[cell.method]
        costs[cell] = _plan.estimated_cost(cell, profile, plan.data[cell.dataset], spec,
                                            plan.sampling_strategy)
    # Cells that share a fitted generator (the @N and +curated variants of a method, in
    # one fold) pay for its training once: the first of them carries the cost, and the
    # others wait behind the other folds' fits instead of on its lock.
    shared = {}
    for cell in sorted(todo, key=lambda c: -costs[c]):
        group = _plan.generator_group(cell, plan.specs[cell.method], profile)
        if group is None:
            continue
        if group in shared:
            costs[cell] = _plan.estimated_cost(
                cell, profile, plan.data[cell.dataset], plan.specs[cell.method],
                plan.sampling_strategy, with_generator=False)
        shared.setdefault(group, cell)

    def order(cell):
        # Slowest first (longest-processing-time order): the short cells fill the gaps
        # at the end instead of one long cell running alone while the other workers
        # idle. Except the cheap 'none' cells that train the folds' feature ResNets on
        # the way: they go first, so no other cell trains one again.
        return (not donates_feature_resnet(cell, profile), -costs[cell])

    todo = sorted(todo, key=order)
    tasks = (joblib.delayed(_run_one)(c, plan, execution.device, execution.threads,
                                      artifacts) for c in todo)
    n_done = 0
    with _backend(execution), _progress(len(todo), execution.progress) as bar:
        # batch_size=1: joblib hands the cells out one at a time, in that order.
        results = joblib.Parallel(n_jobs=execution.n_jobs, batch_size=1,
                                  return_as="generator_unordered")(tasks)
        for cell, result in results:
            store.put(cell, result, profile.name)
            n_done += 1
            if bar is not None:
                bar.set_postfix_str(f"{cell.dataset} {display_name(cell.method)} "
                                    f"f{cell.fold} s{cell.seed}", refresh=False)
                bar.update()
    return n_done


def _versions():
    import imblearn
    import numpy
    import sklearn
    import skorch
    import torch

    return dict(python=sys.version.split()[0], torch=torch.__version__,
                skorch=skorch.__version__, sklearn=sklearn.__version__,
                imblearn=imblearn.__version__, skgenaug=__version__,
                numpy=numpy.__version__, joblib=joblib.__version__)


def _load_average():
    """The 1, 5 and 15 minute load averages, or ``None`` where the OS has none."""
    return os.getloadavg() if hasattr(os, "getloadavg") else None


def _device_name(device):
    import torch

    if str(device).startswith("cuda"):
        return torch.cuda.get_device_name(torch.device(device))
    return f"CPU ({platform.processor() or platform.machine()}, {os.cpu_count()} cores)"


def _git_commit():
    """The commit of the installed package's source when it sits in a git checkout
    (an editable install), else ``None``."""
    try:
        out = subprocess.run(
            ["git", "-C", str(Path(__file__).resolve().parent), "rev-parse", "HEAD"],
            capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


#: Why one cell per CPU, not threads: measured on a 2-core AMD EPYC (ResNetClassifier
#: at width 8, batch 32, BreastMNIST), two fits side by side trained 2.07x the images
#: per second of one fit alone, one fit with two threads 1.18x.
_WHY_CELLS_NOT_THREADS = (
    "cells in parallel scale better than torch threads (2-core AMD EPYC: two fits side "
    "by side 2.07x one fit, one fit on two threads 1.18x)"
)


def plan_workers(execution, n_cells=None):
    """How many cells run at once and how many torch threads each gets, and why.

    The CPUs counted are those this process may use: ``joblib.cpu_count()`` honours
    the CPU affinity mask and a container's CPU quota (cgroups), not just
    ``os.cpu_count()``.

    Parameters
    ----------
    execution : Execution
        Its ``n_jobs`` (``None``: on the CPU one cell per usable CPU, at most one per
        cell to run; on a GPU one cell; negative values count back from the usable
        CPUs as in joblib: ``-1`` all of them, ``-2`` all but one), ``threads``
        (``None``: the usable CPUs shared out among the workers, at least 1) and
        ``device``.
    n_cells : int or None, default=None
        Cells to run, so that no more workers start than there are cells.

    Returns
    -------
    n_jobs : int
    threads : int
    reason : str
        One sentence on what was chosen and why, for the log.

    Examples
    --------
    >>> from skgenaug.evaluation._run import plan_workers
    >>> from skgenaug.evaluation._settings import Execution
    >>> plan_workers(Execution(n_jobs=1, threads=1))[:2]
    (1, 1)
    """
    n_jobs, threads = execution.n_jobs, execution.threads
    cpus = joblib.cpu_count()
    where = f"{cpus} CPU(s) usable by this process (affinity and quota included)"
    if n_jobs is None:
        if str(execution.device).startswith(("cuda", "mps")):
            n_jobs, why = 1, "one cell at a time on the GPU (pass n_jobs to run several)"
        else:
            n_jobs = max(1, min(cpus, n_cells or cpus))
            why = f"one cell per CPU: {_WHY_CELLS_NOT_THREADS}"
    elif n_jobs < 0:
        n_jobs = max(1, cpus + 1 + n_jobs)
        why = "n_jobs counted back from the usable CPUs, as joblib does"
    else:
        why = "n_jobs as given"
    if threads is None:
        threads = max(1, cpus // n_jobs)
        why += f"; {threads} torch thread(s) each, the CPUs shared out among the workers"
    else:
        why += f"; {threads} torch thread(s) each, as given"
    reason = f"{n_jobs} worker(s) x {threads} thread(s) on {where}: {why}."
    return n_jobs, threads, reason


def _declare(folder, reporting, plan, cells, started):
    """Write the run's declared analysis (primary metric, family, level, ROPE) to
    ``config.json`` before any cell runs, and return the entries the final record
    keeps: when it was first declared, and any earlier declaration that differed (a
    resumed run with another primary metric says so)."""
    declared = reporting.declared()
    entries = dict(declared=declared, declared_at=started.isoformat(),
                   declared_before_cells=True)
    if folder is None:
        return entries
    path = folder / "config.json"
    earlier = {}
    if path.exists():
        try:
            earlier = json.loads(path.read_text())
        except (OSError, ValueError):
            earlier = {}
    history = list(earlier.get("earlier_declarations", []))
    if earlier.get("declared") == declared:
        entries["declared_at"] = earlier.get("declared_at", entries["declared_at"])
    elif earlier.get("declared"):
        history.append(dict(earlier["declared"],
                            declared_at=earlier.get("declared_at")))
    if history:
        entries["earlier_declarations"] = history
    if earlier.get("cells_total") is not None and earlier.get("declared") == declared:
        return entries  # a finished run's record stays until this one finishes
    record = dict(entries, status="declared before the cells ran; the full record "
                  "replaces this when the run finishes",
                  settings=plan.profile.to_dict(), datasets=list(plan.data),
                  methods=list(plan.specs), n_cells=len(cells),
                  command=reporting.command)
    path.write_text(json.dumps(record, indent=2, default=str) + "\n")
    return entries


def _flips_note(plan):
    """Which axes each data set's on-the-fly augmentation flips, for the report."""
    flips = {name: getattr(data, "flips", None) for name, data in plan.data.items()}
    default = tuple(plan.profile.classifier.get("flips", ("horizontal",)))

    def said(axes):
        return " and ".join(axes) + " flips" if axes else "no flips"

    if all(f is None for f in flips.values()):
        return said(default)
    return "; ".join(f"{name}: {said(default if f is None else f)}"
                     for name, f in flips.items())


def _table_order(frame, plan):
    """Rows in table order: selections, then data sets and methods as the plan lists
    them, then seeds and folds."""
    rank = dict(
        selection={"val": 0, "test-best": 1},
        dataset={name: i for i, name in enumerate(plan.data)},
        method={name: i for i, name in enumerate(plan.specs)},
    )

    def key(column):
        order = rank.get(column.name)
        return column if order is None else column.map(order)

    return frame.sort_values(["selection", "dataset", "method", "seed", "fold"],
                             key=key).reset_index(drop=True)


def run_cells(plan, cells, out, execution=None, reporting=None):
    """Run (or resume) cells and return their evaluation; write it to ``out``.

    Parameters
    ----------
    plan : Plan
        Profile, data sources and methods.
    cells : list of Cell
        Every cell of the run (those already stored in ``out`` are reused).
    out : str, path-like or None
        Results folder (created): ``cells.sqlite`` holds finished cells,
        ``feature_models`` the folds' feature ResNets, ``generator_models`` the
        fitted generators shared by cells, and the report is written there.
        ``None``: a temporary folder, deleted afterwards (nothing to resume).
    execution : Execution or None, default=None
        How the cells run (:func:`plan_workers` resolves its workers and threads);
        ``None``: ``Execution()``.
    reporting : Reporting or None, default=None
        Baseline, controls, command, title and published values of the report;
        ``None``: ``Reporting()``.

    Returns
    -------
    evaluation : AugmentationEvaluation
    """
    execution = Execution() if execution is None else execution
    reporting = Reporting() if reporting is None else reporting
    log = execution.say
    if not cells:
        raise ValueError("No cells to run: no data set or no method left.")
    started, t0 = datetime.now(timezone.utc), time.perf_counter()
    load_start = _load_average()
    device = resolve_device(execution.device)
    profile = plan.profile
    with contextlib.ExitStack() as stack:
        if out is None:
            folder = Path(stack.enter_context(
                tempfile.TemporaryDirectory(prefix="skgenaug-evaluation-")))
        else:
            folder = Path(out)
            folder.mkdir(parents=True, exist_ok=True)
        declared = _declare(folder if out is not None else None, reporting, plan, cells,
                            started)
        store = stack.enter_context(ResultStore(folder / "cells.sqlite"))
        done = store.finished_keys()
        todo = [c for c in cells if c.key not in done]
        n_jobs, threads, reason = plan_workers(replace(execution, device=device),
                                               n_cells=len(todo))
        execution = replace(execution, device=device, n_jobs=n_jobs, threads=threads)
        backend = execution.backend
        log(f"Parallelism: {reason}")
        if backend == "threading" and n_jobs > 1:
            log("Note: with the threading backend, cells running at the same time share "
                "torch's global random generator and thread count: results are not "
                "reproducible. Use loky (processes) for reproducible numbers.")
        where = folder / "cells.sqlite" if out is not None else "a temporary store"
        log(f"{len(cells)} cells: {len(cells) - len(todo)} already stored in "
            f"{where}, {len(todo)} to run (n_jobs={n_jobs}, "
            f"backend={backend}, device={device}, torch threads per worker={threads}).")

        def record_run(wall_s, cells_run, **extra):
            store.add_run(dict(
                started=started.isoformat(),
                finished=datetime.now(timezone.utc).isoformat(), wall_s=wall_s,
                cells_run=cells_run, n_jobs=n_jobs, threads=threads, backend=backend,
                device=device, load_average_start=load_start,
                load_average_end=_load_average(), command=reporting.command, **extra,
            ))

        try:
            artifacts = ArtifactCache(folder / FEATURE_FOLDER, folder / GENERATOR_FOLDER)
            n_run = execute(todo, plan, store, artifacts=artifacts, execution=execution)
        except BaseException as exc:  # Ctrl-C included: keep the record of the work
            stored = store.finished_keys()
            record_run(time.perf_counter() - t0, sum(c.key in stored for c in todo),
                       interrupted=f"{type(exc).__name__}: {exc}")
            raise
        keys = [c.key for c in cells]
        frame = _table_order(pd.DataFrame(store.rows(keys)), plan)
        previews = store.previews(keys)
        predictions = store.predictions(keys)
        wall = time.perf_counter() - t0
        record_run(wall, n_run)
        invocations = store.runs()
    seeds = sorted({c.seed for c in cells})
    selections = sorted({c.selection for c in cells}, key=SELECTIONS.index)
    info = dict(profile=profile.name, description=profile.description,
                folds=profile.folds, seeds=seeds, test_max=profile.test_max,
                scenario=profile.scenario, add_per_class=profile.add_per_class,
                unlabelled_max=profile.unlabelled_max, equal_steps=profile.equal_steps,
                classifier_augment=profile.classifier_augment,
                epoch_rule=profile.epoch_rule, selections=selections,
                flips_note=_flips_note(plan),
                precisions=(sorted(set(frame["precision"].dropna()))
                            if "precision" in frame else []),
                variants=any(spec.registered and not spec.variant.is_plain
                             for spec in plan.specs.values()),
                device=_device_name(device), wall_s=wall, n_run=n_run,
                n_reused=len(cells) - n_run,
                cell_s=float(frame["wall_s"].sum()) if "wall_s" in frame else 0.0,
                # The invocations before this one (this one was added last).
                earlier_cells=sum(r.get("cells_run", 0) for r in invocations[:-1]),
                earlier_wall_s=sum(r.get("wall_s", 0.0) for r in invocations[:-1]
                                   if r.get("cells_run", 0)),
                command=reporting.command or "run_cells(...)", **reporting.run_info)
    record = dict(
        settings=profile.to_dict(), datasets=list(plan.data), methods=list(plan.specs),
        selections=selections, seeds=seeds, out=None if out is None else str(out),
        device=device, device_name=info["device"], n_jobs=n_jobs, backend=backend,
        threads=threads,
        command=reporting.command, versions=_versions(), git_commit=_git_commit(),
        hostname=platform.node(), started=started.isoformat(),
        finished=datetime.now(timezone.utc).isoformat(), wall_s=wall,
        cells_total=len(cells), cells_run=n_run, cells_reused=len(cells) - n_run,
        load_average_start=load_start, load_average_end=_load_average(),
        config_hashes={sel: {c.method: c.config_hash for c in cells if c.selection == sel}
                       for sel in selections},
        cells_compute_s=info["cell_s"], invocations=invocations, **declared,
        run_info=info,
        baseline=reporting.baseline, controls=list(reporting.controls),
        **reporting.config,
    )
    names = {name: list(getattr(data, "target_names", []) or [])
             for name, data in plan.data.items()}
    evaluation = AugmentationEvaluation(
        frame, previews, info, record, baseline=reporting.baseline,
        controls=reporting.controls, target_names=names, header=reporting.header,
        reference=reporting.reference, primary_metric=reporting.primary_metric,
        rope=reporting.rope, predictions=predictions)
    if out is not None:
        evaluation.save(out)
        evaluation.folder = Path(out)
    return evaluation
