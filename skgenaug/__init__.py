"""skgenaug: generative data augmentation as imbalanced-learn samplers."""

# Submodules, importable as skgenaug.datasets, .metrics and .plotting (matplotlib is
# imported only when a plotting function is called).
from . import datasets, metrics, plotting  # noqa: F401
from ._augmented import AugmentedClassifier
from ._generative import BaseGenerativeSampler
from .base import AddPerClass
from .classifier import ResNetClassifier
from .samplers import (
    AESampler,
    CGANSampler,
    CuratedSampler,
    CVAESampler,
    DiffusionSampler,
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
    "CuratedSampler",
    "DiffusionSampler",
    "FlatImageSampler",
    "GeometricSampler",
    "ResNetClassifier",
]
