"""Choose the quick profile's classifier recipe on validation folds, never the test split.

Every candidate recipe trains the evaluation's baseline (``ResNetClassifier`` with the
profile's on-the-fly augmentation, flips as the data set allows, no generated images) on
exactly the cells the MedMNIST table runs: the paper subset of each data set, its
stratified folds, the classifier seed of each (repeat, fold). Each fit selects its
epoch on the held-out fold, as the table's cells do, and is scored by that fold's AUC
at the kept epoch. The official test split is never loaded into a fit or scored: it
is scored once, by the table run of the chosen recipe.

The rule, fixed before any candidate ran: the mean validation AUC over data sets and
folds decides; among candidates within ``--tolerance`` (0.005) of the best, the one
with the least training time wins (a CPU profile pays for every epoch in every cell).

Example (about 30 minutes on 2 cores)::

    python benchmarks/select_classifier_recipe.py --n-jobs 2 --out recipe.csv

Prints one row per candidate and data set (mean and standard deviation of the fold
AUCs, the fit time), then the choice.

``--compare-selection`` compares instead the rules that keep an epoch (:data:`RULES`),
on the quick profile's recipe, by nested validation: each fit holds out a stratified
fifth of its training part (the inner validation rows, which select), trains every
epoch, and scores the cell's held-out fold after each epoch (the outer rows, which
only score); each rule is judged by the outer AUC at the epoch it keeps, over two
classifier seeds per fold (the second measures how much a rule's outcome moves with
the training noise alone). The reading, fixed before the results: the rule of best
mean outer AUC, and among rules within 0.005 of it the one whose outcome moves least
between seeds, would be the profiles' rule; a change of the profiles' rule re-runs
their tables. The test split is not used here either::

    python benchmarks/select_classifier_recipe.py --compare-selection --out rules.csv
"""

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np
import pandas as pd
import torch
from joblib import Parallel, delayed
from skorch.callbacks import Callback

REPOSITORY = Path(__file__).resolve().parents[1]
try:
    import skgenaug  # noqa: F401
except ImportError:  # run from a clone without installing
    sys.path.insert(0, str(REPOSITORY))

from skgenaug import ResNetClassifier  # noqa: E402
from skgenaug._torch_utils import BatchTensorDataset  # noqa: E402
from skgenaug.evaluation import get_profile  # noqa: E402
from skgenaug.evaluation._cells import on_the_fly  # noqa: E402
from skgenaug.evaluation._data import model_seeds  # noqa: E402
from skgenaug.medmnist._data import MedMNISTData  # noqa: E402
from skgenaug.metrics import medmnist_auc  # noqa: E402

DATASETS = ("breastmnist", "pneumoniamnist", "dermamnist")

_ONECYCLE = dict(optimizer="adamw", weight_decay=0.05, lr_schedule="onecycle",
                 batch_size=64, precision="auto")

#: The candidates, declared before any ran. ``current`` is the quick profile's recipe
#: before this search; the others follow the issue's plain-PyTorch probe (AdamW,
#: one-cycle, bfloat16 where native) at two widths and two lengths.
CANDIDATES = {
    "current": dict(width=8, max_epochs=20, batch_size=32, lr=1e-3, optimizer="adam"),
    "w8-e40-onecycle": dict(width=8, max_epochs=40, lr=3e-3, **_ONECYCLE),
    "w8-e40-onecycle-ls": dict(width=8, max_epochs=40, lr=3e-3, label_smoothing=0.1,
                               **_ONECYCLE),
    "w16-e40-onecycle": dict(width=16, max_epochs=40, lr=3e-3, **_ONECYCLE),
    "w16-e60-onecycle": dict(width=16, max_epochs=60, lr=3e-3, **_ONECYCLE),
}


def fit_one(name, params, dataset, fold, root, profile):
    """The validation AUC of one candidate on one fold, and its fit time."""
    torch.set_num_threads(1)
    data = MedMNISTData(dataset, root, profile)
    split = data.split(0, fold)
    random_state, _ = model_seeds(0, fold)
    clf = ResNetClassifier(**params, selection="accuracy", random_state=random_state,
                           **on_the_fly(profile, data, "none"))
    start = time.perf_counter()
    clf.fit(split.X_train, split.y_train, X_val=split.X_val, y_val=split.y_val)
    seconds = time.perf_counter() - start
    kept = clf.best_epoch_ or len(clf.history_)
    return dict(candidate=name, dataset=dataset, fold=fold,
                val_auc=float(clf.history_[kept - 1, "valid_auc"]),
                val_acc=float(clf.history_[kept - 1, "valid_acc"]),
                best_epoch=kept, fit_s=seconds, precision=clf.precision_,
                n_train=len(split.y_train), n_val=len(split.y_val))


#: The epoch-selection rules of --compare-selection, declared before it ran: the first
#: epoch of best inner-validation accuracy (the classifier's ``selection='accuracy'``,
#: the cells' rule until this study) or AUC (``'auc'``), the epoch of lowest
#: inner-validation loss, the last epoch (``selection=None``: a one-cycle schedule ends
#: annealed; the quick profile's rule since this study).
RULES = {"accuracy": ("valid_acc", -1), "auc": ("valid_auc", -1),
         "loss": ("valid_loss", 1), "last": None}


