"""DiffusionSampler (skgenaug/samplers/_diffusion.py), its U-Net (skgenaug/nets/_unet.py)
and the EMA callback (skgenaug/_skorch_utils.py).

The behaviour every generative sampler shares (sampling strategies, layouts and dtypes,
string labels, seeds, pickling, pipelines, verbosity, bad input, devices) is tested for
DiffusionSampler in test_samplers.py, the estimator checks in test_common.py, strides
in test_torch_utils.py and test_platform.py.
"""

import pickle

import numpy as np
import pytest
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import NearestNeighbors
from sklearn.utils._param_validation import InvalidParameterError
from skorch import NeuralNet
from skorch.callbacks import Callback
from torch import nn

from skgenaug import DiffusionSampler
from skgenaug._skorch_utils import ExponentialMovingAverage
from skgenaug.datasets import make_image_classification
from skgenaug.metrics import memorization_report
from skgenaug.nets import ConditionalUNet
from skgenaug.samplers._diffusion import (
    cosine_alphas_cumprod,
    ddim_timesteps,
    predicted_clean_image,
    prediction_target,
)

#: Tiny and quick: behaviour, not image quality.
TINY = dict(hidden_layer_sizes=(4, 8), layers_per_block=1, n_train_timesteps=100,
            n_sampling_steps=4, max_epochs=2, random_state=0)
#: Small enough to train in about 10 s on one CPU thread, enough to learn 3 classes of
#: 16x16 images (300 images, 20 epochs of 10 batches).
LEARNS = dict(hidden_layer_sizes=(8, 16), layers_per_block=1, n_sampling_steps=10,
              max_epochs=20, batch_size=32, lr=3e-3, random_state=0)


@pytest.fixture(scope="module")
def three_classes():
    """300 gray 16x16 images of 3 visibly different classes (disc, bars, bars)."""
    return make_image_classification(300, n_classes=3, image_size=16, random_state=0)


@pytest.fixture(scope="module")
def trained(three_classes):
    X, y = three_classes
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # (the autouse fixture sets it per test, after this one)
    try:
        return DiffusionSampler(**LEARNS).fit(X, y)
    finally:
        torch.set_num_threads(threads)


def _rows(images):
    return images.reshape(len(images), -1) / 255.0


# --------------------------------------------------------------------- conditioning
def test_generated_images_belong_to_their_class(trained, three_classes):
    """A classifier fitted on real images puts generated images in their class.

    Three visibly different classes; chance is 1/3. The threshold of 0.8 (as for the
    other samplers) is far above chance yet leaves room for imperfect samples of a
    briefly trained network (0.96 seen): a sampler that ignored the condition, or
    mixed the codes up, would score near 1/3.
    """
    X, y = three_classes
    judge = LogisticRegression(max_iter=2000).fit(_rows(X), y)
    labels = np.repeat([0, 1, 2], 50)
    generated = trained.generate(labels, random_state=0)
    accuracy = np.mean(judge.predict(_rows(generated)) == labels)
    assert accuracy >= 0.8, f"generated images classified {accuracy:.2f}"


# --------------------------------------------------------------------- guidance
def test_guidance_scale_changes_the_output(trained):
    labels = np.repeat([0, 1, 2], 4)
    plain = trained.generate(labels, random_state=0)
    np.testing.assert_array_equal(plain, trained.generate(labels, random_state=0))
    guided = clone_with(trained, guidance_scale=3.0).generate(labels, random_state=0)
    assert np.abs(guided.astype(float) - plain).mean() > 1.0  # gray levels of 255
    # s = 0 is the unconditional model: the same noise gives the same image whatever
    # the class asked for; with s = 1 the class matters.
    unconditional = clone_with(trained, guidance_scale=0.0)
    np.testing.assert_array_equal(
        unconditional.generate([0, 0, 0], random_state=1),
        unconditional.generate([2, 2, 2], random_state=1),
    )
    assert not np.array_equal(
        trained.generate([0, 0, 0], random_state=1),
        trained.generate([2, 2, 2], random_state=1),
    )


def clone_with(fitted, **params):
    """A copy of a fitted sampler with other generation parameters."""
    return pickle.loads(pickle.dumps(fitted)).set_params(**params)


class _ConstantPrediction(nn.Module):
    """Stand-in network: predicts ``class_value`` for every class, ``null_value`` for
    the null class."""

    def __init__(self, n_classes, class_value, null_value):
        super().__init__()
        self.n_classes = n_classes
        self.class_value, self.null_value = class_value, null_value

    def forward(self, x, t, c):
        null = (c == self.n_classes)[:, None]
        return torch.where(null, self.null_value, self.class_value).expand_as(x)


