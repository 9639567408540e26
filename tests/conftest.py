"""Shared pytest fixtures."""

from pathlib import Path

import pytest
import torch

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


@pytest.fixture(autouse=True)
def one_torch_thread():
    """Every test runs torch on one thread: tiny nets run fastest that way, and test
    processes sharing few cores slow each other down badly when each spins several
    OpenMP threads."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
