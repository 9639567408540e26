"""Reproduce the reference paper's Table 2 by cross-validated evaluation.

Examples::

    python benchmarks/medmnist_table.py                      # quick profile, BreastMNIST
    python benchmarks/medmnist_table.py --profile smoke      # end-to-end check, < 2 min
    python benchmarks/medmnist_table.py --profile quick \\
        --datasets breast,pneumonia,derma --out docs/results/quick
    python benchmarks/medmnist_table.py --profile paper --datasets all --device cuda

All options: ``python benchmarks/medmnist_table.py --help``. The logic lives in
:mod:`skgenaug.benchmark`.
"""

import os
import sys
from pathlib import Path

# Before torch loads OpenMP: idle OpenMP threads sleep instead of spinning. With
# --threads 2 on a CPU shared with other work, spinning made training ~20x slower here.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

try:
    import skgenaug  # noqa: F401
except ImportError:  # run from a clone without installing
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from skgenaug.benchmark.cli import main

if __name__ == "__main__":
    sys.exit(main())
