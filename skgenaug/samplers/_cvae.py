"""Conditional VAE sampler (reference paper, section 3.2)."""

import torch
from skorch import NeuralNet
from torch.nn import functional as F

from .._generative import _LatentVariableSampler
from .._skorch_utils import NoDefaultPrintLog
from ..base import _fill_shared_docs
from ..nets import ConditionalVAE, ConvConditionalVAE


class _ELBONet(NoDefaultPrintLog, NeuralNet):
    """skorch net whose loss is the negative ELBO of a conditional VAE: Bernoulli
    reconstruction (binary cross-entropy on ``[0, 1]`` pixels) plus the KL divergence
    of ``Q(z | x, c)`` from the standard normal prior, both summed over a row and
    averaged over the batch."""

    def get_loss(self, y_pred, y_true, X=None, training=False):
        reconstruction, mean, log_var = y_pred
        target = y_true.to(reconstruction.device)
        recon = F.binary_cross_entropy(reconstruction, target, reduction="sum")
        kl = -0.5 * torch.sum(1 + log_var - mean.pow(2) - log_var.exp())
        return (recon + kl) / len(target)


@_fill_shared_docs
class CVAESampler(_LatentVariableSampler):
    """Over-sample with a conditional variational autoencoder.

    The encoder ``Q(z | x, c)`` and decoder ``P(x | z, c)`` (``len(hidden_layer_sizes)``
    fully connected hidden layers each, the class fed to both as a one-hot vector; or,
    with ``architecture='conv'``, strided convolutions and transposed convolutions,
    the class entering the encoder as constant one-hot input channels and the decoder
    appended to ``z``) are trained on the evidence lower bound. A new image of class
    ``c`` decodes a draw ``z ~ N(0, I)`` from the prior with the condition ``c``.

    Unlabelled rows (label ``unlabelled_label``) train encoder and decoder on the same
    ELBO with an all-zero condition vector, the network's "no class" input: the shared
    weights learn the images of the whole pool, the one-hot inputs what sets each
    class apart.

    Paper defaults: two hidden layers each side, Adam, batch 128, 300 epochs (the paper
    gives no learning rate or widths; lr 1e-3 and widths 512-256 are our choice).

    Parameters
    ----------
    {sampling_strategy}
    architecture : {{'mlp', 'conv'}}, default='mlp'
        ``'mlp'``: the paper's fully connected networks on flat rows. ``'conv'``:
        DCGAN-style convolutional ones (:class:`skgenaug.nets.ConvConditionalVAE`): 4x4
        convolutions with stride 2 (28 -> 14 -> 7 for two widths) with batch
        normalisation and LeakyReLU in the encoder, transposed convolutions back in the
        decoder. Images of any size work (padded inside the network to a multiple of
        ``2 ** len(hidden_layer_sizes)`` and cropped back).
    hidden_layer_sizes : array-like of int or None, default=None
        Encoder widths, outermost first; the decoder mirrors them. For ``'mlp'`` the
        widths of the fully connected hidden layers, ``None`` meaning ``(512, 256)``.
        For ``'conv'`` the channel widths of the strided convolutions, ``None`` meaning
        ``(32, 64)``.
    latent_dim : int, default=16
        Width of the latent Gaussian.
    max_epochs : int, default=300
        Training epochs.
    {batch_size}
    lr : float, default=1e-3
        Adam learning rate.
    {callbacks}
    {device}
    {random_state}
    {verbose}
    {unlabelled_label}

    Attributes
    ----------
    {resampling_attributes}
    net_ : skorch.NeuralNet
        The trained network; its ``module_`` is a :class:`skgenaug.nets.ConditionalVAE`
        (or a :class:`skgenaug.nets.ConvConditionalVAE` for ``architecture='conv'``).
    {input_attributes}

    See Also
    --------
    AESampler : Autoencoder sampler.
    CGANSampler : Conditional GAN sampler.

    Examples
    --------
    >>> from skgenaug import CVAESampler, AddPerClass
    >>> from skgenaug.datasets import make_image_classification
    >>> X, y = make_image_classification(60, n_classes=2, random_state=0)
    >>> sampler = CVAESampler(max_epochs=2, random_state=0).fit(X, y)
    >>> sampler.generate([0, 1, 1], random_state=0).shape
    (3, 28, 28)
    """

    default_hidden_layer_sizes: dict = {"mlp": (512, 256), "conv": (32, 64)}

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        architecture="mlp",
        hidden_layer_sizes=None,
        latent_dim=16,
        max_epochs=300,
        batch_size=128,
        lr=1e-3,
        callbacks=None,
        device="cpu",
        random_state=None,
        verbose=0,
        unlabelled_label=-1,
    ):
        super().__init__(
            sampling_strategy=sampling_strategy,
            architecture=architecture,
            hidden_layer_sizes=hidden_layer_sizes,
            latent_dim=latent_dim,
            max_epochs=max_epochs,
            batch_size=batch_size,
            lr=lr,
            callbacks=callbacks,
            device=device,
            random_state=random_state,
            verbose=verbose,
            unlabelled_label=unlabelled_label,
        )

    def _make_net(self, n_features, n_classes):
        return _ELBONet(
            **self._module_params(
                ConditionalVAE,
                ConvConditionalVAE,
                n_features,
                n_classes=n_classes,
                latent_dim=self.latent_dim,
            ),
            criterion=torch.nn.BCELoss,
            optimizer=torch.optim.Adam,
            **self._net_kwargs(),
        )

    def _train(self, X01, y_enc):
        self.net_.fit({"x": X01, "c": y_enc}, X01)

    def _generate_scaled(self, y_enc, generator):
        z = self._noise((len(y_enc), self.latent_dim), generator)
        return self.net_.module_.decode(z, y_enc.to(self.device_))
