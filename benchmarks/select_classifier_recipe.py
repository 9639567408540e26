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
"""

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import pandas as pd
import torch
from joblib import Parallel, delayed

REPOSITORY = Path(__file__).resolve().parents[1]
try:
    import skgenaug  # noqa: F401
except ImportError:  # run from a clone without installing
    sys.path.insert(0, str(REPOSITORY))

from skgenaug import ResNetClassifier  # noqa: E402
from skgenaug.evaluation import get_profile  # noqa: E402
from skgenaug.evaluation._cells import on_the_fly  # noqa: E402
from skgenaug.evaluation._data import model_seeds  # noqa: E402
from skgenaug.medmnist._data import MedMNISTData  # noqa: E402

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
    args = parser.parse_args(argv)
    profile = get_profile("quick")
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
