"""Fidelity and diversity of generated samples: Fréchet distance, precision, recall,
density and coverage."""

import numpy as np
from scipy import linalg
from sklearn.metrics.pairwise import euclidean_distances

from ._checks import as_rows, check_n_neighbors, check_same_dims


def _psd_sqrt(matrix):
    """Symmetric square root of a symmetric positive semi-definite matrix."""
    values, vectors = linalg.eigh(matrix)
    return (vectors * np.sqrt(np.clip(values, 0.0, None))) @ vectors.T


def frechet_distance(real_features, fake_features, *, eps=0.0):
    r"""Fréchet distance between Gaussians fitted to two sets of features.

    With means :math:`\mu_r, \mu_f` and covariances :math:`\Sigma_r, \Sigma_f`
    (``ddof=1``) of the two sets,

    .. math::

        d^2 = \lVert \mu_r - \mu_f \rVert^2 + \operatorname{tr}(\Sigma_r + \Sigma_f
              - 2 (\Sigma_r \Sigma_f)^{1/2}),

    the quantity behind FID (Heusel et al., 2017). Computed on features of a
    :class:`~skgenaug.ResNetClassifier` (:func:`extract_features`) it is *not* FID,
    whose features come from an ImageNet Inception network: compare values only
    between sets embedded by the same extractor.

    **Numerics.** :math:`\operatorname{tr}(\Sigma_r \Sigma_f)^{1/2}` is computed as
    :math:`\operatorname{tr}(\Sigma_r^{1/2} \Sigma_f \Sigma_r^{1/2})^{1/2}`, the trace
    of the square root of a symmetric positive semi-definite matrix, through symmetric
    eigendecompositions (negative round-off eigenvalues clipped to zero). This is the
    same number as ``scipy.linalg.sqrtm(sigma_r @ sigma_f)``, but never has imaginary
    parts and stays exact for singular covariances (fewer samples than features,
    constant features), where ``sqrtm`` of the non-symmetric product loses accuracy.
    Identical sets give 0 up to round-off (clipped at 0). ``eps`` optionally adds
    ``eps * I`` to both covariances (the regularisation of the usual FID code).

    The estimate is biased upwards for small samples (it is a plug-in estimate): compare
    sets of equal size, and read it against a real-versus-real reference such as the
    distance between the training and a held-out set.

    Parameters
    ----------
    real_features : array-like of shape (n_real, n_features)
        Features of real samples (images are flattened). At least 2 samples.
    fake_features : array-like of shape (n_fake, n_features)
        Features of generated samples, from the same extractor. At least 2 samples.
    eps : float, default=0.0
        Added to the diagonal of both covariance matrices.

    Returns
    -------
    distance : float
        The squared Fréchet distance :math:`d^2` (as FID reports it), ``>= 0``.

    Examples
    --------
    >>> import numpy as np
    >>> from skgenaug.metrics import frechet_distance
    >>> rng = np.random.default_rng(0)
    >>> real = rng.normal(size=(500, 4))
    >>> round(frechet_distance(real, real), 6)
    0.0
    >>> frechet_distance(real, real + 3.0) > 35  # mean shift of 3 in 4 dimensions
    True
    """
    real = as_rows(real_features, "real_features", min_samples=2)
    fake = as_rows(fake_features, "fake_features", min_samples=2)
    check_same_dims([("real_features", real), ("fake_features", fake)])
    if not (eps >= 0 and np.isfinite(eps)):
        raise ValueError(f"eps must be a non-negative number; got {eps!r}.")
    mu_r, mu_f = real.mean(axis=0), fake.mean(axis=0)
    cov_r = np.atleast_2d(np.cov(real, rowvar=False))
    cov_f = np.atleast_2d(np.cov(fake, rowvar=False))
    if eps:
        cov_r = cov_r + eps * np.eye(len(cov_r))
        cov_f = cov_f + eps * np.eye(len(cov_f))
    root_r = _psd_sqrt(cov_r)
    middle = root_r @ cov_f @ root_r
    middle = (middle + middle.T) / 2.0
    trace_cross = np.sqrt(np.clip(linalg.eigvalsh(middle), 0.0, None)).sum()
    diff = mu_r - mu_f
    distance = diff @ diff + np.trace(cov_r) + np.trace(cov_f) - 2.0 * trace_cross
    # Round-off can leave a tiny negative number for (nearly) identical sets.
    scale = max(np.trace(cov_r) + np.trace(cov_f), 1.0)
    if distance < 0 and distance > -1e-9 * scale:
        distance = 0.0
    return float(max(distance, 0.0))


