"""The named augmentation methods: one registry, shared by the evaluation, the MedMNIST
benchmark, the command line and the figures.

Adding a method is one :class:`Method` entry in :data:`METHODS` here (its name,
display name, sampler class and the parameters that make it this method), plus its
sizes (epochs, layers) in each profile of :mod:`skgenaug.evaluation`
(``Profile.samplers``; ``Profile.sampler_params`` merges the two).
Methods name their sampler classes, imported when a sampler is built: the figures
need the names, order and colours, not the networks.
"""

import importlib
import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Method:
    """One named augmentation method.

    Parameters
    ----------
    name : str
        Lower-case code used on the command line and in result tables (``'cvae'``).
    display_name : str
        Name shown in reports and figures (``'cVAE'``).
    sampler : str or None
        Name of the sampler class in :mod:`skgenaug.samplers`; ``None`` for no
        augmentation.
    wraps : str or None, default=None
        Name of an imbalanced-learn over-sampler in
        :mod:`imblearn.over_sampling`, applied to flattened images through
        :class:`~skgenaug.FlatImageSampler` (``sampler`` is then that class).
    generator_cost : float, default=0.0
        Cost of one training image-epoch of the generator relative to one of the
        classifier at the quick profile's sizes; orders cells, nothing else.
    params : dict, default={}
        The sampler parameters that make it this method in every profile (a conv
        architecture, the WGAN-GP objective, a variation's strength); the profiles add
        their sizes.
    """

    name: str
    display_name: str
    sampler: str = None
    wraps: str = None
    generator_cost: float = 0.0
    params: dict = field(default_factory=dict, hash=False)

    @property
    def sampler_class(self):
        """The sampler class, or ``None`` for no augmentation."""
        if self.sampler is None:
            return None
        return getattr(importlib.import_module("skgenaug.samplers"), self.sampler)

    @property
    def trains_network(self):
        """Whether the sampler trains a network (and so takes a ``device``)."""
        from ._generative import BaseGenerativeSampler

        kind = self.sampler_class
        return kind is not None and issubclass(kind, BaseGenerativeSampler)

    def make_sampler(self, sampling_strategy, random_state, device="cpu", **params):
        """The method's sampler, or ``None`` for no augmentation.

        ``device`` goes only to samplers that train a network.
        """
        kind = self.sampler_class
        if kind is None:
            return None
        if self.wraps is not None:
            wrapped = getattr(importlib.import_module("imblearn.over_sampling"),
                              self.wraps)
            return kind(wrapped(sampling_strategy=sampling_strategy,
                                random_state=random_state, **params))
        if self.trains_network:
            params = dict(params, device=device)
        return kind(sampling_strategy=sampling_strategy, random_state=random_state,
                    **params)


_CONV = dict(architecture="conv")

#: The method that trains its classifier without any augmentation, on-the-fly
#: included: a control row, never in the primary family.
UNAUGMENTED = "plain"

#: Every named method, in table order. The first four are the reference paper's; then
#: the library's convolutional generators (their ``params`` set ``architecture``,
#: ``objective``, ...); then the classic baselines (geometric
#: transforms; random over-sampling and SMOTE on flattened pixels); then the
#: class-conditional diffusion model, drawing from noise and as variations of real
#: images (``strength=0.5``). Generator costs come from the committed
#: quick run's sampler and classifier seconds on BreastMNIST (diffusion: its measured
#: fit time at the quick profile's sizes against the classifier's).
METHODS = {
    method.name: method
    for method in (
        Method("none", "None"),
        Method("ae", "AE", "AESampler", generator_cost=0.04),
        Method("cvae", "cVAE", "CVAESampler", generator_cost=0.05),
        Method("cgan", "cGAN", "CGANSampler", generator_cost=0.09),
        Method("ae-conv", "AE (conv)", "AESampler", generator_cost=0.15,
               params=_CONV),
        Method("cvae-conv", "cVAE (conv)", "CVAESampler", generator_cost=0.18,
               params=_CONV),
        Method("cgan-conv", "cGAN (conv)", "CGANSampler", generator_cost=0.31,
               params=_CONV),
        Method("wgan-gp", "WGAN-GP (conv)", "CGANSampler", generator_cost=0.41,
               params=dict(_CONV, objective="wgan-gp")),
        Method("acgan", "ACGAN (conv)", "CGANSampler", generator_cost=0.29,
               params=dict(_CONV, auxiliary_classifier=True)),
        Method("geometric", "Geometric", "GeometricSampler"),
        Method("ros", "ROS", "FlatImageSampler", wraps="RandomOverSampler"),
        Method("smote", "SMOTE", "FlatImageSampler", wraps="SMOTE"),
        Method("diffusion", "Diffusion", "DiffusionSampler", generator_cost=3.0),
        Method("diffusion-variation", "Diffusion (variation)", "DiffusionSampler",
               generator_cost=3.0, params=dict(strength=0.5)),
        # The control of an evaluation whose classifier augments on the fly: no
        # generated images and no on-the-fly augmentation either (last, so that the
        # figures keep their colours).
        Method(UNAUGMENTED, "No augmentation at all"),
    )
}

