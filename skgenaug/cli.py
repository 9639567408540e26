"""The ``skgenaug`` command: ``skgenaug evaluate``, ``skgenaug generate`` and
``skgenaug medmnist-table``.

``skgenaug evaluate PATH`` answers, for a folder of class subfolders of images (or an
npz file), whether augmentation helps a classifier and which kind
(:func:`~skgenaug.evaluate_augmentation`). ``skgenaug medmnist-table`` reproduces the
reference paper's Table 2 on MedMNIST (also ``python benchmarks/medmnist_table.py``).
Both write a resumable results folder: ``results.md``, CSV tables, ``config.json`` and
figures. ``skgenaug generate SRC OUT`` fits one method's generator on the images at SRC
and writes the images it makes as a folder, with their provenance
(:func:`~skgenaug.datasets.generate_image_folder`).
"""

import argparse
import json
import os
import re
import shlex
import sys
from pathlib import Path

import numpy as np

from ._methods import METHODS, PAPER_METHODS
from .datasets import (
    _resolve_root,
    generate_image_folder,
    load_images,
    load_unlabelled_images,
)
from .evaluation._config import (
    DEFAULT_PROFILE,
    EPOCH_RULES,
    PROFILES,
    check_controls,
    get_profile,
    parse_methods,
    parse_selections,
)
from .evaluation._evaluate import DEFAULT_METHODS, prepare_evaluation
from .evaluation._report import METRICS
from .evaluation._result import AugmentationEvaluation
from .evaluation._scenarios import SCENARIOS
from .evaluation._settings import EvaluationSettings, Execution
from .medmnist._paper import PAPER_REFERENCE
from .medmnist._report import medmnist_header
from .medmnist._table import (
    MissingDataError,
    check_methods,
    resolve_datasets,
    run_medmnist_table,
)

_PROG = "skgenaug"


def _profiles_help():
    return "; ".join(f"{name}: {p.description}" for name, p in PROFILES.items())


def _add_analysis_arguments(parser):
    parser.add_argument("--primary-metric", choices=tuple(METRICS), default="auc",
                        help="the primary endpoint, declared in config.json before any "
                             "cell runs: its comparisons with the baseline form the "
                             "family Holm's correction covers, and the report opens "
                             "with the verdict on it (default: auc)")
    parser.add_argument("--rope", type=float, default=0.01,
                        help="half-width of the region of practical equivalence of the "
                             "Bayesian correlated t-test (default: 0.01)")


def _add_training_arguments(parser):
    parser.add_argument("--classifier-augment", choices=("standard", "trivial", "none"),
                        default=None,
                        help="on-the-fly augmentation of every cell's classifier, the "
                             "baseline's included, with 'plain' (no augmentation at "
                             "all) added as a control row; 'none' turns it off "
                             "(default: the profile's: standard for quick, none for "
                             "paper and smoke)")
    parser.add_argument("--epoch-rule", choices=EPOCH_RULES, default=None,
                        help="which epoch each classifier keeps: best validation "
                             "accuracy, best validation AUC, or the last (default: the "
                             "profile's: last for quick, accuracy for paper and smoke)")


