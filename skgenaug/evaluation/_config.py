"""Evaluation profiles, and the stable configuration hash of a cell.

A *profile* (:class:`Profile`) fixes everything that determines a cell's numbers: the
classifier and generator settings, the number of folds and repeats, the number of
generated images per class, and, for the MedMNIST table, the data subset rule. Each cell
is stored with a hash of the settings it depends on (plus the library version and
:data:`PROTOCOL_VERSION`), so a changed setting never reuses stale results while
unchanged methods keep theirs.
"""

import dataclasses
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

from .._methods import METHODS, method_order, parse_variant
from .._version import __version__

#: Bumped whenever the cell procedure changes in a way that changes its numbers.
# 2: long-tail thins the pooled subset, not its training part. 3: standard NCHW strides
# (issue 11) run other convolution kernels, so cells stored before are not what this
# code computes, to float rounding and beyond (training amplifies it).
# 4: the classifier and the sampler of a cell get distinct seeds (model_seeds).
# 5: equal training budgets (Profile.equal_steps) and on-the-fly augmentation of every
# cell's classifier (Profile.classifier_augment).
PROTOCOL_VERSION = 5

#: Model-selection rules: ``'val'`` never looks at the test split (the profile's
#: ``epoch_rule`` says which epoch it keeps); ``'test-best'`` is the paper's rule, the
#: epoch with the best *test* accuracy, which selects on the test split and is
#: optimistic (MedMNIST table only).
SELECTIONS = ("val", "test-best")
SELECTION_NAMES = {
    "val": "honest (the test split chooses nothing)",
    "test-best": (
        "best test epoch (the paper's rule; OPTIMISTIC, selects on the test split)"
    ),
}


#: The epochs an honest cell may keep (``Profile.epoch_rule``), each with the words
#: reports use for it.
EPOCH_RULES = {
    "accuracy": "the epoch of best accuracy on the held-out real images",
    "auc": "the epoch of best AUC on the held-out real images",
    "last": ("the last epoch; the held-out real images stay out of training, as under "
             "the other rules, but choose nothing"),
}


class _ReadOnlyDict(dict):
    """A dict whose items cannot change, so that a frozen profile stays frozen; it
    pickles, deep-copies and JSON-encodes as a dict."""

    def _refuse(self, *args, **kwargs):
        raise TypeError(
            "Profile settings are read-only: make a changed profile with "
            "get_profile(name, field=...) or dataclasses.replace(profile, field=...)."
        )

    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse

    def __reduce__(self):
        return (type(self), (dict(self),))


def _read_only(value):
    if isinstance(value, Mapping):
        return _ReadOnlyDict({k: _read_only(v) for k, v in value.items()})
    return value


