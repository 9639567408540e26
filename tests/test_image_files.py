"""Reading a user's labelled images (skgenaug._image_files, re-exported from
skgenaug.datasets): folders of PNG / JPEG / TIFF / BMP files written here, npz files,
and every bad input the loaders must name."""

import numpy as np
import pytest
from _support import _bad_folder, write_folder
from PIL import Image

from skgenaug.datasets import (
    load_image_folder,
    load_image_npz,
    load_images,
    load_unlabelled_images,
    make_image_classification,
)


@pytest.fixture
def gray(tmp_path):
    X, y = make_image_classification(24, n_classes=3, image_size=16, random_state=0)
    return tmp_path / "gray", X, y


def test_gray_png_folder_as_stored(gray):
    root, X, y = gray
    files = write_folder(root, X, y)
    data = load_image_folder(root)
    assert data.X.dtype == np.uint8 and data.X.shape == (24, 16, 16)
    assert data.target_names == ["benign", "malignant", "normal"]
    # PNG is lossless: rows are the files' pixels, in class-then-file order.
    np.testing.assert_array_equal(data.X, np.stack([image for _, image, _ in files]))
    np.testing.assert_array_equal(data.y, [label for *_, label in files])
    assert data.color == "gray" and data.size is None and data.resampling is None
    manifest = data.manifest
    assert manifest.columns.tolist() == ["row", "label", "class_name", "file", "mode",
                                         "height", "width"]
    assert manifest.file.tolist() == [p.relative_to(root).as_posix() for p, *_ in files]
    assert manifest.row.tolist() == list(range(24))
    assert (manifest.class_name == np.array(data.target_names)[data.y]).all()
    assert set(manifest["mode"]) == {"L"} and set(manifest.height) == {16}


def test_rgb_jpeg_folder_resized(tmp_path):
    X, y = make_image_classification(12, n_classes=2, image_size=20, n_channels=3,
                                     noise=0.0, random_state=1)
    files = write_folder(tmp_path, X, y, ext="jpg")
    data = load_image_folder(tmp_path, size=(32, 24))
    assert data.X.shape == (12, 32, 24, 3) and data.X.dtype == np.uint8
    assert data.color == "rgb" and data.size == (32, 24) and data.resampling == "lanczos"
    # The stated filter: Pillow's Lanczos resize of the decoded file.
    with Image.open(files[0][0]) as image:
        expected = np.asarray(image.convert("RGB").resize((24, 32),
                                                          Image.Resampling.LANCZOS))
    np.testing.assert_array_equal(data.X[0], expected)
    # Without size: what Pillow decodes, close to what was saved (JPEG is lossy).
    native = load_image_folder(tmp_path)
    decoded = []
    for path, *_ in files:
        with Image.open(path) as image:
            decoded.append(np.asarray(image.convert("RGB")))
    np.testing.assert_array_equal(native.X, np.stack(decoded))
    assert np.abs(native.X.astype(int) - np.stack([f[1] for f in files])).mean() < 8
    assert (native.manifest.height == 20).all() and (data.manifest.height == 20).all()


def test_color_conversion_both_ways(gray, tmp_path):
    root, X, y = gray
    write_folder(root, X, y)
    rgb = load_image_folder(root, color="rgb")
    assert rgb.X.shape == (24, 16, 16, 3)
    np.testing.assert_array_equal(rgb.X[..., 0], rgb.X[..., 2])  # gray repeated
    np.testing.assert_array_equal(rgb.X[..., 1], load_image_folder(root).X)
    Xc, yc = make_image_classification(6, n_channels=3, image_size=8, random_state=0)
    files = write_folder(tmp_path / "colour", Xc, yc)
    luma = load_image_folder(tmp_path / "colour", color="gray")
    assert luma.X.shape == (6, 8, 8)
    expected = np.asarray(Image.fromarray(files[0][1]).convert("L"))
    np.testing.assert_array_equal(luma.X[0], expected)


def test_tiff_bmp_and_16_bit_images(tmp_path):
    rng = np.random.default_rng(0)
    deep = rng.integers(0, 65536, size=(4, 10, 10), dtype=np.uint16)
    for i, image in enumerate(deep):
        folder = tmp_path / ("a" if i < 2 else "b")
        folder.mkdir(exist_ok=True)
        Image.fromarray(image).save(folder / f"{i}.{'tif' if i % 2 else 'png'}")
    data = load_image_folder(tmp_path)
    assert data.X.dtype == np.uint8 and data.X.shape == (4, 10, 10)
    # 16 bits to 8 by the full range: round(value / 257), the same for every image.
    np.testing.assert_array_equal(data.X, np.rint(deep / 257).astype(np.uint8))
    assert set(data.manifest["mode"]) <= {"I;16", "I;16L", "I", "I;16B"}

    bmp = tmp_path / "bmp"
    X, y = make_image_classification(4, image_size=8, random_state=0)
    write_folder(bmp, X, y, ext="bmp")
    np.testing.assert_array_equal(np.sort(load_image_folder(bmp).X.ravel()),
                                  np.sort(X.ravel()))


