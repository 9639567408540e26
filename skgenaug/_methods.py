"""The named augmentation methods: one registry, shared by the evaluation, the MedMNIST
benchmark, the command line and the figures.

Adding a method is one :class:`Method` entry in :data:`METHODS` here, plus its
parameters in each profile of :mod:`skgenaug.benchmark` (``Profile.samplers``).
"""

from dataclasses import dataclass

from imblearn.over_sampling import SMOTE, RandomOverSampler

from ._generative import BaseGenerativeSampler
from .samplers import (
    AESampler,
    CGANSampler,
    CVAESampler,
    DiffusionSampler,
    FlatImageSampler,
    GeometricSampler,
)


@dataclass(frozen=True)
class Method:
    """One named augmentation method.

    Parameters
    ----------
    name : str
        Lower-case code used on the command line and in result tables (``'cvae'``).
    display_name : str
        Name shown in reports and figures (``'cVAE'``).
    sampler : type or None
        The skgenaug sampler class; ``None`` for no augmentation.
    wraps : type or None, default=None
        An imbalanced-learn over-sampler applied to flattened images through
        :class:`~skgenaug.FlatImageSampler` (``sampler`` is then that class).
    generator_cost : float, default=0.0
        Cost of one training image-epoch of the generator relative to one of the
        classifier at the quick profile's sizes; orders cells, nothing else.
    """

    name: str
    display_name: str
    sampler: type = None
    wraps: type = None
    generator_cost: float = 0.0

    def make_sampler(self, sampling_strategy, random_state, device="cpu", **params):
        """The method's sampler, or ``None`` for no augmentation.

        ``device`` goes only to samplers that train a network.
        """
        if self.sampler is None:
            return None
        if self.wraps is not None:
            return self.sampler(self.wraps(sampling_strategy=sampling_strategy,
                                           random_state=random_state, **params))
        if issubclass(self.sampler, BaseGenerativeSampler):
            params = dict(params, device=device)
        return self.sampler(sampling_strategy=sampling_strategy,
                            random_state=random_state, **params)


#: Every named method, in table order. The first four are the reference paper's; then
#: the library's convolutional generators (their profile parameters set
#: ``architecture``, ``objective``, ...); then the classic baselines (geometric
#: transforms; random over-sampling and SMOTE on flattened pixels); then the
#: class-conditional diffusion model, drawing from noise and as variations of real
#: images (``strength=0.5`` in the profiles). Generator costs come from the committed
#: quick run's sampler and classifier seconds on BreastMNIST (diffusion: its measured
#: fit time at the quick profile's sizes against the classifier's).
METHODS = {
    method.name: method
    for method in (
        Method("none", "None"),
        Method("ae", "AE", AESampler, generator_cost=0.04),
        Method("cvae", "cVAE", CVAESampler, generator_cost=0.05),
        Method("cgan", "cGAN", CGANSampler, generator_cost=0.09),
        Method("ae-conv", "AE (conv)", AESampler, generator_cost=0.15),
        Method("cvae-conv", "cVAE (conv)", CVAESampler, generator_cost=0.18),
        Method("cgan-conv", "cGAN (conv)", CGANSampler, generator_cost=0.31),
        Method("wgan-gp", "WGAN-GP (conv)", CGANSampler, generator_cost=0.41),
        Method("acgan", "ACGAN (conv)", CGANSampler, generator_cost=0.29),
        Method("geometric", "Geometric", GeometricSampler),
        Method("ros", "ROS", FlatImageSampler, wraps=RandomOverSampler),
        Method("smote", "SMOTE", FlatImageSampler, wraps=SMOTE),
        Method("diffusion", "Diffusion", DiffusionSampler, generator_cost=3.0),
        Method("diffusion-variation", "Diffusion (variation)", DiffusionSampler,
               generator_cost=3.0),
    )
}

#: The one table of display names, ``{code: name}``, in table order.
METHOD_NAMES = {name: method.display_name for name, method in METHODS.items()}

#: The reference paper's methods (the MedMNIST table's default).
PAPER_METHODS = ("none", "ae", "cvae", "cgan")


def display_name(method):
    """The display name of a method code; a name that is not registered (a sampler
    instance's name) is shown as it is."""
    return METHOD_NAMES.get(method, method)
