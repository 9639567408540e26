"""The paper's published numbers."""

import numpy as np
import pandas as pd
import pytest

from skgenaug.evaluation import _report
from skgenaug.medmnist._paper import PAPER_REFERENCE, PAPER_TABLE2, paper_value
from skgenaug.medmnist._report import medmnist_header


def test_paper_numbers():
    assert paper_value("breastmnist", "cvae", "acc") == 0.864
    assert paper_value("pathmnist", "cgan", "auc") is None
    assert len(PAPER_TABLE2) == 8


def test_paper_reference_is_table_2():
    # The paper publishes AUC and ACC, no balanced accuracy.
    assert PAPER_REFERENCE.name == "paper" and PAPER_REFERENCE.metrics == ("auc", "acc")
    for flag, methods in PAPER_TABLE2.items():
        for method in methods:
            for metric in ("auc", "acc", "balanced_acc"):
                assert PAPER_REFERENCE.value(flag, method, metric) == paper_value(
                    flag, method, metric)
    assert PAPER_REFERENCE.value("breastmnist", "cvae", "auc") == 0.901
    assert PAPER_REFERENCE.value("pathmnist", "cgan", "acc") is None  # "–" in Table 2
    assert PAPER_REFERENCE.value("breastmnist", "geometric", "auc") is None


def test_the_paper_numbers_stand_beside_the_scores_of_the_medmnist_report():
    rows = [dict(selection="val", dataset="breastmnist", method=method, seed=0,
                 fold=fold, auc=0.8 + 0.01 * fold, acc=0.7, balanced_acc=0.7, n_val=20,
                 n_train=80)
            for method in ("none", "cvae", "geometric") for fold in range(3)]
    cells = pd.DataFrame(rows)
    summary = _report.summarize(cells, reference=PAPER_REFERENCE).set_index("method")
    assert summary.diff_paper_auc["cvae"] == pytest.approx(0.81 - 0.901)
    assert summary.diff_paper_acc["none"] == pytest.approx(0.7 - 0.807)
    assert np.isnan(summary.paper_auc["geometric"])  # not in the paper
    assert "paper_balanced_acc" not in summary.columns
    info = dict(profile="smoke", description="d", folds=3, seeds=[0], test_max=None,
                device="CPU", wall_s=1.0, n_run=9, n_reused=0, cell_s=1.0, command="c")
    text = _report.markdown(summary.reset_index(), _report.compare(cells), info,
                            header=medmnist_header, reference=PAPER_REFERENCE)
    assert text.startswith("# Generative augmentation on MedMNIST — profile `smoke`")
    assert "Paper values: H. Chaptoukaev" in text
    assert PAPER_REFERENCE.note in text
    assert "| breastmnist | cVAE | 3 | 0.810 ± 0.010 | 0.901 | -0.091 |" in text