def test_16_bit_images_using_12_bits_warn(tmp_path):
    for label in "ab":
        (tmp_path / label).mkdir()
        for i in range(2):
            Image.fromarray(np.full((6, 6), 4000 + i, dtype=np.uint16)).save(
                tmp_path / label / f"{i}.png")
    with pytest.warns(UserWarning, match="12 bits or fewer"):
        data = load_image_folder(tmp_path)
    assert data.X.max() == round(4001 / 257)


def test_os_clutter_and_hidden_files_are_skipped(gray):
    root, X, y = gray
    write_folder(root, X, y)
    (root / ".DS_Store").write_bytes(b"\0\1")
    (root / "benign" / "Thumbs.db").write_bytes(b"junk")
    (root / "benign" / "._000.png").write_bytes(b"AppleDouble")
    (root / ".ipynb_checkpoints").mkdir()
    (root / "malignant" / ".hidden").mkdir()
    (root / "malignant" / ".hidden" / "x.txt").write_text("notes")
    data = load_image_folder(root)
    assert len(data.y) == 24 and data.target_names == ["benign", "malignant", "normal"]


def test_images_in_deeper_folders_of_a_class(gray):
    root, X, y = gray
    write_folder(root, X, y)
    (root / "normal" / "scanner2").mkdir()
    Image.fromarray(X[0]).save(root / "normal" / "scanner2" / "extra.png")
    data = load_image_folder(root)
    assert "normal/scanner2/extra.png" in data.manifest.file.tolist()
    assert len(data.y) == 25


@pytest.mark.parametrize("kind", [
    "missing", "empty", "not a folder", "one class", "one image", "not an image",
    "corrupt", "garbage named png", "gif", "sizes", "mixed", "stray",
])
def test_bad_folders_raise_naming_the_problem(tmp_path, kind):
    path, message = _bad_folder(tmp_path, kind)
    error = FileNotFoundError if kind == "missing" else ValueError
    with pytest.raises(error, match=message):
        load_image_folder(path)


@pytest.mark.parametrize("kwargs, message", [
    (dict(size=0), "size must be"), (dict(size=(8,)), "size must be"),
    (dict(size="big"), "size must be"), (dict(color="grey"), "color must be"),
])
def test_bad_options(gray, kwargs, message):
    root, X, y = gray
    write_folder(root, X, y)
    with pytest.raises(ValueError, match=message):
        load_image_folder(root, **kwargs)


# ---------------------------------------------------------------------------- npz


def test_npz_with_x_y_and_a_test_set(tmp_path):
    X, y = make_image_classification(20, n_classes=2, n_channels=3, random_state=0)
    labels = np.where(y == 1, "sick", "healthy")
    path = tmp_path / "images.npz"
    np.savez(path, X=X, y=labels[:, None], X_test=X[:6], y_test=labels[:6])
    data = load_image_npz(path)
    assert data.target_names == ["healthy", "sick"]
    np.testing.assert_array_equal(data.X, X)
    np.testing.assert_array_equal(np.array(data.target_names)[data.y], labels)
    np.testing.assert_array_equal(np.array(data.target_names)[data.y_test], labels[:6])
    assert data.arrays == ["X", "y", "X_test", "y_test"]


def test_npz_in_medmnist_layout(tmp_path):
    arrays = {}
    for i, (split, n) in enumerate((("train", 10), ("val", 4), ("test", 6))):
        X, y = make_image_classification(n, random_state=i)
        arrays[f"{split}_images"] = X
        arrays[f"{split}_labels"] = y.astype(np.uint8)[:, None]
    path = tmp_path / "breastmnist.npz"
    np.savez(path, **arrays)
    data = load_images(path)
    assert data.X.shape == (14, 28, 28)  # training and validation images pooled
    np.testing.assert_array_equal(data.X[10:], arrays["val_images"])
    np.testing.assert_array_equal(data.y_test, arrays["test_labels"].ravel())
    assert data.target_names == ["0", "1"]


@pytest.mark.parametrize("arrays, message", [
    (dict(images=np.zeros((4, 8, 8)), labels=np.arange(4)),
     "no 'X' and 'y' arrays \\(it holds \\['images', 'labels'\\]\\)"),
    (dict(X=np.zeros((4, 8, 8)), y=np.arange(4), X_test=np.zeros((2, 8, 8))),
     "one of 'X_test' and 'y_test' without the other"),
    (dict(X=np.zeros((4, 64)), y=np.arange(4)),
     "'X' must be images .*got shape \\(4, 64\\)"),
    (dict(X=np.zeros((4, 8, 8)), y=np.arange(3)), "'y' holds 3 labels for 4 images"),
    (dict(X=np.full((4, 8, 8), np.nan), y=np.arange(4)), "NaN"),
    (dict(X=np.zeros((4, 8, 8), bool), y=np.arange(4)), "dtype bool"),
    (dict(X=np.zeros((0, 8, 8)), y=np.zeros(0)), "no images"),
])
def test_bad_npz_files(tmp_path, arrays, message):
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match=message):
        load_image_npz(path)


