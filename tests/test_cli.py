"""The skgenaug command."""

import pytest

from skgenaug import cli
from skgenaug.medmnist import MissingDataError


@pytest.mark.parametrize("flags, message", [
    (["--n-jobs", "0"], "--n-jobs must be an int in the range (-inf, -1]"),
    (["--threads", "0"], "--threads must be an int in the range [1, inf)"),
])
def test_cli_rejects_zero_workers_or_threads(flags, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["medmnist-table", "--profile", "smoke", *flags])
    assert exit_info.value.code == 2 and message in capsys.readouterr().err


def test_cli_rejects_an_unknown_method():
    with pytest.raises(SystemExit):
        cli.main(["medmnist-table", "--methods", "vae"])


@pytest.mark.parametrize("where", ["argument", "environment"])
def test_medmnist_table_says_which_data_folder_and_why(where, tmp_path, monkeypatch,
                                                       capsys):
    # One resolver (skgenaug.datasets): --root, else $SKGENAUG_DATA_DIR; the run gets
    # the folder it resolved, and the command says where it came from.
    seen = {}

    def missing(*args, root, **kwargs):
        seen["root"] = root
        raise MissingDataError("no data here")

    monkeypatch.setattr(cli, "run_medmnist_table", missing)
    monkeypatch.delenv("SKGENAUG_DATA_DIR", raising=False)
    flags = ["--root", str(tmp_path)] if where == "argument" else []
    if where == "environment":
        monkeypatch.setenv("SKGENAUG_DATA_DIR", str(tmp_path))
    status = cli.main(["medmnist-table", "--profile", "smoke", "--out",
                       str(tmp_path / "out"), *flags])
    out, err = capsys.readouterr()
    assert status == 2 and "no data here" in err
    assert seen["root"] == str(tmp_path)
    source = ("the root argument" if where == "argument"
              else "the environment variable SKGENAUG_DATA_DIR")
    assert f"data folder: {tmp_path} ({source})" in out


def test_the_flagless_table_runs_the_paper_methods_on_pneumoniamnist(tmp_path,
                                                                      monkeypatch):
    # Its 25 cells (the paper's four methods and the unaugmented control) fit in 5
    # minutes on 2 cores there, not on BreastMNIST's twice larger subset.
    seen = {}

    def record(profile, datasets, methods, *args, **kwargs):
        seen.update(profile=profile.name, datasets=datasets, methods=methods)
        raise MissingDataError("recorded")

    monkeypatch.setattr(cli, "run_medmnist_table", record)
    assert cli.main(["medmnist-table", "--root", str(tmp_path),
                     "--out", str(tmp_path / "out")]) == 2
    assert seen == dict(profile="quick", datasets=["pneumoniamnist"],
                        methods=["none", "ae", "cvae", "cgan"])


def test_report_writes_a_folder_again_from_its_cells(tmp_path, capsys):
    import numpy as np
    import pandas as pd

    from skgenaug.evaluation import AugmentationEvaluation

    rng = np.random.RandomState(0)
    rows = [dict(selection="val", dataset="d", method=method, seed=0, fold=fold,
                 auc=0.7 + gain + 0.01 * rng.randn(), acc=0.7 + 0.01 * rng.randn(),
                 balanced_acc=0.7, n_val=20, n_train=80, wall_s=1.0, n_generated=10)
            for method, gain in (("none", 0.0), ("cvae", 0.1)) for fold in range(5)]
    info = dict(profile="smoke", description="d", folds=5, seeds=[0], device="CPU",
                wall_s=1.0, n_run=10, n_reused=0, cell_s=1.0, command="c",
                add_per_class=150, cv="5 stratified folds",
                data=dict(name="d", n_images=100, image_shape=[8, 8],
                          class_counts={"a": 50, "b": 50}, test_set=False, n_test=None,
                          n_unlabelled=None, validation_fraction=0.2))
    AugmentationEvaluation(pd.DataFrame(rows), {}, info, {"run_info": info},
                           controls=()).save(tmp_path)
    assert cli.main(["report", str(tmp_path), "--primary-metric", "acc"]) == 0
    text = (tmp_path / "results.md").read_text()
    assert "Primary metric: **ACC**, declared when these stored cells were re-reported" \
        in text
    assert "nothing was trained" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        cli.main(["report", str(tmp_path / "missing")])
    assert "not a readable results folder" in capsys.readouterr().err
