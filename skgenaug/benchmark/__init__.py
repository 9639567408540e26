"""Moved: this name said "speed benchmark"; the package is now split by what it does."""

raise ImportError(
    "skgenaug.benchmark has moved: the evaluation engine (evaluate_augmentation, "
    "AugmentationEvaluation, profiles, cells, store, statistics, report) is "
    "skgenaug.evaluation; the MedMNIST reproduction (run_medmnist_table, the paper's "
    "values) is skgenaug.medmnist; the command line is skgenaug.cli."
)
