"""The paper's published numbers."""

from skgenaug.medmnist._paper import PAPER_TABLE2, paper_value


def test_paper_numbers():
    assert paper_value("breastmnist", "cvae", "acc") == 0.864
    assert paper_value("pathmnist", "cgan", "auc") is None
    assert len(PAPER_TABLE2) == 8
