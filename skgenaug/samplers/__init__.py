"""Over-samplers, one small module per model family: the generative samplers and the
classic baselines (geometric transforms, imbalanced-learn's samplers on images)."""

from ._adapter import FlatImageSampler
from ._autoencoder import AESampler
from ._cgan import CGANSampler
from ._cvae import CVAESampler
from ._diffusion import DiffusionSampler
from ._geometric import GeometricSampler

__all__ = [
    "AESampler",
    "CGANSampler",
    "CVAESampler",
    "DiffusionSampler",
    "FlatImageSampler",
    "GeometricSampler",
]
