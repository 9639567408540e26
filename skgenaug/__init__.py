"""skgenaug: generative data augmentation as imbalanced-learn samplers."""

from . import datasets  # noqa: F401 (the submodule, importable as skgenaug.datasets)
from ._augmented import AugmentedClassifier
from .base import AddPerClass, BaseGenerativeSampler
from .classifier import ResNetClassifier
from .samplers import (
    AESampler,
    CGANSampler,
    CVAESampler,
    FlatImageSampler,
    GeometricSampler,
)

__version__ = "0.1.0.dev0"

__all__ = [
    "AESampler",
    "AddPerClass",
    "AugmentedClassifier",
    "BaseGenerativeSampler",
    "CGANSampler",
    "CVAESampler",
    "FlatImageSampler",
    "GeometricSampler",
    "ResNetClassifier",
]
