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
