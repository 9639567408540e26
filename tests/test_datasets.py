"""Tests of skgenaug.datasets: MedMNIST loading, paper subsets, synthetic images."""

import importlib.util
import socket
from pathlib import Path

import medmnist
import medmnist.dataset
import medmnist.info
import numpy as np
import pytest
from _support import _write_npz
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from threadpoolctl import threadpool_limits

from skgenaug import datasets
from skgenaug.datasets import (
    PAPER_DATASETS,
    PAPER_SUBSETS,
    PAPER_TABLE1,
    load_medmnist,
    load_paper_subset,
    make_image_classification,
    make_paper_subset,
)

REFERENCE_SCRIPT = (
    Path(__file__).resolve().parents[2] / "shared" / "tools" / "plain_pytorch_reference.py"
)


def split_arrays(counts, *, rgb=False, size=28, seed=0):
    """Images and (n, 1) uint8 labels with ``counts[c]`` images of class c."""
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(len(counts)), counts)
    y = rng.permutation(y).astype(np.uint8)[:, None]
    shape = (len(y), size, size, 3) if rgb else (len(y), size, size)
    return rng.integers(0, 256, shape, dtype=np.uint8), y


def write_npz(folder, flag, counts=((6, 6), (3, 3), (4, 4)), *, rgb=False, size=28,
              drop=(), replace=None, seed=0):
    """Write ``<flag>.npz`` in the official layout; ``counts`` per split, per class."""
    arrays = {}
    for i, (split, split_counts) in enumerate(zip(("train", "val", "test"), counts)):
        X, y = split_arrays(split_counts, rgb=rgb, size=size, seed=seed + i)
        arrays[f"{split}_images"], arrays[f"{split}_labels"] = X, y
    arrays.update(replace or {})
    for key in drop:
        del arrays[key]
    name = f"{flag}.npz" if size == 28 else f"{flag}_{size}.npz"
    path = Path(folder) / name
    np.savez_compressed(path, **arrays)
    return path, arrays