def _add_parallel_arguments(parser):
    parser.add_argument("--n-jobs", type=int, default=None,
                        help="cells run in parallel (default: one per CPU this process "
                             "may use, affinity and container quota included; one on a "
                             "GPU); -1 means all CPUs, -2 all but one, as in joblib")
    parser.add_argument("--backend", choices=("loky", "threading", "dask"), default="loky",
                        help="joblib backend")
    parser.add_argument("--scheduler", default=None,
                        help="address of a running Dask scheduler (--backend dask; its "
                             "workers must see the data at the same path); without it a "
                             "LocalCluster of n-jobs workers is started")
    parser.add_argument("--device", default="cpu",
                        help="torch device: cpu, cuda, cuda:N or auto. With cuda, "
                             "n-jobs > 1 runs several cells on the one GPU")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch threads per worker (default: the usable CPUs shared "
                             "out among the workers, so 1 each with one worker per CPU: "
                             "parallel cells scale better than threads here)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def _execution(parser, args):
    """How the cells run, from the shared options (checked before anything runs)."""
    try:
        return Execution(device=args.device, n_jobs=args.n_jobs, threads=args.threads,
                         backend=args.backend, scheduler=args.scheduler,
                         verbose=0 if args.no_progress else 1, log=print)
    except ValueError as exc:
        # Name the option, not the parameter behind it.
        parser.error(re.sub(r"The '(\w+)' parameter of the evaluation",
                            lambda m: "--" + m[1].replace("_", "-"), str(exc)))


def _counts(text):
    """``--add-per-class 150`` or ``150,450`` (a ratio sweep)."""
    try:
        values = [int(p) for p in text.split(",") if p.strip()]
    except ValueError:
        values = []
    if not values or min(values) < 1 or len(set(values)) != len(values):
        raise argparse.ArgumentTypeError(
            f"give one or more distinct positive whole numbers, e.g. 150 or 150,450; "
            f"got {text!r}")
    return values


def _names_list(text):
    return [p.strip().lower() for p in text.split(",") if p.strip()]


_METHODS_HELP = (
    f"comma list among {', '.join(METHODS)} (case-insensitive), or 'all'; a method "
    "may carry modifiers: +pool (its generator also trains on the unlabelled images), "
    "+curated (CuratedSampler filters its images), +weighted (generated rows weigh "
    "min(1, n_real / n_generated) in the loss), @N (N images per class), e.g. "
    "diffusion+pool+curated@450"
)
_ADD_HELP = ("images each sampler adds to every class; several (150,450) run every "
             "image-adding method at each: the first is the profile's number, the others "
             "make <method>@N variants (default: the profile's, 150)")
_CONTROLS_HELP = ("comma list of methods every image-making method is also compared "
                  "with (with its @N variant where that ran), e.g. ros,geometric "
                  "(default: ros where it runs)")


def _synthetic_set(text):
    """``--synthetic DIR`` or ``DIR:NAME``: ``(DIR, NAME)``, NAME the folder's name by
    default (a colon followed by a path separator belongs to the path)."""
    folder, colon, name = text.rpartition(":")
    if colon and folder and not any(c in name for c in "/\\"):
        if not name.strip():
            raise argparse.ArgumentTypeError(f"give DIR or DIR:NAME; got {text!r}")
        return folder, name.strip()
    return text, Path(text.rstrip("/\\")).stem


def _size(text):
    """``--size 64`` or ``--size 64x48`` (height x width)."""
    try:
        parts = [int(p) for p in text.lower().split("x")]
    except ValueError:
        parts = []
    if len(parts) not in (1, 2) or min(parts) < 1:
        raise argparse.ArgumentTypeError(
            f"size must be N or HxW with positive integers; got {text!r}")
    return parts[0] if len(parts) == 1 else tuple(parts)


def build_parser():
    """The argument parser of the ``skgenaug`` command.

    Returns
    -------
    parser : argparse.ArgumentParser
    """
    parser = argparse.ArgumentParser(
        prog=_PROG,
        description="Does augmentation help a classifier of your images, and which "
                    "kind? Cross-validated, paired comparisons of augmentation methods.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    formatter = argparse.ArgumentDefaultsHelpFormatter

    evaluate = commands.add_parser(
        "evaluate", formatter_class=formatter,
        help="evaluate augmentation methods on your own labelled images",
        description=(
            "Cross-validate a ResNet-18 (augmented on the fly per --classifier-augment, "
            "the baseline included) trained without generated images and with each "
            "method on the images at PATH (a folder with one subfolder of PNG / JPEG / "
            "TIFF / BMP images per class, or an .npz file with X and y arrays), on "
            "shared folds, and compare each method with the baseline by paired, "
            "Nadeau-Bengio corrected statistics. Without --test, each held-out fold is "
            "the test set and validation images come from the training part."
        ),
    )
    evaluate.add_argument("path", metavar="PATH",
                          help="folder of class subfolders, or an .npz file")
    evaluate.add_argument("--test", default=None, metavar="PATH",
                          help="a separate test set (folder or npz with the same classes); "
                               "the held-out folds then select the epoch")
    evaluate.add_argument("--unlabelled", default=None, metavar="PATH",
                          help="a folder of images without labels (any layout), for "
                               "the +pool methods; read with --size and --color")
    evaluate.add_argument("--synthetic", type=_synthetic_set, action="append",
                          default=None, metavar="DIR[:NAME]",
                          help="images made elsewhere (a folder of class subfolders "
                               "named as PATH's, such as skgenaug generate writes, or an "
                               "npz file), evaluated as the method NAME (default: the "
                               "folder's name): per fold it draws as many images per "
                               "class as the other methods add, without replacement, "
                               "instead of fitting a generator; read with --size and "
                               "--color; repeatable. The tool cannot know what made "
                               "them: a generator that saw PATH's images leaks them")
    evaluate.add_argument("--methods", default=",".join(DEFAULT_METHODS),
                          help=_METHODS_HELP)
    evaluate.add_argument("--baseline", default="none",
                          help="the method every other one is compared with")
    evaluate.add_argument("--controls", type=_names_list, default=None,
                          help=_CONTROLS_HELP)
    evaluate.add_argument("--profile", choices=sorted(PROFILES), default=DEFAULT_PROFILE,
                          help=f"settings profile. {_profiles_help()}")
    evaluate.add_argument("--out", default=None,
                          help="results folder (default: "
                               "skgenaug_results/<name>-<profile>)")
    evaluate.add_argument("--name", default=None,
                          help="name of the data set in the report (default: PATH's name)")
    evaluate.add_argument("--size", type=_size, default=None,
                          help="resize folder images to N x N or HxW (Lanczos); needed "
                               "when they differ in size")
    evaluate.add_argument("--color", choices=("gray", "rgb"), default=None,
                          help="convert folder images to gray or RGB; needed when they "
                               "mix both")
    evaluate.add_argument("--folds", type=int, default=None,
                          help="stratified folds (default: the profile's)")
    evaluate.add_argument("--repeats", type=int, default=None,
                          help="repeats of the cross-validation (repeated stratified "
                               "k-fold) with seeds random-state + r: new folds and new "
                               "classifier and sampler seeds, so that the intervals "
                               "include seed variance; each repeat costs as much as "
                               "the first (the quick and smoke profiles run 1, paper 3; "
                               "default: the profile's)")
    evaluate.add_argument("--add-per-class", type=_counts, default=None,
                          help=_ADD_HELP)
    evaluate.add_argument("--sampling-strategy", default=None,
                          help="instead of --add-per-class, an imbalanced-learn "
                               "over-sampling strategy such as 'auto' (every class "
                               "topped up to the largest)")
    evaluate.add_argument("--validation-fraction", type=float, default=None,
                          help="without --test: share of each training part held out "
                               "(per class) to select the epoch (default: the profile's, "
                               "0.2)")
    evaluate.add_argument("--no-quality", action="store_true",
                          help="leave out the quality report of the generated images "
                               "(it needs more than 5 validation images per fold)")
    evaluate.add_argument("--random-state", type=int, default=0,
                          help="seed of the folds and of every fit")
    _add_analysis_arguments(evaluate)
    _add_training_arguments(evaluate)
    _add_parallel_arguments(evaluate)

    table = commands.add_parser(
        "medmnist-table", formatter_class=formatter,
        help="reproduce the reference paper's Table 2 on MedMNIST",
        description=(
            "Cross-validated reproduction of Table 2 of Chaptoukaev, 'The Effectiveness "
            "of Generative Models for Data Augmentation in Medical Applications': test "
            "AUC/ACC of a ResNet-18 trained without augmentation and with AE, cVAE and "
            "cGAN augmentation (150 generated images per class)."
        ),
    )
    table.add_argument("--profile", choices=sorted(PROFILES), default=None,
                       help=f"settings profile (default: {DEFAULT_PROFILE}). "
                            f"{_profiles_help()}")
    table.add_argument("--datasets", default=None,
                       help="comma list of MedMNIST data sets, or 'all' (the paper's 8); "
                            "default: the profile's (quick: pneumoniamnist, smoke: "
                            "breastmnist, paper: all)")
    table.add_argument("--methods", default=",".join(PAPER_METHODS),
                       help=_METHODS_HELP)
    table.add_argument("--controls", type=_names_list, default=None,
                       help=_CONTROLS_HELP)
    table.add_argument("--add-per-class", type=_counts, default=None, help=_ADD_HELP)
    table.add_argument("--unlabelled-max", type=int, default=None,
                       help="semi-supervised scenario: at most this many unlabelled "
                            "images (default: the profile's; quick: 1000)")
    table.add_argument("--scenario", choices=tuple(SCENARIOS), default="balanced",
                       help="'balanced': the paper's subset, the sampler adds 150 images "
                            "per class; 'long-tail': the class of frequency rank r in "
                            "the official training split (0 = most frequent) keeps "
                            "round(n * 0.1 ** (r / (K-1))) of its n subset images (167 "
                            "down to 17 for 167 per class) and the sampler "
                            "balances the classes (sampling_strategy='auto'); "
                            "'semi-supervised': the balanced subset plus the rest of "
                            "the official training split as unlabelled images, for "
                            "the +pool methods")
    table.add_argument("--folds", type=int, default=None,
                       help="stratified folds of the pooled train+val subset "
                            "(default: the profile's)")
    table.add_argument("--seeds", type=int, default=None,
                       help="number of subset seeds, 0..N-1: each draws another paper "
                            "subset, other folds and other classifier and sampler "
                            "seeds, and costs as much as the first (quick and smoke: "
                            "1, paper: 3; default: the profile's)")
    table.add_argument("--selection", default="val",
                       help="'val' (best validation epoch), 'test-best' (the paper's "
                            "OPTIMISTIC best test epoch) or 'val,test-best'")
    table.add_argument("--size", type=int, choices=(28, 64, 128, 224), default=28,
                       help="image size (MedMNIST+ files <flag>_<size>.npz above 28)")
    table.add_argument("--root", default=None,
                       help="data folder (default: $SKGENAUG_DATA_DIR, else medmnist's "
                            "default root; benchmarks/medmnist_table.py also looks in "
                            "../shared/medmnist beside the repository)")
    table.add_argument("--out", default=None,
                       help="results folder (default: benchmark_results/<profile>)")
    table.add_argument("--skip-missing", action="store_true",
                       help="run the data sets that are present instead of stopping when "
                            "one is missing")
    _add_analysis_arguments(table)
    _add_training_arguments(table)
    _add_parallel_arguments(table)

    generate = commands.add_parser(
        "generate", formatter_class=formatter,
        help="fit a generator on your labelled images and write the images it makes",
        description=(
            "Fit the sampler of one method (with the profile's settings) on all the "
            "images at SRC (a folder of class subfolders, or an .npz file) and write "
            "N generated images per class to OUT/<class>/<id>.png, with manifest.csv "
            "(provenance, settings hash, nearest source image and near-copy flag of "
            "each image), settings.json, samples.png and README.md. Never evaluate a "
            "classifier on images the generator saw."
        ),
    )
    generate.add_argument("src", metavar="SRC",
                          help="folder of class subfolders, or an .npz file")
    generate.add_argument("out", metavar="OUT",
                          help="folder to write (absent or empty unless --overwrite)")
    generate.add_argument("--method", required=True,
                          help="one method spec, e.g. cvae, diffusion+curated or "
                               "diffusion+pool+curated (+pool needs --unlabelled)")
    generate.add_argument("--n-per-class", type=int, required=True, metavar="N",
                          help="images generated per class")
    generate.add_argument("--unlabelled", default=None, metavar="DIR",
                          help="a folder of images without labels, for a +pool method")
    generate.add_argument("--size", type=_size, default=None,
                          help="resize folder images to N x N or HxW (Lanczos)")
    generate.add_argument("--color", choices=("gray", "rgb"), default=None,
                          help="convert folder images to gray or RGB")
    generate.add_argument("--random-state", type=int, default=0,
                          help="seed of the fit and of the draw")
    generate.add_argument("--device", default="cpu",
                          help="torch device: cpu, cuda, cuda:N or auto")
    generate.add_argument("--profile", choices=sorted(PROFILES), default=DEFAULT_PROFILE,
                          help=f"settings profile. {_profiles_help()}")
    generate.add_argument("--overwrite", action="store_true",
                          help="replace a non-empty OUT (once everything is written)")
    generate.add_argument("--no-progress", action="store_true",
                          help="no progress bars or messages")
    report = commands.add_parser(
        "report", formatter_class=formatter,
        help="write the report of a results folder again from its stored cells",
        description=(
            "Read a results folder written by 'evaluate' or 'medmnist-table' "
            "(cells.csv, config.json, quality.csv and, where present, the test-set "
            "predictions in cells.sqlite) and write results.md, summary.csv, "
            "comparisons.csv, config.json and scores.png again with today's statistics "
            "(multiplicity-adjusted verdicts, Bayesian equivalence, test-set "
            "intervals), without training anything. A primary metric that the run did "
            "not declare is reported as declared at re-reporting."
        ),
    )
    report.add_argument("folder", metavar="FOLDER", help="a results folder")
    _add_analysis_arguments(report)
    return parser, {"evaluate": evaluate, "medmnist-table": table,
                    "generate": generate, "report": report}


def _report(args, parser):
    folder = Path(args.folder)
    try:
        config = json.loads((folder / "config.json").read_text())
        # The MedMNIST table's folders record its data folder; its header and the
        # paper's values go with them.
        medmnist = "root" in config
        result = AugmentationEvaluation.from_folder(
            folder, header=medmnist_header if medmnist else None,
            reference=PAPER_REFERENCE if medmnist else None,
            primary_metric=args.primary_metric, rope=args.rope)
    except (OSError, ValueError) as exc:
        parser.error(f"{folder} is not a readable results folder: {exc}")
    result.save_report(folder)
    print(result.to_markdown())
    print(f"Wrote {folder}/results.md, summary.csv, comparisons.csv, config.json and "
          "scores.png from the stored cells (nothing was trained).")
    return 0


def _names(data, y):
    """Labels as class names, so that a test set is matched by name."""
    return np.asarray(data.target_names, dtype=object)[y].astype(str)


def _evaluate(args, parser, argv, execution):
    path = Path(args.path)
    name = args.name or path.stem or "data"
    try:
        data = load_images(path, size=args.size, color=args.color)
        X, y = data.data, _names(data, data.target)
        X_test = y_test = test = None
        if data.data_test is not None:
            X_test, y_test = data.data_test, _names(data, data.target_test)
        if args.test is not None:
            if X_test is not None:
                raise ValueError(f"{path} holds a test set already; drop --test.")
            # A test folder is read like the training one; an npz test set as stored
            # (it must then hold images of the training images' final shape).
            folder = Path(args.test).is_dir()
            test = load_images(args.test, size=args.size if folder else None,
                               color=args.color if folder else None)
            X_test, y_test = test.data, _names(test, test.target)
        X_unlabelled = None
        if args.unlabelled is not None:
            X_unlabelled = load_unlabelled_images(args.unlabelled, size=args.size,
                                                  color=args.color).data
        synthetic = {}
        for source, set_name in args.synthetic or ():
            if set_name in synthetic:
                raise ValueError(f"--synthetic: two sets are named {set_name!r}; name "
                                 "them with DIR:NAME.")
            folder = Path(source).is_dir()
            made = load_images(source, size=args.size if folder else None,
                               color=args.color if folder else None)
            synthetic[set_name] = (made.data, _names(made, made.target))
        counts = args.add_per_class or [None]
        # each further count also draws NAME@N from every synthetic set
        synthetic.update({f"{m}@{n}": images for n in counts[1:]
                          for m, images in list(synthetic.items())})
        profile = get_profile(args.profile, add_per_class=counts[0])
        methods = parse_methods(args.methods, add_per_class=counts[1:])
        out = Path(args.out or Path("skgenaug_results") / f"{name}-{args.profile}")
        settings = EvaluationSettings(
            methods=methods, profile=profile, cv=args.folds, n_repeats=args.repeats,
            baseline=args.baseline, controls=args.controls,
            sampling_strategy=args.sampling_strategy,
            validation_fraction=args.validation_fraction, quality=not args.no_quality,
            results_dir=out, name=name, random_state=args.random_state,
            primary_metric=args.primary_metric, rope=args.rope,
            classifier_augment=args.classifier_augment, epoch_rule=args.epoch_rule)
        prepared = prepare_evaluation(X, y, settings, X_test=X_test, y_test=y_test,
                                      X_unlabelled=X_unlabelled,
                                      synthetic=synthetic or None)
    except (ValueError, FileNotFoundError) as exc:
        parser.error(str(exc))
    print(
        f"Evaluating {', '.join(prepared.plan.specs)} on {path} ({len(y)} images, "
        f"{len(data.target_names)} classes"
        + (f", test set of {len(y_test)}" if X_test is not None else "")
        + (f", {len(X_unlabelled)} unlabelled" if X_unlabelled is not None else "")
        + f") with profile '{args.profile}': {prepared.plan.profile.description}.\n"
        f"  results: {out}", flush=True)
    result = prepared.run(execution, command="skgenaug " + shlex.join(argv),
                          source=str(path))
    for loaded, file in ((data, "manifest.csv"), (test, "test_manifest.csv")):
        if loaded is not None and "manifest" in loaded:
            loaded.manifest.to_csv(out / file, index=False)
    print(result.to_markdown())
    print(f"Wrote {out}/results.md, cells.csv, summary.csv, comparisons.csv, config.json, "
          f"scores.png and sample grids ({result.n_run} cells run now, "
          f"{result.n_reused} reused).")
    return 0


def _generate(args, parser):
    try:
        generate_image_folder(
            args.src, args.out, args.method, args.n_per_class,
            unlabelled=args.unlabelled, size=args.size, color=args.color,
            profile=args.profile, random_state=args.random_state, device=args.device,
            overwrite=args.overwrite, verbose=0 if args.no_progress else 1)
    except (ValueError, FileNotFoundError, FileExistsError) as exc:
        parser.error(str(exc))
    return 0


def _medmnist_table(args, parser, argv, execution):
    profile_name = args.profile or DEFAULT_PROFILE
    try:
        counts = args.add_per_class or [None]
        profile = get_profile(profile_name, folds=args.folds, repeats=args.seeds,
                              classifier_augment=args.classifier_augment,
                              epoch_rule=args.epoch_rule, scenario=args.scenario,
                              add_per_class=counts[0],
                              unlabelled_max=args.unlabelled_max)
        datasets = resolve_datasets(args.datasets or ",".join(profile.datasets))
        methods = parse_methods(args.methods, add_per_class=counts[1:])
        controls = check_controls(args.controls, methods)
        check_methods(profile, methods)
        selections = parse_selections(args.selection)
    except ValueError as exc:
        parser.error(str(exc))
    folder, source = _resolve_root(args.root)
    root = str(folder)
    out = args.out or f"benchmark_results/{profile_name}"
    seeds = list(range(profile.repeats))
    command = "skgenaug " + shlex.join(argv)
    default_note = "" if args.profile else " (the default: no --profile given)"
    where = f"{root} ({source})"
    print(
        f"Running profile '{profile_name}'{default_note}: {profile.description}.\n"
        f"  data sets: {', '.join(datasets)}; methods: {', '.join(methods)}; "
        f"selection: {', '.join(selections)}; folds: {profile.folds}; "
        f"seeds: {seeds}; scenario: {profile.scenario}; size: {args.size}\n"
        f"  data folder: {where}; results: {out}",
        flush=True,
    )
    try:
        result = run_medmnist_table(
            profile, datasets, methods, selections, seeds, out, root=root,
            size=args.size, skip_missing=args.skip_missing, controls=controls,
            command=command, execution=execution, primary_metric=args.primary_metric,
            rope=args.rope,
        )
    except MissingDataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(result.to_markdown())
    print(f"Wrote {out}/results.md, cells.csv, config.json, scores.png and "
          f"sample grids ({result.n_run} cells run now, {result.n_reused} reused).")
    return 0


def main(argv=None):
    """Run the ``skgenaug`` command.

    Parameters
    ----------
    argv : list of str or None
        Arguments after the program name (``None``: ``sys.argv[1:]``), starting with
        the subcommand: ``evaluate``, ``generate``, ``medmnist-table`` or ``report``.

    Returns
    -------
    status : int
        0 on success, 2 when data sets are missing (``medmnist-table``). Bad input
        exits with status 2 and a message, before anything is written.
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    # For the worker processes, which load OpenMP after this: idle OpenMP threads
    # sleep instead of spinning (on a CPU shared with other work, spinning made
    # training ~20x slower with 2 threads per worker).
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    parser, commands = build_parser()
    args = parser.parse_args(argv)
    sub = commands[args.command]
    if args.command == "generate":
        return _generate(args, sub)
    if args.command == "report":
        return _report(args, sub)
    execution = _execution(sub, args)
    if args.command == "evaluate":
        return _evaluate(args, sub, argv, execution)
    return _medmnist_table(args, sub, argv, execution)


if __name__ == "__main__":
    sys.exit(main())
