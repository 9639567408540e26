"""The paired statistics: hand-made numbers and the corrected interval."""

import math

import numpy as np
import pytest

from skgenaug.evaluation import (
    paired_comparison,
)
from skgenaug.evaluation._stats import corrected_interval


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
    assert same["verdict"] == "no significant difference" and same["mean_diff"] == 0
    assert math.isnan(same["p_wilcoxon"])

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