@pytest.fixture
def no_network(monkeypatch):
    """Fail the test on any download attempt or outgoing connection."""

    def refuse(*args, **kwargs):
        pytest.fail("a download or network connection was attempted")

    monkeypatch.setattr(datasets, "_download", refuse)
    monkeypatch.setattr(medmnist.dataset.MedMNIST, "download", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.delenv(datasets.DATA_DIR_ENV, raising=False)


# --------------------------------------------------------------------------------------
# load_medmnist
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("split", ["train", "val", "test"])
def test_load_gray_splits_as_stored(tmp_path, no_network, split):
    _, arrays = write_npz(tmp_path, "breastmnist")
    X, y = load_medmnist("breastmnist", split, root=tmp_path)
    assert X.dtype == np.uint8 and X.shape == arrays[f"{split}_images"].shape
    assert X.ndim == 3
    np.testing.assert_array_equal(X, arrays[f"{split}_images"])
    assert y.dtype == np.int64 and y.ndim == 1
    np.testing.assert_array_equal(y, arrays[f"{split}_labels"].ravel())


def test_load_rgb(tmp_path, no_network):
    counts = ((2,) * 7, (1,) * 7, (1,) * 7)
    _, arrays = write_npz(tmp_path, "dermamnist", counts, rgb=True)
    for split in ("train", "val", "test"):
        X, y = load_medmnist("DermaMNIST", split, tmp_path)
        assert X.shape == (len(y), 28, 28, 3) and X.dtype == np.uint8
        np.testing.assert_array_equal(X, arrays[f"{split}_images"])
        assert sorted(set(y)) == list(range(7))


@pytest.mark.parametrize(
    "name, flag",
    [
        ("breastmnist", "breastmnist"),
        ("BreastMNIST", "breastmnist"),
        ("breast", "breastmnist"),
        ("Breast-MNIST", "breastmnist"),
        ("OrganMNIST_Axial", "organamnist"),
        ("organ_c", "organcmnist"),
        ("blood", "bloodmnist"),
    ],
)
def test_name_forms(name, flag):
    assert datasets._resolve_flag(name) == flag


@pytest.mark.parametrize(
    "name, match",
    [
        ("breastmnst", "Unknown MedMNIST data set.*Did you mean 'breastmnist'"),
        ("cifar", "Unknown MedMNIST data set"),
        ("organmnist3d", "3D data set"),
        ("nodule", "3D data set 'nodulemnist3d'"),
        ("chestmnist", "multi-label"),
    ],
)
def test_unsupported_names(tmp_path, no_network, name, match):
    with pytest.raises(ValueError, match=match):
        load_medmnist(name, root=tmp_path)


def test_bad_split_and_size(tmp_path, no_network):
    write_npz(tmp_path, "breastmnist")
    with pytest.raises(ValueError, match="split must be one of"):
        load_medmnist("breast", "validation", tmp_path)
    with pytest.raises(ValueError, match="size must be one of"):
        load_medmnist("breast", root=tmp_path, size=32)
    with pytest.raises(TypeError, match="name must be a string"):
        load_medmnist(3, root=tmp_path)


def test_size_other_than_28(tmp_path, no_network):
    write_npz(tmp_path, "breastmnist", size=64)
    X, _ = load_medmnist("breast", "test", tmp_path, size=64)
    assert X.shape == (8, 64, 64)
    with pytest.raises(FileNotFoundError) as info:
        load_medmnist("pneumonia", root=tmp_path, size=64)
    assert "pneumoniamnist_64.npz" in str(info.value)
    assert medmnist.INFO["pneumoniamnist"]["url_64"] in str(info.value)


def test_root_from_env_var(tmp_path, no_network, monkeypatch):
    (tmp_path / "env").mkdir()
    (tmp_path / "arg").mkdir()
    write_npz(tmp_path / "env", "breastmnist", seed=1)
    _, arrays = write_npz(tmp_path / "arg", "breastmnist", seed=2)
    monkeypatch.setenv(datasets.DATA_DIR_ENV, str(tmp_path / "env"))
    X, _ = load_medmnist("breast", "test")
    assert len(X) == 8
    # The root argument wins over the environment variable.
    X, _ = load_medmnist("breast", "test", root=tmp_path / "arg")
    np.testing.assert_array_equal(X, arrays["test_images"])
    # An empty folder named by the variable gives the variable's name in the error.
    monkeypatch.setenv(datasets.DATA_DIR_ENV, str(tmp_path))
    with pytest.raises(FileNotFoundError, match=datasets.DATA_DIR_ENV):
        load_medmnist("breast")


def test_root_defaults_to_medmnist_root(tmp_path, no_network, monkeypatch):
    write_npz(tmp_path, "breastmnist")
    monkeypatch.setattr(medmnist.info, "DEFAULT_ROOT", str(tmp_path))
    X, _ = load_medmnist("breast", "val")
    assert len(X) == 6


def test_missing_file_message_and_no_download(tmp_path, no_network):
    with pytest.raises(FileNotFoundError) as info:
        load_medmnist("pathmnist", "train", root=tmp_path)
    message = str(info.value)
    assert str(tmp_path / "pathmnist.npz") in message
    assert datasets.DATA_DIR_ENV in message and "root=" in message
    assert "download=True" in message
    assert medmnist.INFO["pathmnist"]["url"] in message
    assert not any(tmp_path.iterdir())


def test_present_file_never_downloads(tmp_path, no_network):
    # download=True must not fetch (or MD5-check) a file that is already there.
    write_npz(tmp_path, "breastmnist")
    X, _ = load_medmnist("breast", root=tmp_path, download=True)
    assert len(X) == 12


@pytest.fixture
def served(tmp_path, monkeypatch):
    """A local HTTP server of the folder ``served/`` (no other connection allowed);
    ``point(flag, size, name, md5)`` makes medmnist.INFO's URL and MD5 of ``flag`` at
    ``size`` name that file on it."""
    import copy
    import functools
    import hashlib
    import http.server
    import threading

    folder = tmp_path / "served"
    folder.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler,
                                directory=str(folder))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    connect = socket.socket.connect

    def local_only(sock, address):
        if address[0] != "127.0.0.1":
            pytest.fail(f"a connection to {address} was attempted")
        return connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", local_only)
    info = copy.deepcopy(medmnist.INFO)
    monkeypatch.setattr(datasets, "_medmnist_info", lambda: info)

    def point(flag, size, name, md5=None):
        suffix = "" if size == 28 else f"_{size}"
        if md5 is None:
            md5 = hashlib.md5((folder / name).read_bytes()).hexdigest()
        url = f"http://127.0.0.1:{server.server_address[1]}/{name}"
        info[flag][f"url{suffix}"], info[flag][f"MD5{suffix}"] = url, md5
        return url

    try:
        yield folder, point
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.mark.parametrize("size", [28, 64])
def test_download_fetches_the_official_file_and_checks_its_md5(size, tmp_path, served):
    folder, point = served
    _write_npz(folder / "file.npz", 2, 1, (6, 3, 4), seed=0, size=size)
    point("breastmnist", size, "file.npz")
    root = tmp_path / "data"
    X, y = load_medmnist("breast", "train", root=root, size=size, download=True)
    assert X.shape == (6, size, size) and len(y) == 6
    name = "breastmnist.npz" if size == 28 else f"breastmnist_{size}.npz"
    # Under the name medmnist uses, byte for byte, and nothing else left behind.
    assert [p.name for p in root.iterdir()] == [name]
    assert (root / name).read_bytes() == (folder / "file.npz").read_bytes()
    # Present now: loaded again without a server.
    folder.joinpath("file.npz").unlink()
    X_again, _ = load_medmnist("breast", "train", root=root, size=size, download=True)
    np.testing.assert_array_equal(X_again, X)


