"""Generative over-samplers, one small module per model family."""

from ._autoencoder import AESampler
from ._cgan import CGANSampler
from ._cvae import CVAESampler

__all__ = ["AESampler", "CGANSampler", "CVAESampler"]
