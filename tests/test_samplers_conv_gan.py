"""Convolutional architectures of the generative samplers, and the WGAN-GP and ACGAN
training options of CGANSampler."""

import pickle

import numpy as np
import pytest
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.utils._param_validation import InvalidParameterError
from torch import nn

from skgenaug import AESampler, CGANSampler, CVAESampler
from skgenaug.datasets import make_image_classification
from skgenaug.nets import (
    Autoencoder,
    ConditionalGAN,
    ConditionalVAE,
    ConvAutoencoder,
    ConvConditionalGAN,
    ConvConditionalVAE,
)

SAMPLERS = [AESampler, CVAESampler, CGANSampler]
MODULES = {
    AESampler: (Autoencoder, ConvAutoencoder),
    CVAESampler: (ConditionalVAE, ConvConditionalVAE),
    CGANSampler: (ConditionalGAN, ConvConditionalGAN),
}
# Tiny networks, few epochs: behaviour, not image quality.
TINY = {
    AESampler: dict(hidden_layer_sizes=(4, 8), latent_dim=4, max_epochs=1),
    CVAESampler: dict(hidden_layer_sizes=(4, 8), latent_dim=4, max_epochs=1),
    CGANSampler: dict(hidden_layer_sizes=(8, 4), latent_dim=4, max_epochs=1),
}



@pytest.fixture(scope="module")
def images():
    """48 gray 12x12 uint8 images of 3 classes, imbalanced."""
    return make_image_classification(
        48, n_classes=3, image_size=12, weights=[0.5, 0.3, 0.2], random_state=0
    )


def tiny(cls, **params):
    return cls(**{**TINY[cls], "random_state": 0, **params})


def _layers(module, kind):
    return [m for m in module.modules() if isinstance(m, kind)]


# --------------------------------------------------------------------- architecture
@pytest.mark.parametrize("cls", SAMPLERS)
def test_architecture_chooses_the_module(cls, images):
    X, y = images
    mlp_module, conv_module = MODULES[cls]
    mlp = tiny(cls, hidden_layer_sizes=(8,)).fit(X, y).net_.module_
    conv = tiny(cls, architecture="conv").fit(X, y).net_.module_
    assert type(mlp) is mlp_module and type(conv) is conv_module
    assert not _layers(mlp, nn.Conv2d) and not _layers(mlp, nn.ConvTranspose2d)
    # one strided 4x4 convolution per width in the encoder / discriminator, as many
    # transposed ones in the decoder / generator
    convs, deconvs = _layers(conv, nn.Conv2d), _layers(conv, nn.ConvTranspose2d)
    assert len(convs) == 2 and len(deconvs) == 2
    assert all(c.kernel_size == (4, 4) and c.stride == (2, 2) for c in convs + deconvs)


def test_conv_path_runs_through_the_convolutions(images):
    """The conv sampler's outputs come from its transposed convolutions: a hook on
    the last one sees every generated image, at the padded-free 12x12 size."""
    X, y = images
    sampler = tiny(CVAESampler, architecture="conv").fit(X, y)
    seen = []
    last = _layers(sampler.net_.module_, nn.ConvTranspose2d)[-1]
    handle = last.register_forward_hook(lambda m, i, out: seen.append(out.shape))
    try:
        generated = sampler.generate([0, 1, 2], random_state=0)
    finally:
        handle.remove()
    assert seen == [torch.Size([3, 1, 12, 12])]
    assert generated.shape == (3, 12, 12) and generated.dtype == np.uint8


@pytest.mark.parametrize("cls", SAMPLERS)
def test_default_widths_depend_on_the_architecture(cls, images):
    X, y = images
    assert cls().hidden_layer_sizes is None
    expected_mlp = {
        AESampler: (512, 256, 128, 64),  # the paper's four layers
        CVAESampler: (512, 256),  # the paper's two layers
        CGANSampler: (256, 512, 1024),  # the paper's three layers
    }[cls]
    assert cls.default_hidden_layer_sizes["mlp"] == expected_mlp
    conv = cls(architecture="conv", latent_dim=4, max_epochs=1, random_state=0)
    module = conv.fit(X, y).net_.module_
    widths = [c.out_channels for c in _layers(module, nn.Conv2d)]
    default = cls.default_hidden_layer_sizes["conv"]
    assert widths == list(default if cls is not CGANSampler else default[::-1])


@pytest.mark.parametrize("cls", SAMPLERS)
def test_mlp_default_builds_the_papers_layers(cls, images):
    X, y = images
    module = cls(latent_dim=4, max_epochs=1, random_state=0).fit(X, y).net_.module_
    hidden = cls.default_hidden_layer_sizes["mlp"]
    linear_out = [layer.out_features for layer in _layers(module, nn.Linear)]
    for width in hidden:
        assert width in linear_out


