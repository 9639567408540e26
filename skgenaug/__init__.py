"""skgenaug: generative data augmentation as imbalanced-learn samplers."""

# First: the evaluation records it, and its modules import it while this package is
# still being initialised.
__version__ = "0.1.0.dev0"

# Submodules, importable as skgenaug.datasets, .metrics and .plotting (matplotlib is
# imported only when a plotting function is called).
from . import datasets, metrics, plotting  # noqa: F401
from ._augmented import AugmentedClassifier
from ._generative import BaseGenerativeSampler
from .base import AddPerClass

# The main workflow: does augmentation help a classifier of my images, and which kind?
from .benchmark import AugmentationEvaluation, evaluate_augmentation
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
