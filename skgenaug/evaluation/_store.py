"""SQLite store of finished cells: one row per cell, written atomically on arrival.

Only the parent process writes (results reach it through joblib's unordered
generator), so there are never concurrent writers; WAL mode keeps readers (another
shell inspecting the file) from blocking the writer. A row is committed in its own
transaction the moment its cell finishes, so killing a run loses only running cells.
"""

import io
import json
import sqlite3
import time
from dataclasses import asdict

import numpy as np

_COLUMNS = ("dataset", "method", "fold", "seed", "selection", "config_hash")
_METRICS = ("auc", "acc", "balanced_acc")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS cells (
    key TEXT PRIMARY KEY,
    dataset TEXT, method TEXT, fold INTEGER, seed INTEGER, selection TEXT,
    config_hash TEXT, profile TEXT,
    auc REAL, acc REAL, balanced_acc REAL,
    result TEXT, preview BLOB, finished_at REAL, predictions BLOB
);
CREATE TABLE IF NOT EXISTS runs (started TEXT, info TEXT)
"""


def _pack(arrays):
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def _unpack(blob):
    with np.load(io.BytesIO(blob)) as npz:
        return {key: npz[key] for key in npz.files}


class ResultStore:
    """Finished benchmark cells in ``<folder>/cells.sqlite``.

    Parameters
    ----------
    path : str or path-like
        The SQLite file (created with its folder when absent).

    Examples
    --------
    >>> import os, tempfile
    >>> from skgenaug.evaluation import ResultStore
    >>> folder = tempfile.mkdtemp()
    >>> with ResultStore(os.path.join(folder, "cells.sqlite")) as store:
    ...     print(len(store.finished_keys()))
    0
    """

    def __init__(self, path):
        self.path = str(path)
        self._conn = sqlite3.connect(self.path, timeout=30)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.executescript(_SCHEMA)
        columns = {row[1] for row in self._conn.execute("PRAGMA table_info(cells)")}
        if "predictions" not in columns:  # a store written before predictions were kept
            self._conn.execute("ALTER TABLE cells ADD COLUMN predictions BLOB")
        self._conn.commit()

    def close(self):
        """Close the connection."""
        self._conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def finished_keys(self):
        """Keys of every stored cell.

        Returns
        -------
        keys : set of str
        """
        return {row[0] for row in self._conn.execute("SELECT key FROM cells")}

    def put(self, cell, result, profile):
        """Store one finished cell in its own transaction.

        Parameters
        ----------
        cell : Cell
            The cell's identity.
        result : dict
            What :func:`run_cell` returned.
        profile : str
            Profile name (informative; the hash is what keys the cell).
        """
        result = dict(result)
        preview = result.pop("preview", None)
        proba, y_test = result.pop("test_proba", None), result.pop("test_y", None)
        row = dict(asdict(cell), key=cell.key, profile=profile,
                   **{m: result.get(m) for m in _METRICS})
        row["result"] = json.dumps(result, default=float)
        row["preview"] = None if preview is None else _pack(preview)
        row["predictions"] = None if proba is None else _pack(
            dict(proba=np.asarray(proba, dtype=np.float32), y=np.asarray(y_test)))
        row["finished_at"] = time.time()
        names = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        with self._conn:  # one atomic transaction per cell
            self._conn.execute(
                f"INSERT OR REPLACE INTO cells ({names}) VALUES ({marks})",
                tuple(row.values()),
            )
        # Move the cell from the write-ahead log into the database file, so that a
        # copy of cells.sqlite alone (without cells.sqlite-wal) holds every finished
        # cell. PASSIVE: never waits for readers.
        self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def add_run(self, info):
        """Record one invocation (times, cells run, parallel settings).

        Parameters
        ----------
        info : dict
            JSON-serialisable description; ``info['started']`` orders the runs.
        """
        with self._conn:
            self._conn.execute("INSERT INTO runs VALUES (?, ?)",
                               (str(info.get("started")), json.dumps(info, default=str)))

    def runs(self):
        """Every recorded invocation, oldest first.

        Returns
        -------
        runs : list of dict
        """
        cursor = self._conn.execute("SELECT info FROM runs ORDER BY started")
        return [json.loads(info) for (info,) in cursor]

    def rows(self, keys=None):
        """Stored cells as dicts (metrics and the cell's extra results flattened).

        Parameters
        ----------
        keys : iterable of str or None
            Only these cells; ``None`` means all.

        Returns
        -------
        rows : list of dict
        """
        cursor = self._conn.execute(
            "SELECT key, profile, finished_at, result, "
            + ", ".join(_COLUMNS) + " FROM cells ORDER BY finished_at"
        )
        wanted = None if keys is None else set(keys)
        out = []
        for key, profile, finished_at, result, *values in cursor:
            if wanted is not None and key not in wanted:
                continue
            row = dict(zip(_COLUMNS, values), key=key, profile=profile,
                       finished_at=finished_at)
            row.update(json.loads(result))
            out.append(row)
        return out

    def predictions(self, keys):
        """The test-set probabilities stored with the given cells.

        Parameters
        ----------
        keys : iterable of str
            Cells to look up.

        Returns
        -------
        predictions : dict
            ``{(selection, dataset, method, seed, fold): (y_test, proba)}``: class
            codes and ``float32`` probabilities (one column per class of the data
            set), for cells that stored them.
        """
        return {(selection, dataset, method, seed, fold): (arrays["y"], arrays["proba"])
                for selection, dataset, method, seed, fold, arrays
                in self._arrays(keys, "predictions")}

    def previews(self, keys):
        """Sample previews stored with the given cells.

        Parameters
        ----------
        keys : iterable of str
            Cells to look up.

        Returns
        -------
        previews : dict
            ``{(dataset, method): {'real', 'generated', 'y'}}`` for cells that have one.
        """
        out = {}
        for _, dataset, method, _, _, arrays in self._arrays(keys, "preview"):
            out.setdefault((dataset, method), arrays)
        return out

    def _arrays(self, keys, column):
        """``(selection, dataset, method, seed, fold, arrays)`` of the given cells
        whose ``column`` holds packed arrays, oldest first."""
        wanted = set(keys)
        cursor = self._conn.execute(
            f"SELECT key, selection, dataset, method, seed, fold, {column} FROM cells "
            f"WHERE {column} IS NOT NULL ORDER BY finished_at"
        )
        for key, selection, dataset, method, seed, fold, blob in cursor:
            if key in wanted:
                yield selection, dataset, method, int(seed), int(fold), _unpack(blob)