@pytest.mark.parametrize(
    "shape",
    [(28, 28), (28, 28, 3), (13, 9, 3), (20,), (1,)],
    ids=["28x28", "28x28x3", "13x9x3", "tabular-20", "one-feature"],
)
@pytest.mark.parametrize("cls", SAMPLERS)
def test_conv_handles_any_image_size(cls, shape):
    """Sides that are not multiples of 4 are padded inside the network and cropped
    back: odd images and 1 x n tabular strips keep their shape."""
    rng = np.random.RandomState(0)
    X = (rng.rand(12, *shape) * 255).astype(np.uint8)
    y = np.repeat([0, 1], 6)
    sampler = tiny(cls, architecture="conv").fit(X, y)
    generated = sampler.generate([0, 1, 1], random_state=0)
    assert generated.shape == (3, *shape) and generated.dtype == np.uint8


@pytest.mark.parametrize(
    "image_shape, sizes",
    [((28, 28, 1), [14, 7]), ((28, 28, 3), [14, 7]), ((13, 9, 3), [(8, 6), (4, 3)])],
)
def test_conv_gan_shapes(image_shape, sizes):
    """DCGAN shapes: 28 -> 14 -> 7 in the discriminator, a linear map to 7x7 maps and
    7 -> 14 -> 28 in the generator (13x9 is padded to 16x12); the class as constant
    input channels of the discriminator and appended to the generator's noise."""
    sizes = [s if isinstance(s, tuple) else (s, s) for s in sizes]
    n_classes, latent_dim = 4, 10
    module = ConvConditionalGAN(image_shape, n_classes, (32, 16), latent_dim)
    h, w, c = image_shape
    seen = []
    for layer in _layers(module, nn.Conv2d) + _layers(module, nn.ConvTranspose2d):
        layer.register_forward_hook(lambda m, i, out: seen.append(tuple(out.shape[1:])))
    z, labels = torch.randn(5, latent_dim), torch.tensor([0, 1, 2, 3, 0])
    fake = module.generate(z, labels)
    assert module.discriminate(fake, labels).shape == (5,)
    padded = (sizes[0][0] * 2, sizes[0][1] * 2)
    # generator: 32 maps of the smallest size, then 16 maps, then the image's channels
    assert module.generator.project.in_features == latent_dim + n_classes
    assert seen[:2] == [(16, *sizes[0]), (c, *padded)]
    # discriminator: the image's channels plus one constant channel per class
    assert _layers(module.discriminator, nn.Conv2d)[0].in_channels == c + n_classes
    assert seen[2:] == [(16, *sizes[0]), (32, *sizes[1])]
    assert fake.shape == (5, h * w * c)
    assert float(fake.detach().min()) >= 0 and float(fake.detach().max()) <= 1
    assert _layers(module.discriminator, nn.BatchNorm2d)


def test_conv_critic_for_a_gradient_penalty_has_no_batch_norm():
    bce = ConvConditionalGAN((12, 12, 1), 2, (16, 8), 4)
    critic = ConvConditionalGAN((12, 12, 1), 2, (16, 8), 4, discriminator_norm="layer")
    assert _layers(bce.discriminator, nn.BatchNorm2d)
    assert not _layers(critic.discriminator, nn.BatchNorm2d)
    assert _layers(critic.discriminator, nn.GroupNorm)


def test_sampler_picks_the_critic_norm(images):
    X, y = images
    bce = tiny(CGANSampler, architecture="conv").fit(X, y).net_.module_
    wgan = (
        tiny(CGANSampler, architecture="conv", objective="wgan-gp").fit(X, y).net_.module_
    )
    assert _layers(bce.discriminator, nn.BatchNorm2d)
    assert not _layers(wgan.discriminator, nn.BatchNorm2d)


@pytest.mark.parametrize("cls", SAMPLERS)
def test_conv_encoder_gets_the_class_as_channels(cls, images):
    X, y = images
    module = tiny(cls, architecture="conv").fit(X, y).net_.module_
    first = _layers(module, nn.Conv2d)[0]
    # the autoencoder is unconditional; the CVAE and the cGAN discriminator are not
    assert first.in_channels == (1 if cls is AESampler else 1 + 3)


@pytest.mark.parametrize("cls", SAMPLERS)
def test_bad_architecture_settings(cls, images):
    X, y = images
    with pytest.raises(InvalidParameterError, match="architecture"):
        tiny(cls, architecture="transformer").fit(X, y)
    with pytest.raises(ValueError, match="at least one channel width"):
        tiny(cls, architecture="conv", hidden_layer_sizes=()).fit(X, y)


