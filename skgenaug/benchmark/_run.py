"""Running a benchmark: data check, cells through joblib, storage, outputs."""

import contextlib
import os
import platform
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import joblib
import pandas as pd

from .. import __version__
from .._torch_utils import resolve_device
from ..datasets import DATA_DIR_ENV, PAPER_DATASETS, _resolve_flag, load_medmnist
from . import _cells
from ._config import METHOD_NAMES
from ._report import write_outputs
from ._store import ResultStore

REPO_ROOT = Path(__file__).resolve().parents[2]


class MissingDataError(FileNotFoundError):
    """One or more data sets of a run have no file; the message names each path.

    Raised by :func:`run_benchmark` before any cell runs.

    Examples
    --------
    >>> from skgenaug.benchmark import MissingDataError
    >>> issubclass(MissingDataError, FileNotFoundError)
    True
    """


def resolve_root(root=None):
    """The MedMNIST data folder: ``root``, else ``$SKGENAUG_DATA_DIR``, else the
    ``shared/medmnist`` folder beside the repository if it exists, else ``None``
    (medmnist's default root).

    Parameters
    ----------
    root : str, path-like or None
        Explicit folder.

    Returns
    -------
    root : str or None
    """
    if root:
        return str(root)
    if os.environ.get(DATA_DIR_ENV):
        return os.environ[DATA_DIR_ENV]
    shared = REPO_ROOT.parent / "shared" / "medmnist"
    return str(shared) if shared.is_dir() else None


def resolve_datasets(names):
    """MedMNIST flags from names (``'all'`` = the paper's eight data sets).

    Parameters
    ----------
    names : str or sequence of str
        Comma list or sequence of names such as ``'breast'`` or ``'DermaMNIST'``.

    Returns
    -------
    flags : list of str
    """
    names = names.split(",") if isinstance(names, str) else list(names)
    names = [n.strip() for n in names if n.strip()]
    if [n.lower() for n in names] == ["all"]:
        return list(PAPER_DATASETS)
    flags = []
    for name in names:
        flag = _resolve_flag(name)
        if flag not in flags:
            flags.append(flag)
    return flags


def check_data(datasets, root):
    """Look for every data set's file before anything runs.

    Parameters
    ----------
    datasets : list of str
        MedMNIST flags.
    root : str or None
        Data folder.

    Returns
    -------
    missing : dict
        ``{flag: message}`` for each absent file (``load_medmnist``'s message: the
        expected path and where to get the file).
    """
    missing = {}
    for flag in datasets:
        try:
            load_medmnist(flag, "test", root=root)
        except FileNotFoundError as exc:
            missing[flag] = str(exc)
    return missing


def _run_one(cell, settings, root, device, threads, cache_dir):
    # Looked up at call time so that tests can replace _cells.run_cell.
    return cell, _cells.run_cell(cell, settings, root=root, device=device, threads=threads,
                                 cache_dir=cache_dir)


@contextlib.contextmanager
def _backend(backend, n_jobs, scheduler=None, client=None):
    """joblib's parallel configuration; for 'dask', a distributed Client too."""
    if backend != "dask":
        with joblib.parallel_config(backend=backend, n_jobs=n_jobs):
            yield
        return
    from dask.distributed import Client, LocalCluster

    with contextlib.ExitStack() as stack:
        if client is None:
            if scheduler:
                client = stack.enter_context(Client(scheduler))
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


