"""Deep autoencoder sampler (reference paper, section 3.2)."""

import numbers

import torch
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted
from skorch import NeuralNet

from .._generative import _LatentVariableSampler
from .._images import validate_images
from .._skorch_utils import NoDefaultPrintLog
from .._torch_utils import array_to_tensor
from ..base import _fill_shared_docs
from ..nets import Autoencoder, ConvAutoencoder


class _ReconstructionNet(NoDefaultPrintLog, NeuralNet):
    """skorch net of the autoencoder: skorch's ``NeuralNet``, trained on ``(X, X)``."""


@_fill_shared_docs
class AESampler(_LatentVariableSampler):
    """Over-sample with a deep autoencoder: new images decoded from perturbed and
    interpolated codes of real images of the target class.

    The autoencoder (``len(hidden_layer_sizes)`` fully connected hidden layers in the
    encoder, mirrored in the decoder; or, with ``architecture='conv'``, strided
    convolutions mirrored by transposed convolutions) is trained to reconstruct the
    training rows with a mean-squared error. A new image of class ``c`` is made from a
    random real image of class ``c``: its code moves a random fraction (up to
    ``interpolation``) of the way towards the code of another random image of class
    ``c``, gets Gaussian noise of ``latent_noise`` times that class's per-dimension code
    spread, and is decoded. The label is the source image's label.

    Unlabelled rows (label ``unlabelled_label``) train the reconstruction like every
    other row, since an autoencoder needs no class; new images start from codes of
    labelled images only.

    Read more in the paper reproduced by :mod:`skgenaug`: a deep autoencoder with four
    hidden layers on each side, MSE, Adam (lr 1e-3), batch 128, 300 epochs (the defaults).

    Parameters
    ----------
    {sampling_strategy}
    architecture : {{'mlp', 'conv'}}, default='mlp'
        ``'mlp'``: the paper's fully connected autoencoder on flat rows. ``'conv'``: a
        DCGAN-style convolutional one (:class:`skgenaug.nets.ConvAutoencoder`): 4x4
        convolutions with stride 2 (28 -> 14 -> 7 for two widths), batch normalisation
        and LeakyReLU, a linear code, mirrored by transposed convolutions. Images of any
        size work (padded inside the network to a multiple of ``2 **
        len(hidden_layer_sizes)`` and cropped back).
    hidden_layer_sizes : array-like of int or None, default=None
        Encoder widths, outermost first; the decoder mirrors them. For ``'mlp'`` the
        widths of the fully connected hidden layers, ``None`` meaning
        ``(512, 256, 128, 64)`` (the paper gives four layers but no widths: these halve
        towards the code). For ``'conv'`` the channel widths of the strided
        convolutions, ``None`` meaning ``(32, 64)``.
    latent_dim : int, default=32
        Width of the code.
    interpolation : float, default=0.5
        Largest fraction of the way towards a second same-class code; 0 disables
        interpolation.
    latent_noise : float, default=0.1
        Standard deviation of the code perturbation, in units of the class's
        per-dimension code standard deviation.
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
        The trained network; its ``module_`` is a :class:`skgenaug.nets.Autoencoder`
        (or a :class:`skgenaug.nets.ConvAutoencoder` for ``architecture='conv'``).
    latent_codes_ : ndarray of shape (n_labelled, latent_dim)
        Codes of the labelled training rows, the sources of generated images.
    latent_labels_ : ndarray of shape (n_labelled,)
        Encoded class of each code.
    {input_attributes}

    See Also
    --------
    CVAESampler : Conditional VAE sampler.
    CGANSampler : Conditional GAN sampler.

    Examples
    --------
    >>> from collections import Counter
    >>> from skgenaug import AESampler, AddPerClass
    >>> from skgenaug.datasets import make_image_classification
    >>> X, y = make_image_classification(60, n_classes=2, random_state=0)
    >>> sampler = AESampler(sampling_strategy=AddPerClass(10), max_epochs=2, random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> X_res.shape, X_res.dtype
    ((80, 28, 28), dtype('uint8'))
    >>> sorted(Counter(y_res.tolist()).items())
    [(0, 40), (1, 40)]
    """

    _parameter_constraints: dict = {
        **_LatentVariableSampler._parameter_constraints,
        "interpolation": [Interval(numbers.Real, 0, 1, closed="both")],
        "latent_noise": [Interval(numbers.Real, 0, None, closed="left")],
    }

    default_hidden_layer_sizes: dict = {"mlp": (512, 256, 128, 64), "conv": (32, 64)}

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        architecture="mlp",
        hidden_layer_sizes=None,
        latent_dim=32,
        interpolation=0.5,
        latent_noise=0.1,
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
        self.interpolation = interpolation
        self.latent_noise = latent_noise

    def _make_net(self, n_features, n_classes):
        return _ReconstructionNet(
            **self._module_params(
                Autoencoder, ConvAutoencoder, n_features, latent_dim=self.latent_dim
            ),
            criterion=torch.nn.MSELoss,
            optimizer=torch.optim.Adam,
            **self._net_kwargs(),
        )

    def _train(self, X01, y_enc):
        # every row trains the reconstruction; new images start from labelled codes
        self.net_.fit(X01, X01)
        labelled = y_enc < len(self.classes_)
        self.latent_codes_ = self._encode_scaled(X01[labelled])
        self.latent_labels_ = y_enc[labelled].numpy()

    def _encode_scaled(self, X01):
        module = self.net_.module_
        module.eval()
        codes = []
        with torch.no_grad():
            for start in range(0, len(X01), 1024):
                batch = X01[start : start + 1024].to(self.device_)
                codes.append(module.encode(batch).cpu())
        return torch.cat(codes).numpy()

    def _generate_scaled(self, y_enc, generator):
        codes = array_to_tensor(self.latent_codes_)
        labels = array_to_tensor(self.latent_labels_, dtype=torch.long)
        z = torch.empty(len(y_enc), codes.shape[1])
        for code in torch.unique(y_enc):
            wanted = torch.nonzero(y_enc == code).squeeze(1)
            pool = codes[labels == code]
            source = pool[torch.randint(len(pool), (len(wanted),), generator=generator)]
            partner = pool[torch.randint(len(pool), (len(wanted),), generator=generator)]
            fraction = self.interpolation * torch.rand(len(wanted), 1, generator=generator)
            spread = pool.std(dim=0, keepdim=True)
            noise = (
                torch.randn(source.shape, generator=generator) * spread * self.latent_noise
            )
            z[wanted] = source + fraction * (partner - source) + noise
        return self.net_.module_.decode(z.to(self.device_))

    def encode(self, X):
        """Codes of images under the fitted encoder.

        The autoencoder's encoder lives under this name, not ``transform``:
        imbalanced-learn's pipeline rejects a step that both resamples and transforms.

        Parameters
        ----------
        X : array-like
            Images in the layout the sampler was fitted on (flat rows with the same
            number of values are accepted too).

        Returns
        -------
        codes : ndarray of shape (n_samples, latent_dim)
        """
        check_is_fitted(self, "net_")
        X, _, _ = validate_images(self, X, reset=False, layout=self.layout_)
        X01 = array_to_tensor(self.scaler_.transform(self.layout_.to_flat(X)))
        return self._encode_scaled(X01)
