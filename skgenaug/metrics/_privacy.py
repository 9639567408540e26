"""Memorisation: do generated images sit closer to training images than new real ones?"""

import numbers

import numpy as np
from sklearn.neighbors import NearestNeighbors
from sklearn.utils import Bunch

from ._checks import as_rows, check_fraction, check_same_dims


def memorization_report(train, generated, holdout, *, quantile=0.05, threshold=None,
                        n_worst=10):
    """Nearest-training-image distances of generated images against a real baseline.

    For every generated sample, the Euclidean distance to its nearest training sample
    (the "distance to closest record"); the same for held-out real samples, which the
    generator never saw. A generator that copies (or barely perturbs) training images
    puts many generated samples closer to the training set than almost any new real
    image is: the *near-copy share*, the share of generated samples closer than the
    ``quantile``-quantile of the held-out distances, is then far above ``quantile``
    (the held-out set's own share, by construction). A generator that draws new images
    from the data distribution gives a share near ``quantile``.

    **Pixels or features.** Pass images (flattened; ``uint8`` pixels divided by 255,
    float arrays used as given, so give all three sets in one scale) to look for
    literal copies, or feature arrays (:func:`extract_features`) to look for copies up
    to what the feature extractor ignores. The held-out set should be real samples of
    the same distribution that neither the generator nor (for features) the feature
    extractor trained on, and of a size comparable to ``train`` / 5 or more, since the
    threshold is one of its quantiles.

    Parameters
    ----------
    train : array-like of shape (n_train, ...)
        The generator's training samples (images or features).
    generated : array-like of shape (n_generated, ...)
        Generated samples, in the layout and scale of ``train``.
    holdout : array-like of shape (n_holdout, ...)
        Real samples not used in training, in the layout and scale of ``train``.
    quantile : float in (0, 1), default=0.05
        Quantile of the held-out distances used as the near-copy threshold.
    threshold : float or None, default=None
        An absolute distance threshold instead (``quantile`` is then only reported).
    n_worst : int, default=10
        How many of the closest generated samples to list.

    Returns
    -------
    report : :class:`~sklearn.utils.Bunch`
        Dictionary-like, with attributes

        - ``generated_distances`` (n_generated,), ``generated_nearest_train``
          (n_generated,): distance to, and row of, the nearest training sample.
        - ``holdout_distances`` (n_holdout,): the same for the held-out samples.
        - ``threshold``, ``quantile``: the near-copy threshold and how it was set.
        - ``near_copy_share``: share of generated samples with distance ``<=
          threshold``; ``holdout_near_copy_share``: the same for held-out samples
          (about ``quantile``).
        - ``near_copy_ratio``: ``near_copy_share / holdout_near_copy_share`` (about 1
          for a generator that does not copy; large for one that does; ``inf`` when
          the held-out share is 0).
        - ``median_distance_ratio``: median generated distance over median held-out
          distance (below 1: generated samples sit closer to training samples than
          new real samples do).
        - ``worst_indices``, ``worst_train_indices``, ``worst_distances``: the
          ``n_worst`` generated samples closest to a training sample, closest first,
          with their nearest training rows (to show them side by side).
        - ``space``: ``'pixels'`` for image input, ``'features'`` for 2-D input.

    Notes
    -----
    Pixel distances favour smooth images. A denoised or blurred image lies closer to a
    noisy training image than another noisy real image does (only one image's noise
    enters the distance), so blurry generators (autoencoders, VAEs) get near-copy
    shares above ``quantile`` without copying anything: on the images of
    :func:`~skgenaug.datasets.make_image_classification` (pixel noise 0.1), fresh
    noise-free draws score about 0.27 at ``quantile=0.05``. Before calling it
    memorisation, look at the closest pairs
    (:func:`~skgenaug.plotting.plot_nearest_training_images`) and compare with the
    report in feature space. Conversely, a feature space that ignores details misses
    copies that differ only in them.

    See Also
    --------
    skgenaug.plotting.plot_memorization : Histogram of both distance sets.
    skgenaug.plotting.plot_nearest_training_images : The closest pairs, side by side.

    Examples
    --------
    >>> import numpy as np
    >>> from skgenaug.metrics import memorization_report
    >>> rng = np.random.default_rng(0)
    >>> train, holdout = rng.normal(size=(400, 8)), rng.normal(size=(200, 8))
    >>> copies = train[:100] + rng.normal(scale=1e-3, size=(100, 8))
    >>> memorization_report(train, copies, holdout).near_copy_share
    1.0
    >>> fresh = rng.normal(size=(100, 8))
    >>> memorization_report(train, fresh, holdout).near_copy_share < 0.2
    True
    """
    space = "pixels" if np.ndim(train) > 2 else "features"
    train_rows = as_rows(train, "train", scale_uint8=True)
    generated_rows = as_rows(generated, "generated", scale_uint8=True)
    holdout_rows = as_rows(holdout, "holdout", scale_uint8=True)
    check_same_dims([("train", train_rows), ("generated", generated_rows),
                     ("holdout", holdout_rows)])
    quantile = check_fraction(quantile, "quantile")
    if threshold is not None and not (
        isinstance(threshold, numbers.Real) and np.isfinite(threshold) and threshold >= 0
    ):
        raise ValueError(f"threshold must be a non-negative number; got {threshold!r}.")
    if isinstance(n_worst, bool) or not isinstance(n_worst, numbers.Integral) or (
        n_worst < 0
    ):
        raise ValueError(f"n_worst must be a non-negative int; got {n_worst!r}.")

    nn = NearestNeighbors(n_neighbors=1).fit(train_rows)
    gen_d, gen_idx = (a[:, 0] for a in nn.kneighbors(generated_rows))
    hold_d = nn.kneighbors(holdout_rows)[0][:, 0]
    if threshold is None:
        threshold = float(np.quantile(hold_d, quantile))
    share = float(np.mean(gen_d <= threshold))
    hold_share = float(np.mean(hold_d <= threshold))
    if hold_share > 0:
        ratio = share / hold_share
    else:
        ratio = np.inf if share > 0 else np.nan
    median_hold = float(np.median(hold_d))
    median_ratio = float(np.median(gen_d) / median_hold) if median_hold > 0 else np.nan
    worst = np.argsort(gen_d, kind="stable")[: int(n_worst)]
    return Bunch(
        generated_distances=gen_d,
        generated_nearest_train=gen_idx,
        holdout_distances=hold_d,
        threshold=float(threshold),
        quantile=quantile,
        near_copy_share=share,
        holdout_near_copy_share=hold_share,
        near_copy_ratio=float(ratio),
        median_distance_ratio=median_ratio,
        worst_indices=worst,
        worst_train_indices=gen_idx[worst],
        worst_distances=gen_d[worst],
        space=space,
    )


