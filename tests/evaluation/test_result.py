"""AugmentationEvaluation: what a finished run's cells turn into."""

import json

import numpy as np
import pandas as pd
import pytest

from skgenaug.evaluation import AugmentationEvaluation, ReferenceValues


def _cells():
    rows = []
    gains = {"none": 0.0, "ros": 0.02, "geometric": 0.10, "flips": 0.0}
    for method, gain in gains.items():
        for fold in range(4):
            base = 0.6 + 0.03 * fold
            rows.append(dict(
                selection="val", dataset="d", method=method, seed=0, fold=fold,
                auc=base + gain, acc=base + gain, balanced_acc=base + gain,
                n_val=20, n_train=80, wall_s=1.0,
                # 'flips' asked for no images: it trained on the real ones only
                n_generated=0 if method in ("none", "flips") else 40,
                quality=({"fd": 1.0 + fold, "seconds": 0.1} if method == "geometric"
                         else None)))
    return pd.DataFrame(rows)


def _info():
    return dict(profile="smoke", description="d", folds=4, seeds=[0], device="CPU",
                wall_s=4.0, n_run=16, n_reused=0, cell_s=16.0, command="c",
                add_per_class=150, cv="4 stratified folds",
                data=dict(name="d", n_images=100, image_shape=[8, 8],
                          class_counts={"a": 50, "b": 50}, test_set=False, n_test=None,
                          n_unlabelled=None, validation_fraction=0.2))


@pytest.fixture
def evaluation():
    return AugmentationEvaluation(_cells(), {}, _info(), {"settings": {}},
                                  baseline="none", controls=("ros",))


def test_comparisons_follow_from_the_cells(evaluation):
    auc = evaluation.comparisons[evaluation.comparisons.metric == "auc"]
    vs_none = auc[auc.reference == "none"].set_index("method").mean_diff
    assert vs_none.to_dict() == pytest.approx({"ros": 0.02, "geometric": 0.10,
                                               "flips": 0.0})
    vs_ros = auc[auc.reference == "ros"].set_index("method").mean_diff
    assert vs_ros["geometric"] == pytest.approx(0.08)
    assert "none" not in set(auc.method) and evaluation.n_run == 16
    summary = evaluation.summary.set_index("method")
    assert summary.n.tolist() == [4, 4, 4, 4]
    assert summary.auc_mean["geometric"] == pytest.approx(0.645 + 0.10)
    assert evaluation.quality.method.tolist() == ["geometric"]
    assert "baseline 'none'" in repr(evaluation)


def test_report_names_methods_that_added_no_images(evaluation):
    text = evaluation.to_markdown()
    assert "**Note**: flips added no images in any cell" in text
    assert "Geometric" in text  # display names, not codes
    other = AugmentationEvaluation(_cells(), {}, _info(), {}, baseline="geometric")
    assert "Paired difference vs Geometric" in other.to_markdown()
    assert "Paired difference vs None" not in other.to_markdown()


def test_report_does_not_call_the_unaugmented_control_idle():
    # 'plain' (like 'none') never makes images: the note is for samplers that made none.
    cells = _cells()
    plain = cells[cells.method == "none"].assign(method="plain")
    text = AugmentationEvaluation(pd.concat([cells, plain]), {}, _info(),
                                  {}).to_markdown()
    assert "**Note**: flips added no images in any cell" in text
    assert "No augmentation at all added no images" not in text


def test_save_writes_the_report_tables_and_figures(evaluation, tmp_path):
    folder = evaluation.save(tmp_path / "out")
    assert {p.name for p in folder.iterdir()} == {
        "results.md", "cells.csv", "summary.csv", "comparisons.csv", "quality.csv",
        "config.json", "scores.png"}
    cells = pd.read_csv(folder / "cells.csv")
    assert "quality" not in cells.columns and len(cells) == 16
    np.testing.assert_allclose(cells.auc, _cells().auc)
    config = json.loads((folder / "config.json").read_text())
    assert config["quality"][0]["method"] == "geometric"
    assert (folder / "results.md").read_text() == evaluation.to_markdown() + "\n"


def test_controls_pick_the_second_comparisons():
    cells = _cells()
    plain = AugmentationEvaluation(cells, {}, _info(), {}, controls=())
    assert set(plain.comparisons.reference) == {"none"}
    geometric = AugmentationEvaluation(cells, {}, _info(), {}, controls=("geometric",))
    auc = geometric.comparisons[geometric.comparisons.metric == "auc"]
    vs = auc[auc.reference == "geometric"].set_index("method").mean_diff
    # The control is compared with neither itself nor the baseline.
    assert vs.to_dict() == pytest.approx({"ros": 0.02 - 0.10, "flips": -0.10})
    assert "### Paired difference vs Geometric (a control)" in geometric.to_markdown()
    assert "(a control)" not in plain.to_markdown()
    # Without baseline cells only the control comparisons remain.
    no_baseline = AugmentationEvaluation(cells[cells.method != "none"], {}, _info(), {})
    assert set(no_baseline.comparisons.reference) == {"ros"}
    assert set(no_baseline.comparisons.method) == {"geometric", "flips"}
    neither = AugmentationEvaluation(cells[cells.method != "none"], {}, _info(), {},
                                     controls=())
    assert neither.comparisons.empty


