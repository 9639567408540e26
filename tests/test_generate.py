"""Generated images as files (skgenaug._synthetic, re-exported from skgenaug.datasets,
and ``skgenaug generate``): the folder, its manifest and hashes, atomic writes, bad
input refused before any fitting, 16-bit images, and the round trip through the
loaders. Tiny images and the smoke profile: each test takes seconds."""

import json
import re

import numpy as np
import pandas as pd
import pytest
from _support import write_folder
from PIL import Image

from skgenaug import _synthetic, cli
from skgenaug.datasets import (
    generate_image_folder,
    load_image_folder,
    load_images,
    make_image_classification,
    save_image_folder,
)
from skgenaug.evaluation._plan import MethodSpec


@pytest.fixture
def source(tmp_path):
    """12x12 gray images, 6 per class, in benign/ and malignant/."""
    X, y = make_image_classification(12, image_size=12, random_state=0)
    write_folder(tmp_path / "src", X, y)
    return tmp_path / "src"


def _generate(src, out, method="ros", n=4, **kwargs):
    return generate_image_folder(src, out, method, n, profile="smoke", verbose=0,
                                 **kwargs)


def test_command_writes_images_manifest_settings_samples_and_readme(source, tmp_path,
                                                                    capsys):
    out = tmp_path / "made"
    status = cli.main(["generate", str(source), str(out), "--method", "cvae",
                       "--n-per-class", "5", "--profile", "smoke", "--random-state",
                       "3"])
    assert status == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "README.md", "benign", "malignant", "manifest.csv", "samples.png",
        "settings.json"]
    manifest = pd.read_csv(out / "manifest.csv")
    assert tuple(manifest.columns) == _synthetic.MANIFEST_COLUMNS
    assert manifest["class"].value_counts().to_dict() == {"benign": 5, "malignant": 5}
    assert all((out / file).is_file() for file in manifest.file)
    assert all(file.startswith(f"{c}/") for file, c in zip(manifest.file,
                                                            manifest["class"]))
    assert set(manifest.method) == {"cvae"} and set(manifest.seed) == {3}
    settings = json.loads((out / "settings.json").read_text())
    assert set(manifest.settings_hash) == {settings["settings_hash"]}
    assert settings["sampler"]["estimator"].endswith("CVAESampler")
    assert settings["sampler"]["params"]["max_epochs"] == 2  # the smoke profile's
    assert settings["sampler"]["params"]["sampling_strategy"] == "AddPerClass(5)"
    import torch

    assert set(manifest.torch_version) == {torch.__version__}
    readme = (out / "README.md").read_text()
    assert "Do not evaluate a classifier on data the generator saw" in readme
    assert str(source) in readme and "--method cvae" in readme
    with Image.open(out / "samples.png") as figure:
        assert figure.size[0] > 100
    assert "Wrote 10 images" in capsys.readouterr().out


def test_nearest_source_distances_and_near_copy_rule(source, tmp_path):
    result = _generate(source, tmp_path / "made", "cvae", 4)
    manifest, real = result.manifest, load_image_folder(source)
    made = load_image_folder(tmp_path / "made")
    X_real = real.data.reshape(len(real.data), -1).astype(float)
    X_made = made.data.reshape(len(made.data), -1).astype(float)
    # Rows of the loaded folder are in class-then-file order, as the manifest's.
    d = np.linalg.norm(X_made[:, None] - X_real[None], axis=2)
    np.testing.assert_allclose(manifest.nearest_source_distance, d.min(axis=1),
                               atol=1e-3)
    assert manifest.nearest_source_file.tolist() == \
        real.manifest.file.to_numpy()[d.argmin(axis=1)].tolist()
    among = np.linalg.norm(X_real[:, None] - X_real[None], axis=2)
    np.fill_diagonal(among, np.inf)
    threshold = np.percentile(among.min(axis=1), 1)
    assert result.near_copy_threshold == pytest.approx(threshold)
    assert (manifest.near_copy == (d.min(axis=1) <= threshold)).all()


