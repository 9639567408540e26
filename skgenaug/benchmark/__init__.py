"""Cross-validated reproduction of the reference paper's Table 2 on MedMNIST.

Run it with ``python benchmarks/medmnist_table.py`` (see :mod:`skgenaug.benchmark.cli`).
The pieces, importable for tests and notebooks:

- :func:`get_profile` and :data:`PROFILES`: the ``paper``, ``quick`` and ``smoke``
  settings; :func:`config_hash` keys stored cells by the settings they depend on.
- :func:`run_cell`: one (data set, method, fold, seed, selection) cell.
- :class:`ResultStore`: the SQLite store of finished cells (resume).
- :func:`paired_comparison`: a method against no augmentation, Nadeau-Bengio corrected.
- :func:`run_benchmark`: all of it, writing results.md, cells.csv, config.json and
  figures.
- :data:`PAPER_TABLE2`: the paper's published numbers.
"""

from ._cells import Cell, make_cells, run_cell
from ._config import PROFILES, config_hash, get_profile
from ._paper import PAPER_CITATION, PAPER_TABLE2
from ._run import MissingDataError, run_benchmark
from ._stats import paired_comparison
from ._store import ResultStore

__all__ = [
    "PAPER_CITATION",
    "PAPER_TABLE2",
    "PROFILES",
    "Cell",
    "MissingDataError",
    "ResultStore",
    "config_hash",
    "get_profile",
    "make_cells",
    "paired_comparison",
    "run_benchmark",
    "run_cell",
]