def test_conv_sampler_is_seeded(images):
    X, y = images
    a = tiny(CGANSampler, architecture="conv").fit_resample(X, y)[0]
    b = tiny(CGANSampler, architecture="conv").fit_resample(X, y)[0]
    c = tiny(CGANSampler, architecture="conv", random_state=1).fit_resample(X, y)[0]
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a[len(X) :], c[len(X) :])


def test_conv_and_gan_options_survive_pickling(images):
    X, y = images
    sampler = tiny(
        CGANSampler, architecture="conv", objective="wgan-gp", auxiliary_classifier=True
    ).fit(X, y)
    restored = pickle.loads(pickle.dumps(sampler))
    np.testing.assert_array_equal(
        sampler.generate([0, 2], random_state=1), restored.generate([0, 2], random_state=1)
    )


# --------------------------------------------------------------------- WGAN-GP
def _first_batch(history, key):
    return history[0, "batches", 0, key]


def test_bce_default_records_no_penalty_or_aux_loss(images):
    X, y = images
    sampler = tiny(CGANSampler).fit(X, y)
    keys = sampler.history_[-1].keys()
    assert "discriminator_loss" in keys
    assert "gradient_penalty" not in keys and "aux_loss" not in keys
    assert sampler.net_.optimizer_.param_groups[0]["betas"] == (0.5, 0.999)
    # the paper's alternating steps: one generator step per discriminator step
    assert sampler.net_.critic_steps_ == sampler.net_.generator_steps_ > 0


@pytest.mark.parametrize("architecture", ["mlp", "conv"])
def test_wgan_gp_loss_includes_the_weighted_penalty(architecture, images):
    X, y = images
    runs = {
        weight: tiny(
            CGANSampler,
            architecture=architecture,
            objective="wgan-gp",
            gradient_penalty=weight,
            batch_size=16,
        )
        .fit(X, y)
        .history_
        for weight in (None, 1.0, 0.0)
    }
    default, one, zero = runs[None], runs[1.0], runs[0.0]
    # None means Gulrajani et al.'s weight of 10: on the first batch (same seed, same
    # weights, same interpolates) the recorded term is exactly ten times weight 1's
    gp10, gp1 = (
        _first_batch(default, "gradient_penalty"),
        _first_batch(one, "gradient_penalty"),
    )
    assert gp10 > 0 and gp1 > 0
    np.testing.assert_allclose(gp10, 10 * gp1, rtol=1e-4)
    # ... and it is part of the discriminator's loss
    d10, d1 = (
        _first_batch(default, "discriminator_loss"),
        _first_batch(one, "discriminator_loss"),
    )
    np.testing.assert_allclose(d10 - d1, gp10 - gp1, rtol=1e-4, atol=1e-6)
    # weight 0: recorded as 0 every batch
    assert all(v == 0 for v in zero[:, "batches", :, "gradient_penalty"][0])
    assert all(v > 0 for v in default[:, "gradient_penalty"])


def test_wgan_gp_uses_the_wasserstein_loss_and_adam_betas(images):
    X, y = images
    quick = dict(hidden_layer_sizes=(32,), lr=3e-3, max_epochs=3, batch_size=16)
    bce = tiny(CGANSampler, gradient_penalty=0.0, **quick).fit(X, y)
    wgan = tiny(CGANSampler, objective="wgan-gp", gradient_penalty=0.0, **quick).fit(X, y)
    # two logistic losses are never negative; the critic's D(fake) - D(real) is,
    # as soon as it tells real from generated
    assert min(bce.history_[:, "batches", :, "discriminator_loss"][-1]) > 0
    assert min(wgan.history_[:, "batches", :, "discriminator_loss"][-1]) < 0
    assert wgan.net_.optimizer_.param_groups[0]["betas"] == (0.0, 0.9)
    assert wgan.net_.optimizer_discriminator_.param_groups[0]["betas"] == (0.0, 0.9)


def _adam_steps(optimizer):
    return int(next(iter(optimizer.state.values()))["step"])


@pytest.mark.parametrize(
    "objective, n_critic, expected_ratio",
    [("wgan-gp", None, 5), ("wgan-gp", 3, 3), ("bce", None, 1), ("bce", 2, 2)],
)
def test_n_critic_sets_critic_steps_per_generator_step(
    objective, n_critic, expected_ratio, images
):
    """48 images in batches of 8: 6 batches per epoch, 30 critic steps in 5 epochs.
    The optimisers' own step counts confirm the net's counters."""
    X, y = images
    sampler = tiny(
        CGANSampler, objective=objective, n_critic=n_critic, batch_size=8, max_epochs=5
    ).fit(X, y)
    net = sampler.net_
    assert net.critic_steps_ == _adam_steps(net.optimizer_discriminator_) == 30
    assert net.generator_steps_ == _adam_steps(net.optimizer_) == 30 // expected_ratio
    assert np.all(np.isfinite(sampler.history_[:, "train_loss"]))