@dataclass(frozen=True)
class Profile:
    """Every setting that fixes the numbers of an evaluation, as one read-only value.

    Make one with :func:`get_profile` (a named profile with overrides); nested settings
    (``classifier``, ``samplers``, ``quality``) are read-only mappings.

    Parameters
    ----------
    name : str
        Profile name (``'paper'``, ``'quick'``, ``'smoke'``).
    description : str
        What the profile is, for reports.
    folds : int
        Stratified folds of the pooled labelled data (used when ``cv`` is not given).
    repeats : int
        Repeats of the whole cross-validation with another seed (the MedMNIST table
        also draws another paper subset per repeat: its ``--seeds``).
    add_per_class : int
        Generated images added to every class in the ``'balanced'`` scenario
        (``AddPerClass(add_per_class)``).
    classifier : mapping
        :class:`~skgenaug.ResNetClassifier` parameters (``selection``, ``device`` and
        ``random_state`` are set per cell).
    samplers : mapping
        ``{method: sampler parameters}`` for every method of the registry but
        ``'none'``: the profile's sizes (epochs, layers, ...). What defines a method
        (a conv architecture, a WGAN-GP objective, a variation's strength) is the
        method's own (``Method.params`` in the registry); :meth:`sampler_params`
        gives both. ``sampling_strategy``, ``random_state`` and ``device`` are set per
        cell.
    quality : mapping or None
        Options of :func:`~skgenaug.metrics.quality_report` for sampler cells
        (``feature_estimator``: ResNetClassifier parameters of the embedding, ``None``
        for the metrics' default); ``None`` computes no quality report.
    validation_fraction : float, default=0.2
        User data without a separate test set: share of each training part (per
        class) held out as real validation images (for epoch selection, unless
        ``epoch_rule='last'``, and the quality report's real reference).
    scenario : str, default='balanced'
        A name of :data:`~skgenaug.evaluation.SCENARIOS`.
    datasets : tuple of str, default=('breastmnist',)
        MedMNIST table only: the data sets run without ``--datasets``.
    n_per_class : 'paper', int or None, default='paper'
        MedMNIST table only: training images per class of the subset
        (:func:`~skgenaug.datasets.load_paper_subset`).
    test_max : int or None, default=None
        MedMNIST table only: test split subsampled (stratified) to at most this many
        images; ``None`` keeps it whole.
    unlabelled_max : int or None, default=None
        MedMNIST table, ``'semi-supervised'`` scenario: at most this many unlabelled
        images (drawn with the repeat's seed from the official training split beyond
        the labelled subset); ``None``: all of them.
    curation : mapping, default={}
        :class:`~skgenaug.CuratedSampler` parameters of the ``+curated`` method
        variants (its defaults where empty).
    classifier_augment : {'standard', 'trivial', 'none'}, default='standard'
        On-the-fly augmentation of every cell's classifier
        (``ResNetClassifier(augment=...)``), the baseline's included, so that every
        method is compared on top of the augmentation practitioners use; the
        ``'plain'`` method (no augmentation at all) is then added as a control row.
        Flips follow the data set where it knows better (the MedMNIST table: none for
        chest X-rays, both axes for dermoscopy), else the classifier's ``flips``.
    equal_steps : bool, default=True
        Equal training budgets: every epoch of every cell draws as many rows as the
        fold's real training part (``ResNetClassifier(epoch_size=...)``), from the
        real and generated images together, so that every cell of a comparison
        trains the same number of optimizer steps and a gain cannot come from extra
        steps. ``False``: an epoch is every row, so cells with added images train
        more steps.
    epoch_rule : {'accuracy', 'auc', 'last'}, default='accuracy'
        Which epoch's weights the classifier of an honest (``'val'``) cell keeps: the
        epoch of best accuracy or best AUC on the held-out real images, or the last
        epoch. With ``'last'`` the held-out images are still kept out of training (every
        rule trains on the same rows) but choose nothing. The ``'test-best'``
        selection always keeps the epoch of best test accuracy (the paper's rule).

    Examples
    --------
    >>> from skgenaug.evaluation import get_profile
    >>> profile = get_profile("quick", folds=3)
    >>> profile.name, profile.folds, profile.classifier["width"]
    ('quick', 3, 16)
    """

    name: str
    description: str
    folds: int
    repeats: int
    add_per_class: int
    classifier: Mapping
    samplers: Mapping
    quality: Mapping = None
    validation_fraction: float = 0.2
    scenario: str = "balanced"
    datasets: tuple = ("breastmnist",)
    n_per_class: object = "paper"
    test_max: int = None
    unlabelled_max: int = None
    curation: Mapping = dataclasses.field(default_factory=dict)
    classifier_augment: str = "standard"
    equal_steps: bool = True
    epoch_rule: str = "accuracy"

    def __post_init__(self):
        for name in ("classifier", "samplers", "quality", "curation"):
            object.__setattr__(self, name, _read_only(getattr(self, name)))
        object.__setattr__(self, "datasets", tuple(self.datasets))

    def sampler_params(self, method):
        """The parameters a registered method's sampler gets in this profile: the
        method's own, then the profile's.

        Parameters
        ----------
        method : str
            A registered method name (``'wgan-gp'``).

        Returns
        -------
        params : dict or None
            ``None`` for ``'none'`` and for names the registry does not know.
        """
        known = METHODS.get(method)
        if known is None or known.sampler is None:
            return None
        return {**known.params, **self.samplers.get(method, {})}

    def to_dict(self):
        """The settings as plain JSON-ready values (for ``config.json``), with every
        method's full sampler parameters (:meth:`sampler_params`).

        Returns
        -------
        settings : dict
        """
        settings = dataclasses.asdict(self)
        settings["samplers"] = {m: self.sampler_params(m) for m in self.samplers}
        return json.loads(json.dumps(settings, default=repr))