def _row_chunks(n_rows, n_cols, max_bytes=64 * 2**20):
    """Slices of at most ``max_bytes`` of float64 distances per block."""
    step = max(1, int(max_bytes // (8 * max(n_cols, 1))))
    return [slice(start, min(start + step, n_rows)) for start in range(0, n_rows, step)]


def _kth_neighbor_radii(X, k, sq_norms):
    """Distance of each row to its k-th nearest other row (the row itself, at distance
    about 0, is the 0-th), computed block by block as in ``_prdc``."""
    radii = np.empty(len(X))
    for rows in _row_chunks(len(X), len(X)):
        block = euclidean_distances(X[rows], X, X_norm_squared=sq_norms[rows, None],
                                    Y_norm_squared=sq_norms[None, :])
        radii[rows] = np.partition(block, k, axis=1)[:, k]
    return radii


def precision_recall_density_coverage(real_features, fake_features, *, n_neighbors=5):
    """Precision, recall, density and coverage of generated samples.

    The k-nearest-neighbour estimates of Naeem et al. (2020), "Reliable Fidelity and
    Diversity Metrics for Generative Models" (ICML), building on Kynkäänniemi et al.
    (2019). Each real sample gets a ball whose radius is the distance to its
    ``n_neighbors``-th nearest other real sample (Euclidean), and each generated sample
    a ball from the generated set likewise:

    - **precision**: share of generated samples inside at least one real ball
      (fidelity: generated samples look real);
    - **recall**: share of real samples inside at least one generated ball
      (diversity: the real variety is reproduced);
    - **density**: mean number of real balls a generated sample falls in, divided by
      ``n_neighbors`` (about 1 when generated samples follow the real distribution,
      above 1 when they cluster where real samples are dense);
    - **coverage**: share of real samples whose ball holds at least one generated
      sample (diversity, robust to outliers in the generated set).

    A generator that repeats one mode of a multi-modal real set keeps high precision
    but loses recall and coverage. Balls are open (distance strictly below the radius),
    as in the authors' code.

    Parameters
    ----------
    real_features : array-like of shape (n_real, n_features)
        Features of real samples (images are flattened); more than ``n_neighbors``.
    fake_features : array-like of shape (n_fake, n_features)
        Features of generated samples from the same extractor; more than
        ``n_neighbors``.
    n_neighbors : int, default=5
        ``k`` of the k-NN radii (the authors use 5).

    Returns
    -------
    scores : dict
        ``{'precision', 'recall', 'density', 'coverage'}``, floats. Precision, recall
        and coverage lie in [0, 1]; density in ``[0, n_real / n_neighbors]``.

    Examples
    --------
    >>> import numpy as np
    >>> from skgenaug.metrics import precision_recall_density_coverage
    >>> rng = np.random.default_rng(0)
    >>> real = rng.normal(size=(300, 2))
    >>> scores = precision_recall_density_coverage(real, real)
    >>> {name: round(value, 3) for name, value in scores.items()}
    {'precision': 1.0, 'recall': 1.0, 'density': 1.0, 'coverage': 1.0}
    >>> collapsed = real[:1] + rng.normal(scale=0.01, size=(300, 2))
    >>> precision_recall_density_coverage(real, collapsed)["coverage"] < 0.1
    True
    """
    real = as_rows(real_features, "real_features")
    fake = as_rows(fake_features, "fake_features")
    check_same_dims([("real_features", real), ("fake_features", fake)])
    k = check_n_neighbors(n_neighbors, [("real_features", real), ("fake_features", fake)])
    real_sq = np.einsum("ij,ij->i", real, real)
    fake_sq = np.einsum("ij,ij->i", fake, fake)
    fake_radii = _kth_neighbor_radii(fake, k, fake_sq)

    in_real_balls = np.zeros(len(fake), dtype=np.int64)  # per generated sample
    covered = np.zeros(len(real), dtype=bool)  # real ball holds a generated sample
    recalled = np.zeros(len(real), dtype=bool)  # real sample inside a generated ball
    # Blocks of real rows against all real and all generated samples. A real sample's
    # radius and its distances to generated samples come from the same row of the same
    # kind of computation, so a generated copy of a real sample sits at exactly the
    # same distance as the original (ties at the radius stay outside the open ball;
    # identical sets give density 1, not 1 plus round-off noise).
    for rows in _row_chunks(len(real), len(real) + len(fake)):
        x, x_sq = real[rows], real_sq[rows, None]
        to_real = euclidean_distances(x, real, X_norm_squared=x_sq,
                                      Y_norm_squared=real_sq[None, :])
        radii = np.partition(to_real, k, axis=1)[:, k]
        to_fake = euclidean_distances(x, fake, X_norm_squared=x_sq,
                                      Y_norm_squared=fake_sq[None, :])
        inside_real = to_fake < radii[:, None]
        in_real_balls += inside_real.sum(axis=0)
        covered[rows] = inside_real.any(axis=1)
        recalled[rows] = (to_fake < fake_radii[None, :]).any(axis=1)
    return dict(
        precision=float(np.mean(in_real_balls > 0)),
        recall=float(np.mean(recalled)),
        density=float(in_real_balls.sum() / (k * len(fake))),
        coverage=float(np.mean(covered)),
    )
