"""Class-conditional denoising diffusion sampler: DDPM training with classifier-free
guidance, deterministic DDIM sampling, from noise or as variations of real images."""

import math
import numbers

import numpy as np
import torch
from sklearn.utils._param_validation import Interval, StrOptions
from skorch import NeuralNet

from .._generative import BaseGenerativeSampler
from .._skorch_utils import ExponentialMovingAverage, NoDefaultPrintLog
from .._torch_utils import array_to_tensor
from ..base import _fill_shared_docs
from ..nets import ConditionalUNet


def cosine_alphas_cumprod(n_timesteps):
    """``alpha_bar_t``, the signal share left at timestep ``t = 0 .. T - 1``, of the
    cosine noise schedule (Nichol and Dhariwal 2021, betas clipped at 0.999), float64.

    A training image noised to step ``t`` is
    ``sqrt(alpha_bar_t) * x0 + sqrt(1 - alpha_bar_t) * noise``; ``alpha_bar`` falls from
    about 1 at ``t = 0`` to about 0 at ``t = T - 1`` (pure noise).
    """
    offset = 0.008
    steps = torch.arange(n_timesteps + 1, dtype=torch.float64) / n_timesteps
    f = torch.cos((steps + offset) / (1 + offset) * math.pi / 2) ** 2
    betas = (1 - f[1:] / f[:-1]).clamp(max=0.999)
    return torch.cumprod(1 - betas, dim=0)


def ddim_timesteps(first, n_steps):
    """``n_steps`` descending timesteps from ``first`` towards 0, evenly spaced, the
    first one ``first`` itself ("trailing" spacing: Lin et al. 2024 show that starting
    the few-step trajectory at the last timestep, not below it, matters).

    Examples
    --------
    >>> ddim_timesteps(999, 4).tolist()
    [999, 749, 499, 249]
    >>> ddim_timesteps(49, 2).tolist()
    [49, 24]
    """
    n_steps = max(1, min(int(n_steps), first + 1))
    edges = np.round(np.linspace(first + 1, 0, n_steps + 1)[:-1]).astype(int) - 1
    return edges


def prediction_target(x0, noise, alpha_bar, prediction_type):
    """What the network learns to predict for clean rows ``x0`` noised with ``noise``
    to a step of signal share ``alpha_bar``: the noise (``'epsilon'``) or the velocity
    ``v = sqrt(alpha_bar) * noise - sqrt(1 - alpha_bar) * x0`` (``'v'``)."""
    if prediction_type == "v":
        return alpha_bar**0.5 * noise - (1 - alpha_bar) ** 0.5 * x0
    return noise


def predicted_clean_image(noised, prediction, alpha_bar, prediction_type):
    """The clean rows implied by a prediction (of the noise or of ``v``) for rows
    ``noised`` at a step of signal share ``alpha_bar``: the inverse of
    :func:`prediction_target`."""
    if prediction_type == "v":
        return alpha_bar**0.5 * noised - (1 - alpha_bar) ** 0.5 * prediction
    return (noised - (1 - alpha_bar) ** 0.5 * prediction) / alpha_bar**0.5


class _DenoisingNet(NoDefaultPrintLog, NeuralNet):
    """skorch net training a noise predictor (DDPM, Ho et al. 2020).

    Every training batch of rows ``x0`` in ``[0, 1]`` (mapped to ``[-1, 1]``) and class
    codes draws a timestep ``t`` per row uniformly from ``0 .. n_train_timesteps - 1``
    and Gaussian noise, noises the rows to ``t`` on the cosine schedule, replaces each
    class code by the null class (``module_.n_classes``) with probability
    ``class_dropout`` (classifier-free guidance, Ho and Salimans 2022; codes that are
    already ``n_classes``, unlabelled rows, stay there), and minimises the mean squared
    error (the criterion, ``MSELoss``) between the module's output and its target, the
    noise or the velocity ``v`` (:func:`prediction_target`).

    Parameters (besides skorch's)
    -----------------------------
    n_train_timesteps : int
        Number of diffusion steps ``T``.
    class_dropout : float
        Probability of training a row with the null class instead of its own.
    prediction_type : {'v', 'epsilon'}
        The module's target.
    """

    def __init__(self, *args, n_train_timesteps=1000, class_dropout=0.1,
                 prediction_type="v", **kwargs):
        super().__init__(*args, **kwargs)
        self.n_train_timesteps = n_train_timesteps
        self.class_dropout = class_dropout
        self.prediction_type = prediction_type

    def initialize_module(self):
        super().initialize_module()
        self.alphas_cumprod_ = cosine_alphas_cumprod(self.n_train_timesteps).float()
        return self

    def train_step_single(self, batch, **fit_params):
        self._set_training(True)
        rows, codes = batch
        x0 = rows.to(self.device) * 2 - 1
        codes = codes.to(self.device)
        n = len(x0)
        t = torch.randint(self.n_train_timesteps, (n,), device=x0.device)
        noise = torch.randn_like(x0)
        alpha_bar = self.alphas_cumprod_.to(x0.device)[t][:, None]
        noised = alpha_bar.sqrt() * x0 + (1 - alpha_bar).sqrt() * noise
        dropped = torch.rand(n, device=x0.device) < self.class_dropout
        codes = torch.where(dropped, torch.full_like(codes, self.module_.n_classes), codes)
        predicted = self.module_(noised, t, codes)
        target = prediction_target(x0, noise, alpha_bar, self.prediction_type)
        loss = self.get_loss(predicted, target, X=rows, training=True)
        loss.backward()
        return {"loss": loss, "y_pred": predicted}