def test_nearest_other_source_row_may_be_an_exact_copy_but_not_the_row_itself():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, (7, 4, 4), dtype=np.uint8)
    X[5] = X[2]  # an exact copy: distance 0 to each other, not to themselves
    distances, nearest = _synthetic._nearest(X)
    rows = X.reshape(7, -1).astype(float)
    among = np.linalg.norm(rows[:, None] - rows[None], axis=2)
    np.fill_diagonal(among, np.inf)
    np.testing.assert_allclose(distances, among.min(axis=1))
    assert (nearest != np.arange(7)).all()
    assert (nearest[2], nearest[5], distances[2], distances[5]) == (5, 2, 0.0, 0.0)


def test_hashes_are_stable_and_change_with_settings_and_source(source, tmp_path):
    first = _generate(source, tmp_path / "a")
    again = _generate(source, tmp_path / "b")
    assert (first.settings_hash, first.source_hash) == (again.settings_hash,
                                                         again.source_hash)
    pd.testing.assert_frame_equal(first.manifest, again.manifest)
    assert len(first.settings_hash) == 16 and len(first.source_hash) == 64
    other_seed = _generate(source, tmp_path / "c", random_state=1)
    assert other_seed.settings_hash != first.settings_hash
    assert other_seed.source_hash == first.source_hash
    path = source / "benign" / "000.png"
    pixels = np.asarray(Image.open(path)).copy()
    pixels[0, 0] ^= 1
    Image.fromarray(pixels).save(path)
    changed = _generate(source, tmp_path / "d")
    assert changed.source_hash != first.source_hash
    assert changed.settings_hash == first.settings_hash
    # Random over-sampling copies source images: all flagged, at distance 0.
    assert first.manifest.near_copy.all() and first.n_near_copies == 8
    assert (first.manifest.nearest_source_distance == 0).all()


def test_round_trip_through_the_loaders(source, tmp_path):
    _generate(source, tmp_path / "made", "cvae", 3)
    data = load_images(tmp_path / "made")
    assert data.target_names == ["benign", "malignant"]
    assert np.bincount(data.target).tolist() == [3, 3]
    assert data.data.shape == (6, 12, 12) and data.data.dtype == np.uint8


def test_sixteen_bit_in_sixteen_bit_out(tmp_path):
    X, y = make_image_classification(8, image_size=8, random_state=0)
    save_image_folder(X.astype(np.uint16) * 257, y, tmp_path / "src",
                      class_names=["a", "b"])
    with Image.open(tmp_path / "src" / "a" / "0000.png") as image:
        assert image.mode.startswith("I")  # written as 16-bit
    result = _generate(tmp_path / "src", tmp_path / "made", "cvae", 2)
    for file in result.manifest.file:
        pixels = np.asarray(Image.open(tmp_path / "made" / file))
        assert pixels.dtype.itemsize >= 2 and pixels.max() > 255
        assert (pixels % 257 == 0).all()
    # ... and 8-bit in, 8-bit out
    save_image_folder(X, y, tmp_path / "src8", class_names=["a", "b"])
    result = _generate(tmp_path / "src8", tmp_path / "out8", "cvae", 2)
    with Image.open(tmp_path / "out8" / result.manifest.file[0]) as image:
        assert image.mode == "L"


def test_save_image_folder_keeps_the_depth(tmp_path):
    X, y = make_image_classification(6, image_size=8, n_channels=3, random_state=0)
    files = save_image_folder(X, y, tmp_path / "rgb", class_names={0: "x", 1: "y"})
    data = load_image_folder(tmp_path / "rgb")
    order = np.argsort([f for f in files], kind="stable")
    np.testing.assert_array_equal(data.data, X[order])  # PNG: exact
    floats = save_image_folder(X / 255.0, y, tmp_path / "float")
    assert floats[0].startswith(f"{y[0]}/")
    np.testing.assert_array_equal(load_image_folder(tmp_path / "float").data,
                                  X[order])
    with pytest.raises(ValueError, match="must lie in \\[0, 1\\]"):
        save_image_folder(X * 2.0, y, tmp_path / "bad")
    with pytest.raises(ValueError, match="folder '.hidden'"):
        save_image_folder(X, y, tmp_path / "bad", class_names=[".hidden", "b"])
    with pytest.raises(ValueError, match="one label per image"):
        save_image_folder(X, y[:3], tmp_path / "bad")
    assert not (tmp_path / "bad").exists()


