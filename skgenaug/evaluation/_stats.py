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

Beside the frequentist test, the Bayesian correlated t-test of Benavoli et al. (2017,
JMLR 18(77)) gives, with the same corrected scale, the posterior probabilities that the
method is better by more than a region of practical equivalence (ROPE), within it, or
worse. Many comparisons in one run are corrected for multiplicity
(:func:`adjust_comparisons`): Holm over the pre-declared primary family, Benjamini-
Hochberg over all rows of one metric.
"""

import math
import warnings

import numpy as np
from scipy import stats

from .._methods import UNAUGMENTED

#: Smallest number of pairs for which the Wilcoxon signed-rank test is reported.
WILCOXON_MIN_N = 6


#: Level of every test and adjusted p-value.
ALPHA = 0.05
#: Power at which :func:`detectable_difference` reports the smallest detectable effect.
POWER = 0.8


def _spread(diffs, test_train_ratio):
    """``(d, mean, se)``: the finite differences, their mean and the corrected standard
    error of the mean (``nan`` for fewer than two differences)."""
    d = np.asarray(diffs, dtype=float)
    n = len(d)
    mean = float(d.mean()) if n else math.nan
    if n < 2:
        return d, mean, math.nan
    return d, mean, math.sqrt((1.0 / n + test_train_ratio) * float(d.var(ddof=1)))


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
        Two-sided p-value of ``mean == 0``: ``nan`` for fewer than two pairs; when all
        differences are equal (no spread) ``1`` if they are all 0, else ``nan`` (there
        is nothing to test the mean against).
    """
    d, mean, se = _spread(diffs, test_train_ratio)
    if not np.isfinite(se):
        return mean, math.nan, math.nan, math.nan
    if se == 0.0:
        return mean, mean, mean, 1.0 if mean == 0.0 else math.nan
    t_crit = stats.t.ppf(0.5 + confidence / 2, df=len(d) - 1)
    p = 2 * stats.t.sf(abs(mean / se), df=len(d) - 1)
    return mean, mean - t_crit * se, mean + t_crit * se, float(p)


def detectable_difference(diffs, test_train_ratio, alpha=ALPHA, power=POWER):
    """The smallest true difference the corrected t-test would detect with ``power``.

    ``(t_{1 - alpha / 2} + t_{power}) * se`` with ``n - 1`` degrees of freedom: a
    "no significant difference" says little about differences smaller than this.

    Parameters
    ----------
    diffs : array-like of shape (n,)
        Paired differences.
    test_train_ratio : float
        ``n_test / n_train`` of one resampling split.
    alpha : float, default=0.05
        Two-sided level of the test.
    power : float, default=0.8
        Probability of detecting the difference.

    Returns
    -------
    difference : float
        ``nan`` for fewer than two pairs.
    """
    d, _, se = _spread(diffs, test_train_ratio)
    if not np.isfinite(se):
        return math.nan
    df = len(d) - 1
    return float((stats.t.ppf(1 - alpha / 2, df) + stats.t.ppf(power, df)) * se)


def bayesian_correlated_ttest(diffs, test_train_ratio, rope):
    """Posterior probabilities of the Bayesian correlated t-test (Benavoli et al. 2017).

    The posterior of the mean difference is a Student t with ``n - 1`` degrees of
    freedom, located at the mean difference, with the Nadeau-Bengio corrected scale
    (``baycomp.CorrelatedTTest``'s model).

    Parameters
    ----------
    diffs : array-like of shape (n,)
        Paired differences, method minus reference.
    test_train_ratio : float
        ``n_test / n_train`` of one resampling split (``1 / (folds - 1)``).
    rope : float
        Half-width of the region of practical equivalence, ``> 0``.

    Returns
    -------
    p_better, p_rope, p_worse : float
        Probabilities that the difference is above ``rope``, within ``[-rope,
        rope]``, below ``-rope``; ``nan`` for fewer than two pairs. Without spread
        (all differences equal) the posterior is a point: one of them is 1.

    Examples
    --------
    >>> from skgenaug.evaluation._stats import bayesian_correlated_ttest
    >>> p = bayesian_correlated_ttest([0.02, 0.01, 0.03, 0.02, 0.01], 0.25, rope=0.01)
    >>> [round(float(v), 3) for v in p]
    [0.886, 0.11, 0.004]
    """
    d, mean, se = _spread(diffs, test_train_ratio)
    if not np.isfinite(se):
        return math.nan, math.nan, math.nan
    if se == 0.0:
        return float(mean > rope), float(abs(mean) <= rope), float(mean < -rope)
    posterior = stats.t(df=len(d) - 1, loc=mean, scale=se)
    p_worse, p_better = float(posterior.cdf(-rope)), float(posterior.sf(rope))
    return p_better, max(0.0, 1.0 - p_better - p_worse), p_worse


