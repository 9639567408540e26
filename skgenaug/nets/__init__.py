"""Torch modules used by skgenaug's estimators (no training logic here)."""

from ._conv import (
    ConvAutoencoder,
    ConvConditionalGAN,
    ConvConditionalVAE,
    ConvDecoder,
    ConvEncoder,
)
from ._mlp import Autoencoder, ConditionalGAN, ConditionalVAE, mlp, one_hot
from ._resnet import BasicBlock, ResNet18
from ._unet import ConditionalUNet

__all__ = [
    "Autoencoder",
    "BasicBlock",
    "ConditionalGAN",
    "ConditionalUNet",
    "ConditionalVAE",
    "ConvAutoencoder",
    "ConvConditionalGAN",
    "ConvConditionalVAE",
    "ConvDecoder",
    "ConvEncoder",
    "ResNet18",
    "mlp",
    "one_hot",
]