@pytest.mark.parametrize("scale, mixed", [(0.0, -0.6), (1.0, -0.2), (2.0, 0.2)])
def test_guidance_mixes_class_and_null_predictions(trained, scale, mixed):
    # pred = pred_null + s * (pred_class - pred_null) with pred_class = -0.2 and
    # pred_null = -0.6. One DDIM step from pure noise (t = T - 1, where alpha_bar is
    # about 2e-9): the clean image a v prediction implies is -pred, up to 1e-4.
    sampler = clone_with(trained, guidance_scale=scale, n_sampling_steps=1)
    sampler.net_.module_ = _ConstantPrediction(3, -0.2, -0.6)
    generated = sampler.generate([0, 1, 2], random_state=0)
    pixel = round(255 * (-mixed + 1) / 2)
    assert np.all(generated == pixel), (np.unique(generated), pixel)


# --------------------------------------------------------------------- strength
def test_low_strength_stays_close_to_the_source_and_full_strength_does_not(
    trained, three_classes
):
    """Variations at strength 0.02 sit next to a training image of their class (0.13 of
    the typical distance between two training images seen); draws from noise do not
    (1.2 seen)."""
    X, y = three_classes
    index = NearestNeighbors(n_neighbors=2).fit(_rows(X))
    typical = np.median(index.kneighbors(_rows(X))[0][:, 1])
    labels = np.repeat([0, 1, 2], 20)
    near = clone_with(trained, strength=0.02).generate(labels, random_state=0)
    distance, nearest = index.kneighbors(_rows(near), n_neighbors=1)
    assert np.median(distance) < 0.3 * typical
    assert np.array_equal(y[nearest[:, 0]], labels)  # the source is of the asked class
    new = trained.generate(labels, random_state=0)
    assert np.median(index.kneighbors(_rows(new), n_neighbors=1)[0]) > 0.8 * typical


def test_memorization_report_flags_low_strength_variations(trained, three_classes):
    """Strength-0.05 variations are near-copies (share 1.0 seen); draws from noise are
    not (0.0 seen; held-out real images: 0.05 by construction)."""
    X, _ = three_classes
    holdout, _ = make_image_classification(150, n_classes=3, image_size=16, random_state=1)
    labels = np.repeat([0, 1, 2], 30)
    copies = clone_with(trained, strength=0.05).generate(labels, random_state=0)
    fresh = trained.generate(labels, random_state=0)
    copies_share = memorization_report(X, copies, holdout).near_copy_share
    fresh_share = memorization_report(X, fresh, holdout).near_copy_share
    assert copies_share >= 0.9
    assert fresh_share <= 0.2


class _CallCounter:
    def __init__(self, module):
        self.batch_sizes = []
        module.register_forward_pre_hook(
            lambda m, args: self.batch_sizes.append(len(args[0]))
        )


@pytest.mark.parametrize(
    "params, calls, batch",
    [
        (dict(), 6, 5),  # n_sampling_steps from pure noise
        (dict(strength=0.5), 3, 5),  # ceil(0.5 * 6) steps from half-way
        (dict(strength=0.1), 1, 5),
        (dict(guidance_scale=2.0), 6, 10),  # class and null class in one pass
        (dict(guidance_scale=0.0), 6, 5),
    ],
)
def test_steps_and_batches_of_the_sampler(trained, params, calls, batch):
    sampler = clone_with(trained, n_sampling_steps=6, **params)
    counter = _CallCounter(sampler.net_.module_)
    sampler.generate([0, 1, 2, 2, 1], random_state=0)
    assert counter.batch_sizes == [batch] * calls


def test_generation_runs_in_batches_of_batch_size(trained):
    sampler = clone_with(trained, n_sampling_steps=2, batch_size=4)
    counter = _CallCounter(sampler.net_.module_)
    labels = [0, 1, 2] * 3
    batched = sampler.generate(labels, random_state=0)
    assert counter.batch_sizes == [4, 4, 4, 4, 1, 1]
    # batching does not change the images (each image's noise is drawn up front)
    whole = clone_with(trained, n_sampling_steps=2, batch_size=64)
    np.testing.assert_allclose(batched, whole.generate(labels, random_state=0), atol=1)


