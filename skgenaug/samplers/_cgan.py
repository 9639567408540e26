"""Conditional GAN sampler (reference paper, section 3.2), with WGAN-GP and ACGAN
training as options."""

import numbers

import torch
from sklearn.utils._param_validation import Interval, StrOptions
from skorch import NeuralNet
from skorch.callbacks import PassthroughScoring
from torch.nn import functional as F

from .._generative import _LatentVariableSampler
from .._skorch_utils import NoDefaultPrintLog
from ..base import _fill_shared_docs
from ..nets import ConditionalGAN, ConvConditionalGAN


class _AdversarialNet(NoDefaultPrintLog, NeuralNet):
    """skorch net training a conditional GAN in its ``train_step``.

    ``module_`` holds generator and discriminator (every parameter outside
    ``module_.generator`` belongs to the discriminator, heads included);
    ``optimizer_`` updates the generator and ``optimizer_discriminator_`` the
    discriminator. Every training batch is one discriminator (critic) step on that real
    batch and a generated one; every ``n_critic``-th batch is also followed by a
    generator step on the same generated batch. With ``n_critic=1``, the ``'bce'``
    objective, no gradient penalty and no auxiliary classifier this is the paper's
    alternating cGAN training with the non-saturating generator loss.

    Parameters (besides skorch's)
    -----------------------------
    objective : {'bce', 'wgan-gp'}
        ``'bce'``: logistic loss (Goodfellow et al.), non-saturating for the generator.
        ``'wgan-gp'``: Wasserstein loss, the critic minimising ``D(fake) - D(real)`` and
        the generator ``-D(fake)`` (Gulrajani et al. 2017).
    gradient_penalty : float or None
        Weight of the penalty ``(||grad_x D(x_hat, c)||_2 - 1) ** 2`` on random
        interpolates ``x_hat`` of real and generated rows (same class), added to the
        discriminator's loss; ``None`` uses none and records nothing.
    n_critic : int
        Discriminator steps per generator step.
    auxiliary_classifier : bool
        ACGAN (Odena et al. 2017): the discriminator's class head is trained on the
        cross-entropy of real and generated images' classes, the generator on that of
        its generated images; both add it to their loss. Rows without a class (code
        ``n_classes``: unlabelled real rows, and the fakes generated for them) have no
        class loss; the adversarial loss takes every row.

    History: ``train_loss`` is the generator's loss (on a batch without a generator
    step, its loss against the discriminator before that batch's update),
    ``discriminator_loss`` the discriminator's full loss (penalty and class loss
    included), ``gradient_penalty`` the weighted penalty term (when a weight is given),
    ``aux_loss`` the discriminator's class cross-entropy (with an auxiliary classifier).
    ``critic_steps_`` and ``generator_steps_`` count the updates of a fit.
    """

    def __init__(
        self,
        *args,
        objective="bce",
        gradient_penalty=None,
        n_critic=1,
        auxiliary_classifier=False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.objective = objective
        self.gradient_penalty = gradient_penalty
        self.n_critic = n_critic
        self.auxiliary_classifier = auxiliary_classifier

    def initialize_optimizer(self, triggered_directly=None):
        module = self.module_
        args, kwargs = self.get_params_for_optimizer(
            "optimizer", module.generator.named_parameters()
        )
        self.optimizer_ = self.optimizer(*args, **kwargs)
        discriminator_params = [
            (name, param)
            for name, param in module.named_parameters()
            if not name.startswith("generator.")
        ]
        args, kwargs = self.get_params_for_optimizer("optimizer", discriminator_params)
        self.optimizer_discriminator_ = self.optimizer(*args, **kwargs)
        self.critic_steps_ = 0
        self.generator_steps_ = 0
        return self

    def get_default_callbacks(self):
        extra = ["discriminator_loss"]
        if self.gradient_penalty is not None:
            extra.append("gradient_penalty")
        if self.auxiliary_classifier:
            extra.append("aux_loss")
        return [
            *super().get_default_callbacks(),
            *((name, PassthroughScoring(name=name, on_train=True)) for name in extra),
        ]

    def _adversarial_loss(self, logit, real):
        if self.objective == "wgan-gp":
            return -logit.mean() if real else logit.mean()
        target = torch.ones_like(logit) if real else torch.zeros_like(logit)
        return F.binary_cross_entropy_with_logits(logit, target)

    def _penalty(self, real, fake, labels):
        """Mean of ``(||grad D(x_hat)|| - 1) ** 2`` on random interpolates ``x_hat``."""
        eps = torch.rand(len(real), 1, device=real.device)
        mixed = (eps * real + (1 - eps) * fake).requires_grad_(True)
        (grad,) = torch.autograd.grad(
            self.module_.discriminate(mixed, labels).sum(), mixed, create_graph=True
        )
        return ((grad.norm(2, dim=1) - 1) ** 2).mean()

    def _class_loss(self, class_logits, labels, labelled):
        """Cross-entropy of the class head on the rows that have a class."""
        if labelled is None:
            return F.cross_entropy(class_logits, labels)
        if not labelled.any():
            return class_logits.sum() * 0.0  # keeps the graph; no class to learn
        return F.cross_entropy(class_logits[labelled], labels[labelled])

    def train_step(self, batch, **fit_params):
        self._set_training(True)
        real, labels = batch
        # rows without a class (code n_classes) take no class loss; decided on the
        # CPU copy of the labels, so no device synchronisation
        labelled = labels < self.module_.n_classes
        labelled = None if labelled.all() else labelled.to(self.device)
        real = real.to(self.device)
        labels = labels.to(self.device)
        module = self.module_
        aux = self.auxiliary_classifier
        generator_step = (self.critic_steps_ + 1) % self.n_critic == 0

        z = torch.randn(len(real), module.latent_dim, device=real.device)
        with torch.set_grad_enabled(generator_step):
            fake = module.generate(z, labels)

        # discriminator (critic) step
        self.optimizer_discriminator_.zero_grad()
        real_logit, real_classes = module.discriminate(real, labels, with_class_logits=True)
        fake_logit, fake_classes = module.discriminate(
            fake.detach(), labels, with_class_logits=True
        )
        d_loss = self._adversarial_loss(real_logit, True) + self._adversarial_loss(
            fake_logit, False
        )
        if self.gradient_penalty is not None:
            penalty = torch.zeros((), device=real.device)
            if self.gradient_penalty > 0:
                penalty = self.gradient_penalty * self._penalty(real, fake.detach(), labels)
                d_loss = d_loss + penalty
            self.history.record_batch("gradient_penalty", penalty.item())
        if aux:
            aux_loss = self._class_loss(real_classes, labels, labelled) + self._class_loss(
                fake_classes, labels, labelled
            )
            d_loss = d_loss + aux_loss
            self.history.record_batch("aux_loss", aux_loss.item())
        d_loss.backward()
        self.optimizer_discriminator_.step()
        self.critic_steps_ += 1
        self.history.record_batch("discriminator_loss", d_loss.item())

        if not generator_step:
            # the generator's loss against the discriminator before this update
            g_loss = self._adversarial_loss(fake_logit.detach(), True)
            if aux:
                g_loss = g_loss + self._class_loss(fake_classes.detach(), labels, labelled)
            return {"loss": g_loss, "y_pred": fake}

        self.optimizer_.zero_grad()
        logit, classes = module.discriminate(fake, labels, with_class_logits=True)
        g_loss = self._adversarial_loss(logit, True)
        if aux:
            g_loss = g_loss + self._class_loss(classes, labels, labelled)
        g_loss.backward()
        self.optimizer_.step()
        self.generator_steps_ += 1
        return {"loss": g_loss, "y_pred": fake}


@_fill_shared_docs
class CGANSampler(_LatentVariableSampler):
    """Over-sample with a conditional generative adversarial network.

    Generator and discriminator are fully connected (``len(hidden_layer_sizes)`` hidden
    layers each), the one-hot class label concatenated to the input of both (Mirza and
    Osindero, 2014); or, with ``architecture='conv'``, DCGAN-style convolutional
    networks, the class entering the discriminator as constant one-hot input channels
    and the generator appended to the noise. A new image of class ``c`` is the
    generator's output for a draw ``z ~ N(0, I)`` and the label ``c``.

    Paper defaults: three hidden layers in each network, Adam with lr 1e-4, batch 128,
    1000 epochs, the logistic (``'bce'``) objective. Widths, Adam's
    ``betas=(0.5, 0.999)`` and dropout 0.3 in the fully connected discriminator are our
    choices (the paper gives none; these are DCGAN's usual settings).

    Two stronger trainings are options. ``objective='wgan-gp'`` is the Wasserstein GAN
    with gradient penalty of Gulrajani et al. (2017), Algorithm 1: the critic minimises
    ``D(fake) - D(real) + gradient_penalty * (||grad D(x_hat)||_2 - 1) ** 2`` on random
    interpolates ``x_hat`` of real and generated images of the same class, the
    generator ``-D(fake)``; ``n_critic`` critic steps per generator step; Adam with
    ``betas=(0.0, 0.9)``; no batch normalisation in the critic (the convolutional
    critic normalises each sample on its own instead). ``auxiliary_classifier=True``
    is the ACGAN of Odena et al. (2017): the discriminator gets a head predicting the
    class, and both networks add the class cross-entropy to their loss; the
    discriminator then sees the image alone (a class input would give the answer
    away), the generator still gets the class. The two combine.

    Unlabelled rows (label ``unlabelled_label``) train both networks without a class:
    they reach the discriminator with an all-zero condition vector, the "no class"
    input, beside fakes the generator draws from the same zero condition; with the
    auxiliary classifier they enter the adversarial loss but not the class loss.

    Parameters
    ----------
    {sampling_strategy}
    architecture : {{'mlp', 'conv'}}, default='mlp'
        ``'mlp'``: the paper's fully connected networks on flat rows. ``'conv'``:
        DCGAN-style networks (:class:`skgenaug.nets.ConvConditionalGAN`): the generator
        maps noise and class linearly to small feature maps (7 x 7 for 28 x 28 images
        and two widths), then 4x4 transposed convolutions with stride 2, batch
        normalisation and ReLU double them up to the image (sigmoid output); the
        discriminator mirrors it with strided convolutions and LeakyReLU, with batch
        normalisation for ``'bce'`` and per-sample (layer) normalisation when a gradient
        penalty is used. Images of any size work (padded inside the networks to a
        multiple of ``2 ** len(hidden_layer_sizes)`` and cropped back).
    hidden_layer_sizes : array-like of int or None, default=None
        Generator widths from the noise side; the discriminator uses them reversed.
        For ``'mlp'`` the widths of the fully connected hidden layers, ``None`` meaning
        ``(256, 512, 1024)``. For ``'conv'`` channel widths, one transposed convolution
        each, ``None`` meaning ``(128, 64)`` (DCGAN's MNIST widths).
    latent_dim : int, default=100
        Width of the noise vector.
    objective : {{'bce', 'wgan-gp'}}, default='bce'
        ``'bce'``: the paper's logistic loss (non-saturating for the generator), Adam
        with ``betas=(0.5, 0.999)``. ``'wgan-gp'``: Wasserstein loss with gradient
        penalty, Adam with ``betas=(0.0, 0.9)`` (Gulrajani et al.).
    gradient_penalty : float or None, default=None
        Weight of the gradient penalty on the discriminator. ``None`` means 10.0 with
        ``'wgan-gp'`` (Gulrajani et al.) and no penalty with ``'bce'``; a number is
        used with either objective (with ``'bce'`` it penalises the logit's gradient,
        as in Fedus et al. 2018). The weighted penalty is recorded in the history as
        ``gradient_penalty`` whenever one is configured (0 for a weight of 0).
    n_critic : int or None, default=None
        Discriminator steps per generator step: every training batch updates the
        discriminator, every ``n_critic``-th batch also the generator. ``None`` means 5
        with ``'wgan-gp'`` (Gulrajani et al.) and 1 with ``'bce'`` (the paper's
        alternating steps). An epoch is one pass of the discriminator over the data, so
        the generator takes ``1 / n_critic`` as many steps per epoch.
    auxiliary_classifier : bool, default=False
        ACGAN: add a class-predicting head to the discriminator; both losses add the
        class cross-entropy (the discriminator's on real and generated images, recorded
        as ``aux_loss``; the generator's on its images).
    max_epochs : int, default=1000
        Training epochs.
    {batch_size}
    lr : float, default=1e-4
        Adam learning rate of both networks.
    {callbacks}
    {device}
    {random_state}
    {verbose}
    {unlabelled_label}

    Attributes
    ----------
    {resampling_attributes}
    net_ : skorch.NeuralNet
        The trained networks; ``net_.module_`` is a :class:`skgenaug.nets.ConditionalGAN`
        (a :class:`skgenaug.nets.ConvConditionalGAN` for ``architecture='conv'``). Its
        history holds ``train_loss`` (generator) and ``discriminator_loss`` per epoch,
        plus ``gradient_penalty`` and ``aux_loss`` when those are used;
        ``net_.critic_steps_`` and ``net_.generator_steps_`` count the updates.
    {input_attributes}

    See Also
    --------
    AESampler : Autoencoder sampler.
    CVAESampler : Conditional VAE sampler.

    References
    ----------
    Mirza and Osindero, "Conditional Generative Adversarial Nets", 2014.
    Radford, Metz and Chintala, "Unsupervised Representation Learning with Deep
    Convolutional Generative Adversarial Networks", ICLR 2016.
    Gulrajani, Ahmed, Arjovsky, Dumoulin and Courville, "Improved Training of
    Wasserstein GANs", NeurIPS 2017.
    Odena, Olah and Shlens, "Conditional Image Synthesis with Auxiliary Classifier
    GANs", ICML 2017.

    Examples
    --------
    >>> from skgenaug import CGANSampler
    >>> from skgenaug.datasets import make_image_classification
    >>> X, y = make_image_classification(60, n_classes=2, weights=[0.7, 0.3],
    ...                                  random_state=0)
    >>> X_res, y_res = CGANSampler(max_epochs=2, random_state=0).fit_resample(X, y)
    >>> bool((y_res == 0).sum() == (y_res == 1).sum())
    True
    >>> sampler = CGANSampler(architecture="conv", objective="wgan-gp",
    ...                       auxiliary_classifier=True, max_epochs=2, random_state=0)
    >>> sorted(sampler.fit(X, y).history_[-1].keys() & {{"aux_loss", "gradient_penalty"}})
    ['aux_loss', 'gradient_penalty']
    """

    _parameter_constraints: dict = {
        **_LatentVariableSampler._parameter_constraints,
        "objective": [StrOptions({"bce", "wgan-gp"})],
        "gradient_penalty": [Interval(numbers.Real, 0, None, closed="left"), None],
        "n_critic": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "auxiliary_classifier": ["boolean"],
    }

    default_hidden_layer_sizes: dict = {"mlp": (256, 512, 1024), "conv": (128, 64)}

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        architecture="mlp",
        hidden_layer_sizes=None,
        latent_dim=100,
        objective="bce",
        gradient_penalty=None,
        n_critic=None,
        auxiliary_classifier=False,
        max_epochs=1000,
        batch_size=128,
        lr=1e-4,
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
        self.objective = objective
        self.gradient_penalty = gradient_penalty
        self.n_critic = n_critic
        self.auxiliary_classifier = auxiliary_classifier

    def _make_net(self, n_features, n_classes):
        wgan = self.objective == "wgan-gp"
        penalty = self.gradient_penalty
        if penalty is None and wgan:
            penalty = 10.0
        extra = {}
        if self.architecture == "conv":
            # batch statistics mix the samples, which a per-sample gradient penalty
            # (configured whenever the objective is 'wgan-gp') must not see
            extra["discriminator_norm"] = "batch" if penalty is None else "layer"
        return _AdversarialNet(
            **self._module_params(
                ConditionalGAN,
                ConvConditionalGAN,
                n_features,
                n_classes=n_classes,
                latent_dim=self.latent_dim,
                auxiliary_classifier=self.auxiliary_classifier,
                **extra,
            ),
            objective=self.objective,
            gradient_penalty=None if penalty is None else float(penalty),
            n_critic=self.n_critic if self.n_critic is not None else (5 if wgan else 1),
            auxiliary_classifier=self.auxiliary_classifier,
            criterion=torch.nn.BCEWithLogitsLoss,
            optimizer=torch.optim.Adam,
            optimizer__betas=(0.0, 0.9) if wgan else (0.5, 0.999),
            **self._net_kwargs(),
        )

    def _train(self, X01, y_enc):
        self.net_.fit(X01, y_enc)

    def _generate_scaled(self, y_enc, generator):
        z = self._noise((len(y_enc), self.latent_dim), generator)
        return self.net_.module_.generate(z, y_enc.to(self.device_))