def test_unreadable_and_misnamed_files(tmp_path):
    (tmp_path / "broken.npz").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="cannot be read as an npz file"):
        load_images(tmp_path / "broken.npz")
    (tmp_path / "table.csv").write_text("a,b")
    with pytest.raises(ValueError, match="neither a folder of class subfolders nor"):
        load_images(tmp_path / "table.csv")
    with pytest.raises(FileNotFoundError, match="nowhere.npz"):
        load_images(tmp_path / "nowhere.npz")
    X, y = make_image_classification(4, random_state=0)
    np.savez(tmp_path / "ok.npz", X=X, y=y)
    with pytest.raises(ValueError, match="size and color apply to image folders"):
        load_images(tmp_path / "ok.npz", size=64)


def test_unlabelled_folder_in_any_layout(tmp_path):
    X, _ = make_image_classification(5, image_size=16, random_state=0)
    (tmp_path / "pool" / "day2").mkdir(parents=True)
    for i, image in enumerate(X):
        folder = tmp_path / "pool" / ("day2" if i % 2 else "")
        Image.fromarray(image).save(folder / f"scan_{i}.png")
    (tmp_path / "pool" / ".DS_Store").write_bytes(b"clutter")
    data = load_unlabelled_images(tmp_path / "pool", size=12)
    assert data.X.shape == (5, 12, 12) and data.X.dtype == np.uint8
    assert data.manifest.file.tolist() == ["day2/scan_1.png", "day2/scan_3.png",
                                           "scan_0.png", "scan_2.png", "scan_4.png"]
    np.testing.assert_array_equal(
        load_unlabelled_images(tmp_path / "pool").X[2], X[0])  # as stored, no size


def test_bad_unlabelled_folders(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_unlabelled_images(tmp_path / "absent")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="holds no image file"):
        load_unlabelled_images(tmp_path / "empty")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "notes.txt").write_text("not an image")
    with pytest.raises(ValueError, match="notes.txt"):
        load_unlabelled_images(tmp_path / "bad")


# ------------------------------------------------- scikit-learn's loader conventions


def test_folder_bunch_has_scikit_learn_keys_and_return_x_y(gray):
    root, X, y = gray
    files = write_folder(root, X, y)
    data = load_image_folder(root)
    # X and y stay as aliases of the same arrays, for code written before.
    assert data.X is data.data and data.y is data.target
    np.testing.assert_array_equal(data.data, np.stack([image for _, image, _ in files]))
    assert data.filenames.tolist() == [str(path) for path, *_ in files]
    assert str(root) in data.DESCR and "24 images" in data.DESCR
    assert "benign (8)" in data.DESCR
    X_only, y_only = load_image_folder(root, return_X_y=True)
    np.testing.assert_array_equal(X_only, data.data)
    np.testing.assert_array_equal(y_only, data.target)
    X_images, y_images = load_images(root, return_X_y=True)
    np.testing.assert_array_equal(y_images, data.target)
    bunch = load_images(root)
    assert bunch.data_test is None and bunch.target_test is None and bunch.X_test is None


def test_npz_bunch_has_scikit_learn_keys_and_return_x_y(tmp_path):
    X, y = make_image_classification(12, n_classes=2, random_state=0)
    path = tmp_path / "images.npz"
    np.savez(path, X=X, y=y + 5, X_test=X[:4], y_test=y[:4] + 5)
    data = load_images(path)
    np.testing.assert_array_equal(data.data, X)
    np.testing.assert_array_equal(data.target, y)
    assert data.target_names == ["5", "6"]
    np.testing.assert_array_equal(data.data_test, X[:4])
    np.testing.assert_array_equal(data.target_test, y[:4])
    assert data.X is data.data and data.y is data.target
    assert data.X_test is data.data_test and data.y_test is data.target_test
    assert data.filenames.tolist() == [f"{path}:X[{i}]" for i in range(12)]
    assert "12 images" in data.DESCR and "Test set: 4 images" in data.DESCR
    for loader in (load_images, load_image_npz):
        result = loader(path, return_X_y=True)
        assert isinstance(result, tuple) and len(result) == 2
        np.testing.assert_array_equal(result[0], X)
        np.testing.assert_array_equal(result[1], y)


def test_unlabelled_bunch_has_data_and_filenames(tmp_path):
    X, _ = make_image_classification(3, image_size=8, random_state=0)
    for i, image in enumerate(X):
        Image.fromarray(image).save(tmp_path / f"scan_{i}.png")
    data = load_unlabelled_images(tmp_path)
    assert data.data is data.X and data.data.shape == (3, 8, 8)
    assert data.filenames.tolist() == [str(tmp_path / f"scan_{i}.png") for i in range(3)]
