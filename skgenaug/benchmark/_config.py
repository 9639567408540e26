"""Benchmark profiles, method names, and the stable configuration hash of a cell.

A *profile* fixes everything that determines a cell's numbers: the classifier and
generator settings, the data subset rule, the number of folds, the number of generated
images per class. Each cell is stored with a hash of the settings it depends on (plus the
library version and :data:`PROTOCOL_VERSION`), so a changed setting never reuses stale
results while unchanged methods keep theirs.
"""

import copy
import hashlib
import json

from .. import __version__

#: Bumped whenever the cell procedure changes in a way that changes its numbers.
# 2: long-tail thins the pooled subset, not its training part. 3: standard NCHW strides
# (issue 11) run other convolution kernels, so cells stored before are not what this
# code computes, to float rounding and beyond (training amplifies it).
PROTOCOL_VERSION = 3

#: Method names, in table order, and their display names. The first four are the
#: paper's (and the default of ``--methods``); the rest are the library's stronger
#: generators (convolutional AE, cVAE and cGAN; a convolutional WGAN-GP and ACGAN) and
#: the classic baselines (geometric transforms; random over-sampling and SMOTE on
#: flattened pixels).
METHODS = (
    "none", "ae", "cvae", "cgan",
    "ae-conv", "cvae-conv", "cgan-conv", "wgan-gp", "acgan",
    "geometric", "ros", "smote",
)
PAPER_METHODS = ("none", "ae", "cvae", "cgan")
METHOD_NAMES = {
    "none": "None", "ae": "AE", "cvae": "cVAE", "cgan": "cGAN",
    "ae-conv": "AE (conv)", "cvae-conv": "cVAE (conv)", "cgan-conv": "cGAN (conv)",
    "wgan-gp": "WGAN-GP (conv)", "acgan": "ACGAN (conv)",
    "geometric": "Geometric", "ros": "ROS", "smote": "SMOTE",
}

#: Scenarios: ``'balanced'`` is the paper's (every class keeps its subset; the sampler
#: adds ``add_per_class`` images to every class); ``'long-tail'`` thins the pooled
#: subset to a long tail (see :data:`LONG_TAIL_RATIO`) and the sampler balances the
#: classes (``sampling_strategy='auto'``: every class is topped up to the largest one).
SCENARIOS = ("balanced", "long-tail")

#: Long-tail scenario: after the paper's subset draw, the classes are ranked by their
#: frequency in the official training split (``r = 0`` the most frequent, ``K - 1``
#: the rarest), and the class of rank ``r`` keeps ``max(1, round(n * LONG_TAIL_RATIO **
#: (r / (K - 1))))`` of its ``n`` images in the pooled training + validation subset
#: (167 down to 17 for the paper's 150 + 17 per class: ratio 1 / LONG_TAIL_RATIO =
#: 10). Where the subset itself is uneven the ratio is larger: BreastMNIST's subset is
#: the whole data set (456 benign, 168 malignant), hence 456:17; DermaMNIST's has 92
#: and 113 images in its two smallest classes, hence 167 down to 9. Every fold's
#: training and held-out parts have the pool's imbalance, and the rare classes are the
#: data set's rare ones, as in its test split.
LONG_TAIL_RATIO = 0.1
#: How the long-tail scenario orders the classes (part of the cell hash).
LONG_TAIL_ORDER = "training-split frequency"

#: Model-selection rules: ``'val'`` picks the epoch with the best accuracy on the
#: held-out (real) fold; ``'test-best'`` is the paper's rule, the epoch with the best
#: *test* accuracy, which selects on the test split and is optimistic.
SELECTIONS = ("val", "test-best")
SELECTION_NAMES = {
    "val": "validation-selected (honest)",
    "test-best": (
        "best test epoch (the paper's rule; OPTIMISTIC, selects on the test split)"
    ),
}

_PAPER_CLASSIFIER = dict(width=64, max_epochs=100, batch_size=128, lr=1e-3, optimizer="sgd")