# --------------------------------------------------------------------- determinism
def test_a_seed_gives_the_same_fit_and_the_same_variations(three_classes):
    X, y = three_classes
    X, y = X[:60], y[:60]
    first = DiffusionSampler(**TINY, strength=0.5).fit(X, y)
    second = DiffusionSampler(**TINY, strength=0.5).fit(X, y)
    other = DiffusionSampler(**{**TINY, "random_state": 1}, strength=0.5).fit(X, y)
    labels = [0, 1, 2, 2]
    images = first.generate(labels, random_state=3)
    np.testing.assert_array_equal(images, second.generate(labels, random_state=3))
    np.testing.assert_array_equal(images, first.generate(labels, random_state=3))
    assert not np.array_equal(images, first.generate(labels, random_state=4))
    assert not np.array_equal(images, other.generate(labels, random_state=3))
    restored = pickle.loads(pickle.dumps(first))
    np.testing.assert_array_equal(images, restored.generate(labels, random_state=3))


# --------------------------------------------------------------------- fitted state
def test_fitted_sampler_keeps_the_training_rows_for_variations(three_classes):
    X, y = three_classes
    names = np.array(["a", "b", "c"])[y[:60]]
    sampler = DiffusionSampler(**TINY).fit(X[:60], names)
    np.testing.assert_allclose(sampler.training_rows_, _rows(X[:60]), atol=1e-6)
    np.testing.assert_array_equal(sampler.classes_[sampler.training_codes_], names)
    assert type(sampler.net_.module_) is ConditionalUNet
    assert sampler.net_.module_.class_embedding.num_embeddings == 3 + 1  # null class


class _Recorder(Callback):
    """Copies of the weights: at the start of training and after every batch."""

    def __init__(self, parameter):
        self.parameter = parameter

    def on_train_begin(self, net, **kwargs):
        self.initial = self._value(net)
        self.steps = []

    def on_batch_end(self, net, training=False, **kwargs):
        if training:
            self.steps.append(self._value(net))

    def _value(self, net):
        return net.module_.get_parameter(self.parameter).detach().clone()


def _expected_average(steps, decay):
    average = steps[0]
    for k, weights in enumerate(steps[1:], start=1):
        d = min(decay, (1 + k) / (10 + k))
        average = d * average + (1 - d) * weights
    return average


@pytest.mark.parametrize("decay", [0.0, 0.5, 0.999])
def test_ema_callback_puts_the_warmed_up_average_into_the_module(decay):
    torch.manual_seed(0)
    recorder = _Recorder("weight")
    net = NeuralNet(
        nn.Linear, module__in_features=3, module__out_features=1,
        criterion=nn.MSELoss, optimizer=torch.optim.SGD, lr=0.1, batch_size=4,
        max_epochs=3, train_split=None, verbose=0,
        callbacks=[("ema", ExponentialMovingAverage(decay)), ("recorder", recorder)],
    )
    X = torch.randn(16, 3)
    net.fit(X, X.sum(1, keepdim=True))
    assert len(recorder.steps) == 12
    expected = _expected_average(recorder.steps, decay)
    torch.testing.assert_close(net.module_.weight.detach(), expected)
    if decay == 0:
        torch.testing.assert_close(net.module_.weight.detach(), recorder.steps[-1])
    else:
        assert not torch.allclose(net.module_.weight.detach(), recorder.steps[-1])
    pickle.loads(pickle.dumps(net))  # the average was dropped with the training


def test_sampler_generates_with_the_ema_weights(three_classes):
    X, y = three_classes
    recorder = _Recorder("stem.weight")
    sampler = DiffusionSampler(**{**TINY, "max_epochs": 3}, callbacks=[recorder])
    sampler.fit(X[:60], y[:60])
    names = [name for name, _ in sampler.net_.callbacks_]
    assert names.index("ema") < names.index("_Recorder")  # the user's come after
    expected = _expected_average(recorder.steps, sampler.ema_decay)
    torch.testing.assert_close(sampler.net_.module_.stem.weight.detach(), expected)
    assert not torch.allclose(sampler.net_.module_.stem.weight, recorder.steps[-1])


# --------------------------------------------------------------------- null class
def _class_embedding_change(class_dropout, n_unlabelled=0, **params):
    """How much each row of the class embedding moved in a short training on 40
    images of 2 classes, the last ``n_unlabelled`` of them labelled -1."""
    X, y = make_image_classification(40, n_classes=2, image_size=8, random_state=0)
    y[len(y) - n_unlabelled:] = -1
    recorder = _Recorder("class_embedding.weight")
    sampler = DiffusionSampler(**TINY, class_dropout=class_dropout, callbacks=[recorder],
                               **params)
    sampler.fit(X, y)
    moved = (sampler.net_.module_.class_embedding.weight.detach() - recorder.initial)
    return sampler, moved.abs().sum(dim=1)