class _OuterAUC(Callback):
    """The held-out fold's AUC after every epoch, into the history; never used to
    train or to select (the images come as the classifier's own input dataset)."""

    def __init__(self, X, y):
        self.X, self.y = X, y

    def on_epoch_end(self, net, **kwargs):
        net.history.record("outer_auc", medmnist_auc(self.y, net.predict_proba(self.X)))


def kept_epoch(history, rule):
    """The 1-based epoch a rule keeps (ties keep the earlier epoch, as the classifier
    does)."""
    if RULES[rule] is None:
        return len(history)
    column, sign = RULES[rule]
    return int(np.argmin(sign * np.asarray(history[:, column], dtype=float))) + 1


def selection_one(dataset, fold, repeat, root, profile):
    """One nested-validation fit of the quick recipe: every rule's kept epoch and the
    outer AUC there."""
    torch.set_num_threads(1)
    data = MedMNISTData(dataset, root, profile)
    split = data.split(0, fold)
    random_state, _ = model_seeds(repeat, fold)
    clf = ResNetClassifier(**profile.classifier, selection=None,
                           validation_fraction=profile.validation_fraction,
                           random_state=random_state,
                           **on_the_fly(profile, data, "none"))
    # the outer rows scaled as the classifier scales its inputs
    clf._check_training_data(split.X_train, split.y_train)
    outer = _OuterAUC(BatchTensorDataset(clf._to_tensor(split.X_val)), split.y_val)
    clf.set_params(callbacks=[("outer_auc", outer)])
    clf.fit(split.X_train, split.y_train)
    kept = {rule: kept_epoch(clf.history_, rule) for rule in RULES}
    return [dict(dataset=dataset, fold=fold, repeat=repeat, rule=rule, epoch=epoch,
                 outer_auc=float(clf.history_[epoch - 1, "outer_auc"]),
                 precision=clf.precision_)
            for rule, epoch in kept.items()]


def compare_selection(args, profile):
    """--compare-selection: prints each rule's mean outer AUC per data set, overall,
    and the mean change of its outer AUC between the two seeds of a fold."""
    tasks = [(dataset, fold, repeat) for dataset in args.datasets.split(",")
             for fold in range(profile.folds) for repeat in (0, 1)]
    rows = Parallel(n_jobs=args.n_jobs, verbose=5)(
        delayed(selection_one)(*task, args.root, profile) for task in tasks)
    table = pd.DataFrame([row for fit in rows for row in fit])
    if args.out:
        table.to_csv(args.out, index=False)
    print(table.pivot_table(index="dataset", columns="rule", values="outer_auc")
          .round(4).to_string())
    seeds = table.pivot_table(index=["dataset", "fold", "rule"], columns="repeat",
                              values="outer_auc")
    summary = pd.DataFrame({
        "outer_auc": table.groupby("rule").outer_auc.mean(),
        "mean_epoch": table.groupby("rule").epoch.mean(),
        "seed_change": (seeds[0] - seeds[1]).abs().groupby("rule").mean(),
    })
    print(summary.round(4).to_string())
    return 0


def choose(table, tolerance):
    """The rule of the module docstring: the cheapest candidate within ``tolerance``
    of the best mean validation AUC."""
    overall = table.groupby("candidate").agg(val_auc=("val_auc", "mean"),
                                             fit_s=("fit_s", "sum"))
    near = overall[overall.val_auc >= overall.val_auc.max() - tolerance]
    return overall, near.fit_s.idxmin()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", default=str(REPOSITORY.parent / "shared" / "medmnist"))
    parser.add_argument("--candidates", default=",".join(CANDIDATES))
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--tolerance", type=float, default=0.005)
    parser.add_argument("--out", default=None, help="CSV of every fit")
    parser.add_argument("--compare-selection", action="store_true",
                        help="compare the epoch-selection rules instead (nested "
                             "validation, the quick recipe)")
    args = parser.parse_args(argv)
    profile = get_profile("quick")
    if args.compare_selection:
        return compare_selection(args, profile)
    tasks = [(name, CANDIDATES[name], dataset, fold)
             for name in args.candidates.split(",")
             for dataset in args.datasets.split(",")
             for fold in range(profile.folds)]
    # Longest first keeps both workers busy to the end.
    tasks.sort(key=lambda t: -t[1]["width"] ** 2 * t[1]["max_epochs"])
    rows = Parallel(n_jobs=args.n_jobs, verbose=5)(
        delayed(fit_one)(*task, args.root, profile) for task in tasks)
    table = pd.DataFrame(rows)
    if args.out:
        table.to_csv(args.out, index=False)
    per_set = table.groupby(["candidate", "dataset"]).agg(
        val_auc=("val_auc", "mean"), sd=("val_auc", "std"), fit_s=("fit_s", "mean"),
        best_epoch=("best_epoch", "mean"), precision=("precision", "first"))
    print(per_set.round(4).to_string())
    overall, chosen = choose(table, args.tolerance)
    print(overall.round(4).to_string())
    print(f"chosen: {chosen} {CANDIDATES[chosen]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