PROFILES = {
    # The paper's protocol (section 3): meant for a GPU.
    "paper": dict(
        description="the paper's full protocol (section 3); meant for a GPU",
        folds=10,
        seeds=3,
        datasets=("all",),
        n_per_class="paper",
        scenario="balanced",
        add_per_class=150,
        test_max=None,
        classifier=dict(_PAPER_CLASSIFIER),
        samplers=dict(
            ae=dict(max_epochs=300),
            cvae=dict(max_epochs=300),
            cgan=dict(max_epochs=1000),
            # The library's samplers at their defaults.
            **{"ae-conv": dict(architecture="conv"),
               "cvae-conv": dict(architecture="conv"),
               "cgan-conv": dict(architecture="conv")},
            **{"wgan-gp": dict(architecture="conv", objective="wgan-gp")},
            acgan=dict(architecture="conv", auxiliary_classifier=True),
            geometric=dict(),
            ros=dict(),
            smote=dict(),
        ),
        # Generated-image quality of each sampler cell (skgenaug.metrics.quality_report;
        # None = the metrics' default small ResNet embedding and utility classifier).
        quality=dict(utility=True, feature_estimator=None),
    ),
    # A documented CPU-sized reduction (see docs/results/README.md for its timing).
    "quick": dict(
        description=(
            "CPU-sized reduction: ResNet-18 at width 8 (not 64), 20 epochs (not 100) of "
            "Adam lr 1e-3 with batch 32 (the paper's SGD lr 1e-3 does not converge in 20 "
            "epochs; 10 epochs of batch 64 left the un-augmented baseline undertrained); "
            "smaller generators with fewer epochs (AE 40, cVAE 40, cGAN 100); "
            "5 folds (train:val 4:1, not 9:1), 1 seed; image quality without the "
            "TSTR/TRTS utility fits"
        ),
        folds=5,
        seeds=1,
        datasets=("breastmnist",),
        n_per_class="paper",
        scenario="balanced",
        add_per_class=150,
        test_max=None,
        classifier=dict(width=8, max_epochs=20, batch_size=32, lr=1e-3, optimizer="adam"),
        samplers=dict(
            ae=dict(max_epochs=40, hidden_layer_sizes=(256, 128, 64, 32)),
            cvae=dict(max_epochs=40, hidden_layer_sizes=(256, 128)),
            cgan=dict(max_epochs=100, hidden_layer_sizes=(64, 128, 256)),
            **{"ae-conv": dict(architecture="conv", max_epochs=40,
                               hidden_layer_sizes=(16, 32)),
               "cvae-conv": dict(architecture="conv", max_epochs=40,
                                 hidden_layer_sizes=(16, 32)),
               "cgan-conv": dict(architecture="conv", max_epochs=100,
                                 hidden_layer_sizes=(32, 16)),
               "wgan-gp": dict(architecture="conv", objective="wgan-gp", max_epochs=100,
                               hidden_layer_sizes=(32, 16))},
            acgan=dict(architecture="conv", auxiliary_classifier=True, max_epochs=100,
                       hidden_layer_sizes=(32, 16)),
            geometric=dict(),
            ros=dict(),
            smote=dict(),
        ),
        # The feature ResNet is fitted once per fold and shared by the fold's methods
        # (same embedding for all); the utility fits would double the cost.
        quality=dict(utility=False, feature_estimator=None),
    ),
    # End-to-end check of the machinery; its numbers mean nothing.
    "smoke": dict(
        description=(
            "end-to-end check of the machinery only (numbers are meaningless): tiny "
            "networks, 2 epochs, 2 folds, 1 seed, test split subsampled to at most 300 "
            "images (stratified)"
        ),
        folds=2,
        seeds=1,
        datasets=("breastmnist",),
        n_per_class="paper",
        scenario="balanced",
        add_per_class=150,
        test_max=300,
        classifier=dict(width=2, max_epochs=2, batch_size=128, lr=1e-3, optimizer="adam"),
        samplers=dict(
            ae=dict(max_epochs=2, hidden_layer_sizes=(32, 16), latent_dim=4),
            cvae=dict(max_epochs=2, hidden_layer_sizes=(32,), latent_dim=4),
            cgan=dict(max_epochs=2, hidden_layer_sizes=(16, 32), latent_dim=8),
            **{"ae-conv": dict(architecture="conv", max_epochs=2,
                               hidden_layer_sizes=(4, 8), latent_dim=4),
               "cvae-conv": dict(architecture="conv", max_epochs=2,
                                 hidden_layer_sizes=(4, 8), latent_dim=4),
               "cgan-conv": dict(architecture="conv", max_epochs=2,
                                 hidden_layer_sizes=(8, 4), latent_dim=8),
               "wgan-gp": dict(architecture="conv", objective="wgan-gp", max_epochs=2,
                               hidden_layer_sizes=(8, 4), latent_dim=8)},
            acgan=dict(architecture="conv", auxiliary_classifier=True, max_epochs=2,
                       hidden_layer_sizes=(8, 4), latent_dim=8),
            geometric=dict(),
            ros=dict(),
            smote=dict(k_neighbors=3),
        ),
        # Tiny embedding, no utility fits: keeps the smoke run short.
        quality=dict(utility=False, feature_estimator=dict(
            width=2, max_epochs=2, batch_size=128, lr=1e-3, optimizer="adam",
            selection=None, validation_fraction=0.0)),
    ),
}

#: What runs without any flag: the quick profile on BreastMNIST (439 s measured on a 2-core
#: AMD EPYC with the default two workers; 989 s with one worker before that default).
DEFAULT_PROFILE = "quick"


