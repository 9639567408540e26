"""Reproduce the reference paper's Table 2 by cross-validated evaluation.

A thin wrapper around ``skgenaug medmnist-table`` (the logic is in
:mod:`skgenaug.evaluation`) that also finds the data of a repository clone: without
``--root`` and without ``$SKGENAUG_DATA_DIR``, it reads ``../shared/medmnist`` beside
the repository when that folder exists.

Examples::

    python benchmarks/medmnist_table.py                      # quick profile, PneumoniaMNIST
    python benchmarks/medmnist_table.py --profile smoke      # end-to-end check, < 2 min
    python benchmarks/medmnist_table.py --profile quick \\
        --datasets breast,pneumonia,derma --out docs/results/quick
    python benchmarks/medmnist_table.py --profile paper --datasets all --device cuda

All options: ``python benchmarks/medmnist_table.py --help``.
"""

import os
import sys
from pathlib import Path

# Before torch loads OpenMP: idle OpenMP threads sleep instead of spinning. With
# --threads 2 on a CPU shared with other work, spinning made training ~20x slower here.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

REPOSITORY = Path(__file__).resolve().parents[1]
SHARED_DATA = REPOSITORY.parent / "shared" / "medmnist"

try:
    import skgenaug  # noqa: F401
except ImportError:  # run from a clone without installing
    sys.path.insert(0, str(REPOSITORY))

from skgenaug.cli import main  # noqa: E402


def arguments(argv):
    """``medmnist-table`` and ``argv``, with ``--root`` of the clone's shared data when
    neither ``--root`` nor ``$SKGENAUG_DATA_DIR`` says where the data is."""
    given = any(a == "--root" or a.startswith("--root=") for a in argv)
    if not given and not os.environ.get("SKGENAUG_DATA_DIR") and SHARED_DATA.is_dir():
        argv = [*argv, "--root", str(SHARED_DATA)]
    return ["medmnist-table", *argv]


if __name__ == "__main__":
    sys.exit(main(arguments(sys.argv[1:])))
