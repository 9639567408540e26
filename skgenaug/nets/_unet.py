"""A small class-conditional U-Net, the denoising network of diffusion models.

Torch module only: no noise schedule and no training logic (those live in
:mod:`skgenaug.samplers._diffusion`). Like the other networks of :mod:`skgenaug.nets`
it takes and returns flat rows (pixels in row-major order, channels last, as
:class:`skgenaug._images.ImageLayout` flattens images) and reshapes internally with the
convolutional nets' :class:`~skgenaug.nets._conv._PaddedGeometry`, so any image size
works: an image whose sides are not multiples of ``2 ** (n_levels - 1)`` is
zero-padded (centred) on the way in and cropped back on the way out.

Shape (Ho et al. 2020; Nichol and Dhariwal 2021; the layout of diffusers'
``UNet2DModel``): one resolution level per width of ``hidden_layer_sizes``, each with
``layers_per_block`` residual blocks (GroupNorm, SiLU, 3x3 convolutions, the
time-and-class embedding added between the two convolutions), a stride-2 convolution
between levels on the way down and nearest upsampling plus a 3x3 convolution on the
way up, skip connections concatenated into ``layers_per_block + 1`` blocks per level
on the way up, and a middle of two residual blocks with optional self-attention at the
lowest resolution.

Conditioning: a sinusoidal embedding of the timestep through a two-layer MLP, plus a
learned class embedding with ``n_classes + 1`` rows, the last of which (index
``n_classes``) is the *null class*: classifier-free guidance trains it on randomly
dropped labels, and rows without a label use it too.

Strides: every map entering a convolution has standard NCHW strides (the input through
``_PaddedGeometry``, concatenations and the attention's reshapes through
:func:`skgenaug._torch_utils.standard_strides`), in the forward and the backward pass.
"""

import math

import torch
from torch import nn
from torch.nn import functional as F

from .._torch_utils import standard_strides
from ._conv import _PaddedGeometry


def _group_norm(n_channels):
    # Up to 8 groups that divide the channel count (32, diffusers' default, needs
    # widths that small CPU-sized networks do not have).
    return nn.GroupNorm(math.gcd(int(n_channels), 8), n_channels)


def _sinusoidal_embedding(t, dim):
    """Transformer-style embedding of timesteps ``t`` ``(n,)`` as ``(n, dim)``: sines,
    then cosines, of geometrically spaced frequencies from 1 to 1/10000 (an odd ``dim``
    ends with a zero column)."""
    half = dim // 2
    exponents = torch.arange(half, dtype=torch.float32, device=t.device) / max(half, 1)
    frequencies = torch.exp(-math.log(10000.0) * exponents)
    angles = t.float()[:, None] * frequencies[None, :]
    embedding = torch.cat([torch.sin(angles), torch.cos(angles)], dim=1)
    return F.pad(embedding, (0, dim - 2 * half))


