"""Conditional GAN sampler (reference paper, section 3.2)."""

import numpy as np
import torch
from skorch import NeuralNet
from skorch.callbacks import PassthroughScoring
from torch.nn import functional as F

from ..base import BaseGenerativeSampler
from ..nets import ConditionalGAN


class _AdversarialNet(NeuralNet):
    """skorch net training a conditional GAN: ``module_`` holds generator and
    discriminator, ``optimizer_`` updates the generator and ``optimizer_discriminator_``
    the discriminator. Each training step updates the discriminator on a real and a
    generated batch, then the generator (non-saturating loss). ``train_loss`` in the
    history is the generator's loss, ``discriminator_loss`` the discriminator's."""

    def initialize_optimizer(self, triggered_directly=None):
        module = self.module_
        args, kwargs = self.get_params_for_optimizer(
            "optimizer", module.generator.named_parameters()
        )
        self.optimizer_ = self.optimizer(*args, **kwargs)
        args, kwargs = self.get_params_for_optimizer(
            "optimizer", module.discriminator.named_parameters()
        )
        self.optimizer_discriminator_ = self.optimizer(*args, **kwargs)
        return self

    def get_default_callbacks(self):
        return [
            *super().get_default_callbacks(),
            (
                "discriminator_loss",
                PassthroughScoring(name="discriminator_loss", on_train=True),
            ),
        ]

    def train_step(self, batch, **fit_params):
        self._set_training(True)
        real, labels = batch
        real = real.to(self.device)
        labels = labels.to(self.device)
        module = self.module_
        n = len(real)
        ones = torch.ones(n, device=real.device)
        zeros = torch.zeros(n, device=real.device)

        z = torch.randn(n, module.latent_dim, device=real.device)
        fake = module.generate(z, labels)
        self.optimizer_discriminator_.zero_grad()
        d_loss = F.binary_cross_entropy_with_logits(
            module.discriminate(real, labels), ones
        ) + F.binary_cross_entropy_with_logits(
            module.discriminate(fake.detach(), labels), zeros
        )
        d_loss.backward()
        self.optimizer_discriminator_.step()

        self.optimizer_.zero_grad()
        g_loss = F.binary_cross_entropy_with_logits(module.discriminate(fake, labels), ones)
        g_loss.backward()
        self.optimizer_.step()

        self.history.record_batch("discriminator_loss", d_loss.item())
        return {"loss": g_loss, "y_pred": fake}


class CGANSampler(BaseGenerativeSampler):
    """Over-sample with a conditional generative adversarial network.

    Generator and discriminator are fully connected (``len(hidden_layer_sizes)`` hidden
    layers each), the one-hot class label concatenated to the input of both (Mirza and
    Osindero, 2014). A new image of class ``c`` is the generator's output for a draw
    ``z ~ N(0, I)`` and the label ``c``.

    Paper defaults: three hidden layers in each network, Adam with lr 1e-4, batch 128,
    1000 epochs. Widths, Adam's ``betas=(0.5, 0.999)`` and dropout 0.3 in the
    discriminator are our choices (the paper gives none; these are DCGAN's usual
    settings).

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        As in imbalanced-learn's over-samplers: 'auto' (= 'not majority'), 'minority',
        'not minority', 'all', a float (binary only), a dict ``{class: desired total}``
        or a callable returning one. To add ``n`` images to every class, as the paper
        does, pass :class:`~skgenaug.AddPerClass` ``(n)``.
    hidden_layer_sizes : array-like of int, default=(256, 512, 1024)
        Generator hidden widths from the noise side; the discriminator uses them
        reversed.
    latent_dim : int, default=100
        Width of the noise vector.
    max_epochs : int, default=1000
        Training epochs.
    batch_size : int, default=128
        Mini-batch size.
    lr : float, default=1e-4
        Adam learning rate of both networks.
    callbacks : list of skorch callbacks or None, default=None
        Extra callbacks for the skorch net.
    device : str, default='cpu'
        'cpu', 'cuda', 'cuda:N', 'mps' or 'auto' (CUDA when available).
    random_state : int, RandomState instance or None, default=None
        Seeds weights, batch order, noise and generation.
    verbose : int, default=0
        0 is silent, 1 prints a line per epoch, 2 adds a progress bar per epoch.

    Attributes
    ----------
    sampling_strategy_ : dict
        Number of samples generated per class.
    classes_ : ndarray
        Class labels seen in ``fit``.
    net_ : skorch.NeuralNet
        The trained networks; ``net_.module_`` is a :class:`skgenaug.nets.ConditionalGAN`.
        Its history holds ``train_loss`` (generator) and ``discriminator_loss``.
    n_features_in_ : int
        Values per sample (pixels times channels for images).
    feature_names_in_ : ndarray of str
        Column names, when X was a DataFrame with string column names.

    See Also
    --------
    AESampler : Autoencoder sampler.
    CVAESampler : Conditional VAE sampler.

    Examples
    --------
    >>> from skgenaug import CGANSampler
    >>> from skgenaug.datasets import make_image_classification
    >>> X, y = make_image_classification(60, n_classes=2, weights=[0.7, 0.3],
    ...                                  random_state=0)
    >>> X_res, y_res = CGANSampler(max_epochs=2, random_state=0).fit_resample(X, y)
    >>> (y_res == 0).sum() == (y_res == 1).sum()
    True
    """

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        hidden_layer_sizes=(256, 512, 1024),
        latent_dim=100,
        max_epochs=1000,
        batch_size=128,
        lr=1e-4,
        callbacks=None,
        device="cpu",
        random_state=None,
        verbose=0,
    ):
        super().__init__(sampling_strategy=sampling_strategy)
        self.hidden_layer_sizes = hidden_layer_sizes
        self.latent_dim = latent_dim
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.callbacks = callbacks
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def _make_net(self, n_features, n_classes):
        return _AdversarialNet(
            module=ConditionalGAN,
            module__n_features=n_features,
            module__n_classes=n_classes,
            module__hidden_layer_sizes=tuple(np.atleast_1d(self.hidden_layer_sizes)),
            module__latent_dim=self.latent_dim,
            criterion=torch.nn.BCEWithLogitsLoss,
            optimizer=torch.optim.Adam,
            optimizer__betas=(0.5, 0.999),
            **self._net_kwargs(),
        )

    def _train(self, X01, y_enc):
        self.net_.fit(X01, y_enc)

    def _generate_scaled(self, y_enc, generator):
        z = self._noise((len(y_enc), self.latent_dim), generator)
        return self.net_.module_.generate(z, y_enc.to(self.device_))
