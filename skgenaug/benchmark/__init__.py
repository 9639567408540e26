"""Cross-validated evaluation of augmentation methods, and the MedMNIST table.

The engine behind :func:`skgenaug.evaluate_augmentation` (your own images) and
``skgenaug medmnist-table`` (the reference paper's Table 2 on MedMNIST, also
``python benchmarks/medmnist_table.py``). Both run *cells* (data set, method, repeat,
fold) on folds shared by every method, store each finished cell (resume), compare every
method with a baseline by paired statistics, and report.

- :func:`evaluate_augmentation` and its result, :class:`AugmentationEvaluation`, also
  importable as (and documented under) :func:`skgenaug.evaluate_augmentation`.
- :class:`Profile`, :func:`get_profile` and :data:`PROFILES`: the ``paper``, ``quick``
  and ``smoke`` settings; :func:`config_hash` keys stored cells by the settings they
  depend on.
- :data:`SCENARIOS`: how the labelled pool is prepared and how much samplers add.
- :func:`run_benchmark`: the MedMNIST table; :data:`PAPER_TABLE2` the paper's numbers.
- :func:`run_cell`, :class:`Cell`, :func:`make_cells`, :class:`ResultStore`: the pieces.
- :func:`paired_comparison`: a method against the baseline, Nadeau-Bengio corrected.
"""

from ._cells import Cell, make_cells, run_cell
from ._config import PROFILES, Profile, config_hash, get_profile
from ._evaluate import evaluate_augmentation  # noqa: F401 (documented as skgenaug.*)
from ._medmnist import MissingDataError, run_benchmark
from ._paper import PAPER_CITATION, PAPER_TABLE2
from ._result import AugmentationEvaluation  # noqa: F401 (documented as skgenaug.*)
from ._scenarios import SCENARIOS
from ._stats import paired_comparison
from ._store import ResultStore

__all__ = [
    "PAPER_CITATION",
    "PAPER_TABLE2",
    "PROFILES",
    "SCENARIOS",
    "Cell",
    "MissingDataError",
    "Profile",
    "ResultStore",
    "config_hash",
    "get_profile",
    "make_cells",
    "paired_comparison",
    "run_benchmark",
    "run_cell",
]
