"""Fully connected generative networks of the reference paper (section 3.2).

Torch modules only: no training logic. Every network works on flat rows scaled to
``[0, 1]`` and ends in a sigmoid, so outputs live in the same range.
"""

import torch
from torch import nn
from torch.nn import functional as F


def one_hot(c, n_classes):
    """Float one-hot rows for class codes ``c`` (the condition of every conditional net).

    The code ``n_classes``, one past the last class, means "no class" (an unlabelled
    row) and gives an all-zero row: the conditional networks' equivalent of a
    diffusion model's null class, with no extra weights.

    Parameters
    ----------
    c : torch.Tensor of int, shape (n,)
        Class codes in ``0 .. n_classes`` (``n_classes`` for no class).
    n_classes : int
        Number of classes.

    Returns
    -------
    torch.Tensor of shape (n, n_classes)

    Examples
    --------
    >>> import torch
    >>> from skgenaug.nets import one_hot
    >>> one_hot(torch.tensor([0, 2, 3]), 3)
    tensor([[1., 0., 0.],
            [0., 0., 1.],
            [0., 0., 0.]])
    """
    rows = F.one_hot(c.long(), n_classes + 1)[:, :n_classes]
    return rows.to(torch.get_default_dtype()).contiguous()


def mlp(sizes, *, activation=nn.LeakyReLU, final_activation=None, dropout=0.0):
    """A stack of ``Linear`` layers through ``sizes`` with ``activation`` in between.

    Parameters
    ----------
    sizes : sequence of int
        Input width, hidden widths, output width.
    activation : type of nn.Module, default=nn.LeakyReLU
        Built after every layer but the last (LeakyReLU uses slope 0.2).
    final_activation : nn.Module or None, default=None
        Appended after the last layer.
    dropout : float, default=0.0
        Dropout after each hidden activation (used by the GAN discriminator).

    Returns
    -------
    nn.Sequential

    Examples
    --------
    >>> import torch
    >>> from skgenaug.nets import mlp
    >>> net = mlp([4, 8, 2])
    >>> net(torch.zeros(3, 4)).shape
    torch.Size([3, 2])
    """
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(n_in, n_out))
        if i < len(sizes) - 2:
            layers.append(activation(0.2) if activation is nn.LeakyReLU else activation())
            if dropout:
                layers.append(nn.Dropout(dropout))
    if final_activation is not None:
        layers.append(final_activation)
    return nn.Sequential(*layers)


class EncoderDecoder(nn.Module):
    """Base of the autoencoders: subclasses set ``encoder`` and ``decoder`` modules;
    ``forward`` decodes the code of its input."""

    def encode(self, x):
        return self.encoder(x)

    def decode(self, z):
        return self.decoder(z)

    def forward(self, x):
        return self.decode(self.encode(x))


class Autoencoder(EncoderDecoder):
    """Deep autoencoder: ``len(hidden_layer_sizes)`` hidden layers in the encoder and
    the same widths mirrored in the decoder.

    Parameters
    ----------
    n_features : int
        Width of a flat input row.
    hidden_layer_sizes : sequence of int
        Encoder hidden widths, outermost first (the paper uses four).
    latent_dim : int
        Width of the code.

    Examples
    --------
    >>> import torch
    >>> from skgenaug.nets import Autoencoder
    >>> Autoencoder(784).encode(torch.zeros(2, 784)).shape
    torch.Size([2, 32])
    >>> Autoencoder(784)(torch.zeros(2, 784)).shape
    torch.Size([2, 784])
    """

    def __init__(self, n_features, hidden_layer_sizes=(512, 256, 128, 64), latent_dim=32):
        super().__init__()
        hidden = list(hidden_layer_sizes)
        self.encoder = mlp([n_features, *hidden, latent_dim])
        self.decoder = mlp(
            [latent_dim, *hidden[::-1], n_features], final_activation=nn.Sigmoid()
        )