def execute(todo, settings, store, *, root=None, device="cpu", threads=None, n_jobs=1,
            backend="loky", scheduler=None, client=None, progress=True):
    """Run cells and store each the moment it finishes.

    Parameters
    ----------
    todo : list of Cell
        Cells to run; they start in order of
        :func:`~skgenaug.benchmark._cells.estimated_cost`, the most costly first,
        after the cells that train the folds' feature ResNets
        (:func:`~skgenaug.benchmark._cells.donates_feature_resnet`).
    settings : dict
        Profile settings.
    store : ResultStore
        Where finished cells go (written from this process only).
    root, device, threads
        Passed to :func:`~skgenaug.benchmark._cells.run_cell`.
    n_jobs : int, default=1
        Parallel cells.
    backend : {'loky', 'threading', 'dask'}, default='loky'
        joblib backend.
    scheduler : str or None
        Address of an existing Dask scheduler (``backend='dask'``).
    client : dask.distributed.Client or None
        An existing Dask client (``backend='dask'``; tests).
    progress : bool, default=True
        Show a tqdm bar with ETA.

    Returns
    -------
    n_done : int
        Cells run and stored.
    """
    if not todo:
        return 0
    # Slowest first (longest-processing-time order): the short cells fill the gaps at
    # the end instead of one long cell running alone while the other workers idle.
    # Except the cheap 'none' cells that train the folds' feature ResNets on the way:
    # they go first, so no other cell trains one again.
    todo = sorted(todo, key=lambda c: (not _cells.donates_feature_resnet(c, settings),
                                       -_cells.estimated_cost(c, settings, root)))
    cache_dir = Path(store.path).parent / "feature_models"  # beside cells.sqlite
    tasks = (joblib.delayed(_run_one)(c, settings, root, device, threads, cache_dir)
             for c in todo)
    n_done = 0
    parallel = _backend(backend, n_jobs, scheduler, client)
    with parallel, _progress(len(todo), progress) as bar:
        # batch_size=1: joblib hands the cells out one at a time, in that order.
        results = joblib.Parallel(n_jobs=n_jobs, batch_size=1,
                                  return_as="generator_unordered")(tasks)
        for cell, result in results:
            store.put(cell, result, settings["profile"])
            n_done += 1
            if bar is not None:
                bar.set_postfix_str(f"{cell.dataset} {METHOD_NAMES[cell.method]} "
                                    f"f{cell.fold} s{cell.seed}", refresh=False)
                bar.update()
    return n_done


def _versions():
    import imblearn
    import sklearn
    import skorch
    import torch

    return dict(python=sys.version.split()[0], torch=torch.__version__,
                skorch=skorch.__version__, sklearn=sklearn.__version__,
                imblearn=imblearn.__version__, skgenaug=__version__,
                numpy=__import__("numpy").__version__, joblib=joblib.__version__)


def _load_average():
    """The 1, 5 and 15 minute load averages, or ``None`` where the OS has none."""
    return os.getloadavg() if hasattr(os, "getloadavg") else None


def _device_name(device):
    import torch

    if str(device).startswith("cuda"):
        return torch.cuda.get_device_name(torch.device(device))
    return f"CPU ({platform.processor() or platform.machine()}, {os.cpu_count()} cores)"


