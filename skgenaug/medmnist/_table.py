"""The MedMNIST table (the reference paper's Table 2): one user of the evaluation engine."""


from ..datasets import PAPER_DATASETS, load_medmnist, medmnist_flag
from ..evaluation._plan import (
    MethodSpec,
    Plan,
    cell_hashes,
    make_cells,
    with_unaugmented_control,
)
from ..evaluation._run import run_cells
from ..evaluation._scenarios import SCENARIOS
from ..evaluation._settings import Execution, Reporting
from ._data import MedMNISTData
from ._paper import PAPER_REFERENCE
from ._report import medmnist_header


class MissingDataError(FileNotFoundError):
    """One or more data sets of a run have no file; the message names each path.

    Raised by :func:`run_medmnist_table` before any cell runs.

    Examples
    --------
    >>> from skgenaug.medmnist import MissingDataError
    >>> issubclass(MissingDataError, FileNotFoundError)
    True
    """


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
        flag = medmnist_flag(name)
        if flag not in flags:
            flags.append(flag)
    return flags


def check_data(datasets, root, size=28):
    """Look for every data set's file before anything runs.

    Parameters
    ----------
    datasets : list of str
        MedMNIST flags.
    root : str or None
        Data folder.
    size : int, default=28
        Image size.

    Returns
    -------
    missing : dict
        ``{flag: message}`` for each absent file (``load_medmnist``'s message: the
        expected path and where to get the file).
    """
    missing = {}
    for flag in datasets:
        try:
            load_medmnist(flag, "test", root=root, size=size)
        except FileNotFoundError as exc:
            missing[flag] = str(exc)
    return missing


def check_methods(profile, methods):
    """Raise a ValueError when a method cannot run in the profile's scenario: a
    ``+pool`` variant needs the unlabelled images of the ``'semi-supervised'``
    scenario.

    Parameters
    ----------
    profile : Profile
        The profile.
    methods : sequence of str
        Method names.
    """
    pooled = [m for m in methods if MethodSpec(m).variant.pool]
    if pooled and not SCENARIOS[profile.scenario].unlabelled:
        raise ValueError(
            f"{', '.join(pooled)} train on unlabelled images, which the "
            f"{profile.scenario!r} scenario has none of; use scenario='semi-supervised' "
            "(--scenario semi-supervised)."
        )


def run_medmnist_table(profile, datasets, methods, selections, seeds, out, *, root=None,
                       size=28, skip_missing=False, controls=("ros",), command=None,
                       execution=None, primary_metric="auc", rope=0.01):
    """Run (or resume) the MedMNIST table and write its outputs.

    Parameters
    ----------
    profile : Profile
        The profile (:func:`~skgenaug.evaluation.get_profile`).
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
        Data folder (as in :func:`skgenaug.datasets.load_medmnist`).
    size : {28, 64, 128, 224}, default=28
        Image size (MedMNIST+ files ``<flag>_<size>.npz`` for sizes other than 28).
    skip_missing : bool, default=False
        Drop data sets without a file (with a message) instead of stopping.
    controls : sequence of str, default=('ros',)
        Control methods every image-making method is also compared with, where they
        ran (e.g. ``('ros', 'geometric')``).
    command : str or None
        The command line, for the records.
    execution : Execution or None, default=None
        Device, parallel cells, threads, backend, progress and log
        (:class:`~skgenaug.evaluation._settings.Execution`); ``None``: a progress bar
        and messages printed, one cell per usable CPU.
    primary_metric : {'auc', 'acc', 'balanced_acc'}, default='auc'
        The primary endpoint, declared in ``config.json`` before any cell runs (see
        :func:`skgenaug.evaluate_augmentation`).
    rope : float, default=0.01
        Half-width of the region of practical equivalence.

    Returns
    -------
    evaluation : AugmentationEvaluation
        Cells, summary with the paper's values, comparisons, quality; ``n_run`` and
        ``n_reused`` cells.

    Raises
    ------
    ValueError
        If a method cannot run in the profile's scenario (:func:`check_methods`).
    MissingDataError
        If a data set has no file and ``skip_missing`` is false; raised before any
        cell runs and before ``out`` is created.

    Examples
    --------
    A run stops before any cell when a data set has no file:

    >>> import tempfile
    >>> from skgenaug.evaluation import get_profile
    >>> from skgenaug.medmnist import MissingDataError, run_medmnist_table
    >>> folder = tempfile.mkdtemp()
    >>> try:
    ...     run_medmnist_table(get_profile("smoke"), ["pneumoniamnist"], ["none"], ["val"],
    ...                        [0], out=folder, root=folder)
    ... except MissingDataError:
    ...     print("missing")
    missing
    """
    execution = Execution(verbose=1) if execution is None else execution
    log = execution.say
    check_methods(profile, methods)
    methods = with_unaugmented_control(profile, methods)
    missing = check_data(datasets, root, size)
    if missing:
        text = "\n\n".join(missing.values())
        if not skip_missing or len(missing) == len(datasets):
            raise MissingDataError(
                f"{len(missing)} data set(s) missing ({', '.join(missing)}); nothing was "
                "run." + (" Pass --skip-missing to run the others." if len(missing) <
                          len(datasets) else "") + f"\n\n{text}"
            )
        log(f"Skipping missing data set(s) {', '.join(missing)}:\n{text}\n")
        datasets = [d for d in datasets if d not in missing]
    order = {flag: i for i, flag in enumerate(PAPER_DATASETS)}
    datasets = sorted(datasets, key=lambda flag: order.get(flag, len(order)))
    plan = Plan(
        profile=profile,
        data={flag: MedMNISTData(flag, root, profile, size=size) for flag in datasets},
        specs={m: MethodSpec(m) for m in methods},
        first_seed=min(seeds),
    )
    data_hash = next(iter(plan.data.values())).hashed()  # the same for every data set
    hashes = cell_hashes(profile, plan.specs, selections, data=data_hash)
    cells = make_cells(profile, datasets, methods, selections, seeds, hashes=hashes)
    reporting = Reporting(controls=tuple(controls), command=command,
                          config=dict(root=root, size=size), header=medmnist_header,
                          reference=PAPER_REFERENCE, primary_metric=primary_metric,
                          rope=rope)
    return run_cells(plan, cells, out, execution, reporting)
