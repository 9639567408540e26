"""The base class of the samplers that train a generative network (torch and skorch).

Kept apart from :mod:`skgenaug.base`, whose numpy-only over-samplers need neither.
"""

import numbers
from abc import abstractmethod

import numpy as np
import torch
from imblearn.over_sampling.base import BaseOverSampler
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._images import PixelScaler
from ._skorch_utils import verbosity_callbacks
from ._torch_utils import (
    BatchTensorDataset,
    array_to_tensor,
    passthrough_collate,
    resolve_device,
    torch_seed,
)
from ._validation import draw_seed
from .base import BaseImageOverSampler, _fill_shared_docs


@_fill_shared_docs
class BaseGenerativeSampler(BaseImageOverSampler):
    """Base class for samplers that train a generative network and add its images.

    Subclasses build a skorch net in :meth:`_make_net`, fit it in :meth:`_train` and draw
    scaled images in :meth:`_generate_scaled`; everything else (validation, layouts and
    dtypes, scaling, label encoding, seeding, devices, the default network widths, the
    sampling strategy and the resampled output) lives here and in
    :class:`~skgenaug.base.BaseImageOverSampler`. ``__init__`` here takes and stores
    the parameters every generative sampler has; a subclass keeps an explicit
    signature (scikit-learn's ``get_params`` reads it), with its own defaults, passes
    them on with ``super().__init__(...)`` and stores only its own.

    ``fit`` trains the generator; ``fit_resample`` trains it and returns the input rows,
    unchanged and first, followed by the generated rows; ``generate`` draws images for
    given labels from a fitted sampler.

    The autoencoder, VAE and GAN samplers share more: a latent vector of
    ``latent_dim`` values and the choice of ``architecture`` (``'mlp'``, the reference
    paper's fully connected networks on flat rows, or ``'conv'``, DCGAN-style
    convolutional ones; see :mod:`skgenaug.nets`), from the private base class
    ``skgenaug._generative._LatentVariableSampler``. :class:`~skgenaug.DiffusionSampler`
    has neither.

    Unlabelled rows (label ``unlabelled_label``) train the network too, without a
    class: :meth:`_fit_model` receives them after the labelled rows with the code
    ``len(classes_)``, which the conditional networks read as "no class" (an all-zero
    condition vector, :func:`skgenaug.nets.one_hot`; a diffusion model's null class).
    Everything else (``classes_``, the sampling strategy, ``generate``, the output)
    knows the labelled classes only.

    Parameters
    ----------
    {sampling_strategy}
    hidden_layer_sizes : array-like of int or None, default=None
        Widths of the network's layers (fully connected units or convolution channels,
        as each sampler says); ``None`` means the sampler's
        :attr:`default_hidden_layer_sizes`.
    max_epochs : int, default=300
        Training epochs.
    {batch_size}
    lr : float, default=1e-3
        Learning rate.
    {callbacks}
    {device}
    {random_state}
    {verbose}
    {unlabelled_label}

    Examples
    --------
    >>> from skgenaug import BaseGenerativeSampler, CVAESampler, DiffusionSampler
    >>> isinstance(CVAESampler(), BaseGenerativeSampler)
    True
    >>> DiffusionSampler.default_hidden_layer_sizes  # for hidden_layer_sizes=None
    (64, 128, 128)
    >>> CVAESampler.default_hidden_layer_sizes  # one entry per architecture
    {{'mlp': (512, 256), 'conv': (32, 64)}}
    """

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "hidden_layer_sizes": [
            "array-like",
            Interval(numbers.Integral, 1, None, closed="left"),
            None,
        ],
        "max_epochs": [Interval(numbers.Integral, 1, None, closed="left")],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "lr": [Interval(numbers.Real, 0, None, closed="neither")],
        "callbacks": [list, None],
        "device": [str, torch.device],
        "verbose": ["verbose"],
        "unlabelled_label": [numbers.Integral, str, None],
    }

    #: ``hidden_layer_sizes=None`` means these widths. Subclasses set their own.
    default_hidden_layer_sizes: tuple = (256, 128)

    _fitted_attribute = "net_"

    _learns_from_unlabelled = True

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        hidden_layer_sizes=None,
        max_epochs=300,
        batch_size=128,
        lr=1e-3,
        callbacks=None,
        device="cpu",
        random_state=None,
        verbose=0,
        unlabelled_label=-1,
    ):
        super().__init__(sampling_strategy=sampling_strategy)
        self.hidden_layer_sizes = hidden_layer_sizes
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.callbacks = callbacks
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.unlabelled_label = unlabelled_label

    # ------------------------------------------------------------------ validation
    def _check_class_counts(self, labels, counts):
        super()._check_class_counts(labels, counts)
        if counts.min() < 2:
            lonely = labels[counts < 2].tolist()
            raise ValueError(
                f"Class(es) {lonely!r} have only 1 sample; {type(self).__name__} needs at "
                "least 2 samples of every class to learn that class's images."
            )

    def _hidden_layer_sizes(self):
        """``hidden_layer_sizes`` as a tuple of ints, :meth:`_default_hidden_layer_sizes`
        for ``None``."""
        if self.hidden_layer_sizes is None:
            return tuple(self._default_hidden_layer_sizes())
        sizes = tuple(int(size) for size in np.atleast_1d(self.hidden_layer_sizes))
        if any(size < 1 for size in sizes):
            raise ValueError(
                f"hidden_layer_sizes must hold positive whole numbers; got "
                f"{self.hidden_layer_sizes!r}."
            )
        return sizes

    def _default_hidden_layer_sizes(self):
        return self.default_hidden_layer_sizes

    # ------------------------------------------------------------------ fitting
    def _fit_model(self, X, y_enc, seed):
        self.device_ = resolve_device(self.device)
        X_flat = self.layout_.to_flat(X)
        self.scaler_ = PixelScaler().fit(X_flat)
        X01 = array_to_tensor(self.scaler_.transform(X_flat))
        y_enc = array_to_tensor(y_enc, dtype=torch.long)
        with torch_seed(seed, self.device_):
            self.net_ = self._make_net(X01.shape[1], len(self.classes_))
            self._train(X01, y_enc)
        self.net_.module_.eval()
        return self

    def _net_kwargs(self):
        """skorch arguments every generative net shares (the net's class takes
        :class:`~skgenaug._skorch_utils.NoDefaultPrintLog`)."""
        printing, verbose = verbosity_callbacks(self.verbose)
        callbacks = list(self.callbacks or []) + printing
        return dict(
            lr=self.lr,
            batch_size=self.batch_size,
            max_epochs=self.max_epochs,
            train_split=None,
            device=self.device_,
            verbose=verbose,
            callbacks=callbacks or None,
            dataset=BatchTensorDataset,
            iterator_train__shuffle=True,
            iterator_train__collate_fn=passthrough_collate,
            iterator_valid__collate_fn=passthrough_collate,
        )

    @abstractmethod
    def _make_net(self, n_features, n_classes):
        """Return an uninitialised skorch net for this sampler."""

    @abstractmethod
    def _train(self, X01, y_enc):
        """Fit ``self.net_`` on scaled rows ``X01`` (float tensor) and codes ``y_enc``
        (``len(classes_)`` for unlabelled rows: train on them without a class)."""

    @abstractmethod
    def _generate_scaled(self, y_enc, generator):
        """Return a float tensor of generated rows in ``[0, 1]`` for codes ``y_enc``,
        drawing all randomness from the CPU ``torch.Generator`` ``generator``."""

    # ------------------------------------------------------------------ generation
    def _generate(self, y_enc, random_state):
        generator = torch.Generator().manual_seed(draw_seed(random_state))
        y_enc = array_to_tensor(y_enc, dtype=torch.long)
        self.net_.module_.eval()
        with torch.no_grad():
            X01 = self._generate_scaled(y_enc, generator)
        X_flat = self.scaler_.inverse_transform(X01.detach().float().cpu().numpy())
        return self.layout_.from_flat(X_flat)

    def _noise(self, shape, generator):
        """Standard normal noise drawn on the CPU (reproducible across devices)."""
        return torch.randn(shape, generator=generator).to(self.device_)

    @property
    def history_(self):
        """The skorch training history of the generative network."""
        check_is_fitted(self, "net_")
        return self.net_.history


