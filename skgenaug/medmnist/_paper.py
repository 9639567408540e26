"""The reference paper's published results (its Table 2), for comparison.

Source: H. Chaptoukaev, "The Effectiveness of Generative Models for Data Augmentation in
Medical Applications", MSc project (MSc Data Science and Artificial Intelligence),
Université Côte d'Azur; Table 2, "Overall performance of MedMNIST in metrics of AUC and
ACC". The paper records, per run, the *best test accuracy* over 100 epochs (section
4.1): its numbers select the epoch on the test split and are optimistic. It reports one
number per cell (no spread, no number of repeats); "–" (no result) is ``None`` here.
"""

from ..evaluation import ReferenceValues

PAPER_CITATION = (
    'H. Chaptoukaev, "The Effectiveness of Generative Models for Data Augmentation in '
    'Medical Applications", MSc project, Université Côte d\'Azur, Table 2 '
    "(best test accuracy over 100 epochs: selected on the test split, optimistic)."
)

#: ``{flag: {method: (AUC, ACC) or None}}``, exactly as printed in the paper's Table 2.
PAPER_TABLE2 = {
    "pathmnist": {
        "none": (0.936, 0.740), "ae": (0.924, 0.708), "cvae": (0.887, 0.614), "cgan": None,
    },
    "dermamnist": {
        "none": (0.843, 0.698), "ae": (0.832, 0.682), "cvae": (0.820, 0.686), "cgan": None,
    },
    "octmnist": {
        "none": (0.791, 0.501), "ae": (0.833, 0.564), "cvae": (0.813, 0.543),
        "cgan": (0.803, 0.557),
    },
    "pneumoniamnist": {
        "none": (0.942, 0.845), "ae": (0.949, 0.842), "cvae": (0.942, 0.859),
        "cgan": (0.948, 0.856),
    },
    "breastmnist": {
        "none": (0.872, 0.807), "ae": (0.885, 0.833), "cvae": (0.901, 0.864),
        "cgan": (0.850, 0.796),
    },
    "organamnist": {
        "none": (0.971, 0.781), "ae": (0.978, 0.819), "cvae": (0.981, 0.810),
        "cgan": (0.972, 0.783),
    },
    "organcmnist": {
        "none": (0.976, 0.824), "ae": (0.982, 0.844), "cvae": (0.982, 0.842),
        "cgan": (0.979, 0.845),
    },
    "organsmnist": {
        "none": (0.940, 0.641), "ae": (0.939, 0.659), "cvae": (0.928, 0.644),
        "cgan": (0.931, 0.652),
    },
}


def paper_value(dataset, method, metric):
    """The paper's published test score of one cell of its Table 2.

    Parameters
    ----------
    dataset : str
        MedMNIST flag, e.g. ``'breastmnist'``.
    method : {'none', 'ae', 'cvae', 'cgan'}
        Augmentation method.
    metric : {'auc', 'acc'}
        Metric.

    Returns
    -------
    value : float or None
        ``None`` where the paper gives no number.
    """
    row = PAPER_TABLE2.get(dataset, {}).get(method)
    if row is None or metric not in ("auc", "acc"):
        return None
    return row[0] if metric == "auc" else row[1]


#: The paper's Table 2 as the evaluation's reference values: printed beside the
#: MedMNIST table's scores (columns ``paper_auc``, ``paper_acc``).
PAPER_REFERENCE = ReferenceValues(
    name="paper",
    citation=PAPER_CITATION,
    values={flag: {method: (None if row is None else dict(auc=row[0], acc=row[1]))
                   for method, row in methods.items()}
            for flag, methods in PAPER_TABLE2.items()},
    note=("The test split chooses nothing here (the epoch kept is stated above). The "
          "paper's numbers select on the test split: they are expected to be higher "
          "than these."),
)
