"""The MedMNIST reproduction: the reference paper's Table 2, one user of the evaluation.

``skgenaug medmnist-table`` and ``python benchmarks/medmnist_table.py`` run it. The
engine (:mod:`skgenaug.evaluation`) knows nothing of this paper; this package gives it
the paper's subsets (:class:`MedMNISTData`), the report's header and the paper's
published values (:data:`PAPER_REFERENCE`).

- :func:`run_medmnist_table`: run (or resume) the table; :class:`MissingDataError`.
- :data:`PAPER_TABLE2`, :data:`PAPER_CITATION`, :data:`PAPER_REFERENCE`: the paper's
  numbers.
- :class:`MedMNISTData`: the table's data source.
"""

from ._data import MedMNISTData
from ._paper import PAPER_CITATION, PAPER_REFERENCE, PAPER_TABLE2
from ._table import MissingDataError, run_medmnist_table

__all__ = [
    "PAPER_CITATION",
    "PAPER_REFERENCE",
    "PAPER_TABLE2",
    "MedMNISTData",
    "MissingDataError",
    "run_medmnist_table",
]
