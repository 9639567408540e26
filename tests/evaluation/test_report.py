"""The report: comparisons with the baseline and the controls, markdown."""

import re

import numpy as np
import pandas as pd
import pytest

from skgenaug.evaluation import ReferenceValues, _report
from skgenaug.medmnist._report import medmnist_header


def test_comparisons_with_none_and_with_the_ros_control():
    rng = np.random.RandomState(0)
    rows = []
    shift = {"none": 0.0, "ros": 0.10, "cvae": 0.12, "geometric": 0.30}
    for method, gain in shift.items():
        for fold in range(5):
            base = 0.6 + 0.01 * fold
            # A little noise: equal differences in every fold cannot be tested.
            rows.append(dict(selection="val", dataset="breastmnist", method=method,
                             seed=0, fold=fold, auc=base + gain + 0.002 * rng.randn(),
                             acc=base + gain + 0.001 * rng.randn(),
                             balanced_acc=base + gain / 2, n_val=20, n_train=80))
    cells = pd.DataFrame(rows)
    vs_none = _report.compare(cells)
    assert set(vs_none.metric) == {"auc", "acc", "balanced_acc"}
    assert set(vs_none.method) == {"ros", "cvae", "geometric"}
    control = _report.compare_with_controls(cells)
    assert set(control.method) == {"cvae", "geometric"}  # not None, not ROS itself
    assert (control.reference == "ros").all()
    auc = control[control.metric == "auc"].set_index("method").mean_diff
    assert auc["cvae"] == pytest.approx(0.02, abs=0.003)
    assert auc["geometric"] == pytest.approx(0.20, abs=0.003)
    bacc = control[control.metric == "balanced_acc"].set_index("method").mean_diff
    assert bacc["geometric"] == pytest.approx(0.10)
    summary = _report.summarize(cells)
    info = dict(profile="quick", description="d", folds=5, seeds=[0], test_max=None,
                device="CPU", wall_s=1.0, n_run=20, n_reused=0, cell_s=1.0, command="c")
    text = _report.markdown(summary, vs_none, info, control, header=medmnist_header)
    assert "### Paired difference vs ROS (a control)" in text
    assert re.search(r"\| breastmnist \| cVAE \| AUC \| 5 \| \*\*\+0\.0(19|20|21)\*\* \|",
                     text)
    assert re.search(r"- \*\*Geometric\*\* vs ROS — breastmnist: "
                     r"AUC helps \(\+0\.(199|200|201)\)", text)
    # Without ROS cells there is no control table.
    assert _report.compare_with_controls(cells[cells.method != "ros"]).empty


def test_epoch_sentence_speaks_of_honest_cells_only():
    said = _report.epoch_lines(dict(epoch_rule="last", selections=["val", "test-best"]))
    assert said == ["Epoch kept (`epoch_rule='last'`): the last epoch; the held-out real "
                    "images stay out of training, as under the other rules, but choose "
                    "nothing."]
    # 'test-best' cells keep their best test epoch: their section says so.
    assert _report.epoch_lines(dict(epoch_rule="last", selections=["test-best"])) == []
    # A config.json from before the rule and the selections were recorded.
    assert _report.epoch_lines({}) == ["Epoch kept (`epoch_rule='accuracy'`): the epoch "
                                       "of best accuracy on the held-out real images."]


def _cells(gains, n_folds=5, dataset="d"):
    rows = []
    for method, gain in gains.items():
        for fold in range(n_folds):
            base = 0.6 + 0.02 * fold
            rows.append(dict(selection="val", dataset=dataset, method=method, seed=0,
                             fold=fold, auc=base + gain, acc=base + gain / 2,
                             balanced_acc=base, n_val=20, n_train=80, n_generated=10))
    return pd.DataFrame(rows)


REFERENCE = ReferenceValues("paper", "A. Author (2020)",
                            {"d": {"none": {"auc": 0.5, "acc": None},
                                   "cvae": {"auc": 0.9}}},
                            note="Published numbers were selected on the test split.")


def test_summary_gets_reference_columns_only_when_given():
    cells = _cells({"none": 0.0, "cvae": 0.1})
    plain = _report.summarize(cells)
    assert not [c for c in plain.columns if "paper" in c]
    assert plain.set_index("method").auc_mean["cvae"] == pytest.approx(0.74)
    assert plain.set_index("method").auc_std["none"] == pytest.approx(
        np.std(0.6 + 0.02 * np.arange(5), ddof=1))
    summary = _report.summarize(cells, reference=REFERENCE).set_index("method")
    # Only AUC has a published number, so only AUC gets reference columns.
    assert REFERENCE.metrics == ("auc",)
    assert {c for c in summary.columns if "paper" in c} == {"paper_auc",
                                                             "diff_paper_auc"}
    assert summary.paper_auc["none"] == 0.5
    assert summary.diff_paper_auc["cvae"] == pytest.approx(0.74 - 0.9)


