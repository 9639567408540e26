"""The MedMNIST table end to end, on small npz files written here."""

import json
import sqlite3

import numpy as np
import pandas as pd
import pytest
from _support import (
    _run,
    _write_npz,
)

from skgenaug import cli
from skgenaug.evaluation import (
    _cells,
    _data,
    get_profile,
)
from skgenaug.evaluation._config import (
    config_hash,
)
from skgenaug.medmnist._data import _load_medmnist
from skgenaug.medmnist._table import MissingDataError, resolve_datasets

METHODS = ["none", "ae", "cvae", "cgan"]


@pytest.mark.slow
def test_smoke_profile_end_to_end(data_root, tmp_path, capsys):
    out = tmp_path / "out"
    status = cli.main([
        "medmnist-table", "--profile", "smoke", "--datasets", "breast,DermaMNIST",
        "--methods", "None,AE,cVAE,cGAN", "--root", str(data_root), "--out", str(out),
        "--no-progress", "--threads", "1",
    ])
    assert status == 0
    printed = capsys.readouterr().out
    assert "Running profile 'smoke'" in printed
    assert "| data set | method | n | AUC |" in printed

    cells = pd.read_csv(out / "cells.csv")
    assert len(cells) == 2 * 4 * 2  # data sets x methods x folds
    assert np.isfinite(cells[["auc", "acc", "balanced_acc"]].to_numpy()).all()
    assert set(cells.method) == set(METHODS)
    # The generators saw only the training part; 150 images added per class.
    gen = cells[cells.method != "none"]
    assert (gen.n_generated == 150 * np.where(gen.dataset == "breastmnist", 2, 7)).all()
    assert (cells[cells.method == "none"].n_generated == 0).all()

    text = (out / "results.md").read_text()
    rows = [line for line in text.splitlines() if line.startswith("| breastmnist")
            or line.startswith("| dermamnist")]
    score_rows = [r for r in rows if r.count("|") == 11 and "±" in r]
    assert len(score_rows) == 2 * 4
    assert "Nadeau–Bengio" in text and "Chaptoukaev" in text
    assert "subsampled" in text  # the smoke profile's test subsample is labelled
    assert "## Generated-image quality" in text
    quality = pd.read_csv(out / "quality.csv")
    assert sorted(zip(quality.dataset, quality.method)) == sorted(
        (d, m) for d in ("breastmnist", "dermamnist") for m in ("ae", "cvae", "cgan"))
    metrics = ["frechet_distance_mean", "precision_mean", "recall_mean"]
    assert np.isfinite(quality[metrics].to_numpy()).all()
    assert (quality.n == 2).all()  # one report per fold
    assert "quality" not in cells.columns
    section = text.split("## Generated-image quality")[1].split("## Leak screening")
    second = section[0].splitlines()
    assert sum(line.startswith(("| breastmnist", "| dermamnist")) for line in second) == 6
    # Every generator screened against the test images, per data set.
    leaks = section[1].splitlines()
    assert sum(line.startswith(("| breastmnist", "| dermamnist")) for line in leaks) == 6
    for verdict_line in [line for line in text.splitlines() if line.startswith("- **")]:
        assert any(v in verdict_line for v in ("helps", "hurts", "no significant"))

    config = json.loads((out / "config.json").read_text())
    assert config["settings"]["name"] == "smoke"
    assert len(config["quality"]) == 2 * 3
    assert all(np.isfinite(r["frechet_distance_mean"]) and 0 <= r["precision_mean"] <= 1
               for r in config["quality"])
    assert {"python", "torch", "skorch", "sklearn", "imblearn", "skgenaug"} <= set(
        config["versions"])
    assert config["wall_s"] > 0 and config["cells_run"] == 16
    assert [run["cells_run"] for run in config["invocations"]] == [16]
    for name in ["scores.png"] + [f"samples_{d}_{m}.png" for d in ("breastmnist",
                                                                  "dermamnist")
                                  for m in ("ae", "cvae", "cgan")]:
        assert (out / name).stat().st_size > 1000, name
    with sqlite3.connect(out / "cells.sqlite") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT COUNT(*) FROM cells").fetchone()[0] == 16