#: DiffusionSampler at the quick profile's CPU size: about 1.5-5.5 minutes per fit of a
#: fold's 270-830 training images on one core (measured while the machine was shared).
_QUICK_DIFFUSION = dict(hidden_layer_sizes=(16, 32, 32), layers_per_block=1,
                        n_sampling_steps=20, max_epochs=100, batch_size=64)
_SMOKE_DIFFUSION = dict(hidden_layer_sizes=(4, 8), layers_per_block=1,
                        n_train_timesteps=100, n_sampling_steps=3, max_epochs=2)

#: Methods that share their sizes in every profile: the conv autoencoders, the conv
#: GANs, and the diffusion model drawing from noise or as variations.
_CONV_AUTOENCODERS = ("ae-conv", "cvae-conv")
_CONV_GANS = ("cgan-conv", "wgan-gp", "acgan")
_DIFFUSION = ("diffusion", "diffusion-variation")


def _alike(methods, **params):
    """``{method: params}`` for methods sized alike."""
    return {method: dict(params) for method in methods}


_PAPER_CLASSIFIER = dict(width=64, max_epochs=100, batch_size=128, lr=1e-3, optimizer="sgd")

PROFILES = {
    # The paper's protocol (section 3): meant for a GPU.
    "paper": Profile(
        name="paper",
        description="the paper's full protocol (section 3), 10 folds x 3 repeats; meant "
                    "for a GPU",
        folds=10,
        repeats=3,
        datasets=("all",),
        add_per_class=150,
        # The paper trained its classifier without on-the-fly augmentation.
        classifier_augment="none",
        classifier=dict(_PAPER_CLASSIFIER),
        samplers=dict(
            ae=dict(max_epochs=300),
            cvae=dict(max_epochs=300),
            cgan=dict(max_epochs=1000),
            # The library's samplers at their defaults (diffusion's are meant for a
            # GPU).
            **_alike(_CONV_AUTOENCODERS + _CONV_GANS + ("geometric", "ros", "smote")
                     + _DIFFUSION),
        ),
        # Generated-image quality of each sampler cell (skgenaug.metrics.quality_report;
        # None = the metrics' default small ResNet embedding and utility classifier).
        quality=dict(utility=True, feature_estimator=None),
    ),
    # A documented CPU-sized reduction (see docs/results/README.md for its timing).
    "quick": Profile(
        name="quick",
        description=(
            "CPU-sized reduction: ResNet-18 at width 16 (not 64), 40 epochs (not 100) "
            "of AdamW (lr 3e-3, weight decay 0.05) with a one-cycle schedule and batch "
            "64, bfloat16 autocast where the CPU computes it natively, keeping the last "
            "epoch (chosen on validation folds: benchmarks/select_classifier_recipe.py); "
            "smaller generators with fewer epochs (AE 40, cVAE 40, cGAN 100); "
            "diffusion: U-Net 16-32-32 with one block per level (not 64-128-128 x 2), "
            "100 epochs of batch 64 (not 1000 of 128), 20 DDIM steps (not 50), "
            "variations at strength 0.5; "
            "5 folds (4:1; the paper's 9:1 would be 10), 1 repeat; image quality without "
            "the TSTR/TRTS utility fits; semi-supervised scenario: at most 1000 "
            "unlabelled images; every classifier trains with on-the-fly augmentation "
            "'standard' (flips as the data set allows) and the same optimizer steps"
        ),
        folds=5,
        repeats=1,
        # The table without --datasets: PneumoniaMNIST's subset (334 images) costs half
        # of BreastMNIST's (624) per cell, which keeps the no-flag run within 5 minutes
        # on 2 cores, and its test split (624 images, none a near-copy of a training
        # image) scores more reliably than BreastMNIST's (156, 30 near-copies).
        datasets=("pneumoniamnist",),
        add_per_class=150,
        unlabelled_max=1000,
        # Chosen on validation folds among five recipes, never on the test split
        # (benchmarks/select_classifier_recipe.py; docs/results/classifier_recipe).
        classifier=dict(width=16, max_epochs=40, batch_size=64, lr=3e-3,
                        optimizer="adamw", weight_decay=0.05, lr_schedule="onecycle",
                        precision="auto"),
        # The last epoch beat the best validation accuracy in nested validation
        # (docs/results/epoch_selection): +0.008 mean AUC, half the change between
        # seeds. The held-out fold still stays out of training.
        epoch_rule="last",
        samplers=dict(
            ae=dict(max_epochs=40, hidden_layer_sizes=(256, 128, 64, 32)),
            cvae=dict(max_epochs=40, hidden_layer_sizes=(256, 128)),
            cgan=dict(max_epochs=100, hidden_layer_sizes=(64, 128, 256)),
            **_alike(_CONV_AUTOENCODERS, max_epochs=40, hidden_layer_sizes=(16, 32)),
            **_alike(_CONV_GANS, max_epochs=100, hidden_layer_sizes=(32, 16)),
            **_alike(("geometric", "ros", "smote")),
            **_alike(_DIFFUSION, **_QUICK_DIFFUSION),
        ),
        # The feature ResNet is fitted once per fold and shared by the fold's methods
        # (same embedding for all); the utility fits would double the cost.
        quality=dict(utility=False, feature_estimator=None),
    ),
    # End-to-end check of the machinery; its numbers mean nothing.
    "smoke": Profile(
        name="smoke",
        description=(
            "end-to-end check of the machinery only (numbers are meaningless): tiny "
            "networks, 2 epochs, 2 folds, 1 repeat; the MedMNIST table's test split "
            "subsampled to at most 300 images (stratified)"
        ),
        folds=2,
        repeats=1,
        add_per_class=150,
        test_max=300,
        unlabelled_max=100,
        # 2-epoch generators draw nothing a judge recognises: the class filter off
        curation=dict(min_confidence=0.0),
        # Machinery only: the on-the-fly augmentation (and its 'plain' control row)
        # is switched on where a test asks for it.
        classifier_augment="none",
        classifier=dict(width=2, max_epochs=2, batch_size=128, lr=1e-3, optimizer="adam"),
        samplers=dict(
            ae=dict(max_epochs=2, hidden_layer_sizes=(32, 16), latent_dim=4),
            cvae=dict(max_epochs=2, hidden_layer_sizes=(32,), latent_dim=4),
            cgan=dict(max_epochs=2, hidden_layer_sizes=(16, 32), latent_dim=8),
            **_alike(_CONV_AUTOENCODERS, max_epochs=2, hidden_layer_sizes=(4, 8),
                     latent_dim=4),
            **_alike(_CONV_GANS, max_epochs=2, hidden_layer_sizes=(8, 4), latent_dim=8),
            **_alike(("geometric", "ros")),
            smote=dict(k_neighbors=3),
            **_alike(_DIFFUSION, **_SMOKE_DIFFUSION),
        ),
        # Tiny embedding, no utility fits: keeps the smoke run short.
        quality=dict(utility=False, feature_estimator=dict(
            width=2, max_epochs=2, batch_size=128, lr=1e-3, optimizer="adam",
            selection=None, validation_fraction=0.0)),
    ),
}