def test_header_and_reference_reach_the_summary_and_the_report(evaluation):
    reference = ReferenceValues("pub", "B. Writer (2021)", {"d": {"geometric": {
        "auc": 0.7}}})
    given = AugmentationEvaluation(_cells(), {}, _info(), {},
                                   header=lambda info: [f"# Run {info['profile']}", ""],
                                   reference=reference)
    summary = given.summary.set_index("method")
    assert summary.pub_auc["geometric"] == 0.7 and np.isnan(summary.pub_auc["none"])
    assert summary.diff_pub_auc["geometric"] == pytest.approx(0.645 + 0.10 - 0.7)
    text = given.to_markdown()
    assert text.startswith("# Run smoke\n")
    assert "Pub values: B. Writer (2021)" in text and "| pub AUC | Δ pub |" in text
    # Neither given: no reference columns, the header of a user's images.
    assert not [c for c in evaluation.summary.columns if "pub" in c]
    assert evaluation.to_markdown().startswith("# Augmentation evaluation: `d`")
    assert "values: " not in evaluation.to_markdown()


def _noisy_cells(gains, n_folds=5, datasets=("d1", "d2")):
    rng = np.random.RandomState(1)
    rows = []
    for dataset in datasets:
        for method, gain in gains.items():
            for fold in range(n_folds):
                base = 0.7 + 0.02 * fold
                noise = 0.004 * rng.randn()
                rows.append(dict(selection="val", dataset=dataset, method=method, seed=0,
                                 fold=fold, auc=base + gain + noise,
                                 acc=base - gain + noise, balanced_acc=base + noise,
                                 n_val=20, n_train=80, wall_s=1.0, n_generated=10))
    return pd.DataFrame(rows)


def test_report_opens_with_the_verdict_on_the_primary_metric():
    cells = _noisy_cells({"none": 0.0, "good": 0.05, "same": 0.0, "bad": -0.05})
    result = AugmentationEvaluation(cells, {}, _info(), {"settings": {}},
                                    baseline="none", controls=())
    text = result.to_markdown()
    verdict = text.split("## Verdict")[1].split("\n\n")[2]
    assert text.index("## Verdict") < text.index("### Test scores")
    assert "Primary metric, declared before the run: **AUC**" in text
    assert "6 comparison(s) with a p-value, Holm-adjusted" in text
    assert verdict.startswith("**2 of 6 beat None after Holm's correction**")
    assert "good on d1: +0.0" in verdict and "Worse than None after Holm: bad on d1" \
        in verdict
    primary = result.comparisons[result.comparisons.family == "primary"]
    assert set(primary.metric) == {"auc"} and len(primary) == 6
    # ACC moves the other way; it is secondary, BH-adjusted, and not in the verdict.
    acc = result.comparisons[result.comparisons.metric == "acc"]
    assert (acc.family == "secondary").all() and acc.p_bh.notna().all()
    assert acc.set_index(["dataset", "method"]).verdict[("d1", "good")] == "hurts"
    # The same cells with ACC declared primary give the opposite verdict.
    by_acc = AugmentationEvaluation(cells, {}, _info(), {"settings": {}},
                                    baseline="none", controls=(),
                                    primary_metric="acc").to_markdown()
    assert "**ACC**" in by_acc and "Worse than None after Holm: good on d1" in by_acc


def test_no_winner_verdict_states_what_is_ruled_out_and_what_was_detectable():
    cells = _noisy_cells({"none": 0.0, "same": 0.0})
    result = AugmentationEvaluation(cells, {}, _info(), {"settings": {}},
                                    baseline="none", controls=(), rope=0.05)
    text = result.to_markdown()
    rows = result.comparisons[result.comparisons.family == "primary"]
    bound = np.abs(rows[["ci_low", "ci_high"]]).to_numpy().max()
    assert "**No method beat None on AUC after Holm's correction.**" in text
    assert f"within ±{bound:.3f} AUC" in text
    assert f"range from {rows.detectable.min():.3f} to {rows.detectable.max():.3f}" \
        in text
    # A ROPE of 0.05 is wide against this noise: practically equivalent.
    assert (rows.p_rope >= 0.95).all()
    assert "Practically equivalent to None (P(|Δ| < 0.05) ≥ 0.95" in text
    assert "practically equivalent |" in text  # the table's verdict column


def test_a_saved_folder_is_reported_again_without_computing(tmp_path):
    cells = _noisy_cells({"none": 0.0, "good": 0.05, "same": 0.0})
    # run_cells records the report's run information in config.json.
    result = AugmentationEvaluation(cells, {}, _info(), {"run_info": _info()},
                                    baseline="none", controls=())
    result.save(tmp_path)
    again = AugmentationEvaluation.from_folder(tmp_path)
    pd.testing.assert_frame_equal(again.comparisons.reset_index(drop=True),
                                  result.comparisons.reset_index(drop=True),
                                  check_dtype=False)
    # The folder recorded no declaration (its config came from the caller): the
    # report says the primary metric was declared at re-reporting.
    text = again.to_markdown()
    assert "declared when these stored cells were re-reported" in text
    assert "declared before the run" not in text
    assert json.loads((tmp_path / "config.json").read_text()).get("declared") is None
    again.save_report(tmp_path)
    config = json.loads((tmp_path / "config.json").read_text())
    assert config["declared"]["primary_metric"] == "auc"
    assert config["declared_at"].startswith("when the stored cells were re-reported")
    assert "## Verdict" in (tmp_path / "results.md").read_text()
    # Reported again, it still says so (the declaration it wrote is not a run's).
    assert "declared when these stored cells were re-reported" in \
        AugmentationEvaluation.from_folder(tmp_path).to_markdown()
    with pytest.raises(FileNotFoundError, match="cells.csv is missing"):
        AugmentationEvaluation.from_folder(tmp_path / "nothing")


def test_a_family_of_one_comparison_is_said_so():
    cells = _noisy_cells({"none": 0.0, "good": 0.05}, datasets=("d1",))
    text = AugmentationEvaluation(cells, {}, _info(), {}, baseline="none",
                                  controls=()).to_markdown()
    assert "1 comparison(s) with a p-value" in text
    assert "The primary family holds a single comparison" in text
