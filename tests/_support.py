"""Helpers shared by the evaluation and MedMNIST tests (tests/ is on sys.path)."""

import numpy as np

from skgenaug.datasets import make_image_classification
from skgenaug.evaluation import _cells
from skgenaug.evaluation._cells import MethodSpec
from skgenaug.medmnist import MedMNISTData, run_medmnist_table


def _write_npz(path, n_classes, n_channels, sizes, seed, size=28):
    """A small file in MedMNIST's official npz layout."""
    arrays = {}
    for i, (split, n) in enumerate(zip(("train", "val", "test"), sizes)):
        X, y = make_image_classification(
            n, n_classes=n_classes, n_channels=n_channels, image_size=size,
            random_state=seed + i
        )
        arrays[f"{split}_images"] = X
        arrays[f"{split}_labels"] = y.astype(np.uint8).reshape(-1, 1)
    np.savez_compressed(path, **arrays)


def _run(settings, root, out, datasets=("breastmnist",), methods=("none", "ae"),
         **kwargs):
    kwargs.setdefault("progress", False)
    kwargs.setdefault("log", lambda *a: None)
    # In this process unless a test asks for workers: monkeypatches reach it only.
    kwargs.setdefault("n_jobs", 1)
    return run_medmnist_table(settings, list(datasets), list(methods), ["val"], [0], out,
                         root=str(root), threads=1, **kwargs)


def _cost(cell, profile, root):
    """The cell's estimated cost, with its data and method as a run has them."""
    data = MedMNISTData(cell.dataset, str(root), profile)
    return _cells.estimated_cost(cell, profile, data, MethodSpec(cell.method))


class _NoReport:
    """Stands in for the evaluation of a run whose cells were replaced by stubs."""

    def __init__(self, *args, **kwargs):
        pass

    def save(self, folder):
        pass


def _scores(frame):
    cols = ["dataset", "method", "fold", "seed", "selection", "auc", "acc", "balanced_acc"]
    return frame[cols].sort_values(cols[:5]).reset_index(drop=True)


def _write_skewed_npz(path, train_counts, n_val=20, n_test=5, seed=0):
    """A 7-class RGB file whose training split has the given class counts."""
    K = len(train_counts)
    arrays = {}
    for split, counts in (("train", train_counts), ("val", [n_val] * K),
                          ("test", [n_test] * K)):
        X, y = make_image_classification(4 * sum(counts), n_classes=K, n_channels=3,
                                         random_state=seed)
        rows = np.concatenate([np.flatnonzero(y == k)[:n] for k, n in enumerate(counts)])
        assert len(rows) == sum(counts)
        arrays[f"{split}_images"] = X[rows]
        arrays[f"{split}_labels"] = y[rows].astype(np.uint8).reshape(-1, 1)
    np.savez_compressed(path, **arrays)
