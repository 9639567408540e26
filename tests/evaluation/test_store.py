"""The result store: finished cells on disk, stale cells not reused."""

import sqlite3
from dataclasses import replace

from _support import (
    _run,
)

from skgenaug.evaluation import _plan
from skgenaug.evaluation._config import (
    config_hash,
)
from skgenaug.evaluation._store import ResultStore


def test_database_file_alone_holds_finished_cells_while_the_run_goes_on(tmp_path):
    # A killed run or a copy taken mid-run (e.g. from a lent GPU machine) may miss
    # cells.sqlite-wal: each finished cell must already be in cells.sqlite.
    cell = _plan.Cell("breastmnist", "none", 0, 0, "val", "abc")
    with ResultStore(tmp_path / "cells.sqlite") as store:
        store.put(cell, dict(auc=0.8, acc=0.7, balanced_acc=0.7), "smoke")
        copy = tmp_path / "copy.sqlite"
        copy.write_bytes((tmp_path / "cells.sqlite").read_bytes())  # store still open
        conn = sqlite3.connect(copy)
        try:
            assert conn.execute("SELECT key FROM cells").fetchall() == [(cell.key,)]
        finally:
            conn.close()


def test_changed_config_does_not_reuse_stale_cells(data_root, tmp_path, smoke):
    first = _run(smoke, data_root, tmp_path, methods=["none", "cgan"])
    assert first.n_run == 4
    changed = replace(smoke, samplers={
        **smoke.samplers, "cgan": {**smoke.samplers["cgan"], "max_epochs": 3}})
    second = _run(changed, data_root, tmp_path, methods=["none", "cgan"])
    # Only the cGAN cells depend on the cGAN settings.
    assert second.n_run == 2 and second.n_reused == 2
    assert config_hash(smoke, "cgan") != config_hash(changed, "cgan")
    assert config_hash(smoke, "none") == config_hash(changed, "none")
    changed = replace(changed, classifier={**changed.classifier, "max_epochs": 3})
    assert _run(changed, data_root, tmp_path, methods=["none", "cgan"]).n_run == 4
