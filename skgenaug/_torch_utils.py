"""Small torch helpers shared by the samplers and the classifier."""

from contextlib import contextmanager

import numpy as np
import torch
from sklearn.utils import check_random_state


def resolve_device(device):
    """Turn ``'auto'``, ``'cpu'``, ``'cuda'``, ``'cuda:N'`` or ``'mps'`` into a torch device
    string, with a clear error for unknown or unavailable devices."""
    if isinstance(device, torch.device):
        device = str(device)
    if not isinstance(device, str):
        raise ValueError(
            f"device must be a string such as 'cpu', 'cuda' or 'auto'; got {device!r}."
        )
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    try:
        parsed = torch.device(device)
    except (RuntimeError, ValueError):
        raise ValueError(
            f"Unknown device {device!r}; use 'cpu', 'cuda', 'cuda:N', 'mps' or 'auto'."
        ) from None
    if parsed.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(
                f"device={device!r} was requested but CUDA is not available here; "
                "use device='cpu' or device='auto'."
            )
        if parsed.index is not None and parsed.index >= torch.cuda.device_count():
            raise ValueError(
                f"device={device!r} was requested but only "
                f"{torch.cuda.device_count()} CUDA device(s) exist."
            )
    elif parsed.type == "mps":
        if not torch.backends.mps.is_available():
            raise ValueError(f"device={device!r} was requested but MPS is not available.")
    elif parsed.type != "cpu":
        raise ValueError(
            f"Unknown device {device!r}; use 'cpu', 'cuda', 'cuda:N', 'mps' or 'auto'."
        )
    return device


def draw_seed(random_state):
    """An int seed for torch drawn from a scikit-learn ``random_state``."""
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


@contextmanager
def torch_seed(seed, device="cpu"):
    """Seed torch inside the block without touching the caller's global RNG state."""
    devices = []
    if str(device).startswith("cuda") and torch.cuda.is_available():
        devices = [torch.device(device).index or 0]
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield


class BatchTensorDataset(torch.utils.data.Dataset):
    """A dataset of in-memory tensors that hands out whole batches.

    ``DataLoader`` calls ``__getitems__`` with all indices of a batch, so a batch costs one
    tensor indexing instead of one Python call and a collate per row (which dominates
    for 28x28 images). Use it with ``collate_fn=passthrough_collate``.

    Parameters
    ----------
    X : torch.Tensor or dict of str to torch.Tensor
        Inputs; a dict is passed to the module's ``forward`` as keyword arguments.
    y : torch.Tensor or None
        Targets; ``None`` yields a placeholder so skorch's ``(X, y)`` unpacking works.
    """

    def __init__(self, X, y=None):
        self.X = X
        self.y = y
        first = next(iter(X.values())) if isinstance(X, dict) else X
        self._length = len(first)

    def __len__(self):
        return self._length

    def _take(self, index):
        if isinstance(self.X, dict):
            Xi = {key: value[index] for key, value in self.X.items()}
        else:
            Xi = self.X[index]
        yi = self.y[index] if self.y is not None else torch.zeros(())
        return Xi, yi

    def __getitem__(self, index):
        return self._take(index)

    def __getitems__(self, indices):
        return self._take(torch.as_tensor(indices, dtype=torch.long))


def passthrough_collate(batch):
    """Collate function for :class:`BatchTensorDataset`: the batch is already stacked."""
    return batch