@_fill_shared_docs
class DiffusionSampler(BaseGenerativeSampler):
    """Over-sample with a class-conditional denoising diffusion model.

    A small U-Net (:class:`skgenaug.nets.ConditionalUNet`) learns to undo the noise
    added to training images (DDPM, Ho et al. 2020: pixels scaled to ``[-1, 1]``, a
    timestep ``t`` drawn uniformly from ``0 .. n_train_timesteps - 1`` per image, the
    cosine noise schedule of Nichol and Dhariwal 2021, a mean squared error),
    conditioned on the timestep and the class. By default it predicts the *velocity*
    ``v = sqrt(alpha_bar_t) * noise - sqrt(1 - alpha_bar_t) * image`` (Salimans and
    Ho 2022) rather than the noise (``prediction_type='epsilon'``, DDPM's choice): at
    the last timesteps, where almost no signal is left, an image recovered from
    predicted noise amplifies every error of the prediction thousands of times, and
    after short trainings the images came out with wrong contrast and speckle; ``v``
    stays well-conditioned at every timestep. With probability ``class_dropout`` a
    training image's class is replaced by a learned *null class*, so the same network
    also learns the unconditional model that classifier-free guidance needs (Ho and
    Salimans 2022); unlabelled rows (label ``unlabelled_label``) train that null class
    too, every time. An exponential moving average (EMA) of the weights, with a warm-up
    (:class:`~skgenaug._skorch_utils.ExponentialMovingAverage`, a skorch callback),
    replaces the trained weights at the end and is what generates.

    New images come from ``n_sampling_steps`` deterministic DDIM steps (Song et al.
    2021, ``eta = 0``; the predicted clean image clipped to the pixel range at every
    step), in one of two ways:

    - ``strength=1.0`` (the default): *from noise*. Each image starts as pure Gaussian
      noise and is denoised with its class condition: a new draw from the model.
    - ``0 < strength < 1``: *variations of real images* (SDEdit, Meng et al. 2022, as
      DA-Fusion uses it for augmentation). For a new image of class ``c`` a random
      training image of class ``c`` is noised to timestep ``strength *
      n_train_timesteps`` and denoised from there with the condition ``c``, in
      ``ceil(strength * n_sampling_steps)`` steps. Small strengths keep the source
      image almost unchanged (near-copies); larger ones change more of it. The label is
      the source image's label, which is the class asked for.

    ``guidance_scale`` ``s`` mixes the conditional and the null-class predictions at
    every step (one batched forward pass for both):
    ``pred = pred_null + s * (pred_class - pred_null)``, diffusers' convention (the
    same mix of noise predictions for ``prediction_type='epsilon'``). ``s = 1``
    is the plain conditional model (one forward pass per step, the cheapest), ``s = 0``
    the unconditional one, ``s > 1`` pushes images towards what distinguishes their
    class, at the cost of diversity (Ho and Salimans' ``w`` is ``s - 1``). The default
    1.0 keeps the most diversity, which is what augmentation needs, and halves the
    sampling cost; raise it (1.5-3) when generated images do not look like their class.
    ``guidance_scale``, ``strength`` and ``n_sampling_steps`` act at generation only:
    change them with ``set_params`` on a fitted sampler without refitting.

    **Memorisation.** Diffusion models copy training images more readily than GANs on
    small data sets, and class conditioning makes it more likely; variations with a low
    ``strength`` are near-copies by construction. Check generated images with
    :func:`skgenaug.metrics.memorization_report` (it flags strength-0.05 variations
    as near-copies, unless near-duplicates between the training and held-out images
    lower its threshold: see the user guide) and
    :func:`skgenaug.plotting.plot_nearest_training_images` before calling them new
    data. The fitted sampler keeps the (scaled) training images, so
    a pickled sampler holds the training data.

    **Cost.** The defaults are sized for a GPU. On a CPU, use a smaller network and
    fewer steps (for example ``hidden_layer_sizes=(16, 32, 32)``,
    ``layers_per_block=1``, ``n_sampling_steps=20``): see the user guide for measured
    times.

    Parameters
    ----------
    {sampling_strategy}
    hidden_layer_sizes : array-like of int or None, default=None
        Channel widths of the U-Net, one resolution level each, full resolution first;
        the resolution halves between levels (images are zero-padded inside the
        network to a multiple of ``2 ** (len(hidden_layer_sizes) - 1)`` and cropped
        back, so any size works, flat tabular rows too as ``1 x n_features`` strips).
        ``None`` means ``(64, 128, 128)``.
    layers_per_block : int, default=2
        Residual blocks per resolution level (one more on the way up).
    attention : bool, default=True
        Self-attention at the lowest resolution (in the U-Net's middle block).
    n_train_timesteps : int, default=1000
        Number of diffusion steps ``T`` of the noise schedule.
    n_sampling_steps : int, default=50
        DDIM steps from pure noise (at most ``n_train_timesteps``); variations take
        ``ceil(strength * n_sampling_steps)``.
    guidance_scale : float, default=1.0
        Classifier-free guidance scale ``s >= 0`` (see above): 1 is the conditional
        model, 0 the unconditional one, above 1 stronger class guidance. A value other
        than 1 needs a trained null class (``class_dropout > 0``, or unlabelled rows).
    class_dropout : float, default=0.1
        Probability, in ``[0, 1]``, that a training image is shown with the null class
        instead of its own (Ho and Salimans use 0.1-0.2).
    strength : float, default=1.0
        In ``(0, 1]``: 1 generates from pure noise; below 1, variations of random real
        images of the class, noised part of the way (see above).
    ema_decay : float, default=0.999
        Largest decay of the exponential moving average of the weights, in ``[0,
        1)``; 0 keeps the last weights. A warm-up (decay ``min(ema_decay, (1 + k) /
        (10 + k))`` after ``k`` steps) keeps short trainings from sampling with
        averages that are still mostly the random initial weights.
    prediction_type : {{'v', 'epsilon'}}, default='v'
        What the network predicts: the velocity ``v`` (see above) or the noise
        (``'epsilon'``, as in DDPM and diffusers' default). Both are trained with a
        mean squared error on their target.
    max_epochs : int, default=1000
        Training epochs (passes over the data; one noise draw per image and epoch).
    {batch_size} Generation runs in batches of this size too.
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
        The trained network; its ``module_`` is a
        :class:`skgenaug.nets.ConditionalUNet` holding the EMA weights, and its
        history records ``train_loss``, the mean squared error of the prediction
        (of ``v`` or of the noise).
    training_rows_ : ndarray of shape (n_samples, n_features)
        The training images as flat rows scaled to ``[0, 1]`` (the sources of
        variations, ``strength < 1``).
    training_codes_ : ndarray of shape (n_samples,)
        The encoded class (index into ``classes_``) of each row of
        ``training_rows_`` (labelled rows only: unlabelled ones are never the source of
        a variation).
    {input_attributes}

    See Also
    --------
    CVAESampler : Conditional VAE sampler.
    CGANSampler : Conditional GAN sampler.
    skgenaug.metrics.memorization_report : Near-copies of training images.

    References
    ----------
    Ho, Jain and Abbeel, "Denoising Diffusion Probabilistic Models", NeurIPS 2020.
    Song, Meng and Ermon, "Denoising Diffusion Implicit Models", ICLR 2021.
    Nichol and Dhariwal, "Improved Denoising Diffusion Probabilistic Models", ICML 2021.
    Ho and Salimans, "Classifier-Free Diffusion Guidance", 2022.
    Salimans and Ho, "Progressive Distillation for Fast Sampling of Diffusion Models",
    ICLR 2022 (the ``v`` prediction).
    Meng et al., "SDEdit: Guided Image Synthesis and Editing with Stochastic
    Differential Equations", ICLR 2022.
    Trabucco et al., "Effective Data Augmentation With Diffusion Models" (DA-Fusion),
    ICLR 2024.

    Examples
    --------
    >>> from skgenaug import AddPerClass, DiffusionSampler
    >>> from skgenaug.datasets import make_image_classification
    >>> X, y = make_image_classification(40, n_classes=2, image_size=12, random_state=0)
    >>> sampler = DiffusionSampler(hidden_layer_sizes=(8, 16), layers_per_block=1,
    ...                            n_sampling_steps=5, max_epochs=2, random_state=0)
    >>> sampler.fit(X, y).generate([0, 1, 1], random_state=0).shape
    (3, 12, 12)
    >>> variations = sampler.set_params(strength=0.5).generate([1, 1], random_state=0)
    >>> sampler.set_params(sampling_strategy=AddPerClass(5))  # doctest: +ELLIPSIS
    DiffusionSampler(...)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> X_res.shape, X_res.dtype
    ((50, 12, 12), dtype('uint8'))
    """

    _parameter_constraints: dict = {
        **BaseGenerativeSampler._parameter_constraints,
        "layers_per_block": [Interval(numbers.Integral, 1, None, closed="left")],
        "attention": ["boolean"],
        "n_train_timesteps": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_sampling_steps": [Interval(numbers.Integral, 1, None, closed="left")],
        "guidance_scale": [Interval(numbers.Real, 0, None, closed="left")],
        "class_dropout": [Interval(numbers.Real, 0, 1, closed="both")],
        "strength": [Interval(numbers.Real, 0, 1, closed="right")],
        "ema_decay": [Interval(numbers.Real, 0, 1, closed="left")],
        "prediction_type": [StrOptions({"v", "epsilon"})],
    }

    default_hidden_layer_sizes: tuple = (64, 128, 128)

    #: Parameters used only when drawing images, not in training: a fitted sampler
    #: generates under new values of them (``set_params``) without refitting, and
    #: the evaluation engine shares one trained model between methods that differ
    #: only in them (``diffusion`` and ``diffusion-variation``).
    _generation_params = ("strength", "guidance_scale", "n_sampling_steps")

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        hidden_layer_sizes=None,
        layers_per_block=2,
        attention=True,
        n_train_timesteps=1000,
        n_sampling_steps=50,
        guidance_scale=1.0,
        class_dropout=0.1,
        strength=1.0,
        ema_decay=0.999,
        prediction_type="v",
        max_epochs=1000,
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
            hidden_layer_sizes=hidden_layer_sizes,
            max_epochs=max_epochs,
            batch_size=batch_size,
            lr=lr,
            callbacks=callbacks,
            device=device,
            random_state=random_state,
            verbose=verbose,
            unlabelled_label=unlabelled_label,
        )
        self.layers_per_block = layers_per_block
        self.attention = attention
        self.n_train_timesteps = n_train_timesteps
        self.n_sampling_steps = n_sampling_steps
        self.guidance_scale = guidance_scale
        self.class_dropout = class_dropout
        self.strength = strength
        self.ema_decay = ema_decay
        self.prediction_type = prediction_type

    # ------------------------------------------------------------------ validation
    def _hidden_layer_sizes(self):
        sizes = super()._hidden_layer_sizes()
        if not sizes:
            raise ValueError(
                "DiffusionSampler needs at least one channel width in "
                "hidden_layer_sizes; got an empty sequence."
            )
        return sizes

    def _check_settings(self, null_class_trained):
        """Combinations of parameters that each pass their own check but not together."""
        if self.n_sampling_steps > self.n_train_timesteps:
            raise ValueError(
                f"n_sampling_steps={self.n_sampling_steps} is more than "
                f"n_train_timesteps={self.n_train_timesteps}; DDIM takes at most one "
                "step per training timestep."
            )
        if self.guidance_scale != 1 and not null_class_trained:
            raise ValueError(
                f"guidance_scale={self.guidance_scale} mixes in the null class's "
                "prediction, which class_dropout=0 never trains (and there are no "
                "unlabelled rows); set class_dropout > 0 (e.g. 0.1) or guidance_scale=1."
            )

    # ------------------------------------------------------------------ fitting
    def _make_net(self, n_features, n_classes):
        kwargs = self._net_kwargs()
        # The EMA comes first: when training ends, the module holds the averaged
        # weights before any user callback (a checkpoint, say) sees it.
        ema = ("ema", ExponentialMovingAverage(decay=self.ema_decay))
        kwargs["callbacks"] = [ema, *(kwargs["callbacks"] or [])]
        return _DenoisingNet(
            module=ConditionalUNet,
            module__image_shape=self.layout_.hwc,
            module__n_classes=n_classes,
            module__hidden_layer_sizes=self._hidden_layer_sizes(),
            module__layers_per_block=self.layers_per_block,
            module__attention=self.attention,
            n_train_timesteps=self.n_train_timesteps,
            class_dropout=float(self.class_dropout),
            prediction_type=self.prediction_type,
            criterion=torch.nn.MSELoss,
            optimizer=torch.optim.Adam,
            **kwargs,
        )

    def _train(self, X01, y_enc):
        # Codes equal to len(classes_) (rows without a label) train the null class.
        n_classes = len(self.classes_)
        self._null_class_trained = bool(
            self.class_dropout > 0 or (y_enc == n_classes).any()
        )
        self._check_settings(self._null_class_trained)
        self.net_.fit(X01, y_enc)
        labelled = (y_enc < n_classes).numpy()
        self.training_rows_ = X01.numpy()[labelled]
        self.training_codes_ = y_enc.numpy()[labelled]

    # ------------------------------------------------------------------ generation
    def _generate(self, y_enc, random_state):
        self._validate_params()  # generation parameters may have been set after fit
        self._check_settings(self._null_class_trained)
        return super()._generate(y_enc, random_state)

    def _generate_scaled(self, y_enc, generator):
        alphas_cumprod = cosine_alphas_cumprod(self.n_train_timesteps).tolist()
        n_features = self.training_rows_.shape[1]
        noise = self._noise((len(y_enc), n_features), generator)
        if self.strength < 1:
            first = max(math.ceil(self.strength * self.n_train_timesteps) - 1, 0)
            n_steps = math.ceil(self.strength * self.n_sampling_steps)
            sources = self._variation_sources(y_enc, generator).to(self.device_) * 2 - 1
            alpha_bar = alphas_cumprod[first]
            start = math.sqrt(alpha_bar) * sources + math.sqrt(1 - alpha_bar) * noise
        else:
            first, n_steps = self.n_train_timesteps - 1, self.n_sampling_steps
            start = noise
        timesteps = ddim_timesteps(first, n_steps).tolist()
        codes = y_enc.to(self.device_)
        denoised = [
            self._ddim(start[i : i + self.batch_size], codes[i : i + self.batch_size],
                       timesteps, alphas_cumprod)
            for i in range(0, len(codes), self.batch_size)
        ]
        return (torch.cat(denoised) + 1) / 2

    def _variation_sources(self, y_enc, generator):
        """A random training row of each requested class (rows in ``[0, 1]``)."""
        rows = array_to_tensor(self.training_rows_)
        codes = array_to_tensor(self.training_codes_, dtype=torch.long)
        sources = torch.empty(len(y_enc), rows.shape[1])
        for code in torch.unique(y_enc):
            wanted = torch.nonzero(y_enc == code).squeeze(1)
            pool = torch.nonzero(codes == code).squeeze(1)
            drawn = torch.randint(len(pool), (len(wanted),), generator=generator)
            sources[wanted] = rows[pool[drawn]]
        return sources

    def _ddim(self, x, codes, timesteps, alphas_cumprod):
        """Deterministic DDIM (``eta = 0``) from ``x`` at ``timesteps[0]`` to a clean
        image in ``[-1, 1]``, with classifier-free guidance."""
        module = self.net_.module_
        null = torch.full_like(codes, module.n_classes)
        scale = float(self.guidance_scale)
        for t, t_next in zip(timesteps, [*timesteps[1:], None]):
            alpha_bar = alphas_cumprod[t]
            alpha_bar_next = 1.0 if t_next is None else alphas_cumprod[t_next]
            steps = torch.full_like(codes, t)
            if scale == 1:
                out = module(x, steps, codes)
            elif scale == 0:
                out = module(x, steps, null)
            else:
                both = module(torch.cat([x, x]), torch.cat([steps, steps]),
                              torch.cat([codes, null]))
                out_class, out_null = both.chunk(2)
                out = out_null + scale * (out_class - out_null)
            x0 = predicted_clean_image(x, out, alpha_bar, self.prediction_type).clamp(-1, 1)
            # the noise that the clipped clean image implies (as in Nichol and
            # Dhariwal's code), so the step stays on the DDIM path
            eps = (x - math.sqrt(alpha_bar) * x0) / math.sqrt(1 - alpha_bar)
            x = math.sqrt(alpha_bar_next) * x0 + math.sqrt(1 - alpha_bar_next) * eps
        return x