def test_non_empty_out_is_refused_unless_overwrite(source, tmp_path):
    out = tmp_path / "made"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="not empty.*overwrite"):
        _generate(source, out)
    assert (out / "keep.txt").read_text() == "mine"
    _generate(source, out, overwrite=True)
    assert not (out / "keep.txt").exists() and (out / "manifest.csv").is_file()
    empty = tmp_path / "empty"
    empty.mkdir()
    _generate(source, empty)  # an empty folder is fine
    assert (empty / "manifest.csv").is_file()


def test_an_interrupted_run_leaves_no_folder(source, tmp_path, monkeypatch):
    import skgenaug.plotting

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    # The figure is written after the images and the manifest.
    monkeypatch.setattr(skgenaug.plotting, "plot_sample_grid", broken)
    out = tmp_path / "made"
    with pytest.raises(RuntimeError, match="disk full"):
        _generate(source, out)
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["src"]  # no staging left
    # Over an existing folder: left as it was.
    out.mkdir()
    (out / "old.txt").write_text("old")
    with pytest.raises(RuntimeError, match="disk full"):
        _generate(source, out, overwrite=True)
    assert [p.name for p in out.iterdir()] == ["old.txt"]


@pytest.mark.parametrize("case, message", [
    ("missing", "Source data not found"),
    ("one class", "single class folder"),
    ("zero", "must be a positive int"),
    ("unknown method", "Unknown method 'vae'"),
    ("none", "'none' makes no images"),
    ("at n", "not as @N"),
    ("out inside src", "lies inside the source folder"),
    ("unreadable", "Corrupt image .*000.png"),
    ("pool without unlabelled", "\\+pool trains the generator on unlabelled"),
    ("unknown profile", "invalid choice: 'fast'"),
])
def test_bad_input_is_refused_before_fitting(case, message, source, tmp_path,
                                             monkeypatch, capsys):
    def no_fit(*args, **kwargs):
        pytest.fail("a sampler was built")

    monkeypatch.setattr(MethodSpec, "build", no_fit)
    src, out = source, tmp_path / "made"
    flags = {"--method": "cvae", "--n-per-class": "3", "--profile": "smoke"}
    if case == "missing":
        src = tmp_path / "absent"
    elif case == "one class":
        import shutil

        shutil.rmtree(source / "malignant")
    elif case == "zero":
        flags["--n-per-class"] = "0"
    elif case == "unknown method":
        flags["--method"] = "vae"
    elif case == "none":
        flags["--method"] = "none"
    elif case == "at n":
        flags["--method"] = "cvae@5"
    elif case == "out inside src":
        out = source / "generated"
    elif case == "unreadable":
        path = source / "benign" / "000.png"
        path.write_bytes(path.read_bytes()[:40])
    elif case == "pool without unlabelled":
        flags["--method"] = "cvae+pool"
    elif case == "unknown profile":
        flags["--profile"] = "fast"
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["generate", str(src), str(out),
                  *[word for pair in flags.items() for word in pair]])
    assert exit_info.value.code == 2
    assert re.search(message, capsys.readouterr().err)
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def test_pool_and_curated_variant(source, tmp_path):
    X, _ = make_image_classification(6, image_size=12, random_state=5)
    (tmp_path / "pool").mkdir()
    for i, image in enumerate(X):
        Image.fromarray(image).save(tmp_path / "pool" / f"scan_{i}.png")
    result = _generate(source, tmp_path / "made", "cvae+pool+curated", 2,
                       unlabelled=tmp_path / "pool")
    sampler = result.settings["sampler"]
    assert sampler["estimator"].endswith("CuratedSampler")
    assert sampler["params"]["sampler"]["estimator"].endswith("CVAESampler")
    assert sampler["params"]["min_confidence"] == 0.0  # the smoke profile's curation
    assert set(result.manifest.method) == {"cvae+pool+curated"}
    assert len(result.manifest) == 4
    readme = (tmp_path / "made" / "README.md").read_text()
    assert "6 unlabelled images" in readme and "--unlabelled" in readme
    with pytest.raises(ValueError, match="used by \\+pool methods only"):
        _generate(source, tmp_path / "other", "cvae", 2, unlabelled=tmp_path / "pool")