# --------------------------------------------------------------------- ACGAN
@pytest.mark.parametrize("architecture", ["mlp", "conv"])
def test_acgan_discriminator_has_a_trained_class_head(architecture, images):
    X, y = images
    sampler = tiny(
        CGANSampler, architecture=architecture, auxiliary_classifier=True, max_epochs=2
    ).fit(X, y)
    module = sampler.net_.module_
    assert isinstance(module.class_head, nn.Linear) and module.class_head.out_features == 3
    # the discriminator sees the image alone: no class input
    if architecture == "conv":
        assert _layers(module.discriminator, nn.Conv2d)[0].in_channels == 1
    else:
        assert _layers(module.discriminator, nn.Linear)[0].in_features == 12 * 12

    # the class head is updated with the discriminator
    def updated_by(optimizer):
        return {id(p) for group in optimizer.param_groups for p in group["params"]}

    assert id(module.class_head.weight) in updated_by(sampler.net_.optimizer_discriminator_)
    assert id(module.class_head.weight) not in updated_by(sampler.net_.optimizer_)
    aux = sampler.history_[:, "aux_loss"]
    assert len(aux) == 2 and all(np.isfinite(aux)) and all(a > 0 for a in aux)
    logit, classes = module.discriminate(
        torch.rand(2, 144), torch.tensor([0, 1]), with_class_logits=True
    )
    assert logit.shape == (2,) and classes.shape == (2, 3)


def test_acgan_combines_with_wgan_gp(images):
    X, y = images
    history = (
        tiny(
            CGANSampler, objective="wgan-gp", auxiliary_classifier=True, architecture="conv"
        )
        .fit(X, y)
        .history_
    )
    assert {"gradient_penalty", "aux_loss", "discriminator_loss"} <= set(history[-1])


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(objective="hinge"), "objective"),
        (dict(n_critic=0), "n_critic"),
        (dict(gradient_penalty=-1.0), "gradient_penalty"),
        (dict(auxiliary_classifier="yes"), "auxiliary_classifier"),
    ],
)
def test_bad_gan_options(params, match, images):
    X, y = images
    with pytest.raises(InvalidParameterError, match=match):
        tiny(CGANSampler, **params).fit(X, y)


# --------------------------------------------------------------------- conditioning
CONDITIONING = {
    "ae-conv": (
        AESampler,
        dict(
            architecture="conv",
            hidden_layer_sizes=(8, 16),
            latent_dim=8,
            max_epochs=15,
            lr=3e-3,
        ),
    ),
    "cvae-conv": (
        CVAESampler,
        dict(
            architecture="conv",
            hidden_layer_sizes=(8, 16),
            latent_dim=8,
            max_epochs=15,
            lr=3e-3,
        ),
    ),
    "cgan-conv": (
        CGANSampler,
        dict(
            architecture="conv",
            hidden_layer_sizes=(32, 16),
            latent_dim=16,
            max_epochs=15,
            lr=1e-3,
        ),
    ),
    # two critic steps per generator step keep the generator's steps within seconds
    "cgan-conv-wgan-gp": (
        CGANSampler,
        dict(
            architecture="conv",
            objective="wgan-gp",
            n_critic=2,
            hidden_layer_sizes=(32, 16),
            latent_dim=16,
            max_epochs=30,
            lr=1e-3,
        ),
    ),
    "cgan-acgan": (
        CGANSampler,
        dict(
            auxiliary_classifier=True,
            hidden_layer_sizes=(64, 128),
            latent_dim=16,
            max_epochs=20,
            lr=1e-3,
        ),
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CONDITIONING))
def test_generated_images_belong_to_their_class(name):
    """A classifier fitted on real 12x12 images puts generated images in their class.

    As the test of the fully connected samplers: three visibly different classes,
    chance is 1/3, a sampler that ignored the condition would score near it.
    """
    X, y = make_image_classification(300, n_classes=3, image_size=12, random_state=0)
    judge = LogisticRegression(max_iter=2000).fit(X.reshape(len(X), -1) / 255, y)
    cls, params = CONDITIONING[name]
    sampler = cls(batch_size=32, random_state=0, **params).fit(X, y)
    labels = np.repeat([0, 1, 2], 50)
    generated = sampler.generate(labels, random_state=0)
    accuracy = np.mean(judge.predict(generated.reshape(len(generated), -1) / 255) == labels)
    assert accuracy >= 0.8, f"{name}: generated images classified {accuracy:.2f}"
