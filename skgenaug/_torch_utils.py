"""Small torch helpers shared by the samplers, the classifier and the networks.

Every numpy array skgenaug hands to torch goes through :func:`array_to_tensor`, and every
convolutional network passes its feature maps through :func:`standard_strides`: oneDNN
picks its kernels from a tensor's strides, and on AVX2-only CPUs the channels-last
kernels it chose for the tensors numpy's transposes produce (a gray ``(n, 1, H, W)``
stack *is* channels-last by its strides) corrupted the heap for channel counts that are
not multiples of the vector width. Standard (row-major, ``torch.contiguous_format``)
strides everywhere keep every CPU on the same, well-trodden kernels.
"""

from contextlib import contextmanager

import numpy as np
import torch


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


PRECISIONS = ("float32", "bfloat16", "auto")


def native_bf16(device):
    """Whether ``device`` computes bfloat16 natively, so that autocasting to it is
    faster rather than slower: a CUDA GPU that supports it, or a CPU with AVX-512 BF16
    or AMX instructions (elsewhere oneDNN emulates bfloat16, slowly)."""
    kind = torch.device(device).type
    if kind == "cuda":
        return bool(torch.cuda.is_bf16_supported())
    if kind != "cpu":
        return False
    checks = [getattr(torch.cpu, name, None)
              for name in ("_is_avx512_bf16_supported", "_is_amx_tile_supported")]
    return any(bool(check()) for check in checks if check is not None)


def resolve_precision(precision, device):
    """``'float32'`` or ``'bfloat16'``: the precision a net computes in on ``device``,
    ``'auto'`` meaning bfloat16 autocast where :func:`native_bf16`, else float32."""
    if precision == "auto":  # (the estimators' parameter constraints check the name)
        return "bfloat16" if native_bf16(device) else "float32"
    return precision


def autocast(precision, device):
    """The autocast context of a resolved ``precision`` (a no-op for float32)."""
    return torch.autocast(torch.device(device).type, dtype=torch.bfloat16,
                          enabled=precision == "bfloat16")


def contiguous_strides(shape):
    """The row-major strides of a tensor of ``shape``, counting size-1 axes too.

    ``Tensor.is_contiguous`` ignores the strides of size-1 axes, so it calls a gray
    ``(n, 1, H, W)`` stack with channels-last strides contiguous; this does not.

    Examples
    --------
    >>> contiguous_strides((4, 1, 28, 28))
    (784, 784, 28, 1)
    """
    strides, step = [], 1
    for size in reversed(tuple(shape)):
        strides.append(step)
        step *= max(int(size), 1)
    return tuple(reversed(strides))


def has_standard_strides(tensor):
    """Whether ``tensor`` has exactly the row-major strides of its shape."""
    return tuple(tensor.stride()) == contiguous_strides(tensor.shape)


def _restride(tensor):
    if has_standard_strides(tensor):
        return tensor
    return tensor.clone(memory_format=torch.contiguous_format)


class _StandardStrides(torch.autograd.Function):
    """Identity whose output and incoming gradient both have standard strides."""

    @staticmethod
    def forward(ctx, tensor):
        out = _restride(tensor)
        return out.view_as(out) if out is tensor else out

    @staticmethod
    def backward(ctx, grad):
        return _restride(grad)


def standard_strides(tensor):
    """``tensor`` with the row-major strides of its shape, copied only when needed.

    In training, the gradient flowing back through it gets standard strides too, so a
    convolution sees them in its backward pass as well. Networks call it on their
    feature maps wherever a permute, a pad or a caller's tensor could hand them other
    strides (channels-last tensors included: they are copied, never rejected).

    Parameters
    ----------
    tensor : torch.Tensor

    Returns
    -------
    torch.Tensor
        ``tensor`` itself when its strides are already standard and no gradient is
        needed, else a standard-strided tensor with the same values.

    Examples
    --------
    >>> import torch
    >>> maps = torch.zeros(2, 28, 28, 1).permute(0, 3, 1, 2)  # channels-last strides
    >>> maps.is_contiguous(), maps.stride()
    (True, (784, 1, 28, 1))
    >>> standard_strides(maps).stride()
    (784, 784, 28, 1)
    """
    if tensor.requires_grad:
        return _StandardStrides.apply(tensor)
    return _restride(tensor)


def array_to_tensor(array, *, dtype=torch.float32, layout=None):
    """A numpy array as a torch tensor with standard strides (the one conversion path).

    Parameters
    ----------
    array : ndarray
        Flat rows ``(n, n_features)`` (pixel-major, channels last, as
        :class:`~skgenaug._images.ImageLayout` flattens images), or labels.
    dtype : torch.dtype, default=torch.float32
        Dtype of the tensor.
    layout : ImageLayout or None, default=None
        With a layout, flat rows become an ``(n, C, H, W)`` image tensor; without one
        the array keeps its shape.

    Returns
    -------
    torch.Tensor
        A tensor that owns writable memory with row-major strides.

    Examples
    --------
    >>> import numpy as np
    >>> from skgenaug._images import ImageLayout
    >>> layout = ImageLayout(sample_shape=(28, 28), dtype=np.dtype("uint8"))
    >>> array_to_tensor(np.zeros((2, 784)), layout=layout).stride()
    (784, 784, 28, 1)
    """
    array = np.asarray(array)
    if layout is not None:
        array = layout.flat_to_nchw(layout.to_flat(array))
    numpy_dtype = torch.empty(0, dtype=dtype).numpy().dtype
    # One copy: the dtype cast, a fresh allocation (so standard strides, writable).
    return _restride(torch.from_numpy(np.array(array, dtype=numpy_dtype, order="C")))


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