def test_label_dropout_trains_the_null_class_and_only_it():
    _, moved = _class_embedding_change(0.0)
    assert moved[0] > 0 and moved[1] > 0 and moved[2] == 0  # null class untouched
    _, moved = _class_embedding_change(1.0)
    assert moved[0] == 0 and moved[1] == 0 and moved[2] > 0  # every label dropped
    _, moved = _class_embedding_change(0.1)
    assert torch.all(moved > 0)


def test_unlabelled_rows_train_the_null_class():
    # Unlabelled rows reach the network with the code n_classes (the base class's
    # "no class"): they train the null class even without label dropout, which makes
    # guidance possible, and are never the source of a variation.
    sampler, moved = _class_embedding_change(0.0, n_unlabelled=10, guidance_scale=2.0)
    assert torch.all(moved > 0)
    assert sampler.n_unlabelled_ == 10
    assert len(sampler.training_rows_) == 30
    assert set(sampler.training_codes_.tolist()) == {0, 1}
    assert sampler.set_params(strength=0.5).generate([0, 1]).shape == (2, 8, 8)


# --------------------------------------------------------------------- parameters
@pytest.mark.parametrize(
    "params, name",
    [
        (dict(strength=0.0), "strength"),
        (dict(strength=-0.1), "strength"),
        (dict(strength=1.5), "strength"),
        (dict(guidance_scale=-1.0), "guidance_scale"),
        (dict(class_dropout=1.5), "class_dropout"),
        (dict(class_dropout=-0.1), "class_dropout"),
        (dict(n_sampling_steps=0), "n_sampling_steps"),
        (dict(n_train_timesteps=0), "n_train_timesteps"),
        (dict(ema_decay=1.0), "ema_decay"),
        (dict(layers_per_block=0), "layers_per_block"),
        (dict(prediction_type="x0"), "prediction_type"),
        (dict(attention="yes"), "attention"),
        (dict(hidden_layer_sizes=-4), "hidden_layer_sizes"),
    ],
)
def test_out_of_range_parameters_are_named(params, name):
    X, y = make_image_classification(20, n_classes=2, image_size=8, random_state=0)
    with pytest.raises(InvalidParameterError, match=f"'{name}' parameter"):
        DiffusionSampler(**{**TINY, **params}).fit(X, y)


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(hidden_layer_sizes=()), "at least one channel width"),
        (dict(hidden_layer_sizes=(4, 0)), "positive whole numbers"),
        (dict(n_sampling_steps=200), "n_sampling_steps=200 is more than n_train"),
        (dict(class_dropout=0.0, guidance_scale=2.0), "class_dropout=0 never trains"),
    ],
)
def test_inconsistent_settings_are_named(params, match):
    X, y = make_image_classification(20, n_classes=2, image_size=8, random_state=0)
    with pytest.raises(ValueError, match=match):
        DiffusionSampler(**{**TINY, **params}).fit(X, y)


def test_generation_parameters_are_checked_at_generation(three_classes):
    X, y = three_classes
    sampler = DiffusionSampler(**TINY).fit(X[:30], y[:30])
    with pytest.raises(InvalidParameterError, match="'strength' parameter"):
        sampler.set_params(strength=2.0).generate([0])
    with pytest.raises(InvalidParameterError, match="'guidance_scale' parameter"):
        sampler.set_params(strength=1.0, guidance_scale=-0.5).generate([0])
    with pytest.raises(ValueError, match="more than n_train_timesteps"):
        sampler.set_params(guidance_scale=1.0, n_sampling_steps=101).generate([0])
    assert sampler.set_params(n_sampling_steps=2).generate([0, 1]).shape == (2, 16, 16)


def test_epsilon_prediction_trains_and_generates(three_classes):
    X, y = three_classes
    sampler = DiffusionSampler(**TINY, prediction_type="epsilon").fit(X[:30], y[:30])
    assert np.isfinite(sampler.history_[:, "train_loss"]).all()
    images = sampler.generate([0, 1, 2], random_state=0)
    assert images.shape == (3, 16, 16) and images.dtype == np.uint8


