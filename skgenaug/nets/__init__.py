"""Torch modules used by skgenaug's estimators (no training logic here)."""

from ._mlp import Autoencoder, ConditionalGAN, ConditionalVAE, mlp

__all__ = ["Autoencoder", "ConditionalGAN", "ConditionalVAE", "mlp"]
