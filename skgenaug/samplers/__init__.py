"""Over-samplers, one small module per model family: the generative samplers, the
classic baselines (geometric transforms, imbalanced-learn's samplers on images) and the
curation meta-sampler."""

from ._adapter import FlatImageSampler
from ._autoencoder import AESampler
from ._cgan import CGANSampler
from ._curated import CuratedSampler, default_judge
from ._cvae import CVAESampler
from ._diffusion import DiffusionSampler
from ._geometric import GeometricSampler

__all__ = [
    "AESampler",
    "CGANSampler",
    "CVAESampler",
    "CuratedSampler",
    "DiffusionSampler",
    "FlatImageSampler",
    "GeometricSampler",
    "default_judge",
]