def get_profile(name, **overrides):
    """A deep copy of a profile's settings, with top-level overrides applied.

    Parameters
    ----------
    name : {'paper', 'quick', 'smoke'}
        Profile name.
    **overrides
        Top-level settings to replace (``folds=3``, ``seeds=2``,
        ``scenario='long-tail'``, ...); ``None`` values
        are ignored.

    Returns
    -------
    settings : dict
        The profile's settings, with ``'profile'`` set to ``name``.

    Examples
    --------
    >>> from skgenaug.benchmark import get_profile
    >>> settings = get_profile("quick", folds=3)
    >>> settings["profile"], settings["folds"]
    ('quick', 3)
    """
    if name not in PROFILES:
        raise ValueError(f"Unknown profile {name!r}; choose one of {sorted(PROFILES)}.")
    settings = copy.deepcopy(PROFILES[name])
    settings["profile"] = name
    for key, value in overrides.items():
        if value is None:
            continue
        if key not in settings:
            raise ValueError(f"Unknown setting {key!r}; known: {sorted(settings)}.")
        settings[key] = value
    if settings["scenario"] not in SCENARIOS:
        raise ValueError(
            f"Unknown scenario {settings['scenario']!r}; choose one of {SCENARIOS}."
        )
    return settings


def parse_methods(text):
    """Method names from a comma list, case-insensitive (``'None,AE'`` or ``'all'``).

    Parameters
    ----------
    text : str or sequence of str
        Comma-separated names among :data:`METHODS` (None, AE, cVAE, cGAN, AE-conv,
        cVAE-conv, cGAN-conv, WGAN-GP, ACGAN, Geometric, ROS, SMOTE), or ``'all'`` for
        every method.

    Returns
    -------
    methods : list of str
        Lower-case names in table order.
    """
    names = text.split(",") if isinstance(text, str) else list(text)
    names = [n.strip().lower() for n in names if n.strip()]
    if names == ["all"]:
        return list(METHODS)
    unknown = sorted(set(names) - set(METHODS))
    if unknown or not names:
        raise ValueError(
            f"Unknown method(s) {unknown}; choose among "
            f"{', '.join(METHODS)} (case-insensitive) or 'all'."
        )
    return [m for m in METHODS if m in names]


def parse_selections(text):
    """Selection rules from a comma list (``'val'``, ``'test-best'`` or both).

    Parameters
    ----------
    text : str or sequence of str
        Comma-separated rules.

    Returns
    -------
    selections : list of str
    """
    names = text.split(",") if isinstance(text, str) else list(text)
    names = [n.strip().lower() for n in names if n.strip()]
    unknown = sorted(set(names) - set(SELECTIONS))
    if unknown or not names:
        raise ValueError(f"Unknown selection(s) {unknown}; choose among {SELECTIONS}.")
    return [s for s in SELECTIONS if s in names]


def cell_settings(settings, method):
    """The settings one cell of ``method`` depends on (what its hash covers).

    The number of seeds, the data set list and the device are left out: they choose
    *which* cells run, not what a cell computes.

    Parameters
    ----------
    settings : dict
        Profile settings from :func:`get_profile`.
    method : str
        Method name.

    Returns
    -------
    relevant : dict
    """
    relevant = {
        key: settings[key]
        for key in ("folds", "n_per_class", "add_per_class", "test_max", "classifier")
    }
    relevant["sampler"] = settings["samplers"].get(method) if method != "none" else None
    if method != "none" and settings.get("quality") is not None:
        relevant["quality"] = settings["quality"]  # only sampler cells compute it
    if settings.get("scenario", "balanced") != "balanced":
        # Left out for the paper's scenario, so its cells keep their hashes.
        relevant["scenario"] = settings["scenario"]
        relevant["long_tail_ratio"] = LONG_TAIL_RATIO
        relevant["long_tail_order"] = LONG_TAIL_ORDER
    relevant["method"] = method
    relevant["skgenaug"] = __version__
    relevant["protocol"] = PROTOCOL_VERSION
    return relevant


def config_hash(settings, method):
    """Stable 16-hex-digit hash of the settings a cell of ``method`` depends on.

    Parameters
    ----------
    settings : dict
        Profile settings.
    method : str
        Method name.

    Returns
    -------
    digest : str
        16 hexadecimal digits; equal settings give equal digests.

    Examples
    --------
    >>> from skgenaug.benchmark import config_hash, get_profile
    >>> settings = get_profile("smoke")
    >>> len(config_hash(settings, "cvae"))
    16
    >>> config_hash(settings, "cvae") == config_hash(get_profile("smoke"), "cvae")
    True
    """
    text = json.dumps(cell_settings(settings, method), sort_keys=True, default=list)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
