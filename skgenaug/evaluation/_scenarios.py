"""Scenarios: how the labelled pool is prepared and how much the samplers add.

Adding a scenario is one :class:`Scenario` entry in :data:`SCENARIOS`.
"""

from dataclasses import dataclass, field

import numpy as np

from ..base import AddPerClass

#: Long-tail scenario: the classes are ranked by frequency (``r = 0`` the most frequent,
#: ``K - 1`` the rarest), and the class of rank ``r`` keeps ``max(1, round(n *
#: LONG_TAIL_RATIO ** (r / (K - 1))))`` of its ``n`` images in the pooled labelled data
#: (167 down to 17 for the paper's 150 + 17 per class: ratio 1 / LONG_TAIL_RATIO = 10).
#: The MedMNIST table ranks by frequency in the official training split (the rare
#: classes stay the data set's rare ones, as in its test split); user data by frequency
#: in the data. Where the pool itself is uneven the ratio is larger: BreastMNIST's
#: subset is the whole data set (456 benign, 168 malignant), hence 456:17; DermaMNIST's
#: has 92 and 113 images in its two smallest classes, hence 167 down to 9. Every fold's
#: training and held-out parts have the pool's imbalance.
LONG_TAIL_RATIO = 0.1
#: How the MedMNIST table's long-tail scenario orders the classes (part of the hash).
LONG_TAIL_ORDER = "training-split frequency"
#: Semi-supervised scenario: labelled training images per class of a data set the
#: paper uses whole (BreastMNIST: 147 malignant, 399 benign in its training split), so
#: that the rest of its training split can be the unlabelled pool (plus a ninth of
#: that per class from the validation split, as the paper's subsets).
SEMI_SUPERVISED_LABELLED_PER_CLASS = 75


@dataclass(frozen=True)
class Scenario:
    """One scenario.

    Parameters
    ----------
    name : str
        Code (``--scenario``).
    description : str
        One sentence for reports.
    strategy : {'add-per-class', 'auto'}
        The samplers' default ``sampling_strategy``: ``AddPerClass(add_per_class)`` of
        the profile, or imbalanced-learn's ``'auto'`` (every class topped up to the
        largest).
    long_tail : bool, default=False
        Thin the pool to a long tail (:func:`long_tail_indices`) before the folds.
    hashed : dict
        What enters every cell's configuration hash (nothing for ``'balanced'``, so
        that its cells keep the hashes they had before scenarios existed).
    unlabelled : bool, default=False
        The MedMNIST table gives the cells the official training split beyond the
        labelled subset as unlabelled images (at most the profile's
        ``unlabelled_max``), for the ``+pool`` method variants.
    labelled_per_class : int or None, default=None
        With ``unlabelled``: labelled images per class of a data set the paper uses
        whole (BreastMNIST), so that some of its training split is left unlabelled.
    """

    name: str
    description: str
    strategy: str
    long_tail: bool = False
    hashed: dict = field(default_factory=dict)
    unlabelled: bool = False
    labelled_per_class: int = None

    def sampling_strategy(self, profile):
        """The samplers' ``sampling_strategy`` under ``profile``."""
        if self.strategy == "auto":
            return "auto"
        return AddPerClass(profile.add_per_class)

    def prepare_pool(self, y_pool, seed, ranks=None):
        """Rows of the pool that the scenario keeps (``None``: all of them).

        Parameters
        ----------
        y_pool : ndarray
            Labels of the pooled labelled data.
        seed : int
            Seed of the repeat.
        ranks : sequence of int or None
            Frequency rank of each class of ``np.unique(y_pool)``; ``None`` ranks them
            by their frequency in ``y_pool``.
        """
        if not self.long_tail:
            return None
        if ranks is None:
            ranks = frequency_ranks(np.unique(y_pool, return_counts=True)[1])
        return long_tail_indices(y_pool, seed, ranks=ranks)