def _info(**extra):
    return dict(profile="smoke", description="d", folds=5, seeds=[0], device="CPU",
                wall_s=1.0, n_run=10, n_reused=0, cell_s=1.0, command="c",
                data=dict(name="d", n_images=100, image_shape=[8, 8],
                          class_counts={"a": 50, "b": 50}, test_set=False,
                          n_test=None, n_unlabelled=None, validation_fraction=0.2),
                cv="5 stratified folds", add_per_class=150, **extra)


def test_markdown_uses_the_callers_header_and_reference():
    cells = _cells({"none": 0.0, "cvae": 0.1})
    comparisons = _report.compare(cells)
    default = _report.markdown(_report.summarize(cells), comparisons, _info())
    # A user's images: the default header describes their data; no published numbers.
    assert "Paper values" not in default and "paper AUC" not in default
    assert "a: 50, b: 50" in default
    text = _report.markdown(_report.summarize(cells, reference=REFERENCE), comparisons,
                            _info(), header=lambda info: ["# My title", ""],
                            reference=REFERENCE)
    assert text.startswith("# My title\n")
    assert "a: 50, b: 50" not in text  # the caller's header replaces the default one
    assert "Paper values: A. Author (2020)" in text
    assert "Published numbers were selected on the test split." in text
    assert "| data set | method | n | AUC | paper AUC | Δ paper | ACC |" in text
    assert "| d | cVAE | 5 | 0.740 ± 0.032 | 0.900 | -0.160 |" in text


def test_reference_values_know_their_metrics_and_missing_entries():
    ref = ReferenceValues("pub", "B. Writer (2021)", {
        "d": {"a": {"balanced_acc": 0.7, "acc": None}, "b": None},
        "e": {"a": {"acc": 0.6}},
    })
    # Report order (AUC, ACC, BACC), not the order met; a metric whose numbers are all
    # None has none published.
    assert ref.metrics == ("acc", "balanced_acc")
    assert ReferenceValues("pub", "x").metrics == ()
    assert ref.value("d", "a", "balanced_acc") == 0.7
    assert ref.value("e", "a", "acc") == 0.6
    # None, a row of None, an absent method, metric or data set: no published number
    for args in [("d", "a", "acc"), ("d", "b", "acc"), ("d", "c", "acc"),
                 ("d", "a", "auc"), ("f", "a", "acc")]:
        assert ref.value(*args) is None
    cells = pd.concat([_cells({"a": 0.0, "b": 0.1}, dataset="d"),
                       _cells({"a": 0.2}, dataset="e")], ignore_index=True)
    summary = _report.summarize(cells, reference=ref).set_index(["dataset", "method"])
    assert {c for c in summary.columns if "pub" in c} == {
        "pub_acc", "diff_pub_acc", "pub_balanced_acc", "diff_pub_balanced_acc"}
    # mean balanced accuracy of a fold series 0.6 + 0.02 * fold, fold 0..4: 0.64
    assert summary.diff_pub_balanced_acc["d", "a"] == pytest.approx(0.64 - 0.7)
    # acc = 0.6 + 0.02 * fold + gain / 2: 0.74 for gain 0.2
    assert summary.diff_pub_acc["e", "a"] == pytest.approx(0.74 - 0.6)
    assert np.isnan(summary.pub_acc["d", "b"]) and np.isnan(summary.diff_pub_acc["d", "b"])
    assert np.isnan(summary.pub_balanced_acc["e", "a"])


def test_markdown_header_gets_the_run_info_and_the_note_goes_to_the_val_scores():
    cells = _cells({"none": 0.0, "cvae": 0.1})
    cells = pd.concat([cells, cells.assign(selection="test-best")], ignore_index=True)
    summary = _report.summarize(cells, reference=REFERENCE)
    comparisons = _report.compare(cells)
    text = _report.markdown(summary, comparisons, _info(),
                            header=lambda info: [f"# {info['profile']} run", ""],
                            reference=REFERENCE)
    assert text.startswith("# smoke run\n")
    val, test_best = text.split("## Selection: best test epoch")
    assert "## Selection: honest (the test split chooses nothing)" in val
    # The reference's note explains the validation-selected scores; the test-selected
    # ones carry the optimism warning instead.
    assert REFERENCE.note in val and REFERENCE.note not in test_best
    assert "**Optimistic**" in test_best and "**Optimistic**" not in val
    # Both score tables have the reference columns.
    assert val.count("| paper AUC | Δ paper |") == 1
    assert test_best.count("| paper AUC | Δ paper |") == 1
    # A reference with the default header: the user's header and the reference's lines.
    default = _report.markdown(summary, comparisons, _info(), reference=REFERENCE)
    assert default.startswith("# Augmentation evaluation: `d` — profile `smoke`")
    assert "a: 50, b: 50" in default and "Paper values: A. Author (2020)" in default
