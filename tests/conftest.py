"""Shared pytest fixtures."""

import signal
from pathlib import Path

import pytest
import torch
from _support import _write_npz

from skgenaug.evaluation import get_profile

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


# ------------------------------------------------ evaluation and MedMNIST tests


@pytest.fixture(scope="module")
def data_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("medmnist")
    _write_npz(root / "breastmnist.npz", 2, 1, (40, 12, 30), seed=0)
    _write_npz(root / "dermamnist.npz", 7, 3, (70, 21, 35), seed=10)
    return root


@pytest.fixture
def smoke():
    return get_profile("smoke")


@pytest.fixture
def interactive_sigint():
    """SIGINT as an interactive Python process has it: delivered, raising KeyboardInterrupt.

    A test worker shared with other tests need not be in that state: once, in a CI run
    with pytest-xdist, the Ctrl-C this test sends never reached the cell (the cause,
    another test's leftover handler or signal mask, was not found).
    """
    handler = signal.signal(signal.SIGINT, signal.default_int_handler)
    mask = signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    yield
    signal.pthread_sigmask(signal.SIG_SETMASK, mask)
    signal.signal(signal.SIGINT, handler)