def test_missing_data_set_is_reported_up_front(data_root, tmp_path, smoke, monkeypatch,
                                               capsys):
    calls = []
    monkeypatch.setattr(_cells, "run_cell", lambda *a, **k: calls.append(a))
    with pytest.raises(MissingDataError, match="pneumoniamnist.npz"):
        _run(smoke, data_root, tmp_path, datasets=["breastmnist", "pneumoniamnist"])
    assert calls == []  # nothing ran

    status = cli.main(["medmnist-table", "--profile", "smoke", "--datasets",
                       "breast,pneumonia", "--root", str(data_root), "--out",
                       str(tmp_path), "--no-progress"])
    assert status == 2
    err = capsys.readouterr().err
    assert str(data_root / "pneumoniamnist.npz") in err and "--skip-missing" in err
    assert calls == []

    monkeypatch.undo()
    messages = []
    result = _run(smoke, data_root, tmp_path / "skip", methods=["none"],
                  datasets=["breastmnist", "pneumoniamnist"], skip_missing=True,
                  log=messages.append)
    assert set(result.cells.dataset) == {"breastmnist"}
    assert any("pneumoniamnist.npz" in m for m in messages)


@pytest.mark.slow
def test_new_methods_smoke_run(data_root, tmp_path, capsys):
    out = tmp_path / "out"
    status = cli.main([
        "medmnist-table", "--profile", "smoke", "--methods",
        "none,geometric,smote,diffusion-variation", "--root", str(data_root),
        "--out", str(out), "--no-progress", "--threads", "1",
    ])
    assert status == 0
    cells = pd.read_csv(out / "cells.csv")
    assert sorted(set(cells.method)) == ["diffusion-variation", "geometric", "none",
                                         "smote"]
    assert np.isfinite(cells[["auc", "acc", "balanced_acc"]].to_numpy()).all()
    gen = cells[cells.method != "none"]
    assert (gen.n_generated == 150 * 2).all()  # AddPerClass(150) in the paper scenario
    text = (out / "results.md").read_text()
    assert "| breastmnist | Geometric |" in text and "| breastmnist | SMOTE |" in text
    assert "| breastmnist | Diffusion (variation) |" in text
    # Quality is reported for the samplers that have generate, not for SMOTE.
    quality = pd.read_csv(out / "quality.csv")
    assert set(quality.method) == {"geometric", "diffusion-variation"}


@pytest.mark.slow
def test_long_tail_smoke_run(data_root, tmp_path, smoke):
    settings = get_profile("smoke", scenario="long-tail")
    X_pool, y_pool, *_ = _load_medmnist("breastmnist", str(data_root), 0, "paper",
                                              300, "long-tail")
    X_bal, y_bal, *_ = _load_medmnist("breastmnist", str(data_root), 0, "paper",
                                              300)
    assert len(y_pool) < len(y_bal)
    out = tmp_path / "lt"
    result = _run(settings, data_root, out, methods=("none", "geometric"))
    frame = result.cells
    gen = frame[frame.method == "geometric"]
    # Balanced by 'auto': every class topped up to the largest in the training part.
    for _, row in gen.iterrows():
        train_idx, _ = _data.fold_indices(y_pool, settings.folds, 0, int(row.fold))
        counts = np.bincount(y_pool[train_idx])
        assert counts[1] < counts[0]
        assert row.n_generated == (counts.max() - counts).sum()
    text = (out / "results.md").read_text()
    assert "long-tail scenario" in text and "BACC" in text
    assert set(frame.config_hash) == {config_hash(settings, m)
                                      for m in ("none", "geometric")}
    assert not set(frame.config_hash) & {config_hash(smoke, m)
                                         for m in ("none", "geometric")}


def test_medmnist_table_at_64(tmp_path, smoke):
    _write_npz(tmp_path / "breastmnist_64.npz", 2, 1, (20, 6, 10), seed=0, size=64)
    result = _run(smoke, tmp_path, tmp_path / "out", methods=("none",), size=64)
    assert result.n_run == 2 and set(result.cells.n_test) == {10}
    assert result.config["size"] == 64
    hashes = set(result.cells.config_hash)
    assert hashes == {config_hash(smoke, "none", data=dict(n_per_class="paper",
                                                           test_max=300, size=64))}
    assert config_hash(smoke, "none") not in hashes  # 28x28 cells are other cells


def test_dataset_names():
    assert resolve_datasets("breast,DermaMNIST,breastmnist") == ["breastmnist",
                                                                  "dermamnist"]
    assert len(resolve_datasets("all")) == 8
