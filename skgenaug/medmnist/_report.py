"""The MedMNIST table's report header: what the reproduction did, in words."""

from ..evaluation._report import training_lines, variant_lines


def medmnist_header(info):
    """Title and protocol lines of a MedMNIST table report.

    Parameters
    ----------
    info : dict
        The run's information (profile, folds, seeds, scenario, add_per_class,
        test_max, unlabelled_max, variants).

    Returns
    -------
    lines : list of str
    """
    return [
        f"# Generative augmentation on MedMNIST — profile `{info['profile']}`",
        "",
        f"Profile: {info['description']}.",
        f"Protocol: the paper's subset of each data set (training + validation parts "
        f"pooled), {info['folds']} stratified folds x {len(info['seeds'])} subset "
        f"seed(s) {list(info['seeds'])}; per fold the sampler is fitted on the training "
        "part only, "
        + ("balances the classes (sampling_strategy='auto'; **long-tail scenario**: "
           "the class of frequency rank r in the official training split (0 = most "
           "frequent) keeps round(n * 0.1 ** (r / (K-1))) of its n images in the pooled "
           "subset before the folds are drawn, so every training part and held-out "
           "fold has the same imbalance (largest:smallest class 167:17 for a subset of "
           "167 per class; more where the subset is uneven) and the rare classes are "
           "the data set's rare ones; compare BACC as well as ACC and AUC), "
           if info.get("scenario") == "long-tail"
           else f"adds {info.get('add_per_class', 150)} images per class (methods "
                "marked N/class add N), ")
        + "and the classifier is scored on the official test split"
        + ("" if info.get("test_max") is None
           else f" (**subsampled to at most {info['test_max']} images where larger, "
                "stratified: not comparable with the paper**)")
        + ". Mean ± std over folds x seeds.",
    ] + _semi_supervised_lines(info) + training_lines(info) + variant_lines(info)


def _semi_supervised_lines(info):
    if info.get("scenario") != "semi-supervised":
        return []
    return [
        "**Semi-supervised scenario**: the labelled subset is the paper's (BreastMNIST, "
        "which the paper uses whole: 75 images per class, plus a ninth of that from the "
        "validation split), and the rest of the official training split, labels "
        "hidden, is an unlabelled pool"
        + (f" (at most {info['unlabelled_max']} images, drawn with the seed)"
           if info.get("unlabelled_max") else "")
        + ". Methods marked 'unlabelled pool' train their generator on the labelled "
        "training part and the pool (the pool without a class); the others, and the "
        "classifier, see the labelled images only.",
    ]