def near_duplicates(reference, query, *, max_rms=0.02):
    """Images of ``query`` that nearly duplicate an image of ``reference``.

    Two images are near-duplicates when their root-mean-square pixel difference is at
    most ``max_rms`` on the [0, 1] scale (``uint8`` pixels divided by 255): 0.02 is
    about 5 grey levels, what re-saving or re-scaling one image leaves, far below the
    difference of two distinct scans. Use it to find test images that also sit in the
    training data (MedMNIST's official splits hold some), which inflate every score.

    Parameters
    ----------
    reference : array-like of shape (n_reference, ...)
        Images searched (the training images).
    query : array-like of shape (n_query, ...)
        Images looked up (the test images), of the reference's shape.
    max_rms : float, default=0.02
        Largest root-mean-square difference of a near-duplicate, ``>= 0``.

    Returns
    -------
    report : :class:`~sklearn.utils.Bunch`
        ``query_indices`` (the near-duplicated query rows), ``reference_indices``
        (their nearest reference rows), ``rms`` (their differences), ``n`` (how
        many) and ``max_rms``.

    Examples
    --------
    >>> import numpy as np
    >>> from skgenaug.metrics import near_duplicates
    >>> rng = np.random.default_rng(0)
    >>> train = rng.integers(0, 256, (20, 8, 8), dtype=np.uint8)
    >>> test = np.concatenate([train[:2], rng.integers(0, 256, (5, 8, 8), np.uint8)])
    >>> near_duplicates(train, test).query_indices.tolist()
    [0, 1]
    """
    if not (isinstance(max_rms, numbers.Real) and np.isfinite(max_rms) and max_rms >= 0):
        raise ValueError(f"max_rms must be a non-negative number; got {max_rms!r}.")
    reference_rows = as_rows(reference, "reference", scale_uint8=True)
    query_rows = as_rows(query, "query", scale_uint8=True)
    check_same_dims([("reference", reference_rows), ("query", query_rows)])
    distance, nearest = (a[:, 0] for a in NearestNeighbors(n_neighbors=1).fit(
        reference_rows).kneighbors(query_rows))
    rms = distance / np.sqrt(reference_rows.shape[1])
    rows = np.flatnonzero(rms <= max_rms)
    return Bunch(query_indices=rows, reference_indices=nearest[rows], rms=rms[rows],
                 n=int(len(rows)), max_rms=float(max_rms))