#: What runs without any flag: the quick profile (for the table: PneumoniaMNIST, the
#: paper's four methods and the unaugmented control, 25 cells, 279 s with two workers
#: on a 2-core AMD EPYC with AVX-512 BF16; on BreastMNIST they took 541 s there).
DEFAULT_PROFILE = "quick"


def get_profile(name, **overrides):
    """A named profile, with settings replaced.

    Parameters
    ----------
    name : str or Profile
        ``'paper'``, ``'quick'`` or ``'smoke'`` (:data:`PROFILES`), or a profile.
    **overrides
        Fields of :class:`Profile` to replace (``folds=3``, ``repeats=2``,
        ``scenario='long-tail'``, ``classifier={...}``, ...); ``None`` values are
        ignored. A nested setting is replaced whole: to change one sampler's epochs,
        pass ``samplers={**profile.samplers, 'cvae': {...}}``.

    Returns
    -------
    profile : Profile

    Examples
    --------
    >>> from skgenaug.evaluation import get_profile
    >>> profile = get_profile("quick", folds=3)
    >>> profile.name, profile.folds
    ('quick', 3)
    """
    from ._scenarios import SCENARIOS

    if isinstance(name, Profile):
        profile = name
    elif name in PROFILES:
        profile = PROFILES[name]
    else:
        raise ValueError(f"Unknown profile {name!r}; choose one of {sorted(PROFILES)}.")
    fields = {f.name for f in dataclasses.fields(Profile)}
    unknown = sorted(set(overrides) - fields)
    if unknown:
        raise ValueError(f"Unknown setting(s) {unknown}; known: {sorted(fields)}.")
    profile = dataclasses.replace(
        profile, **{k: v for k, v in overrides.items() if v is not None}
    )
    if profile.scenario not in SCENARIOS:
        raise ValueError(
            f"Unknown scenario {profile.scenario!r}; choose one of {tuple(SCENARIOS)}."
        )
    for name in ("folds", "repeats"):
        value = getattr(profile, name)
        minimum = 2 if name == "folds" else 1
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise ValueError(f"{name} must be an int of at least {minimum}; got {value!r}.")
    if profile.classifier_augment not in ("standard", "trivial", "none"):
        raise ValueError("classifier_augment must be 'standard', 'trivial' or 'none'; "
                         f"got {profile.classifier_augment!r}.")
    if profile.epoch_rule not in EPOCH_RULES:
        raise ValueError(f"epoch_rule must be one of {tuple(EPOCH_RULES)}; "
                         f"got {profile.epoch_rule!r}.")
    if not 0 < profile.validation_fraction < 1:
        raise ValueError(
            f"validation_fraction must be in (0, 1); got {profile.validation_fraction!r}."
        )
    return profile


