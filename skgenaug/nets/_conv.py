"""Convolutional (DCGAN-style) generative networks, the ``architecture='conv'`` option.

Torch modules only: no training logic. They take and return the same flat rows as
the fully connected networks of :mod:`skgenaug.nets._mlp` (values in ``[0, 1]``, pixels
in row-major order with channels last, as :class:`skgenaug._images.ImageLayout`
flattens images) and reshape internally, so a sampler drives both architectures
through one code path, with the same method names.

Shapes (Radford et al. 2016, DCGAN): the encoder / discriminator is a stack of 4x4
convolutions with stride 2, one per channel width, each halving height and width
(28 -> 14 -> 7 for two widths), LeakyReLU(0.2) after each, a normalisation after all
but the first; the decoder / generator maps its input vector linearly to
``widths[-1]`` maps of the smallest size (7 x 7), then 4x4 transposed convolutions
with stride 2 double the size back (7 -> 14 -> 28), with batch normalisation and ReLU
in between and a sigmoid at the end. An image whose height or width is not a multiple
of ``2 ** len(widths)`` is zero-padded (centred) on the way in and cropped back on the
way out, so every image size works, flat ``1 x n`` strips included.

Strides: the maps made from rows by a permute have channels-last strides, which sent
oneDNN to kernels that corrupted memory on AVX2-only CPUs; every map entering or leaving
the convolutions passes through :func:`skgenaug._torch_utils.standard_strides` (forward
and backward), so they always run on standard NCHW strides.

Conditioning: the one-hot class enters the encoder / discriminator as extra constant
input channels (one per class, 1 on the class's channel, 0 elsewhere) and the decoder
/ generator concatenated to its input vector (Mirza and Osindero 2014).
"""

import torch
from torch import nn
from torch.nn import functional as F

from .._torch_utils import standard_strides
from ._mlp import EncoderDecoder, one_hot

_NORMS = ("batch", "layer", None)


def _norm_layer(norm, n_channels):
    if norm == "batch":
        return nn.BatchNorm2d(n_channels)
    if norm == "layer":
        # Normalises each sample over channels, height and width (layer normalisation
        # of a feature map, with a per-channel affine map): no statistics across the
        # batch, as a gradient penalty needs (Gulrajani et al. 2017, section 4).
        return nn.GroupNorm(1, n_channels)
    raise ValueError(f"norm must be one of {_NORMS}; got {norm!r}.")


