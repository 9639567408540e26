"""The paired statistics: hand-made numbers and the corrected interval."""

import math

import numpy as np
import pytest

from skgenaug.evaluation import (
    paired_comparison,
)
from skgenaug.evaluation._stats import (
    PairedBootstrap,
    adjust_comparisons,
    bayesian_correlated_ttest,
    corrected_interval,
    detectable_difference,
    resample_counts,
    resampled_scores,
)


def test_paired_statistics_on_hand_made_numbers():
    rng = np.random.default_rng(0)
    base = rng.uniform(0.7, 0.8, 10)
    helps = paired_comparison(base + 0.05 + rng.normal(0, 0.003, 10), base, 1 / 9)
    assert helps["verdict"] == "helps"
    assert 0.04 < helps["mean_diff"] < 0.06 and helps["ci_low"] > 0
    assert helps["p_corrected"] < 0.01 and helps["p_wilcoxon"] < 0.01

    hurts = paired_comparison(base - 0.05 + rng.normal(0, 0.003, 10), base, 1 / 9)
    assert hurts["verdict"] == "hurts" and hurts["ci_high"] < 0

    same = paired_comparison(base, base, 1 / 9)
    assert same["verdict"] == "no difference" and same["mean_diff"] == 0
    assert same["p_corrected"] == 1 and math.isnan(same["p_wilcoxon"])

    noisy = paired_comparison(base + rng.normal(0, 0.05, 10), base, 1 / 9)
    assert noisy["verdict"] == "no significant difference"

    few = paired_comparison(base[:4] + 0.05, base[:4], 1 / 3)
    assert math.isnan(few["p_wilcoxon"])  # Wilcoxon only from 6 pairs


def test_corrected_interval_is_wider_than_plain():
    d = np.array([0.01, 0.03, 0.02, 0.04, 0.00, 0.02, 0.03, 0.01, 0.02, 0.02])
    mean, low, high, p = corrected_interval(d, 1 / 9)
    _, low0, high0, p0 = corrected_interval(d, 0.0)
    assert mean == pytest.approx(0.02)
    assert high - low > high0 - low0 and p > p0
    # The plain form agrees with scipy's paired t-test.
    from scipy import stats

    assert p0 == pytest.approx(stats.ttest_1samp(d, 0).pvalue)
    # Nadeau-Bengio: variance times (1/n + ratio).
    se = math.sqrt((1 / 10 + 1 / 9) * d.var(ddof=1))
    assert high - mean == pytest.approx(stats.t.ppf(0.975, 9) * se)


def test_degenerate_comparisons_get_no_verdict():
    base = np.linspace(0.7, 0.8, 5)
    # Every difference equal but not zero: no spread to test against, so no p-value
    # and no verdict (it was p = 0, "helps", before).
    shifted = paired_comparison(base + 0.02, base, 0.25)
    assert math.isnan(shifted["p_corrected"])
    assert shifted["verdict"] == "not tested: all differences equal"
    assert shifted["ci_low"] == shifted["ci_high"] == pytest.approx(0.02)
    # One pair: no p-value, never a verdict.
    one = paired_comparison([0.9], [0.8], 0.25)
    assert math.isnan(one["p_corrected"]) and one["verdict"] == "too few pairs to tell"
    assert all(math.isnan(one[k]) for k in ("p_better", "p_rope", "p_worse",
                                             "detectable"))


#: baycomp 1.0.3's CorrelatedTTest.probs(baseline, method, rope=0.01, runs) on these
#: scores: (p_left = worse, p_rope, p_right = better), computed once with baycomp.
BASELINE = np.array([0.80, 0.82, 0.79, 0.85, 0.81, 0.83, 0.80, 0.84, 0.82, 0.81])
METHOD = np.array([0.82, 0.83, 0.80, 0.86, 0.80, 0.85, 0.83, 0.85, 0.84, 0.82])
BAYCOMP_10_FOLDS = (0.0005404758680079837, 0.2759259112550614, 0.7235336128769306)
BAYCOMP_2_RUNS = (0.0003193266945106122, 0.6274682390900016, 0.3722124342154878)