def verdict(mean, p_value, n, alpha=ALPHA):
    """The words of one comparison from its (adjusted) p-value.

    Parameters
    ----------
    mean : float
        Mean difference (method minus reference).
    p_value : float
        Its p-value, adjusted for multiplicity where the comparison is one of many.
    n : int
        Number of pairs.
    alpha : float, default=0.05
        Level.

    Returns
    -------
    verdict : str
        ``'helps'`` or ``'hurts'`` (``p_value < alpha``), ``'no significant
        difference'``, ``'no difference'`` (every pair equal), ``'too few pairs to
        tell'`` (``n < 2``) or ``'not tested: all differences equal'``.
    """
    if n < 2:
        return "too few pairs to tell"
    if not np.isfinite(p_value):
        return "not tested: all differences equal"
    if p_value < alpha:
        return "helps" if mean > 0 else "hurts"
    return "no difference" if p_value == 1.0 and mean == 0 else \
        "no significant difference"


def paired_comparison(method_scores, baseline_scores, test_train_ratio, confidence=0.95,
                      rope=0.01):
    """Compare paired scores of a method and the baseline.

    Parameters
    ----------
    method_scores, baseline_scores : array-like of shape (n,)
        Scores paired by position (same seed and fold).
    test_train_ratio : float
        ``n_test / n_train`` of a fold, for the Nadeau-Bengio correction (``0``: none).
    confidence : float, default=0.95
        Coverage of the interval.
    rope : float, default=0.01
        Half-width of the region of practical equivalence of the Bayesian test.

    Returns
    -------
    comparison : dict
        ``n``, ``mean_diff``, ``ci_low``, ``ci_high``, ``p_corrected`` (Nadeau-Bengio),
        ``p_ttest_rel`` (plain paired t-test), ``p_wilcoxon`` (``nan`` for ``n < 6`` or
        all-zero differences), ``detectable`` (:func:`detectable_difference`),
        ``p_better``, ``p_rope``, ``p_worse`` (:func:`bayesian_correlated_ttest`) and
        ``verdict`` (of this comparison alone, from ``p_corrected``;
        :func:`adjust_comparisons` replaces it by the adjusted one).

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
    p_wilcoxon = math.nan
    if len(d) >= WILCOXON_MIN_N and np.any(d != 0):
        p_wilcoxon = float(stats.wilcoxon(d).pvalue)
    p_better, p_rope, p_worse = bayesian_correlated_ttest(d, test_train_ratio, rope)
    return dict(
        n=int(len(d)),
        mean_diff=mean,
        ci_low=low,
        ci_high=high,
        p_corrected=p,
        p_ttest_rel=p_plain,
        p_wilcoxon=p_wilcoxon,
        detectable=detectable_difference(d, test_train_ratio),
        p_better=p_better,
        p_rope=p_rope,
        p_worse=p_worse,
        verdict=verdict(mean, p, len(d)),
    )


def _adjusted(p_values, method):
    """statsmodels' adjusted p-values of the finite entries (the others stay nan)."""
    from statsmodels.stats.multitest import multipletests

    p = np.asarray(p_values, dtype=float)
    out = np.full(len(p), np.nan)
    finite = np.isfinite(p)
    if finite.any():
        out[finite] = multipletests(p[finite], alpha=ALPHA, method=method)[1]
    return out


