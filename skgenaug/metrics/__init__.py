"""Quality, privacy and utility metrics of generated images.

The metric functions take arrays: feature vectors (any embedding; images are
flattened) for fidelity and diversity, images or features for memorisation, images and
labels for utility. :func:`extract_features` gives penultimate-layer features of a
:class:`~skgenaug.ResNetClassifier` fitted on the real training images (no pretrained
weights are used anywhere), and :func:`quality_report` runs everything for one fitted
sampler.

- :func:`frechet_distance`: Fréchet distance between Gaussian fits (as in FID).
- :func:`precision_recall_density_coverage`: k-NN fidelity and diversity
  (Naeem et al., 2020).
- :func:`memorization_report`: nearest-training-sample distances of generated samples
  against held-out real ones (near copies); with the test images in the place of the
  training ones, it screens for generated images that leak test images.
- :func:`near_duplicates`: real images of one set that nearly duplicate another's.
- :func:`train_synthetic_test_real`, :func:`train_real_test_synthetic`: utility.
- :func:`classification_scores`, :func:`medmnist_auc`: accuracy, balanced accuracy and
  AUC (as MedMNIST computes it) of a classifier's predictions.
- :func:`quality_report`, :func:`summarize_quality`, :func:`quality_markdown`: all of
  it for one sampler, and tables over many.
"""

from .._scores import classification_scores, medmnist_auc
from ._features import extract_features
from ._fidelity import frechet_distance, precision_recall_density_coverage
from ._privacy import memorization_report, near_duplicates
from ._report import (
    DEFAULT_FEATURE_ESTIMATOR,
    QUALITY_COLUMNS,
    quality_markdown,
    quality_report,
    summarize_quality,
)
from ._utility import train_real_test_synthetic, train_synthetic_test_real

__all__ = [
    "DEFAULT_FEATURE_ESTIMATOR",
    "QUALITY_COLUMNS",
    "classification_scores",
    "extract_features",
    "frechet_distance",
    "medmnist_auc",
    "memorization_report",
    "near_duplicates",
    "precision_recall_density_coverage",
    "quality_markdown",
    "quality_report",
    "summarize_quality",
    "train_real_test_synthetic",
    "train_synthetic_test_real",
]
