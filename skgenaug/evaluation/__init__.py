"""Cross-validated evaluation of augmentation methods: does augmentation help?

The engine behind :func:`skgenaug.evaluate_augmentation` (your own images); the MedMNIST
reproduction (:mod:`skgenaug.medmnist`) is another user of it. Both run *cells*
(data set, method, repeat,
fold) on folds shared by every method, store each finished cell (resume), compare every
method with a baseline by paired statistics, and report.

- :func:`evaluate_augmentation` and its result, :class:`AugmentationEvaluation`, also
  importable as (and documented under) :func:`skgenaug.evaluate_augmentation`.
- :class:`Profile`, :func:`get_profile` and :data:`PROFILES`: the ``paper``, ``quick``
  and ``smoke`` settings; :func:`config_hash` keys stored cells by the settings they
  depend on.
- :data:`SCENARIOS`: how the labelled pool is prepared and how much samplers add.
- :class:`EvaluationSettings` (what is measured) and :class:`Execution` (how the cells
  run): the evaluation's settings, checked once when made.
- :class:`ReferenceValues`: published numbers a caller may show beside the scores.
- :func:`run_cell`, :class:`Cell`, :func:`make_cells`, :class:`ResultStore`: the pieces.
- :func:`paired_comparison`: a method against the baseline, Nadeau-Bengio corrected.
"""

from ._cells import run_cell
from ._config import PROFILES, Profile, config_hash, get_profile
from ._evaluate import evaluate_augmentation  # noqa: F401 (documented as skgenaug.*)
from ._plan import Cell, make_cells
from ._report import ReferenceValues
from ._result import AugmentationEvaluation  # noqa: F401 (documented as skgenaug.*)
from ._scenarios import SCENARIOS
from ._settings import EvaluationSettings, Execution
from ._stats import paired_comparison
from ._store import ResultStore

__all__ = [
    "PROFILES",
    "SCENARIOS",
    "Cell",
    "EvaluationSettings",
    "Execution",
    "Profile",
    "ReferenceValues",
    "ResultStore",
    "config_hash",
    "get_profile",
    "make_cells",
    "paired_comparison",
    "run_cell",
]