class _ResidualBlock(nn.Module):
    """GroupNorm, SiLU, 3x3 convolution, plus the embedding as a per-channel shift,
    GroupNorm, SiLU, 3x3 convolution; a 1x1 convolution on the skip path when the
    width changes."""

    def __init__(self, n_in, n_out, n_embedding):
        super().__init__()
        self.norm1 = _group_norm(n_in)
        self.conv1 = nn.Conv2d(n_in, n_out, 3, padding=1)
        self.embedding = nn.Linear(n_embedding, n_out)
        self.norm2 = _group_norm(n_out)
        self.conv2 = nn.Conv2d(n_out, n_out, 3, padding=1)
        self.skip = nn.Conv2d(n_in, n_out, 1) if n_in != n_out else nn.Identity()

    def forward(self, x, embedding):
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.embedding(F.silu(embedding))[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return self.skip(x) + h


class _SelfAttention(nn.Module):
    """Single-head self-attention over the positions of a feature map, residual."""

    def __init__(self, n_channels):
        super().__init__()
        self.norm = _group_norm(n_channels)
        self.qkv = nn.Conv2d(n_channels, 3 * n_channels, 1)
        self.out = nn.Conv2d(n_channels, n_channels, 1)

    def forward(self, x):
        n, c, h, w = x.shape
        # standard_strides: the gradient coming back through the reshapes below reaches
        # the 1x1 convolution with standard strides
        qkv = standard_strides(self.qkv(self.norm(x)))
        q, k, v = qkv.reshape(n, 3, c, h * w).transpose(2, 3).unbind(1)
        attended = F.scaled_dot_product_attention(q, k, v)
        attended = standard_strides(attended.transpose(1, 2).reshape(n, c, h, w))
        return x + self.out(attended)


class _Downsample(nn.Module):
    def __init__(self, n_channels):
        super().__init__()
        self.conv = nn.Conv2d(n_channels, n_channels, 3, stride=2, padding=1)

    def forward(self, x):
        return self.conv(x)


class _Upsample(nn.Module):
    def __init__(self, n_channels):
        super().__init__()
        self.conv = nn.Conv2d(n_channels, n_channels, 3, padding=1)

    def forward(self, x):
        return self.conv(F.interpolate(x, scale_factor=2.0, mode="nearest"))


class ConditionalUNet(nn.Module):
    """Class-conditional U-Net for denoising diffusion on flat rows.

    Given noised rows, their timesteps and class codes it returns rows of the same
    shape: the prediction the sampler trains it for (the noise, or the velocity ``v``
    of :class:`skgenaug.DiffusionSampler`).

    Parameters
    ----------
    image_shape : tuple of int
        ``(height, width, channels)`` of the images.
    n_classes : int
        Number of classes; the class embedding has one more row, the null class
        (index ``n_classes``) of classifier-free guidance and of unlabelled rows.
    hidden_layer_sizes : sequence of int, default=(64, 128, 128)
        Channel widths, one resolution level each, full resolution first; the
        resolution halves between levels, so ``k`` widths pad the image to a multiple
        of ``2 ** (k - 1)`` (of 2 for a single width).
    layers_per_block : int, default=2
        Residual blocks per level on the way down (one more on the way up, which also
        takes the skip connections).
    attention : bool, default=True
        Self-attention between the two middle residual blocks, at the lowest
        resolution.

    Attributes
    ----------
    geometry : _PaddedGeometry
        The padding of the images inside the network.

    Examples
    --------
    >>> import torch
    >>> from skgenaug.nets import ConditionalUNet
    >>> net = ConditionalUNet((28, 28, 1), n_classes=2, hidden_layer_sizes=(8, 16))
    >>> x, t, c = torch.zeros(3, 784), torch.tensor([0, 500, 999]), torch.tensor([0, 1, 2])
    >>> net(x, t, c).shape  # class 2 is the null class
    torch.Size([3, 784])
    """

    def __init__(
        self,
        image_shape,
        n_classes,
        hidden_layer_sizes=(64, 128, 128),
        layers_per_block=2,
        attention=True,
    ):
        super().__init__()
        widths = [int(width) for width in hidden_layer_sizes]
        if not widths or min(widths) < 1:
            raise ValueError(
                f"A U-Net needs at least one positive channel width; got "
                f"{tuple(hidden_layer_sizes)!r}."
            )
        if int(layers_per_block) < 1:
            raise ValueError(f"layers_per_block must be >= 1; got {layers_per_block!r}.")
        self.geometry = _PaddedGeometry(image_shape, max(len(widths) - 1, 1))
        self.n_classes = int(n_classes)
        self.time_dim = max(widths[0], 8)
        n_embedding = 4 * widths[0]
        self.time_mlp = nn.Sequential(
            nn.Linear(self.time_dim, n_embedding),
            nn.SiLU(),
            nn.Linear(n_embedding, n_embedding),
        )
        self.class_embedding = nn.Embedding(self.n_classes + 1, n_embedding)
        self.stem = nn.Conv2d(self.geometry.channels, widths[0], 3, padding=1)

        n = widths[0]
        skip_widths = [n]
        self.down = nn.ModuleList()
        for level, width in enumerate(widths):
            for _ in range(int(layers_per_block)):
                self.down.append(_ResidualBlock(n, width, n_embedding))
                n = width
                skip_widths.append(n)
            if level < len(widths) - 1:
                self.down.append(_Downsample(n))
                skip_widths.append(n)
        self.middle = nn.ModuleList(
            [
                _ResidualBlock(n, n, n_embedding),
                _SelfAttention(n) if attention else nn.Identity(),
                _ResidualBlock(n, n, n_embedding),
            ]
        )
        self.up = nn.ModuleList()
        for level in reversed(range(len(widths))):
            for _ in range(int(layers_per_block) + 1):
                n_in = n + skip_widths.pop()
                self.up.append(_ResidualBlock(n_in, widths[level], n_embedding))
                n = widths[level]
            if level > 0:
                self.up.append(_Upsample(n))
        self.out_norm = _group_norm(n)
        self.out_conv = nn.Conv2d(n, self.geometry.channels, 3, padding=1)
        # The untrained network predicts zero noise (as in Ho et al.'s code).
        nn.init.zeros_(self.out_conv.weight)
        nn.init.zeros_(self.out_conv.bias)

    def embed(self, t, c):
        """The time-and-class embedding of timesteps ``t`` and class codes ``c``."""
        time = self.time_mlp(_sinusoidal_embedding(t, self.time_dim))
        return time + self.class_embedding(c)

    def forward(self, x, t, c):
        """The prediction (flat rows) for noised rows ``x`` at timesteps ``t`` and class
        codes ``c`` (``n_classes`` for the null class)."""
        embedding = self.embed(t, c)
        h = self.stem(self.geometry.rows_to_padded_maps(x))
        skips = [h]
        for block in self.down:
            h = block(h, embedding) if isinstance(block, _ResidualBlock) else block(h)
            skips.append(h)
        first, attention, second = self.middle
        h = second(attention(first(h, embedding)), embedding)
        for block in self.up:
            if isinstance(block, _ResidualBlock):
                # standard_strides on both sides of the concatenation: its backward
                # hands each input a channel slice of the gradient, which would reach
                # the convolutions that made them with the strides of the whole
                h = torch.cat([standard_strides(h), standard_strides(skips.pop())], dim=1)
                h = block(standard_strides(h), embedding)
            else:
                h = block(h)
        h = self.out_conv(F.silu(self.out_norm(h)))
        return self.geometry.padded_maps_to_rows(h)