class _LatentVariableSampler(BaseGenerativeSampler):
    """Base class of the samplers whose network maps a latent vector to images (the
    autoencoder's code, the VAE's latent Gaussian, the GAN's noise), with the reference
    paper's fully connected networks or DCGAN-style convolutional ones.

    It adds two parameters to :class:`BaseGenerativeSampler`'s, stored here:
    ``architecture`` (``'mlp'`` or ``'conv'``) and ``latent_dim``. For ``'conv'`` the
    ``hidden_layer_sizes`` are channel widths, one strided 4x4 convolution (or
    transposed convolution) per width, each halving (doubling) the height and width;
    images whose sides are not multiples of ``2 ** n_widths`` are zero-padded inside
    the network and cropped back, so any image size works (flat tabular rows too, as
    ``1 x n_features`` strips). ``default_hidden_layer_sizes`` holds one entry per
    architecture.
    """

    _parameter_constraints: dict = {
        **BaseGenerativeSampler._parameter_constraints,
        "architecture": [StrOptions({"mlp", "conv"})],
        "latent_dim": [Interval(numbers.Integral, 1, None, closed="left")],
    }

    #: ``hidden_layer_sizes=None`` means these widths, per architecture. Subclasses
    #: set their own.
    default_hidden_layer_sizes: dict = {"mlp": (256, 128), "conv": (32, 64)}

    def __init__(self, *, architecture="mlp", latent_dim=16, **shared):
        super().__init__(**shared)
        self.architecture = architecture
        self.latent_dim = latent_dim

    def _default_hidden_layer_sizes(self):
        return self.default_hidden_layer_sizes[self.architecture]

    def _hidden_layer_sizes(self):
        sizes = super()._hidden_layer_sizes()
        if self.architecture == "conv" and not sizes:
            raise ValueError(
                "architecture='conv' needs at least one channel width in "
                "hidden_layer_sizes; got an empty sequence."
            )
        return sizes

    def _module_params(self, mlp_module, conv_module, n_features, **params):
        """skorch ``module`` and ``module__*`` arguments of the chosen architecture.

        Fully connected modules get the row width ``n_features``, convolutional ones
        the image shape ``(H, W, C)``; both get ``hidden_layer_sizes`` and ``params``.
        """
        if self.architecture == "conv":
            chosen = dict(module=conv_module, module__image_shape=self.layout_.hwc)
        else:
            chosen = dict(module=mlp_module, module__n_features=n_features)
        chosen["module__hidden_layer_sizes"] = self._hidden_layer_sizes()
        chosen.update({f"module__{key}": value for key, value in params.items()})
        return chosen