def adjust_comparisons(comparisons, primary_metric, baseline, alpha=ALPHA):
    """Multiplicity-adjusted p-values and verdicts of a run's comparisons.

    The primary family of one selection rule is every (data set, method) compared with
    the baseline on the primary metric: ``p_holm`` is Holm's family-wise adjustment
    over it. ``p_bh`` is the Benjamini-Hochberg (false discovery rate) adjustment over
    all rows of one metric and selection rule (baseline and control comparisons).
    ``verdict`` then follows ``p_adjusted``: ``p_holm`` for primary rows, ``p_bh`` for
    the others, which are secondary (exploratory). Rows without a p-value (fewer than
    two pairs, no spread) are left out of the families.

    Parameters
    ----------
    comparisons : pandas.DataFrame
        Rows of :func:`paired_comparison` with ``selection``, ``metric`` and
        ``reference`` columns.
    primary_metric : str
        The metric declared primary before the run.
    baseline : str
        The run's baseline.
    alpha : float, default=0.05
        Level of the verdicts.

    Returns
    -------
    comparisons : pandas.DataFrame
        A copy with ``family`` (``'primary'`` or ``'secondary'``), ``p_holm``,
        ``p_bh``, ``p_adjusted`` and ``verdict``. Where a test-set interval
        (``test_low``, ``test_high``) exists, "helps" or "hurts" also needs it to
        exclude 0 on the same side.
    """
    out = comparisons.copy()
    if not len(out):
        return out
    # The unaugmented control measures the on-the-fly augmentation, not a method.
    primary = (out.metric == primary_metric) & (out.reference == baseline) \
        & (out.method != UNAUGMENTED)
    out["family"] = np.where(primary, "primary", "secondary")
    out["p_holm"] = np.nan
    out["p_bh"] = np.nan
    for _, rows in out[primary].groupby("selection", sort=False):
        out.loc[rows.index, "p_holm"] = _adjusted(rows.p_corrected, "holm")
    for _, rows in out.groupby(["selection", "metric"], sort=False):
        out.loc[rows.index, "p_bh"] = _adjusted(rows.p_corrected, "fdr_bh")
    out["p_adjusted"] = out.p_holm.where(primary, out.p_bh)
    out["verdict"] = [verdict(r.mean_diff, r.p_adjusted, r.n, alpha)
                      for r in out.itertuples()]
    if "test_low" in out:
        # A fixed test set: the test-set interval must agree with the fold-based one.
        disagree = ((out.verdict == "helps") & ~(out.test_low > 0)
                    | (out.verdict == "hurts") & ~(out.test_high < 0)) \
            & out.test_low.notna()
        out.loc[disagree, "verdict"] = "no significant difference (test-set interval " \
                                       "includes 0)"
    return out


#: Resamples of the paired bootstrap over test images.
N_BOOTSTRAP = 1000


def resample_counts(n, n_resamples, rng):
    """How often each of ``n`` rows is drawn in each bootstrap resample.

    Parameters
    ----------
    n : int
        Rows of the test set.
    n_resamples : int
        Resamples.
    rng : numpy.random.Generator
        Source of the draws.

    Returns
    -------
    counts : ndarray of shape (n_resamples, n)
        Multiplicities; each row sums to ``n``.
    """
    rows = rng.integers(0, n, size=(n_resamples, n))
    flat = rows + n * np.arange(n_resamples)[:, None]
    return np.bincount(flat.ravel(), minlength=n_resamples * n).reshape(n_resamples, n)


def _weighted_auc(score, positive, counts):
    """The ROC AUC of one score in every resample at once, ties counted half.

    The images are sorted once by score; each resample weighs them by their
    multiplicity, so the Mann-Whitney statistic is a weighted cumulative sum instead
    of a sort per resample.
    """
    order = np.argsort(score, kind="stable")
    ordered = score[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])  # tie groups
    weights = counts[:, order]
    pos = weights * positive[order]
    neg = weights - pos
    if len(starts) < len(score):  # ties: one group per distinct score
        pos = np.add.reduceat(pos, starts, axis=1)
        neg = np.add.reduceat(neg, starts, axis=1)
    below = np.cumsum(neg, axis=1) - neg
    n_pos, n_neg = pos.sum(axis=1), neg.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        auc = (pos * (below + 0.5 * neg)).sum(axis=1) / (n_pos * n_neg)
    return np.where((n_pos > 0) & (n_neg > 0), auc, np.nan)