def parse_methods(text, add_per_class=()):
    """Method names from a comma list, case-insensitive (``'None,AE'`` or ``'all'``).

    Parameters
    ----------
    text : str or sequence of str
        Comma-separated names of the method registry (None, AE, cVAE, cGAN, AE-conv,
        cVAE-conv, cGAN-conv, WGAN-GP, ACGAN, Geometric, ROS, SMOTE, Diffusion,
        Diffusion-variation), or ``'all'``; a name may carry the modifiers of
        :func:`~skgenaug._methods.parse_variant`
        (``'diffusion+pool+curated@450'``).
    add_per_class : sequence of int, default=()
        Further numbers of images per class: every method that adds images and has no
        ``@N`` of its own also runs as ``<method>@N`` for each (a ratio sweep).

    Returns
    -------
    methods : list of str
        Canonical lower-case names: registry order, plain methods before their
        variants.

    Examples
    --------
    >>> from skgenaug.evaluation._config import parse_methods
    >>> parse_methods("none,Geometric,cvae+pool", add_per_class=[450])
    ['none', 'cvae+pool', 'cvae+pool@450', 'geometric', 'geometric@450']
    """
    names = text.split(",") if isinstance(text, str) else list(text)
    names = [n.strip().lower() for n in names if n.strip()]
    if names == ["all"]:
        names = list(METHODS)
    if not names:
        raise ValueError(f"No method given; choose among {', '.join(METHODS)} or 'all'.")
    unknown = [n for n in names if re.split(r"[+@]", n)[0] not in METHODS]
    if unknown:
        raise ValueError(
            f"Unknown method(s) {unknown}; choose among {', '.join(METHODS)} "
            "(case-insensitive) or 'all', optionally with the modifiers +pool, "
            "+curated, +weighted and @N (e.g. 'diffusion+pool@450')."
        )
    variants = [parse_variant(n) for n in names]
    for n in add_per_class:
        variants += [dataclasses.replace(v, add_per_class=int(n)) for v in variants
                     if METHODS[v.base].sampler is not None and v.add_per_class is None]
    canonical = list(dict.fromkeys(v.name for v in variants))
    return sorted(canonical, key=method_order)


