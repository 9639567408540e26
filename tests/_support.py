"""Helpers shared by several test files (tests/ is on sys.path: ``pythonpath`` in
pyproject.toml)."""

import numpy as np
from PIL import Image

from skgenaug.datasets import make_image_classification
from skgenaug.evaluation import _plan
from skgenaug.evaluation._plan import MethodSpec
from skgenaug.evaluation._settings import Execution
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


def quiet(**kwargs):
    """An Execution for tests: one cell at a time in this process (so that
    monkeypatches reach it), one thread, no bar, no messages, unless asked."""
    return Execution(**{"n_jobs": 1, "threads": 1, "log": lambda *a: None, **kwargs})


_EXECUTION = {"n_jobs", "threads", "device", "backend", "scheduler", "client", "log"}


def _run(settings, root, out, datasets=("breastmnist",), methods=("none", "ae"),
         **kwargs):
    """The MedMNIST table on test data; ``kwargs`` of Execution or the table."""
    execution = quiet(**{k: kwargs.pop(k) for k in _EXECUTION & set(kwargs)})
    return run_medmnist_table(settings, list(datasets), list(methods), ["val"], [0], out,
                              root=str(root), execution=execution, **kwargs)


def _cost(cell, profile, root):
    """The cell's estimated cost, with its data and method as a run has them."""
    data = MedMNISTData(cell.dataset, str(root), profile)
    return _plan.estimated_cost(cell, profile, data, MethodSpec(cell.method))


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


# ------------------------------------------------------ image folders of a user


def write_folder(root, X, y, names=("benign", "malignant", "normal"), ext="png"):
    """One subfolder per class; image i of the class as <i>.<ext>. Returns the files in
    the order the loader reads them (classes by name, files by path)."""
    files = []
    for label in np.unique(y):
        folder = root / names[label]
        folder.mkdir(parents=True)
        for i, image in enumerate(X[y == label]):
            path = folder / f"{i:03d}.{ext}"
            Image.fromarray(image).save(path)
            files.append((path, image, label))
    return files


def _bad_folder(tmp_path, kind):
    """A folder with one problem; returns (path, message pattern)."""
    root = tmp_path / "data"
    X, y = make_image_classification(8, image_size=8, random_state=0)
    if kind == "missing":
        return root, "Image folder not found: .*data"
    if kind == "empty":
        root.mkdir()
        return root, "is empty: expected one subfolder per class"
    if kind == "not a folder":
        root.mkdir()
        (root / "x.png").touch()
        return root / "x.png", "is not a folder"
    write_folder(root, X, y)
    if kind == "one class":
        import shutil

        shutil.rmtree(root / "malignant")
        return root, "single class folder \\('benign'\\)"
    if kind == "one image":
        for path in sorted((root / "malignant").iterdir())[1:]:
            path.unlink()
        return root, "Class folder .*malignant holds one image"
    if kind == "not an image":
        (root / "benign" / "notes.txt").write_text("patient list")
        return root, "notes.txt is not an image file"
    if kind == "corrupt":
        path = root / "benign" / "000.png"
        path.write_bytes(path.read_bytes()[:60])
        return root, "Corrupt image .*000.png"
    if kind == "garbage named png":
        (root / "benign" / "fake.png").write_bytes(b"this is not a png")
        return root, "Corrupt image .*fake.png"
    if kind == "gif":
        Image.fromarray(X[0]).save(root / "benign" / "anim.gif")
        return root, "anim.gif is a GIF image"
    if kind == "sizes":
        Image.fromarray(np.zeros((9, 8), np.uint8)).save(root / "benign" / "big.png")
        return root, "differ in size .*big.png is 9x8.* Pass size="
    if kind == "mixed":
        Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(root / "benign" / "rgb.png")
        return root, "mixes gray and colour images .*rgb.png.* Pass color="
    if kind == "stray":
        (root / "README.txt").write_text("hello")
        return root, "outside class folders \\(README.txt\\)"
    raise AssertionError(kind)


def assert_refused_before_running(monkeypatch, out, message, **arguments):
    """evaluate_augmentation(**arguments) raises a ValueError matching ``message``
    before any cell runs and before its results folder ``out`` exists."""
    import pytest

    from skgenaug import evaluate_augmentation
    from skgenaug.evaluation import _cells

    monkeypatch.setattr(_cells, "run_cell", lambda *a, **k: pytest.fail("a cell ran"))
    with pytest.raises(ValueError, match=message):
        evaluate_augmentation(results_dir=out, **arguments)
    assert not out.exists()