#: The one table of display names, ``{code: name}``, in table order.
METHOD_NAMES = {name: method.display_name for name, method in METHODS.items()}

#: The reference paper's methods (the MedMNIST table's default).
PAPER_METHODS = ("none", "ae", "cvae", "cgan")


#: Modifiers of a registered generative method, in the order a variant's name lists
#: them, with their display text: ``+pool`` trains the generator on the unlabelled
#: images too; ``+curated`` keeps only generated images that pass
#: :class:`~skgenaug.CuratedSampler`'s filters; ``+weighted`` gives generated rows the
#: loss weight ``min(1, n_real / n_generated)``, so that they weigh no more than the
#: real rows. ``@N`` (last) adds ``N`` images per class instead of the profile's
#: number.
MODIFIERS = {"pool": "unlabelled pool", "curated": "curated", "weighted": "weighted"}

_VARIANT = re.compile(r"^(?P<base>[a-z0-9-]+)(?P<mods>(\+[a-z]+)*)(@(?P<n>\d+))?$")


@dataclass(frozen=True)
class Variant:
    """A registered method with modifiers, e.g. ``'diffusion+pool+curated@450'``.

    Parameters
    ----------
    base : str
        The registered method.
    pool, curated, weighted : bool
        The modifiers (:data:`MODIFIERS`).
    add_per_class : int or None
        ``@N``: images added per class; ``None``: the profile's.
    """

    base: str
    pool: bool = False
    curated: bool = False
    weighted: bool = False
    add_per_class: int = None

    @property
    def name(self):
        """The canonical name (modifiers in :data:`MODIFIERS` order)."""
        mods = "".join(f"+{m}" for m in MODIFIERS if getattr(self, m))
        ratio = "" if self.add_per_class is None else f"@{self.add_per_class}"
        return f"{self.base}{mods}{ratio}"

    @property
    def is_plain(self):
        return self.name == self.base


def parse_variant(name):
    """The :class:`Variant` a method name spells, with a clear error for a bad one.

    Parameters
    ----------
    name : str
        ``base[+pool][+curated][+weighted][@N]``, case-insensitive.

    Returns
    -------
    variant : Variant

    Examples
    --------
    >>> from skgenaug._methods import parse_variant
    >>> parse_variant("Diffusion+curated+pool@450").name
    'diffusion+pool+curated@450'
    """
    text = str(name).strip().lower()
    match = _VARIANT.match(text)
    if match is None or match["base"] not in METHODS:
        base = text.split("+")[0].split("@")[0]
        raise ValueError(
            f"Unknown method {name!r}"
            + ("" if base in METHODS else f" ({base!r} is not a method)")
            + f"; choose among {', '.join(METHODS)} (case-insensitive) or 'all', "
            "optionally with the modifiers +pool, +curated, +weighted and @N (images "
            "per class), e.g. 'diffusion+pool@450'."
        )
    base, method = match["base"], METHODS[match["base"]]
    mods = [m for m in (match["mods"] or "").split("+") if m]
    unknown = [m for m in mods if m not in MODIFIERS]
    if unknown or len(set(mods)) != len(mods):
        raise ValueError(f"Method {name!r}: unknown or repeated modifier(s) "
                         f"{unknown or mods}; known: +{', +'.join(MODIFIERS)}.")
    n = None if match["n"] is None else int(match["n"])
    if method.sampler is None and (mods or n is not None):
        raise ValueError(f"Method {name!r}: 'none' adds no images, so it takes no "
                         "modifier.")
    kind = method.sampler_class
    if "pool" in mods and not getattr(kind, "_learns_from_unlabelled", False):
        raise ValueError(f"Method {name!r}: {method.display_name} cannot learn from "
                         "unlabelled images (+pool is for the generative methods).")
    if "curated" in mods and not hasattr(kind, "generate"):
        raise ValueError(f"Method {name!r}: {method.display_name} has no generate, so "
                         "its images cannot be curated.")
    if n is not None and n < 1:
        raise ValueError(f"Method {name!r}: @N needs N >= 1.")
    return Variant(base, "pool" in mods, "curated" in mods, "weighted" in mods, n)


def display_name(method):
    """The display name of a method code (a variant's with its modifiers); a name that
    is not registered (a sampler instance's name) is shown as it is.

    Examples
    --------
    >>> from skgenaug._methods import display_name
    >>> display_name("cvae-conv+pool+curated@450")
    'cVAE (conv) + unlabelled pool + curated, 450/class'
    """
    if method in METHOD_NAMES:
        return METHOD_NAMES[method]
    try:
        variant = parse_variant(method)
    except ValueError:
        return method
    text = " + ".join([METHOD_NAMES[variant.base]]
                      + [MODIFIERS[m] for m in MODIFIERS if getattr(variant, m)])
    if variant.add_per_class is not None:
        text += f", {variant.add_per_class}/class"
    return text


def method_order(method):
    """Sort key: registry order of the base method, then plain before variants."""
    try:
        variant = parse_variant(method)
    except ValueError:
        return (len(METHODS), 0, 0, 0, 0, 0)
    return (list(METHODS).index(variant.base), variant.pool, variant.curated,
            variant.weighted, variant.add_per_class or 0, 0)