class ConditionalVAE(nn.Module):
    """Conditional VAE (Sohn et al. 2015): encoder ``Q(z | x, c)``, decoder ``P(x | z, c)``,
    the class ``c`` fed to both as a one-hot vector.

    Parameters
    ----------
    n_features : int
        Width of a flat input row.
    n_classes : int
        Number of classes of the condition.
    hidden_layer_sizes : sequence of int
        Encoder hidden widths (the paper uses two); the decoder mirrors them.
    latent_dim : int
        Width of the latent Gaussian.

    Examples
    --------
    >>> import torch
    >>> from skgenaug.nets import ConditionalVAE
    >>> net = ConditionalVAE(784, n_classes=3, hidden_layer_sizes=(16, 8), latent_dim=4)
    >>> mean, log_var = net.encode(torch.zeros(2, 784), torch.tensor([0, 2]))
    >>> mean.shape
    torch.Size([2, 4])
    >>> net.decode(mean, torch.tensor([0, 2])).shape
    torch.Size([2, 784])
    """

    def __init__(self, n_features, n_classes, hidden_layer_sizes=(512, 256), latent_dim=16):
        super().__init__()
        hidden = list(hidden_layer_sizes)
        self.n_classes = n_classes
        self.encoder = mlp([n_features + n_classes, *hidden])
        self.encoder_activation = nn.LeakyReLU(0.2)
        self.to_mean = nn.Linear(hidden[-1], latent_dim)
        self.to_log_var = nn.Linear(hidden[-1], latent_dim)
        self.decoder = mlp(
            [latent_dim + n_classes, *hidden[::-1], n_features],
            final_activation=nn.Sigmoid(),
        )

    def _one_hot(self, c):
        return one_hot(c, self.n_classes)

    def encode(self, x, c):
        h = self.encoder_activation(self.encoder(torch.cat([x, self._one_hot(c)], dim=1)))
        return self.to_mean(h), self.to_log_var(h)

    def decode(self, z, c):
        return self.decoder(torch.cat([z, self._one_hot(c)], dim=1))

    def forward(self, x, c):
        mean, log_var = self.encode(x, c)
        if self.training:
            z = mean + torch.randn_like(mean) * torch.exp(0.5 * log_var)
        else:
            z = mean
        return self.decode(z, c), mean, log_var


class ConditionalGAN(nn.Module):
    """Conditional GAN (Mirza and Osindero 2014) with fully connected generator and
    discriminator, the one-hot label concatenated to the input of both.

    Parameters
    ----------
    n_features : int
        Width of a flat image row.
    n_classes : int
        Number of classes.
    hidden_layer_sizes : sequence of int
        Generator hidden widths, innermost first (the paper uses three); the
        discriminator uses them reversed.
    latent_dim : int
        Width of the noise vector.
    auxiliary_classifier : bool, default=False
        Add a class head on the discriminator's last hidden layer (ACGAN, Odena et al.
        2017). The discriminator then sees the image alone (predicting the class is its
        task) and the label enters the generator only.

    Examples
    --------
    >>> import torch
    >>> from skgenaug.nets import ConditionalGAN
    >>> net = ConditionalGAN(784, n_classes=3, hidden_layer_sizes=(8, 16), latent_dim=4)
    >>> fake = net.generate(torch.zeros(2, 4), torch.tensor([0, 2]))
    >>> fake.shape
    torch.Size([2, 784])
    >>> net.discriminate(fake, torch.tensor([0, 2])).shape
    torch.Size([2])
    """

    def __init__(
        self,
        n_features,
        n_classes,
        hidden_layer_sizes=(256, 512, 1024),
        latent_dim=100,
        auxiliary_classifier=False,
    ):
        super().__init__()
        hidden = list(hidden_layer_sizes)
        self.n_classes = n_classes
        self.latent_dim = latent_dim
        self.auxiliary_classifier = bool(auxiliary_classifier)
        self.generator = mlp(
            [latent_dim + n_classes, *hidden, n_features], final_activation=nn.Sigmoid()
        )
        n_in = n_features if self.auxiliary_classifier else n_features + n_classes
        self.discriminator = mlp([n_in, *hidden[::-1], 1], dropout=0.3)
        self.class_head = (
            nn.Linear(hidden[0] if hidden else n_in, n_classes)
            if self.auxiliary_classifier
            else None
        )

    def _one_hot(self, c):
        return one_hot(c, self.n_classes)

    def generate(self, z, c):
        return self.generator(torch.cat([z, self._one_hot(c)], dim=1))

    def discriminate(self, x, c, with_class_logits=False):
        """Logit that ``x`` is a real image of class ``c``; with
        ``with_class_logits=True`` also the class logits (``None`` without an
        auxiliary classifier)."""
        if self.auxiliary_classifier:
            features = self.discriminator[:-1](x)
            logit = self.discriminator[-1](features).squeeze(1)
            return (logit, self.class_head(features)) if with_class_logits else logit
        logit = self.discriminator(torch.cat([x, self._one_hot(c)], dim=1)).squeeze(1)
        return (logit, None) if with_class_logits else logit

    def forward(self, z, c):
        return self.generate(z, c)
