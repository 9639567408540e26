"""skgenaug: generative data augmentation as imbalanced-learn samplers."""

# Submodules, importable as skgenaug.datasets, .metrics and .plotting (matplotlib is
# imported only when a plotting function is called).
from . import datasets, metrics, plotting  # noqa: F401
from ._augmented import AugmentedClassifier
from ._classifier import ResNetClassifier
from ._generative import BaseGenerativeSampler
from ._version import __version__  # noqa: F401
from .base import AddPerClass

# The main workflow: does augmentation help a classifier of my images, and which kind?
from .evaluation import AugmentationEvaluation, evaluate_augmentation
from .samplers import (
    AESampler,
    CGANSampler,
    CuratedSampler,
    CVAESampler,
    DiffusionSampler,
    FlatImageSampler,
    GeometricSampler,
)

__all__ = [
    "AESampler",
    "AddPerClass",
    "AugmentationEvaluation",
    "AugmentedClassifier",
    "BaseGenerativeSampler",
    "CGANSampler",
    "CVAESampler",
    "CuratedSampler",
    "DiffusionSampler",
    "FlatImageSampler",
    "GeometricSampler",
    "ResNetClassifier",
    "evaluate_augmentation",
]
