"""skgenaug: generative data augmentation as imbalanced-learn samplers."""

__version__ = "0.1.0.dev0"