def _git_commit():
    try:
        out = subprocess.run(["git", "-C", str(REPO_ROOT), "rev-parse", "HEAD"],
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


def plan_workers(n_jobs=None, threads=None, device="cpu", n_cells=None):
    """How many cells run at once and how many torch threads each gets, and why.

    The CPUs counted are those this process may use: ``joblib.cpu_count()`` honours
    the CPU affinity mask and a container's CPU quota (cgroups), not just
    ``os.cpu_count()``.

    Parameters
    ----------
    n_jobs : int or None, default=None
        Cells run in parallel. ``None``: on the CPU one cell per usable CPU (at most
        one per cell to run); on a GPU one cell. Negative values count back from the
        usable CPUs as in joblib (``-1``: all of them, ``-2``: all but one).
    threads : int or None, default=None
        Torch threads per cell; ``None``: the usable CPUs shared out among the
        workers (at least 1).
    device : str, default='cpu'
        The cells' torch device.
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
    >>> from skgenaug.benchmark._run import plan_workers
    >>> plan_workers(n_jobs=1, threads=1)[:2]
    (1, 1)
    """
    cpus = joblib.cpu_count()
    where = f"{cpus} CPU(s) usable by this process (affinity and quota included)"
    if isinstance(n_jobs, bool) or (n_jobs is not None and not isinstance(n_jobs, int)):
        raise ValueError(f"n_jobs must be an int or None; got {n_jobs!r}.")
    if n_jobs == 0:
        raise ValueError("n_jobs=0 runs nothing; use a positive number, -1 or None.")
    if threads is not None and (isinstance(threads, bool) or not isinstance(threads, int)
                                or threads < 1):
        raise ValueError(f"threads must be a positive int or None; got {threads!r}.")
    if n_jobs is None:
        if str(device).startswith(("cuda", "mps")):
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


def run_benchmark(settings, datasets, methods, selections, seeds, out, *, root=None,
                  device="cpu", threads=None, n_jobs=None, backend="loky", scheduler=None,
                  client=None, skip_missing=False, progress=True, command=None,
                  log=print):
    """Run (or resume) a benchmark and write its outputs.

    Parameters
    ----------
    settings : dict
        Profile settings (:func:`~skgenaug.benchmark.get_profile`).
    datasets : list of str
        MedMNIST flags.
    methods, selections : list of str
        Methods (``'none'``, ``'ae'``, ...) and selection rules (``'val'``,
        ``'test-best'``).
    seeds : list of int
        Subset seeds.
    out : str or path-like
        Results folder (created); ``cells.sqlite`` there holds finished cells.
    root : str or None
        Data folder (see :func:`resolve_root`).
    device : {'cpu', 'cuda', 'auto'} or str, default='cpu'
        Torch device of every cell.
    threads : int or None
        Torch threads per worker; ``None``: see :func:`plan_workers`.
    n_jobs : int or None, default=None
        Cells run in parallel; ``None`` uses every CPU this process may use (see
        :func:`plan_workers`; the log says what was chosen and why).
    backend, scheduler, client
        See :func:`execute`.
    skip_missing : bool, default=False
        Drop data sets without a file (with a message) instead of stopping.
    progress : bool, default=True
        See :func:`execute`.
    command : str or None
        The command line, for the records.
    log : callable, default=print
        Where messages go.

    Returns
    -------
    result : dict
        ``cells`` (DataFrame), ``markdown`` (str), ``n_run``, ``n_reused``, ``out``.

    Raises
    ------
    MissingDataError
        If a data set has no file and ``skip_missing`` is false; raised before any
        cell runs.

    Examples
    --------
    A run stops before any cell when a data set has no file:

    >>> import tempfile
    >>> from skgenaug.benchmark import MissingDataError, get_profile, run_benchmark
    >>> folder = tempfile.mkdtemp()
    >>> try:
    ...     run_benchmark(get_profile("smoke"), ["pneumoniamnist"], ["none"], ["val"],
    ...                   [0], out=folder, root=folder, log=lambda message: None)
    ... except MissingDataError:
    ...     print("missing")
    missing
    """
    started, t0 = datetime.now(timezone.utc), time.perf_counter()
    load_start = _load_average()
    missing = check_data(datasets, root)
    if missing:
        text = "\n\n".join(missing.values())
        if not skip_missing:
            raise MissingDataError(
                f"{len(missing)} data set(s) missing ({', '.join(missing)}); nothing was "
                f"run. Pass --skip-missing to run the others.\n\n{text}"
            )
        log(f"Skipping missing data set(s) {', '.join(missing)}:\n{text}\n")
        datasets = [d for d in datasets if d not in missing]
    device = resolve_device(device)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    cells = _cells.make_cells(settings, datasets, methods, selections, seeds)
    with ResultStore(out / "cells.sqlite") as store:
        done = store.finished_keys()
        todo = [c for c in cells if c.key not in done]
        n_jobs, threads, reason = plan_workers(n_jobs, threads, device,
                                               n_cells=len(todo))
        log(f"Parallelism: {reason}")
        if backend == "threading" and n_jobs > 1:
            log("Note: with the threading backend, cells running at the same time share "
                "torch's global random generator and thread count: results are not "
                "reproducible. Use loky (processes) for reproducible numbers.")
        log(f"{len(cells)} cells: {len(cells) - len(todo)} already stored in "
            f"{out / 'cells.sqlite'}, {len(todo)} to run (n_jobs={n_jobs}, "
            f"backend={backend}, device={device}, torch threads per worker={threads}).")

        def record_run(wall_s, cells_run, **extra):
            store.add_run(dict(
                started=started.isoformat(),
                finished=datetime.now(timezone.utc).isoformat(), wall_s=wall_s,
                cells_run=cells_run, n_jobs=n_jobs, threads=threads, backend=backend,
                device=device, load_average_start=load_start,
                load_average_end=_load_average(), command=command, **extra,
            ))

        try:
            n_run = execute(todo, settings, store, root=root, device=device,
                            threads=threads, n_jobs=n_jobs, backend=backend,
                            scheduler=scheduler, client=client, progress=progress)
        except BaseException as exc:  # Ctrl-C included: keep the record of the work
            stored = store.finished_keys()
            record_run(time.perf_counter() - t0, sum(c.key in stored for c in todo),
                       interrupted=f"{type(exc).__name__}: {exc}")
            raise
        keys = [c.key for c in cells]
        frame = pd.DataFrame(store.rows(keys))
        previews = store.previews(keys)
        wall = time.perf_counter() - t0
        record_run(wall, n_run)
        invocations = store.runs()
    run_info = dict(profile=settings["profile"], description=settings["description"],
                    folds=settings["folds"], seeds=list(seeds),
                    test_max=settings["test_max"], device=_device_name(device),
                    scenario=settings.get("scenario", "balanced"),
                    wall_s=wall, n_run=n_run, n_reused=len(cells) - n_run,
                    cell_s=float(frame["wall_s"].sum()) if len(frame) else 0.0,
                    # The invocations before this one (this one was added last).
                    earlier_cells=sum(r.get("cells_run", 0) for r in invocations[:-1]),
                    earlier_wall_s=sum(r.get("wall_s", 0.0) for r in invocations[:-1]
                                       if r.get("cells_run", 0)),
                    command=command or "run_benchmark(...)")
    config = dict(
        settings=settings, datasets=datasets, methods=methods, selections=selections,
        seeds=list(seeds), root=root, out=str(out), device=device,
        device_name=run_info["device"], n_jobs=n_jobs, backend=backend, threads=threads,
        command=command, versions=_versions(), git_commit=_git_commit(),
        hostname=platform.node(), started=started.isoformat(),
        finished=datetime.now(timezone.utc).isoformat(), wall_s=wall,
        cells_total=len(cells), cells_run=n_run, cells_reused=len(cells) - n_run,
        load_average_start=load_start,
        load_average_end=_load_average(),
        config_hashes={c.method: c.config_hash for c in cells},
        cells_compute_s=run_info["cell_s"],
        invocations=invocations,
    )
    if frame.empty:
        log("No finished cells: nothing to report.")
        return dict(cells=frame, markdown="", n_run=n_run, n_reused=0, out=out)
    frame = frame.sort_values(["selection", "dataset", "method", "seed", "fold"],
                              key=_table_order).reset_index(drop=True)
    text = write_outputs(out, frame, run_info, config, previews)
    return dict(cells=frame, markdown=text, n_run=n_run, n_reused=len(cells) - n_run,
                out=out)


def _table_order(column):
    """Sort key: methods and selections in table order, the rest as they are."""
    if column.name == "method":
        return column.map(list(METHOD_NAMES).index)
    if column.name == "selection":
        return column.map({"val": 0, "test-best": 1})
    if column.name == "dataset":
        order = {flag: i for i, flag in enumerate(PAPER_DATASETS)}
        return column.map(lambda flag: order.get(flag, len(order)))
    return column