#: Every scenario. ``'balanced'`` is the paper's: every class keeps its images and the
#: sampler adds ``add_per_class`` to each; ``'long-tail'`` thins the pool to a long
#: tail (:data:`LONG_TAIL_RATIO`) and the sampler balances the classes.
SCENARIOS = {
    scenario.name: scenario
    for scenario in (
        Scenario("balanced", "every class keeps its images; the sampler adds "
                 "add_per_class images to each", strategy="add-per-class"),
        Scenario("long-tail", "the pool is thinned to a long tail before the folds; "
                 "the sampler balances the classes (sampling_strategy='auto')",
                 strategy="auto", long_tail=True,
                 hashed=dict(scenario="long-tail", long_tail_ratio=LONG_TAIL_RATIO,
                             long_tail_order=LONG_TAIL_ORDER)),
        Scenario("semi-supervised", "the paper's labelled subset (BreastMNIST, which "
                 "the paper uses whole: 75 per class) plus the rest of the official "
                 "training split as unlabelled images, labels hidden; the +pool "
                 "methods train their generator on both, the others on the labelled "
                 "images only; the sampler adds add_per_class images to each class",
                 strategy="add-per-class", unlabelled=True,
                 labelled_per_class=SEMI_SUPERVISED_LABELLED_PER_CLASS,
                 hashed=dict(scenario="semi-supervised",
                             labelled_per_class=SEMI_SUPERVISED_LABELLED_PER_CLASS)),
    )
}


def long_tail_counts(counts, ratio=LONG_TAIL_RATIO, ranks=None):
    """Images kept per class by the long-tail scenario.

    The class of rank ``r`` (``r = 0 .. K-1``, head to tail) keeps
    ``max(1, round(n * ratio ** (r / (K - 1))))`` of its ``n`` images: all of the head
    class, a fraction ``ratio`` of the tail class, geometrically in between (150 down
    to 15 for 150 per class and ``ratio=0.1``).

    Parameters
    ----------
    counts : sequence of int
        Images per class, in label order.
    ratio : float, default=LONG_TAIL_RATIO
        Kept fraction of the tail class.
    ranks : sequence of int or None, default=None
        Rank of each class (label order), 0 for the head; ``None`` ranks the classes
        in label order.

    Returns
    -------
    kept : list of int

    Examples
    --------
    >>> from skgenaug.evaluation._scenarios import long_tail_counts
    >>> long_tail_counts([150] * 5)
    [150, 84, 47, 27, 15]
    >>> long_tail_counts([150, 150, 150], ranks=[2, 0, 1])
    [15, 150, 47]
    """
    K = len(counts)
    ranks = range(K) if ranks is None else ranks
    if sorted(ranks) != list(range(K)):
        raise ValueError(f"ranks must order the {K} classes 0..{K - 1}; got {ranks}.")
    return [
        max(1, int(round(n * ratio ** (r / (K - 1) if K > 1 else 0))))
        for n, r in zip(counts, ranks)
    ]


def frequency_ranks(counts):
    """Rank of each class by frequency: 0 for the most frequent (ties: lower label first).

    Parameters
    ----------
    counts : sequence of int
        Images per class, in label order.

    Returns
    -------
    ranks : list of int

    Examples
    --------
    >>> from skgenaug.evaluation._scenarios import frequency_ranks
    >>> frequency_ranks([147, 399])  # BreastMNIST's training split
    [1, 0]
    """
    order = np.argsort(-np.asarray(counts), kind="stable")
    ranks = np.empty(len(order), dtype=int)
    ranks[order] = np.arange(len(order))
    return ranks.tolist()


def long_tail_indices(y, seed, ratio=LONG_TAIL_RATIO, ranks=None):
    """Rows of a labelled set kept by the long-tail scenario.

    Parameters
    ----------
    y : ndarray
        Labels of the set (the pooled labelled data).
    seed : int
        Seed of the draw of the kept rows.
    ratio : float, default=LONG_TAIL_RATIO
        Kept fraction of the tail class (:func:`long_tail_counts`).
    ranks : sequence of int or None, default=None
        Rank of each label of ``np.unique(y)``, 0 for the head (:func:`long_tail_counts`).

    Returns
    -------
    keep : ndarray
        Sorted row indices.
    """
    labels, counts = np.unique(y, return_counts=True)
    rng = np.random.RandomState(seed)
    keep = [
        rng.choice(np.flatnonzero(y == label), size=n, replace=False)
        for label, n in zip(labels, long_tail_counts(counts, ratio, ranks))
    ]
    return np.sort(np.concatenate(keep))