def resampled_scores(y, proba, counts, metric):
    """A metric on many resamples of one test set at once.

    Parameters
    ----------
    y : ndarray of shape (n,)
        Class codes of the test images.
    proba : ndarray of shape (n, n_classes)
        Class probabilities.
    counts : ndarray of shape (n_resamples, n)
        How often each image is drawn in each resample (:func:`resample_counts`).
    metric : {'auc', 'acc', 'balanced_acc'}
        MedMNIST's AUC (binary: of the positive class; else the mean one-vs-rest AUC
        over the classes present), accuracy or balanced accuracy.

    Returns
    -------
    scores : ndarray of shape (n_resamples,)
        ``nan`` where a resample leaves the metric undefined.
    """
    n_classes = proba.shape[1]
    if metric in ("acc", "balanced_acc"):
        correct = proba.argmax(axis=1) == y
        if metric == "acc":
            return (counts * correct).sum(axis=1) / counts.sum(axis=1)
        recalls = []
        for k in range(n_classes):
            members = (counts * (y == k)).sum(axis=1)
            hits = (counts * (correct & (y == k))).sum(axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                recalls.append(np.where(members > 0, hits / members, np.nan))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a resample without a class
            return np.nanmean(np.vstack(recalls), axis=0)
    if n_classes == 2:
        return _weighted_auc(proba[:, 1], y == 1, counts)
    aucs = np.vstack([_weighted_auc(proba[:, k], y == k, counts)
                      for k in range(n_classes)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(aucs, axis=0)


class PairedBootstrap:
    """Paired bootstrap over the test images of a run scored on a fixed test set.

    Every resample draws test images with replacement, the same images for every
    method of one (selection, data set, seed); a comparison's difference is averaged
    over its (seed, fold) pairs. The interval speaks about the sampling of the test
    set, which the fold-based interval does not see when every fold is scored on the
    same test images. Each (cell, metric) is resampled once and shared by all the
    comparisons it enters.

    Parameters
    ----------
    predictions : dict
        ``{(selection, dataset, method, seed, fold): (y_test, proba)}``
        (:meth:`~skgenaug.evaluation.ResultStore.predictions`).
    n_resamples : int, default=1000
        Bootstrap resamples.
    random_state : int, default=0
        Seed of the resamples.
    confidence : float, default=0.95
        Coverage of the percentile interval.
    """

    def __init__(self, predictions, n_resamples=N_BOOTSTRAP, random_state=0,
                 confidence=0.95):
        self.predictions = predictions
        self.n_resamples, self.random_state = n_resamples, random_state
        self.confidence = confidence
        self._counts, self._scores = {}, {}

    def applies(self, selection, dataset):
        """Whether every cell of (selection, data set) stored its predictions on one
        test set per seed (a fixed test set, not the held-out folds)."""
        tests = {}
        for (sel, ds, _, seed, _), (y, _) in self.predictions.items():
            if (sel, ds) == (selection, dataset):
                tests.setdefault(seed, []).append(y)
        return bool(tests) and all(
            all(len(y) == len(ys[0]) and np.array_equal(y, ys[0]) for y in ys)
            for ys in tests.values())

    def _resampled(self, key, metric):
        if (key, metric) not in self._scores:
            selection, dataset, _, seed, _ = key
            y, proba = self.predictions[key]
            group = (selection, dataset, seed)
            if group not in self._counts:
                rng = np.random.default_rng([self.random_state, int(seed)])
                self._counts[group] = resample_counts(len(y), self.n_resamples, rng)
            self._scores[(key, metric)] = resampled_scores(
                y, proba.astype(np.float64), self._counts[group], metric)
        return self._scores[(key, metric)]

    def compare(self, method_keys, reference_keys, metric):
        """Interval and p-value of the mean difference of paired cells.

        Parameters
        ----------
        method_keys, reference_keys : list of tuple
            Prediction keys of the method's and the reference's cells, paired by
            position (same seed and fold).
        metric : {'auc', 'acc', 'balanced_acc'}
            The metric.

        Returns
        -------
        low, high : float
            Percentile interval of the mean difference (``nan`` when a cell has no
            stored predictions).
        p_value : float
            Two-sided bootstrap p-value of "no difference": twice the smaller share of
            resampled differences on either side of 0.
        """
        if not method_keys or any(k not in self.predictions
                                  for k in (*method_keys, *reference_keys)):
            return math.nan, math.nan, math.nan
        deltas = [self._resampled(m, metric) - self._resampled(r, metric)
                  for m, r in zip(method_keys, reference_keys)]
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-nan resamples
            delta = np.nanmean(np.vstack(deltas), axis=0)
        delta = delta[np.isfinite(delta)]
        if not len(delta):
            return math.nan, math.nan, math.nan
        tail = (1 - self.confidence) / 2
        low, high = np.quantile(delta, [tail, 1 - tail])
        p = min(1.0, 2 * min((delta <= 0).mean(), (delta >= 0).mean()))
        return float(low), float(high), float(p)
