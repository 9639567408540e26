"""How long the paired bootstrap over test images takes at report time.

An evaluation scored on a fixed test set resamples its test images 1000 times per
(cell, metric) (``skgenaug.evaluation._stats.PairedBootstrap``). This times it on
DermaMNIST's shape (2005 test images, 7 classes) for a quick-profile run of all 12
methods (5 folds, one control), with random probabilities; the figure is printed.

    python benchmarks/bench_bootstrap.py [--methods 12] [--folds 5] [--n-test 2005]
"""

import argparse
import time

import numpy as np
import pandas as pd

from skgenaug.evaluation import AugmentationEvaluation


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--methods", type=int, default=12)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--n-test", type=int, default=2005)
    parser.add_argument("--classes", type=int, default=7)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    methods = ["none"] + [f"m{i}" for i in range(args.methods - 1)]
    y = rng.integers(0, args.classes, args.n_test)
    rows, predictions = [], {}
    for method in methods:
        for fold in range(args.folds):
            proba = rng.dirichlet(np.ones(args.classes), args.n_test).astype(np.float32)
            rows.append(dict(selection="val", dataset="d", method=method, seed=0,
                             fold=fold, auc=0.8 + 0.01 * rng.normal(),
                             acc=0.7 + 0.01 * rng.normal(),
                             balanced_acc=0.5 + 0.01 * rng.normal(), n_val=208,
                             n_train=832, n_test=args.n_test, wall_s=1.0,
                             n_generated=10))
            predictions[("val", "d", method, 0, fold)] = (y, proba)
    info = dict(profile="quick", description="", folds=args.folds, seeds=[0],
                device="CPU", wall_s=1.0, n_run=1, n_reused=0, cell_s=1.0, command="")
    start = time.perf_counter()
    evaluation = AugmentationEvaluation(pd.DataFrame(rows), {}, info, {},
                                        controls=(methods[-1],),
                                        predictions=predictions)
    seconds = time.perf_counter() - start
    print(f"{len(evaluation.comparisons)} comparisons of {args.methods} methods x "
          f"{args.folds} folds on {args.n_test} test images, {args.classes} classes, "
          f"1000 resamples: {seconds:.1f} s")


if __name__ == "__main__":
    main()