def test_bayesian_correlated_ttest_matches_baycomp():
    # 10 folds, one run: n_test / n_train = 1 / 9.
    better, rope, worse = bayesian_correlated_ttest(METHOD - BASELINE, 1 / 9, 0.01)
    assert (worse, rope, better) == pytest.approx(BAYCOMP_10_FOLDS, abs=1e-12)
    # Two runs of 10 folds: 20 differences, the same ratio.
    base2 = np.r_[BASELINE, BASELINE + 0.005]
    method2 = np.r_[METHOD, METHOD - 0.004]
    better, rope, worse = bayesian_correlated_ttest(method2 - base2, 1 / 9, 0.01)
    assert (worse, rope, better) == pytest.approx(BAYCOMP_2_RUNS, abs=1e-12)
    # A wider ROPE takes probability from both sides.
    wide = bayesian_correlated_ttest(METHOD - BASELINE, 1 / 9, 0.05)
    assert wide[1] > 0.99
    # Without spread the posterior is a point.
    assert bayesian_correlated_ttest([0.02] * 5, 0.25, 0.01) == (1.0, 0.0, 0.0)
    assert bayesian_correlated_ttest([0.005] * 5, 0.25, 0.01) == (0.0, 1.0, 0.0)


def test_bayesian_correlated_ttest_against_baycomp_when_installed():
    baycomp = pytest.importorskip("baycomp")
    rng = np.random.default_rng(3)
    base = rng.uniform(0.7, 0.9, 15)
    method = base + rng.normal(0.01, 0.02, 15)
    ours = bayesian_correlated_ttest(method - base, 1 / 4, 0.01)
    theirs = baycomp.CorrelatedTTest.probs(base, method, rope=0.01, runs=3)
    assert (ours[2], ours[1], ours[0]) == pytest.approx(theirs, abs=1e-10)


def test_detectable_difference_follows_power():
    from scipy import stats

    d = np.array([0.01, 0.03, 0.02, 0.04, 0.00, 0.02, 0.03, 0.01, 0.02, 0.02])
    se = math.sqrt((1 / 10 + 1 / 9) * d.var(ddof=1))
    expected = (stats.t.ppf(0.975, 9) + stats.t.ppf(0.8, 9)) * se
    assert detectable_difference(d, 1 / 9) == pytest.approx(expected)
    assert detectable_difference(d, 1 / 9, power=0.9) > expected
    assert math.isnan(detectable_difference(d[:1], 1 / 9))


#: A fixed p-vector of a run: 3 data sets x 2 methods vs none (AUC is primary), their
#: ACC rows, and two control rows.
P_VALUES = [0.001, 0.02, 0.04, 0.3, 0.012, 0.8,  # auc vs none
            0.002, 0.05, 0.03, 0.6, 0.01, 0.9,  # acc vs none
            0.004, 0.2]                           # auc vs ros


