"""Command line of the MedMNIST benchmark (``python benchmarks/medmnist_table.py``).

Reproduces the reference paper's Table 2 by cross-validated evaluation. Without flags
it runs the ``quick`` profile on BreastMNIST (a few minutes on a 2-core CPU) and says
so; ``--profile paper --datasets all`` is the full protocol (for a GPU).
"""

import argparse
import shlex
import sys

from ._config import (
    DEFAULT_PROFILE,
    METHODS,
    PAPER_METHODS,
    PROFILES,
    SCENARIOS,
    get_profile,
    parse_methods,
    parse_selections,
)
from ._run import MissingDataError, resolve_datasets, resolve_root, run_benchmark


def build_parser():
    """The argument parser.

    Returns
    -------
    parser : argparse.ArgumentParser
    """
    parser = argparse.ArgumentParser(
        prog="medmnist_table.py",
        description=(
            "Cross-validated reproduction of Table 2 of Chaptoukaev, 'The Effectiveness "
            "of Generative Models for Data Augmentation in Medical Applications': test "
            "AUC/ACC of a ResNet-18 trained without augmentation and with AE, cVAE and "
            "cGAN augmentation (150 generated images per class)."
        ),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    profiles = "; ".join(f"{k}: {v['description']}" for k, v in PROFILES.items())
    parser.add_argument("--profile", choices=sorted(PROFILES), default=None,
                        help=f"settings profile (default: {DEFAULT_PROFILE}). {profiles}")
    parser.add_argument("--datasets", default=None,
                        help="comma list of MedMNIST data sets, or 'all' (the paper's 8); "
                             "default: the profile's (breastmnist for quick and smoke)")
    parser.add_argument("--methods", default=",".join(PAPER_METHODS),
                        help=f"comma list among {', '.join(METHODS)} "
                             "(case-insensitive), or 'all' for every method")
    parser.add_argument("--scenario", choices=SCENARIOS, default="balanced",
                        help="'balanced': the paper's subset, the sampler adds 150 images "
                             "per class; 'long-tail': the class of frequency rank r in "
                             "the official training split (0 = most frequent) keeps "
                             "round(n * 0.1 ** (r / (K-1))) of its n subset images (167 "
                             "down to 17 for 167 per class) and the sampler "
                             "balances the classes (sampling_strategy='auto')")
    parser.add_argument("--folds", type=int, default=None,
                        help="stratified folds of the pooled train+val subset "
                             "(default: the profile's)")
    parser.add_argument("--seeds", type=int, default=None,
                        help="number of subset seeds, 0..N-1 (default: the profile's)")
    parser.add_argument("--selection", default="val",
                        help="'val' (best validation epoch), 'test-best' (the paper's "
                             "OPTIMISTIC best test epoch) or 'val,test-best'")
    parser.add_argument("--root", default=None,
                        help="data folder (default: $SKGENAUG_DATA_DIR, else "
                             "../shared/medmnist beside the repository if present, else "
                             "medmnist's default root)")
    parser.add_argument("--out", default=None,
                        help="results folder (default: benchmark_results/<profile>)")
    parser.add_argument("--n-jobs", type=int, default=None,
                        help="cells run in parallel (default: one per CPU this process "
                             "may use, affinity and container quota included; one on a "
                             "GPU); -1 means all CPUs, -2 all but one, as in joblib")
    parser.add_argument("--backend", choices=("loky", "threading", "dask"), default="loky",
                        help="joblib backend")
    parser.add_argument("--scheduler", default=None,
                        help="address of a running Dask scheduler (--backend dask; its "
                             "workers must see the data folder at the same path); "
                             "without it a LocalCluster of n-jobs workers is started")
    parser.add_argument("--device", default="cpu",
                        help="torch device: cpu, cuda, cuda:N or auto. With cuda, "
                             "n-jobs > 1 runs several cells on the one GPU")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch threads per worker (default: the usable CPUs shared "
                             "out among the workers, so 1 each with one worker per CPU: "
                             "parallel cells scale better than threads here)")
    parser.add_argument("--skip-missing", action="store_true",
                        help="run the data sets that are present instead of stopping when "
                             "one is missing")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    return parser


def main(argv=None):
    """Run the benchmark from command-line arguments.

    Parameters
    ----------
    argv : list of str or None
        Arguments (``None``: ``sys.argv[1:]``).

    Returns
    -------
    status : int
        0 on success, 2 when data sets are missing.
    """
    args = build_parser().parse_args(argv)
    argv = sys.argv[1:] if argv is None else list(argv)
    profile = args.profile or DEFAULT_PROFILE
    try:
        settings = get_profile(profile, folds=args.folds, seeds=args.seeds,
                               scenario=args.scenario)
        datasets = resolve_datasets(args.datasets or ",".join(settings["datasets"]))
        methods = parse_methods(args.methods)
        selections = parse_selections(args.selection)
    except ValueError as exc:
        build_parser().error(str(exc))
    if args.n_jobs == 0:
        build_parser().error("--n-jobs 0 runs nothing; give a positive number, -1 or "
                             "leave it out (one cell per CPU).")
    if args.threads is not None and args.threads < 1:
        build_parser().error("--threads must be at least 1.")
    if settings["folds"] < 2 or settings["seeds"] < 1:
        build_parser().error("--folds must be at least 2 and --seeds at least 1.")
    root = resolve_root(args.root)
    out = args.out or f"benchmark_results/{profile}"
    seeds = list(range(settings["seeds"]))
    command = "python benchmarks/medmnist_table.py " + shlex.join(argv)
    default_note = "" if args.profile else " (the default: no --profile given)"
    where = root or "medmnist's default root"
    print(
        f"Running profile '{profile}'{default_note}: {settings['description']}.\n"
        f"  data sets: {', '.join(datasets)}; methods: {', '.join(methods)}; "
        f"selection: {', '.join(selections)}; folds: {settings['folds']}; "
        f"seeds: {seeds}; scenario: {settings['scenario']}\n  data folder: {where}; "
        f"results: {out}",
        flush=True,
    )
    try:
        result = run_benchmark(
            settings, datasets, methods, selections, seeds, out, root=root,
            device=args.device, threads=args.threads, n_jobs=args.n_jobs,
            backend=args.backend, scheduler=args.scheduler,
            skip_missing=args.skip_missing, progress=not args.no_progress,
            command=command,
        )
    except MissingDataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(result["markdown"])
    print(f"Wrote {result['out']}/results.md, cells.csv, config.json, scores.png and "
          f"sample grids ({result['n_run']} cells run now, {result['n_reused']} reused).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