class _PaddedGeometry:
    """Sizes of an image padded to a multiple of ``2 ** n_levels`` on each side."""

    def __init__(self, image_shape, n_levels):
        if len(image_shape) != 3 or min(image_shape) < 1:
            raise ValueError(
                f"image_shape must be (height, width, channels) of positive sizes; got "
                f"{tuple(image_shape)!r}."
            )
        if n_levels < 1:
            raise ValueError(
                "A convolutional network needs at least one channel width; got none."
            )
        self.height, self.width, self.channels = (int(s) for s in image_shape)
        factor = 2**n_levels
        self.padded_height = -(-self.height // factor) * factor
        self.padded_width = -(-self.width // factor) * factor
        self.top = (self.padded_height - self.height) // 2
        self.left = (self.padded_width - self.width) // 2
        self.bottom = self.padded_height - self.height - self.top
        self.right = self.padded_width - self.width - self.left
        self.smallest = (self.padded_height // factor, self.padded_width // factor)

    @property
    def n_features(self):
        return self.height * self.width * self.channels

    def rows_to_padded_maps(self, x):
        """Flat rows ``(n, H*W*C)`` to zero-padded maps ``(n, C, H', W')``."""
        maps = x.reshape(len(x), self.height, self.width, self.channels)
        maps = standard_strides(maps.permute(0, 3, 1, 2))
        if self.top or self.bottom or self.left or self.right:
            maps = F.pad(maps, (self.left, self.right, self.top, self.bottom))
        return maps

    def padded_maps_to_rows(self, maps):
        """Maps ``(n, C, H', W')`` to flat rows of the unpadded centre."""
        # The gradient coming back through the permute below would reach the last
        # convolution with channels-last strides; this gives it standard ones.
        maps = standard_strides(maps)
        maps = maps[
            :, :, self.top : self.top + self.height, self.left : self.left + self.width
        ]
        return maps.permute(0, 2, 3, 1).reshape(len(maps), self.n_features)


class ConvEncoder(nn.Module):
    """Strided 4x4 convolutions from flat image rows to a flat feature vector.

    Parameters
    ----------
    image_shape : tuple of int
        ``(height, width, channels)`` of the images.
    widths : sequence of int
        Output channels of each convolution, image side first; each halves the height
        and width.
    n_conditions : int, default=0
        Number of constant condition channels (one-hot classes) appended to the input.
    norm : {'batch', 'layer'} or None, default='batch'
        Normalisation after every convolution but the first (DCGAN leaves the input
        layer unnormalised); ``'layer'`` normalises each sample on its own (for critics
        trained with a gradient penalty), ``None`` uses none.

    Attributes
    ----------
    n_outputs : int
        Width of the flat feature vector.

    Examples
    --------
    >>> import torch
    >>> from skgenaug.nets import ConvEncoder
    >>> net = ConvEncoder((28, 28, 1), widths=(4, 8))
    >>> net(torch.zeros(2, 784)).shape == (2, net.n_outputs)
    True
    """

    def __init__(self, image_shape, widths=(32, 64), n_conditions=0, norm="batch"):
        super().__init__()
        widths = [int(w) for w in widths]
        if norm not in _NORMS:
            raise ValueError(f"norm must be one of {_NORMS}; got {norm!r}.")
        self.geometry = _PaddedGeometry(image_shape, len(widths))
        self.n_conditions = int(n_conditions)
        layers = []
        n_in = self.geometry.channels + self.n_conditions
        for i, width in enumerate(widths):
            normed = i > 0 and norm is not None
            layers.append(nn.Conv2d(n_in, width, 4, stride=2, padding=1, bias=not normed))
            if normed:
                layers.append(_norm_layer(norm, width))
            layers.append(nn.LeakyReLU(0.2))
            n_in = width
        self.body = nn.Sequential(*layers)
        h, w = self.geometry.smallest
        self.n_outputs = widths[-1] * h * w

    def forward(self, x, condition=None):
        """Features of flat rows ``x``; ``condition`` is ``(n, n_conditions)``."""
        maps = self.geometry.rows_to_padded_maps(x)
        if self.n_conditions:
            planes = condition[:, :, None, None].expand(-1, -1, *maps.shape[2:])
            maps = torch.cat([maps, planes.to(maps.dtype)], dim=1)
        return self.body(standard_strides(maps)).flatten(1)


class ConvDecoder(nn.Module):
    """A linear map to small feature maps, then strided 4x4 transposed convolutions
    up to flat image rows in ``[0, 1]``.

    Parameters
    ----------
    image_shape : tuple of int
        ``(height, width, channels)`` of the images.
    widths : sequence of int
        Channel widths, image side first (as for :class:`ConvEncoder`); the decoder
        goes through them in reverse, ending in ``channels`` maps.
    n_inputs : int
        Width of the input vector (code, or noise and one-hot class).

    Examples
    --------
    >>> import torch
    >>> from skgenaug.nets import ConvDecoder
    >>> ConvDecoder((28, 28, 1), widths=(4, 8), n_inputs=6)(torch.zeros(2, 6)).shape
    torch.Size([2, 784])
    """

    def __init__(self, image_shape, widths=(32, 64), n_inputs=32):
        super().__init__()
        widths = [int(w) for w in widths]
        self.geometry = _PaddedGeometry(image_shape, len(widths))
        h, w = self.geometry.smallest
        self.start_shape = (widths[-1], h, w)
        self.project = nn.Linear(int(n_inputs), widths[-1] * h * w, bias=False)
        layers = [nn.BatchNorm2d(widths[-1]), nn.ReLU()]
        channels = [*widths[::-1], self.geometry.channels]
        for i, (n_in, n_out) in enumerate(zip(channels[:-1], channels[1:])):
            last = i == len(channels) - 2
            layers.append(
                nn.ConvTranspose2d(n_in, n_out, 4, stride=2, padding=1, bias=last)
            )
            if not last:
                layers += [nn.BatchNorm2d(n_out), nn.ReLU()]
        layers.append(nn.Sigmoid())
        self.body = nn.Sequential(*layers)

    def forward(self, v):
        maps = self.project(v).reshape(len(v), *self.start_shape)
        return self.geometry.padded_maps_to_rows(self.body(maps))




class ConvAutoencoder(EncoderDecoder):
    """Convolutional autoencoder: :class:`ConvEncoder` and a linear code, mirrored by
    :class:`ConvDecoder`.

    Parameters
    ----------
    image_shape : tuple of int
        ``(height, width, channels)`` of the images.
    hidden_layer_sizes : sequence of int, default=(32, 64)
        Encoder channel widths, image side first; the decoder mirrors them.
    latent_dim : int, default=32
        Width of the code.

    Examples
    --------
    >>> import torch
    >>> from skgenaug.nets import ConvAutoencoder
    >>> net = ConvAutoencoder((28, 28, 1), hidden_layer_sizes=(4, 8), latent_dim=6)
    >>> net.encode(torch.zeros(2, 784)).shape
    torch.Size([2, 6])
    >>> net(torch.zeros(2, 784)).shape
    torch.Size([2, 784])
    """

    def __init__(self, image_shape, hidden_layer_sizes=(32, 64), latent_dim=32):
        super().__init__()
        body = ConvEncoder(image_shape, hidden_layer_sizes)
        self.encoder = nn.Sequential(body, nn.Linear(body.n_outputs, latent_dim))
        self.decoder = ConvDecoder(image_shape, hidden_layer_sizes, latent_dim)


class ConvConditionalVAE(nn.Module):
    """Convolutional conditional VAE: encoder ``Q(z | x, c)`` with the class as extra
    input channels, decoder ``P(x | z, c)`` with the class appended to ``z``.

    Parameters
    ----------
    image_shape : tuple of int
        ``(height, width, channels)`` of the images.
    n_classes : int
        Number of classes of the condition.
    hidden_layer_sizes : sequence of int, default=(32, 64)
        Encoder channel widths, image side first; the decoder mirrors them.
    latent_dim : int, default=16
        Width of the latent Gaussian.

    Examples
    --------
    >>> import torch
    >>> from skgenaug.nets import ConvConditionalVAE
    >>> net = ConvConditionalVAE((28, 28, 1), 3, hidden_layer_sizes=(4, 8), latent_dim=6)
    >>> mean, log_var = net.encode(torch.zeros(2, 784), torch.tensor([0, 2]))
    >>> mean.shape
    torch.Size([2, 6])
    >>> net.decode(mean, torch.tensor([0, 2])).shape
    torch.Size([2, 784])
    """

    def __init__(self, image_shape, n_classes, hidden_layer_sizes=(32, 64), latent_dim=16):
        super().__init__()
        self.n_classes = n_classes
        self.encoder = ConvEncoder(image_shape, hidden_layer_sizes, n_conditions=n_classes)
        self.to_mean = nn.Linear(self.encoder.n_outputs, latent_dim)
        self.to_log_var = nn.Linear(self.encoder.n_outputs, latent_dim)
        self.decoder = ConvDecoder(image_shape, hidden_layer_sizes, latent_dim + n_classes)

    def encode(self, x, c):
        h = self.encoder(x, one_hot(c, self.n_classes))
        return self.to_mean(h), self.to_log_var(h)

    def decode(self, z, c):
        return self.decoder(torch.cat([z, one_hot(c, self.n_classes)], dim=1))

    def forward(self, x, c):
        mean, log_var = self.encode(x, c)
        if self.training:
            z = mean + torch.randn_like(mean) * torch.exp(0.5 * log_var)
        else:
            z = mean
        return self.decode(z, c), mean, log_var


class ConvConditionalGAN(nn.Module):
    """DCGAN-style conditional GAN: transposed-convolution generator, strided
    convolution discriminator, the class fed to both.

    Parameters
    ----------
    image_shape : tuple of int
        ``(height, width, channels)`` of the images.
    n_classes : int
        Number of classes.
    hidden_layer_sizes : sequence of int, default=(128, 64)
        Generator channel widths from the noise side (the first is the width of the
        smallest maps); the discriminator uses them reversed, image side first. As for
        the fully connected :class:`~skgenaug.nets.ConditionalGAN`.
    latent_dim : int, default=100
        Width of the noise vector.
    discriminator_norm : {'batch', 'layer'} or None, default='batch'
        Normalisation in the discriminator; use ``'layer'`` or ``None`` with a gradient
        penalty (WGAN-GP), which is defined per sample.
    auxiliary_classifier : bool, default=False
        Add a class head to the discriminator (ACGAN, Odena et al. 2017). The
        discriminator then sees the image alone (predicting the class is its task) and
        the class enters the generator only.

    Examples
    --------
    >>> import torch
    >>> from skgenaug.nets import ConvConditionalGAN
    >>> net = ConvConditionalGAN((28, 28, 1), 3, hidden_layer_sizes=(8, 4), latent_dim=6)
    >>> fake = net.generate(torch.zeros(2, 6), torch.tensor([0, 2]))
    >>> fake.shape
    torch.Size([2, 784])
    >>> net.discriminate(fake, torch.tensor([0, 2])).shape
    torch.Size([2])
    """

    def __init__(
        self,
        image_shape,
        n_classes,
        hidden_layer_sizes=(128, 64),
        latent_dim=100,
        discriminator_norm="batch",
        auxiliary_classifier=False,
    ):
        super().__init__()
        widths = list(hidden_layer_sizes)[::-1]  # image side first
        self.n_classes = n_classes
        self.latent_dim = latent_dim
        self.auxiliary_classifier = bool(auxiliary_classifier)
        self.generator = ConvDecoder(image_shape, widths, latent_dim + n_classes)
        self.discriminator = ConvEncoder(
            image_shape,
            widths,
            n_conditions=0 if self.auxiliary_classifier else n_classes,
            norm=discriminator_norm,
        )
        self.adversarial_head = nn.Linear(self.discriminator.n_outputs, 1)
        self.class_head = (
            nn.Linear(self.discriminator.n_outputs, n_classes)
            if self.auxiliary_classifier
            else None
        )

    def generate(self, z, c):
        return self.generator(torch.cat([z, one_hot(c, self.n_classes)], dim=1))

    def discriminate(self, x, c, with_class_logits=False):
        """Logit that ``x`` is a real image of class ``c``; with
        ``with_class_logits=True`` also the class logits (``None`` without an
        auxiliary classifier)."""
        condition = None if self.auxiliary_classifier else one_hot(c, self.n_classes)
        features = self.discriminator(x, condition)
        logit = self.adversarial_head(features).squeeze(1)
        if not with_class_logits:
            return logit
        classes = self.class_head(features) if self.class_head is not None else None
        return logit, classes

    def forward(self, z, c):
        return self.generate(z, c)