# --------------------------------------------------------------------- schedule
def test_prediction_targets_invert():
    torch.manual_seed(0)
    x0, noise = torch.rand(6, 10) * 2 - 1, torch.randn(6, 10)
    alpha_bar = torch.linspace(0.05, 0.95, 6)[:, None].double()
    noised = alpha_bar.sqrt() * x0 + (1 - alpha_bar).sqrt() * noise
    for kind in ("v", "epsilon"):
        target = prediction_target(x0, noise, alpha_bar, kind)
        recovered = predicted_clean_image(noised, target, alpha_bar, kind)
        torch.testing.assert_close(recovered.float(), x0, atol=1e-5, rtol=0)
    v = prediction_target(x0, noise, alpha_bar, "v")
    torch.testing.assert_close(v, alpha_bar.sqrt() * noise - (1 - alpha_bar).sqrt() * x0)


def test_cosine_schedule_falls_from_signal_to_noise():
    alpha_bar = cosine_alphas_cumprod(1000)
    assert alpha_bar.shape == (1000,)
    assert torch.all(alpha_bar[1:] < alpha_bar[:-1])
    assert alpha_bar[0] > 0.9999 and alpha_bar[-1] < 1e-6
    assert abs(float(alpha_bar[499]) - 0.5) < 0.02  # the cosine's midpoint


@pytest.mark.parametrize("first, n_steps", [(999, 50), (999, 1), (99, 7), (4, 10), (0, 3)])
def test_ddim_timesteps(first, n_steps):
    steps = ddim_timesteps(first, n_steps)
    assert steps[0] == first and steps[-1] >= 0
    assert len(steps) == min(n_steps, first + 1)
    assert np.all(np.diff(steps) < 0)
    gaps = -np.diff(np.r_[steps, -1])
    assert gaps.max() - gaps.min() <= 1  # evenly spaced down to "step -1" (clean)


# --------------------------------------------------------------------- the U-Net
@pytest.mark.parametrize(
    "shape, widths, padded",
    [
        ((28, 28, 1), (8, 16, 16), (28, 28)),  # a multiple of 4 already
        ((13, 9, 3), (4, 8, 8), (16, 12)),
        ((1, 20, 1), (4, 8), (2, 20)),  # a tabular strip
        ((1, 1, 1), (4,), (2, 2)),
    ],
)
def test_unet_works_on_any_image_size(shape, widths, padded):
    torch.manual_seed(0)
    net = ConditionalUNet(shape, n_classes=3, hidden_layer_sizes=widths)
    seen = []
    net.stem.register_forward_hook(lambda m, i, out: seen.append(tuple(out.shape[2:])))
    n_features = int(np.prod(shape))
    out = net(torch.randn(4, n_features), torch.tensor([0, 5, 50, 99]),
              torch.tensor([0, 1, 2, 3]))
    assert out.shape == (4, n_features) and seen == [padded]
    assert torch.all(out == 0)  # the output convolution starts at zero
    out.sum().backward()  # and every parameter is in the graph
    assert all(p.grad is not None for p in net.parameters())


def test_unet_levels_blocks_and_attention():
    net = ConditionalUNet((16, 16, 1), 2, hidden_layer_sizes=(4, 8, 16), layers_per_block=2)
    convs = [m for m in net.modules() if isinstance(m, nn.Conv2d)]
    assert sum(c.stride == (2, 2) for c in convs) == 2  # one fewer than the widths
    blocks = [m for m in net.modules() if type(m).__name__ == "_ResidualBlock"]
    assert len(blocks) == 3 * 2 + 2 + 3 * 3  # down, middle, up (with the skips)
    assert any(type(m).__name__ == "_SelfAttention" for m in net.modules())
    plain = ConditionalUNet((16, 16, 1), 2, (4, 8, 16), attention=False)
    assert not any(type(m).__name__ == "_SelfAttention" for m in plain.modules())
    with pytest.raises(ValueError, match="at least one positive channel width"):
        ConditionalUNet((16, 16, 1), 2, hidden_layer_sizes=())


def test_unet_depends_on_time_and_class():
    torch.manual_seed(0)
    net = ConditionalUNet((8, 8, 1), 2, hidden_layer_sizes=(4, 8))
    nn.init.normal_(net.out_conv.weight)  # past the zero start
    x = torch.randn(1, 64).expand(3, 64)
    by_class = net(x, torch.tensor([10, 10, 10]), torch.tensor([0, 1, 2]))
    by_time = net(x, torch.tensor([0, 500, 999]), torch.tensor([1, 1, 1]))
    for out in (by_class, by_time):
        assert not torch.allclose(out[0], out[1]) and not torch.allclose(out[1], out[2])
