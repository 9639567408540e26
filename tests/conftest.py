"""Shared pytest fixtures."""

from pathlib import Path

import pytest

#: The real MedMNIST files (breast, pneumonia, derma): shared/ sits beside the repository
#: clone, here and in CI.
MEDMNIST_ROOT = Path(__file__).resolve().parents[2] / "shared" / "medmnist"


@pytest.fixture(scope="session")
def medmnist_root():
    """Folder of the real MedMNIST npz files; skips the test when it is absent."""
    if not MEDMNIST_ROOT.is_dir():
        pytest.skip(
            f"real MedMNIST data not found at {MEDMNIST_ROOT} (expected shared/medmnist "
            "beside the repository clone)"
        )
    return MEDMNIST_ROOT