def test_download_with_a_wrong_md5_keeps_nothing(tmp_path, served):
    folder, point = served
    _write_npz(folder / "file.npz", 2, 1, (6, 3, 4), seed=0)
    url = point("breastmnist", 28, "file.npz", md5="0" * 32)
    root = tmp_path / "data"
    with pytest.raises(FileNotFoundError) as info:
        load_medmnist("breast", root=root, download=True)
    message = str(info.value)
    assert url in message and "MD5" in message
    assert isinstance(info.value.__cause__, OSError)
    assert "0" * 32 in str(info.value.__cause__)
    assert list(root.iterdir()) == []  # neither the file nor a partial one


def test_download_of_a_truncated_file_keeps_nothing(tmp_path, served):
    # The server sends the first half of the official file: the MD5 differs.
    folder, point = served
    _write_npz(folder / "full.npz", 2, 1, (6, 3, 4), seed=0)
    full = (folder / "full.npz").read_bytes()
    (folder / "cut.npz").write_bytes(full[: len(full) // 2])
    import hashlib

    point("breastmnist", 28, "cut.npz", md5=hashlib.md5(full).hexdigest())
    root = tmp_path / "data"
    with pytest.raises(FileNotFoundError, match="MD5"):
        load_medmnist("breast", root=root, download=True)
    assert list(root.iterdir()) == []


def test_download_network_failure_names_the_url(tmp_path, served):
    _, point = served
    url = point("octmnist", 28, "absent.npz", md5="0" * 32)  # the server answers 404
    with pytest.raises(FileNotFoundError) as info:
        load_medmnist("octmnist", root=tmp_path / "new", download=True)
    message = str(info.value)
    assert str(tmp_path / "new" / "octmnist.npz") in message
    assert f"Downloading it from {url} failed" in message and "404" in message
    assert not any((tmp_path / "new").iterdir())
    # Nobody listening: refused, and said so with the URL.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    info_dict = datasets._medmnist_info()
    info_dict["octmnist"]["url"] = url = f"http://127.0.0.1:{port}/octmnist.npz"
    with pytest.raises(FileNotFoundError, match=f"Downloading it from {url} failed"):
        load_medmnist("octmnist", root=tmp_path / "new", download=True)


def test_download_interrupted_midway_keeps_nothing(tmp_path, served, monkeypatch):
    # An exception while writing (a full disk, Ctrl-C) removes the partial file.
    folder, point = served
    _write_npz(folder / "file.npz", 2, 1, (6, 3, 4), seed=0)
    point("breastmnist", 28, "file.npz")
    monkeypatch.setattr(datasets, "_CHUNK", 64)
    import tqdm.auto

    calls = []

    class Interrupting(tqdm.auto.tqdm):
        def update(self, n=1):
            calls.append(n)
            if len(calls) == 3:
                raise KeyboardInterrupt
            return super().update(n)

    monkeypatch.setattr(tqdm.auto, "tqdm", Interrupting)
    root = tmp_path / "data"
    with pytest.raises(KeyboardInterrupt):
        load_medmnist("breast", root=root, download=True)
    assert len(calls) == 3 and list(root.iterdir()) == []


@pytest.mark.parametrize(
    "kwargs, split, match",
    [
        ({"drop": ["val_images"]}, "val", r"no val_images array \(it holds"),
        ({"drop": ["test_labels"]}, "test", "no test_labels array"),
        (
            {"replace": {"train_images": np.zeros((12, 28, 27), np.uint8)}},
            "train",
            r"train_images has shape \(12, 28, 27\).*\(n, 28, 28\)",
        ),
        (
            {"replace": {"train_images": np.zeros((12, 28, 28, 3), np.uint8)}},
            "train",
            "gray images",
        ),
        (
            {"replace": {"train_images": np.zeros((12, 28, 28), np.float32)}},
            "train",
            "dtype float32, expected uint8",
        ),
        (
            {"replace": {"val_labels": np.zeros((5, 1), np.uint8)}},
            "val",
            "val_labels holds 5 labels for 6 images",
        ),
        (
            {"replace": {"test_labels": np.full((8, 1), 2, np.uint8)}},
            "test",
            "2 classes",
        ),
        (
            {"replace": {"test_labels": np.zeros((8, 2), np.uint8)}},
            "test",
            r"test_labels has shape \(8, 2\)",
        ),
    ],
)
def test_corrupt_files(tmp_path, no_network, kwargs, split, match):
    path, _ = write_npz(tmp_path, "breastmnist", **kwargs)
    with pytest.raises(ValueError, match=match) as info:
        load_medmnist("breastmnist", split, root=tmp_path)
    assert str(path) in str(info.value)
    assert "replace it with the official file" in str(info.value)


def test_gray_file_for_rgb_data_set(tmp_path, no_network):
    write_npz(tmp_path, "dermamnist", ((1,) * 7,) * 3)
    with pytest.raises(ValueError, match=r"3-channel images of shape \(n, 28, 28, 3\)"):
        load_medmnist("derma", root=tmp_path)


def test_unreadable_file(tmp_path, no_network):
    (tmp_path / "breastmnist.npz").write_bytes(b"not a zip file")
    with pytest.raises(ValueError, match="cannot be read as an npz file"):
        load_medmnist("breast", root=tmp_path)


# --------------------------------------------------------------------------------------
# Paper subsets
# --------------------------------------------------------------------------------------


def test_paper_tables():
    assert PAPER_DATASETS == tuple(PAPER_SUBSETS) == tuple(PAPER_TABLE1)
    assert all(flag in medmnist.INFO for flag in PAPER_DATASETS)
    assert PAPER_SUBSETS["breastmnist"] is None
    assert {v for k, v in PAPER_SUBSETS.items() if k != "breastmnist"} == {150}


def test_paper_subset_counts(tmp_path, no_network, capsys):
    # Class 1 has fewer than 150 train and 17 val images: it keeps all it has.
    counts = ((400, 40), (30, 5), (20, 10))
    write_npz(tmp_path, "pneumoniamnist", counts)
    data = load_paper_subset("pneumonia", tmp_path, random_state=0, verbose=True)
    assert data.n_per_class == 150 and data.n_val_per_class == 17
    assert data.class_counts == {
        "train": {0: 150, 1: 40},
        "val": {0: 17, 1: 5},
        "test": {0: 20, 1: 10},
    }
    assert np.bincount(data.y_train).tolist() == [150, 40]
    assert data.X_train.shape == (190, 28, 28) and data.X_val.shape == (22, 28, 28)
    assert data.X_train.dtype == np.uint8 and data.y_train.dtype == np.int64
    assert len(data.y_test) == 30
    assert data.target_names == ["normal", "pneumonia"] and data.n_channels == 1
    # The subsets are rows of the official splits.
    X_tr, y_tr = load_medmnist("pneumonia", "train", tmp_path)
    np.testing.assert_array_equal(data.X_train, X_tr[data.train_indices])
    np.testing.assert_array_equal(data.y_train, y_tr[data.train_indices])
    assert len(set(data.train_indices)) == 190
    out = capsys.readouterr().out
    assert "PneumoniaMNIST" in out and "190" in out and "* fewer than 150" in out


def test_breast_used_whole(tmp_path, no_network):
    _, arrays = write_npz(tmp_path, "breastmnist", ((30, 200), (10, 20), (5, 5)))
    data = load_paper_subset("BreastMNIST", tmp_path, random_state=0)
    assert data.n_per_class is None and data.n_val_per_class is None
    for split in ("train", "val", "test"):
        np.testing.assert_array_equal(data[f"X_{split}"], arrays[f"{split}_images"])
    # An explicit n_per_class cuts BreastMNIST too.
    data = load_paper_subset("breast", tmp_path, n_per_class=20, random_state=0)
    assert data.class_counts["train"] == {0: 20, 1: 20}
    assert data.class_counts["val"] == {0: 2, 1: 2}


def test_paper_subset_reproducible(tmp_path, no_network):
    write_npz(tmp_path, "dermamnist", ((30,) * 7, (5,) * 7, (2,) * 7), rgb=True)
    kwargs = {"n_per_class": 10, "n_val_per_class": 3}
    a = load_paper_subset("derma", tmp_path, random_state=3, **kwargs)
    b = load_paper_subset("derma", tmp_path, random_state=3, **kwargs)
    c = load_paper_subset("derma", tmp_path, random_state=4, **kwargs)
    for key in ("X_train", "y_train", "X_val", "y_val"):
        np.testing.assert_array_equal(a[key], b[key])
    assert not np.array_equal(a.train_indices, c.train_indices)
    assert a.X_train.shape == (70, 28, 28, 3) and len(a.y_val) == 21
    # Shuffled by default; shuffle=False groups the rows by class.
    assert not np.all(np.diff(a.y_train) >= 0)
    d = load_paper_subset("derma", tmp_path, random_state=3, shuffle=False, **kwargs)
    assert np.all(np.diff(d.y_train) >= 0)
    assert set(d.train_indices) == set(a.train_indices)


def test_make_paper_subset_arrays():
    X_tr, y_tr = split_arrays((200, 300, 100))
    X_va, y_va = split_arrays((20, 30, 5), seed=1)
    Xs, ys, Xv, yv = make_paper_subset(X_tr, y_tr, X_va, y_va, random_state=0)
    assert np.bincount(ys).tolist() == [150, 150, 100]
    assert np.bincount(yv).tolist() == [17, 17, 5]
    assert ys.ndim == 1 and Xs.shape == (400, 28, 28)
    Xs, ys, Xv, yv = make_paper_subset(X_tr, y_tr.ravel(), X_va, y_va, 50, random_state=0)
    assert np.bincount(ys).tolist() == [50] * 3 and np.bincount(yv).tolist() == [6, 6, 5]
    with pytest.raises(ValueError, match="X_train has 600 rows but y_train has 599"):
        make_paper_subset(X_tr, y_tr[1:], X_va, y_va)
    with pytest.raises(ValueError, match="n_per_class must be a positive int"):
        make_paper_subset(X_tr, y_tr, X_va, y_va, 0)
    with pytest.raises(ValueError, match="n_per_class must be 'paper'"):
        load_paper_subset("breast", n_per_class="all")


@pytest.mark.skipif(not REFERENCE_SCRIPT.is_file(), reason=f"{REFERENCE_SCRIPT} absent")
def test_same_images_as_reference_script():
    # DESIGN.md's reference figures come from this script's paper_subset: same seed,
    # same images (shuffle=False also keeps its row order).
    spec = importlib.util.spec_from_file_location("plain_reference", REFERENCE_SCRIPT)
    reference = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(reference)
    X_tr, y_tr = split_arrays((200, 90, 160))
    X_va, y_va = split_arrays((25, 10, 20), seed=1)
    X_te, y_te = split_arrays((5, 5, 5), seed=2)
    d = {"train_images": X_tr, "train_labels": y_tr, "val_images": X_va,
         "val_labels": y_va, "test_images": X_te, "test_labels": y_te}
    expected = reference.paper_subset(d, per_class=150, seed=7)[:4]
    got = make_paper_subset(X_tr, y_tr, X_va, y_va, 150, shuffle=False, random_state=7)
    for e, g in zip(expected, got):
        np.testing.assert_array_equal(e, g)


# --------------------------------------------------------------------------------------
# make_image_classification
# --------------------------------------------------------------------------------------


def test_make_image_classification_shapes_and_dtypes():
    X, y = make_image_classification(50, n_classes=3, random_state=0)
    assert X.shape == (50, 28, 28) and X.dtype == np.uint8 and y.dtype == np.int64
    assert np.bincount(y).tolist() == [17, 17, 16]
    assert X.max() > 200 and X.min() < 30  # uses the 0-255 range
    X, y = make_image_classification(
        20, n_classes=8, image_size=16, n_channels=3, dtype="float32", random_state=0
    )
    assert X.shape == (20, 16, 16, 3) and X.dtype == np.float32
    assert X.min() >= 0 and X.max() <= 1


def test_make_image_classification_weights_and_determinism():
    _, y = make_image_classification(100, n_classes=3, weights=[0.7, 0.2], random_state=0)
    assert np.bincount(y).tolist() == [70, 20, 10]
    _, y = make_image_classification(101, n_classes=2, weights=[3, 1], random_state=0)
    assert np.bincount(y).tolist() == [76, 25]
    a = make_image_classification(30, n_classes=4, random_state=5)
    b = make_image_classification(30, n_classes=4, random_state=5)
    c = make_image_classification(30, n_classes=4, random_state=6)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_classes": 11}, "n_classes must be an int from 1 to 10"),
        ({"n_samples": 0}, "n_samples must be a positive int"),
        ({"weights": [0.5, 0.2, 0.3, 0.1]}, "weights must hold"),
        ({"weights": [-0.5]}, "weights must hold"),
        ({"dtype": "float64"}, "dtype must be 'uint8' or 'float32'"),
        ({"image_size": 4}, "image_size must be"),
        ({"n_channels": 0}, "n_channels must be"),
        ({"noise": -1}, "noise must be non-negative"),
    ],
)
def test_make_image_classification_rejects(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_image_classification(**kwargs)


@pytest.mark.parametrize("n_classes, n_channels", [(8, 1), (3, 3)])
def test_make_image_classification_linearly_separable(n_classes, n_channels):
    # Other tests check a generative sampler's conditioning by classifying its images
    # with a classifier trained on real ones. That needs classes whose mean images differ
    # clearly in pixel space, so that even a linear model on raw pixels finds them: a
    # cross-validated LogisticRegression must reach > 0.9 (chance is 1 / n_classes;
    # about 0.98 is typical).
    X, y = make_image_classification(
        40 * n_classes, n_classes=n_classes, n_channels=n_channels, random_state=0
    )
    X = X.reshape(len(X), -1) / 255
    # Centred pixels and one BLAS thread: lbfgs converges in well under a second, where
    # several threads on a busy 2-core machine took 10 s and more.
    with threadpool_limits(limits=1):
        scores = cross_val_score(LogisticRegression(max_iter=300), X - X.mean(0), y, cv=3)
    assert scores.mean() > 0.9, scores


# --------------------------------------------------------------------------------------
# Real data (shared/medmnist beside the repository)
# --------------------------------------------------------------------------------------


def test_real_medmnist(medmnist_root, no_network):
    X, y = load_medmnist("breastmnist", "train", medmnist_root)
    assert X.shape == (546, 28, 28) and X.dtype == np.uint8
    assert np.bincount(y).tolist() == [147, 399]
    X, y = load_medmnist("dermamnist", "test", medmnist_root)
    assert X.shape == (2005, 28, 28, 3) and y.shape == (2005,)

    # PneumoniaMNIST and BreastMNIST match the paper's Table 1 exactly.
    for flag in ("pneumoniamnist", "breastmnist"):
        data = load_paper_subset(flag, medmnist_root, random_state=0)
        sizes = (len(data.y_train), len(data.y_val), len(data.y_test))
        assert sizes == PAPER_TABLE1[flag], flag
    assert data.X_train.shape == (546, 28, 28)

    # DermaMNIST: two classes hold fewer than 150 train images and keep them all, so the
    # subset is smaller than the paper's 1,050 / 117: min(150, n_c) and min(17, n_c).
    data = load_paper_subset("derma", medmnist_root, random_state=0)
    _, y_train = load_medmnist("derma", "train", medmnist_root)
    _, y_val = load_medmnist("derma", "val", medmnist_root)
    expected_train = np.minimum(150, np.bincount(y_train))
    expected_val = np.minimum(17, np.bincount(y_val))
    assert list(data.class_counts["train"].values()) == expected_train.tolist()
    assert list(data.class_counts["val"].values()) == expected_val.tolist()
    assert (len(data.y_train), len(data.y_val), len(data.y_test)) == (929, 111, 2005)
    assert data.X_train.shape == (929, 28, 28, 3)