def _comparisons():
    import pandas as pd

    rows = []
    for i, p in enumerate(P_VALUES):
        metric = "acc" if 6 <= i < 12 else "auc"
        reference = "ros" if i >= 12 else "none"
        rows.append(dict(selection="val", dataset=f"d{i % 3}",
                         method=["cvae", "cgan"][(i // 3) % 2], reference=reference,
                         metric=metric, n=5, mean_diff=0.01 if i % 2 else -0.01,
                         p_corrected=p))
    return pd.DataFrame(rows)


def test_holm_and_bh_match_statsmodels_on_a_fixed_vector():
    from statsmodels.stats.multitest import multipletests

    out = adjust_comparisons(_comparisons(), "auc", "none")
    primary = out.family == "primary"
    assert list(out.index[primary]) == list(range(6))  # auc vs none only
    p = np.array(P_VALUES)
    holm = multipletests(p[:6], method="holm")[1]
    np.testing.assert_allclose(out.p_holm[primary], holm)
    assert out.p_holm[~primary].isna().all()
    # BH over all rows of one metric: AUC vs none and vs ROS together, ACC apart.
    auc = list(range(6)) + [12, 13]
    np.testing.assert_allclose(out.p_bh[auc], multipletests(p[auc], method="fdr_bh")[1])
    np.testing.assert_allclose(out.p_bh[6:12],
                               multipletests(p[6:12], method="fdr_bh")[1])
    # Verdicts follow the adjusted p: Holm for primary rows, BH for the others.
    np.testing.assert_allclose(out.p_adjusted[primary], holm)
    assert ((out.p_adjusted < 0.05) == out.verdict.isin(["helps", "hurts"])).all()
    # 0.02 unadjusted would be "helps"; Holm (x5) makes it 0.08.
    assert out.verdict[1] == "no significant difference"
    assert out.verdict[0] == "hurts"  # p_holm 0.006, negative mean


def test_a_primary_metric_without_rows_leaves_every_row_secondary():
    out = adjust_comparisons(_comparisons(), "balanced_acc", "none")
    assert (out.family == "secondary").all() and out.p_holm.isna().all()
    assert out.p_bh.notna().all()


@pytest.mark.parametrize("n_classes", [2, 5])
def test_resampled_scores_equal_the_scores_of_each_resample(n_classes):
    from sklearn.metrics import accuracy_score, balanced_accuracy_score

    from skgenaug.metrics import medmnist_auc

    rng = np.random.default_rng(n_classes)
    y = rng.integers(0, n_classes, 120)
    proba = rng.dirichlet(np.ones(n_classes), 120)
    proba[np.arange(120), y] += 0.3
    proba[:10, 0] = proba[10:20, 0]  # ties, counted half as roc_auc_score does
    indices = np.vstack([np.arange(120), rng.integers(0, 120, (3, 120))])
    counts = np.vstack([np.bincount(rows, minlength=120) for rows in indices])
    auc = resampled_scores(y, proba, counts, "auc")
    acc = resampled_scores(y, proba, counts, "acc")
    bacc = resampled_scores(y, proba, counts, "balanced_acc")
    for i, rows in enumerate(indices):
        pred = proba[rows].argmax(axis=1)
        assert auc[i] == pytest.approx(medmnist_auc(y[rows], proba[rows]))
        assert acc[i] == pytest.approx(accuracy_score(y[rows], pred))
        assert bacc[i] == pytest.approx(balanced_accuracy_score(y[rows], pred))


def _predictions(shift, n_folds=3, n=200, seed=0, same_test=True):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    out = {}
    for fold in range(n_folds):
        y_fold = y if same_test else rng.integers(0, 2, n)
        for method, gain in (("none", 0.0), ("better", shift)):
            score = np.clip(0.5 + (0.15 + gain) * (2 * y_fold - 1)
                            + rng.normal(0, 0.25, n), 0, 1)
            out[("val", "d", method, 0, fold)] = (y_fold, np.c_[1 - score, score])
    return out


def test_test_set_bootstrap_sees_a_gain_and_its_absence():
    keys = [("val", "d", "better", 0, f) for f in range(3)]
    refs = [("val", "d", "none", 0, f) for f in range(3)]
    gain = PairedBootstrap(_predictions(0.15))
    assert gain.applies("val", "d")
    low, high, p = gain.compare(keys, refs, "auc")
    assert 0 < low < high and p < 0.01
    same = PairedBootstrap(_predictions(0.0))
    low, high, p = same.compare(keys, refs, "auc")
    assert low < 0 < high and p > 0.05
    # Repeatable, and the same resamples for every method of a seed.
    assert gain.compare(keys, refs, "acc") == PairedBootstrap(
        _predictions(0.15)).compare(keys, refs, "acc")
    # Held-out folds as test sets: no fixed test set, no bootstrap.
    assert not PairedBootstrap(_predictions(0.15, same_test=False)).applies("val", "d")
    assert all(math.isnan(v) for v in gain.compare(keys, [("val", "d", "x", 0, 0)] * 3,
                                                   "auc"))


def test_a_verdict_needs_the_test_set_interval_to_agree():
    import pandas as pd

    rows = pd.DataFrame([
        dict(selection="val", dataset="d", method=m, reference="none", metric="auc",
             n=5, mean_diff=0.03, p_corrected=0.001, test_low=low, test_high=high)
        for m, low, high in (("a", 0.01, 0.05), ("b", -0.01, 0.05),
                             ("c", np.nan, np.nan))])
    out = adjust_comparisons(rows, "auc", "none").set_index("method").verdict
    assert out["a"] == "helps" and out["c"] == "helps"
    assert out["b"] == "no significant difference (test-set interval includes 0)"


def test_resample_counts_draw_every_row_as_often_as_the_test_set_is_long():
    counts = resample_counts(50, 200, np.random.default_rng(0))
    assert counts.shape == (200, 50) and (counts.sum(axis=1) == 50).all()
    assert counts.mean() == pytest.approx(1.0)  # each row once per resample, on average