def check_controls(controls, methods, baseline="none"):
    """The control methods of a run, checked against its methods.

    Parameters
    ----------
    controls : str, sequence of str or None
        Method names (a comma list); ``None``: ROS, compared where it runs.
    methods : sequence of str
        The run's (canonical) method names.
    baseline : str, default='none'
        The run's baseline, which cannot be a control too.

    Returns
    -------
    controls : tuple of str
    """
    if controls is None:
        return ("ros",)
    names = controls.split(",") if isinstance(controls, str) else list(controls)
    names = [n.strip() for n in names if n.strip()]
    known = set(methods)
    # a registered name in any spelling, or a user's sampler by its name as given
    names = [n if n in known else parse_variant(n).name for n in names]
    missing = [n for n in names if n not in known]
    if missing:
        raise ValueError(f"controls {missing} are not among the methods {list(methods)}: "
                         "a control is compared only where it ran.")
    if baseline in names:
        raise ValueError(f"{baseline!r} is the baseline already; controls are further "
                         "references.")
    return tuple(names)


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


def cell_settings(profile, method, *, selection="val", sampler=None, data=None,
                  extra=None):
    """The settings one cell of ``method`` depends on (what its hash covers).

    The number of repeats, the data set list and the device are left out: they choose
    *which* cells run, not what a cell computes; so is ``epoch_rule`` for a
    ``'test-best'`` cell, which keeps its best test epoch whatever the rule.

    Parameters
    ----------
    profile : Profile
        The profile.
    method : str
        Method name.
    selection : {'val', 'test-best'}, default='val'
        The cell's selection rule.
    sampler : dict or None, default=None
        Description of the method's sampler; ``None``: the profile's parameters of a
        registered method (nothing for ``'none'``).
    data : dict or None, default=None
        What identifies the data: the MedMNIST subset rule (``n_per_class``,
        ``test_max``), or a user data set's fingerprint. ``None``: the profile's
        MedMNIST subset rule.
    extra : dict or None, default=None
        Further settings the cell depends on (a sampling strategy given by the user).

    Returns
    -------
    relevant : dict
    """
    from ._scenarios import SCENARIOS

    relevant = dict(folds=profile.folds, add_per_class=profile.add_per_class,
                    classifier=profile.classifier)
    if not profile.equal_steps:  # the default (protocol 5 on) adds nothing
        relevant["equal_steps"] = False
    if profile.classifier_augment != "none":
        relevant["classifier_augment"] = profile.classifier_augment
    # The rule before it was a setting adds nothing; a 'test-best' cell does not use it.
    if profile.epoch_rule != "accuracy" and selection == "val":
        relevant["epoch_rule"] = profile.epoch_rule
    if sampler is None and method != "none":
        sampler = profile.sampler_params(method)
    relevant["sampler"] = sampler
    if method != "none" and profile.quality is not None:
        relevant["quality"] = profile.quality  # only sampler cells compute it
    # Nothing for the paper's scenario, so its cells keep their hashes.
    relevant.update(SCENARIOS[profile.scenario].hashed)
    relevant.update(
        dict(n_per_class=profile.n_per_class, test_max=profile.test_max)
        if data is None else data
    )
    relevant.update(extra or {})
    relevant["method"] = method
    relevant["skgenaug"] = __version__
    relevant["protocol"] = PROTOCOL_VERSION
    return relevant


def config_hash(profile, method, **describe):
    """Stable 16-hex-digit hash of the settings a cell of ``method`` depends on.

    Parameters
    ----------
    profile : Profile
        The profile.
    method : str
        Method name.
    **describe
        ``selection``, ``sampler``, ``data`` and ``extra`` of :func:`cell_settings`.

    Returns
    -------
    digest : str
        16 hexadecimal digits; equal settings give equal digests.

    Examples
    --------
    >>> from skgenaug.evaluation import config_hash, get_profile
    >>> profile = get_profile("smoke")
    >>> len(config_hash(profile, "cvae"))
    16
    >>> config_hash(profile, "cvae") == config_hash(get_profile("smoke"), "cvae")
    True
    """
    text = json.dumps(cell_settings(profile, method, **describe), sort_keys=True,
                      default=list)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
