"""Paired comparisons of a method against no augmentation, over folds x seeds.

The differences ``d_j = score(method) - score(None)`` are paired by (seed, fold): both
runs used the same training part, held-out fold and test split. Cross-validation folds
share most of their training data, so the ``d_j`` are positively correlated and the
plain paired t-test (:func:`scipy.stats.ttest_rel`) is optimistic: its interval is too
narrow. The default interval and p-value here use the Nadeau and Bengio (2003)
corrected resampled t-test, in its repeated k-fold form (Bouckaert and Frank, 2004):
the variance of the mean difference is ``(1 / n + n_test / n_train) * s**2`` instead
of ``s**2 / n``, with ``n = folds * seeds`` differences and ``n_test / n_train`` the
ratio of held-out to training rows of a fold (``1 / (folds - 1)``).

The correction accounts for the overlap of the training sets. All cells are scored on
the same official test split, so the interval speaks about the variability of training
(subsets, folds, initialisation) on that test split, not about sampling another test
split. The uncorrected ``ttest_rel`` p-value and, for ``n >= 6``, the Wilcoxon
signed-rank p-value are reported beside it for reference.
"""

import math

import numpy as np
from scipy import stats

#: Smallest number of pairs for which the Wilcoxon signed-rank test is reported.
WILCOXON_MIN_N = 6


def corrected_interval(diffs, test_train_ratio, confidence=0.95):
    """Mean, interval and two-sided p-value of the Nadeau-Bengio corrected t-test.

    Parameters
    ----------
    diffs : array-like of shape (n,)
        Paired differences.
    test_train_ratio : float
        ``n_test / n_train`` of one resampling split; ``0`` gives the plain paired
        t-test.
    confidence : float, default=0.95
        Coverage of the interval.

    Returns
    -------
    mean : float
    low, high : float
        Interval bounds (``nan`` for fewer than two pairs).
    p_value : float
        Two-sided p-value of ``mean == 0`` (``nan`` for fewer than two pairs).
    """
    d = np.asarray(diffs, dtype=float)
    n = len(d)
    mean = float(d.mean()) if n else math.nan
    if n < 2:
        return mean, math.nan, math.nan, math.nan
    var = float(d.var(ddof=1))
    se = math.sqrt((1.0 / n + test_train_ratio) * var)
    if se == 0.0:  # all differences equal: no spread to test against
        p = 1.0 if mean == 0.0 else 0.0
        return mean, mean, mean, p
    t_crit = stats.t.ppf(0.5 + confidence / 2, df=n - 1)
    p = 2 * stats.t.sf(abs(mean / se), df=n - 1)
    return mean, mean - t_crit * se, mean + t_crit * se, float(p)


def verdict(low, high, mean):
    """'helps', 'hurts' or 'no significant difference' from an interval.

    Parameters
    ----------
    low, high : float
        Interval of the mean difference (method minus None).
    mean : float
        Mean difference.

    Returns
    -------
    verdict : str
    """
    if not (np.isfinite(low) and np.isfinite(high)):
        return "too few pairs to tell"
    if low > 0 or (low == high and mean > 0):
        return "helps"
    if high < 0 or (low == high and mean < 0):
        return "hurts"
    return "no significant difference"


def paired_comparison(method_scores, baseline_scores, test_train_ratio, confidence=0.95):
    """Compare paired scores of a method and the baseline.

    Parameters
    ----------
    method_scores, baseline_scores : array-like of shape (n,)
        Scores paired by position (same seed and fold).
    test_train_ratio : float
        ``n_test / n_train`` of a fold, for the Nadeau-Bengio correction (``0``: none).
    confidence : float, default=0.95
        Coverage of the interval.

    Returns
    -------
    comparison : dict
        ``n``, ``mean_diff``, ``ci_low``, ``ci_high``, ``p_corrected`` (Nadeau-Bengio),
        ``p_ttest_rel`` (plain paired t-test), ``p_wilcoxon`` (``nan`` for ``n < 6`` or
        all-zero differences) and ``verdict`` (from the corrected interval).

    Examples
    --------
    >>> from skgenaug.evaluation import paired_comparison
    >>> result = paired_comparison([0.8, 0.9, 0.85], [0.7, 0.8, 0.8], test_train_ratio=0.25)
    >>> result["n"], round(result["mean_diff"], 3)
    (3, 0.083)
    >>> result["verdict"]
    'no significant difference'
    """
    a = np.asarray(method_scores, dtype=float)
    b = np.asarray(baseline_scores, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"Paired scores differ in shape: {a.shape} vs {b.shape}.")
    keep = np.isfinite(a) & np.isfinite(b)
    a, b = a[keep], b[keep]
    d = a - b
    mean, low, high, p = corrected_interval(d, test_train_ratio, confidence)
    p_plain = math.nan
    if len(d) >= 2 and np.ptp(d) > 0:
        p_plain = float(stats.ttest_rel(a, b).pvalue)
    elif len(d) >= 2:
        p_plain = 1.0 if mean == 0 else 0.0
    p_wilcoxon = math.nan
    if len(d) >= WILCOXON_MIN_N and np.any(d != 0):
        p_wilcoxon = float(stats.wilcoxon(d).pvalue)
    return dict(
        n=int(len(d)),
        mean_diff=mean,
        ci_low=low,
        ci_high=high,
        p_corrected=p,
        p_ttest_rel=p_plain,
        p_wilcoxon=p_wilcoxon,
        verdict=verdict(low, high, mean),
    )
