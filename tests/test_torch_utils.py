"""Tensor conversion and strides (skgenaug/_torch_utils.py): every network gets
standard NCHW strides, whatever the input layout and the CPU (the crash test that
goes with it is in test_platform.py).

On AVX2-only CPUs oneDNN's channels-last convolution kernels corrupted the heap for
channel counts that are not multiples of the vector width (issue 11). A gray stack
``(n, H, W)`` turned into ``(n, 1, H, W)`` by a transpose has channels-last strides
that ``Tensor.is_contiguous`` does not see, so the tests compare strides exactly.
"""

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback

from skgenaug import AESampler, CGANSampler, CVAESampler, DiffusionSampler, ResNetClassifier
from skgenaug._images import ImageLayout
from skgenaug._torch_utils import (
    array_to_tensor,
    contiguous_strides,
    has_standard_strides,
    native_bf16,
    resolve_precision,
    standard_strides,
)
from skgenaug.datasets import make_image_classification
from skgenaug.nets import ConditionalUNet, ConvAutoencoder, ResNet18

# ------------------------------------------------------------------ the helpers


def test_contiguous_strides_count_size_one_axes():
    assert contiguous_strides((4, 1, 28, 28)) == (784, 784, 28, 1)
    assert contiguous_strides((2, 3)) == (3, 1)
    assert contiguous_strides(()) == ()


def test_a_transposed_gray_stack_looks_contiguous_but_has_channels_last_strides():
    # The trap the fix is about: torch calls it contiguous in both formats.
    maps = torch.zeros(4, 28, 28, 1).permute(0, 3, 1, 2)
    assert maps.is_contiguous()
    assert maps.is_contiguous(memory_format=torch.channels_last)
    assert not has_standard_strides(maps)
    fixed = standard_strides(maps)
    assert fixed.stride() == (784, 784, 28, 1)
    assert torch.equal(fixed, maps)


def test_standard_strides_copies_channels_last_rgb_and_keeps_standard_tensors():
    rgb = torch.rand(2, 3, 5, 7).contiguous(memory_format=torch.channels_last)
    assert not has_standard_strides(rgb)
    fixed = standard_strides(rgb)
    assert has_standard_strides(fixed) and torch.equal(fixed, rgb)
    plain = torch.rand(2, 3, 5, 7)
    assert standard_strides(plain) is plain  # no copy when none is needed


def test_standard_strides_gives_the_gradient_standard_strides_too():
    x = torch.rand(2, 6, 6, 1, requires_grad=True)
    seen = {}
    maps = standard_strides(x.permute(0, 3, 1, 2))
    assert has_standard_strides(maps)
    maps.register_hook(lambda grad: seen.update(strides=grad.stride()))
    out = standard_strides(maps * 2.0)
    # A gradient arriving through a permute has channels-last strides; the helper
    # restrides it before it reaches ``maps`` (where a convolution would sit).
    loss = (out.permute(0, 2, 3, 1).reshape(2, -1) * torch.arange(36.0)).sum()
    loss.backward()
    assert seen["strides"] == contiguous_strides(maps.shape)
    expected = 2.0 * torch.arange(36.0).expand(2, 36).reshape(2, 6, 6, 1)
    assert torch.equal(x.grad, expected)


@pytest.mark.parametrize("sample_shape", [(28, 28), (5, 7, 3), (12,)])
def test_array_to_tensor_gives_standard_strides_in_every_layout(sample_shape):
    layout = ImageLayout(sample_shape=sample_shape, dtype=np.dtype("uint8"))
    X = np.arange(3 * layout.n_features, dtype=np.uint8).reshape(3, *sample_shape)
    flat = array_to_tensor(layout.to_flat(X))
    nchw = array_to_tensor(X, layout=layout)
    h, w, c = layout.hwc
    assert flat.dtype == torch.float32 and has_standard_strides(flat)
    assert tuple(nchw.shape) == (3, c, h, w) and has_standard_strides(nchw)
    np.testing.assert_array_equal(
        nchw.numpy(), X.reshape(3, h, w, c).transpose(0, 3, 1, 2).astype(np.float32)
    )
    labels = array_to_tensor(np.array([2, 0, 1]), dtype=torch.long)
    assert labels.dtype == torch.long and labels.tolist() == [2, 0, 1]


def test_array_to_tensor_owns_its_memory():
    X = np.zeros((2, 4), dtype=np.float32)
    X.flags.writeable = False
    tensor = array_to_tensor(X)
    tensor += 1  # writable, and the caller's array is untouched
    assert X.sum() == 0


@pytest.mark.parametrize("n_channels", [1, 3])
def test_networks_accept_channels_last_tensors_from_a_caller(n_channels):
    torch.manual_seed(0)
    net = ResNet18(in_channels=n_channels, n_classes=2, width=2).eval()
    channels_last = torch.rand(3, 8, 8, n_channels).permute(0, 3, 1, 2)
    assert not has_standard_strides(channels_last)
    log = []
    net.stem.register_forward_pre_hook(lambda module, args: log.append(args[0].stride()))
    with torch.no_grad():
        out = net(channels_last)
        standard = channels_last.clone(memory_format=torch.contiguous_format)
        assert torch.equal(out, net(standard))
    assert log[0] == contiguous_strides(channels_last.shape)


# ------------------------------------------------------------------ every network


class _NonStandardStrides(Exception):
    pass


class _StrideSpy(Callback):
    """Records the strides of every tensor any module of the net receives, in
    training and (the hooks stay) in generation and prediction. It raises at the first
    non-standard one, before the module runs: on AVX2 CPUs the kernel it would reach
    could crash the test process."""

    def __init__(self, log):
        self.log = log

    def on_train_begin(self, net, **kwargs):
        def record(module, args, name):
            for arg in args:
                if isinstance(arg, torch.Tensor) and arg.dim() >= 2:
                    self.log.append((name, tuple(arg.shape), arg.stride()))
                    if not has_standard_strides(arg):
                        raise _NonStandardStrides(f"{name} got {self.log[-1]}")

        for name, module in net.module_.named_modules():
            module.register_forward_pre_hook(
                lambda module, args, name=name or "<top>": record(module, args, name)
            )


CONV = dict(architecture="conv", hidden_layer_sizes=(4, 8), latent_dim=4)
# guidance_scale=2: the batched forward pass of class and null class in generation
UNET = dict(hidden_layer_sizes=(4, 8), layers_per_block=1, n_train_timesteps=50,
            n_sampling_steps=2, guidance_scale=2.0)
NETWORKS = {
    "classifier": lambda cb: ResNetClassifier(
        width=2, max_epochs=1, batch_size=16, callbacks=cb, random_state=0
    ),
    "ae-mlp": lambda cb: AESampler(hidden_layer_sizes=(8,), latent_dim=4, callbacks=cb),
    "cvae-mlp": lambda cb: CVAESampler(hidden_layer_sizes=(8,), callbacks=cb),
    "cgan-mlp": lambda cb: CGANSampler(hidden_layer_sizes=(8,), callbacks=cb),
    "ae-conv": lambda cb: AESampler(**CONV, callbacks=cb),
    "cvae-conv": lambda cb: CVAESampler(**CONV, callbacks=cb),
    "cgan-conv": lambda cb: CGANSampler(**CONV, callbacks=cb),
    "wgan-gp-conv": lambda cb: CGANSampler(objective="wgan-gp", **CONV, callbacks=cb),
    "acgan-conv": lambda cb: CGANSampler(auxiliary_classifier=True, **CONV, callbacks=cb),
    "diffusion": lambda cb: DiffusionSampler(**UNET, callbacks=cb),
    "diffusion-variation": lambda cb: DiffusionSampler(**UNET, strength=0.5, callbacks=cb),
}


@pytest.mark.parametrize("layout", ["gray", "rgb", "flat-gray", "flat-rgb"])
@pytest.mark.parametrize("network", sorted(NETWORKS))
def test_every_network_receives_standard_strides(network, layout):
    # 10 x 10 images: the conv nets pad them to 12 x 12 inside, so the pad is covered.
    n_channels = 3 if layout.endswith("rgb") else 1
    X, y = make_image_classification(
        48, n_classes=2, image_size=10, n_channels=n_channels, random_state=0
    )
    if layout.startswith("flat"):
        X = X.reshape(len(X), -1)
    log = []
    estimator = NETWORKS[network]([_StrideSpy(log)])
    try:
        if network != "classifier":
            estimator.set_params(
                sampling_strategy={0: 30, 1: 30}, max_epochs=1, batch_size=16,
                random_state=0,
            )
            estimator.fit_resample(X, y)
        else:
            estimator.fit(X, y).predict_proba(X[:5])
    except _NonStandardStrides as exc:
        pytest.fail(f"a module got non-standard strides: {exc}")
    assert log, "the spy saw no tensor"
    assert all(stride == contiguous_strides(shape) for _, shape, stride in log)


def test_autoencoder_encode_and_decode_paths_get_standard_strides():
    net = ConvAutoencoder((10, 10, 3), hidden_layer_sizes=(4, 8), latent_dim=4)
    log = []
    for name, module in net.named_modules():
        module.register_forward_pre_hook(
            lambda module, args, name=name: log.extend(
                (name, a.shape, a.stride()) for a in args if isinstance(a, torch.Tensor)
            )
        )
    net.decode(net.encode(torch.rand(2, 300)))
    assert all(stride == contiguous_strides(shape) for _, shape, stride in log)


@pytest.mark.parametrize("attention", [False, True])
def test_unet_convolutions_get_standard_strides_both_ways(attention):
    # Forward: every module's input. Backward: the gradient arriving at every
    # convolution's output (the attention's reshapes and the crop back to rows could
    # hand it other strides).
    net = ConditionalUNet((10, 10, 3), 2, hidden_layer_sizes=(4, 8, 8), attention=attention)
    torch.nn.init.normal_(net.out_conv.weight)  # so gradients reach every layer
    log = []
    for name, module in net.named_modules():
        module.register_forward_pre_hook(
            lambda module, args, name=name: log.extend(
                (name, a.shape, a.stride()) for a in args
                if isinstance(a, torch.Tensor) and a.dim() >= 2
            )
        )
        if isinstance(module, torch.nn.Conv2d):
            module.register_full_backward_hook(
                lambda module, grad_in, grad_out, name=name: log.append(
                    (f"{name} (backward)", grad_out[0].shape, grad_out[0].stride())
                )
            )
    # an input that requires a gradient, so the stem's backward hook fires too
    rows = torch.rand(3, 300, requires_grad=True)
    out = net(rows, torch.tensor([1, 2, 3]), torch.tensor([0, 1, 2]))
    (out * torch.arange(300.0)).sum().backward()
    assert any(name.endswith("(backward)") for name, _, _ in log)
    bad = [entry for entry in log if entry[2] != contiguous_strides(entry[1])]
    assert not bad, bad


# ------------------------------------------------------- bfloat16 where it is native


def _cpu_flags():
    """The CPU flags the kernel reports (empty where /proc/cpuinfo is absent)."""
    try:
        with open("/proc/cpuinfo") as info:
            return next((set(line.split(":", 1)[1].split()) for line in info
                         if line.startswith("flags")), set())
    except OSError:
        return set()


@pytest.mark.skipif(not _cpu_flags(), reason="needs /proc/cpuinfo (Linux)")
def test_native_bf16_on_this_cpu_matches_its_flags():
    flags = _cpu_flags()
    expected = bool(flags & {"avx512_bf16", "amx_bf16", "amx_tile"})
    assert native_bf16("cpu") is expected
    assert resolve_precision("auto", "cpu") == ("bfloat16" if expected else "float32")


@pytest.mark.parametrize("avx512_bf16, amx, expected", [
    (True, False, "bfloat16"), (False, True, "bfloat16"), (False, False, "float32")])
def test_auto_precision_follows_the_cpu(monkeypatch, avx512_bf16, amx, expected):
    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: avx512_bf16)
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: amx)
    assert resolve_precision("auto", "cpu") == expected
    # an explicit choice is kept, native or not
    assert resolve_precision("float32", "cpu") == "float32"
    assert resolve_precision("bfloat16", "cpu") == "bfloat16"
    X, y = make_image_classification(n_samples=32, image_size=8, random_state=0)
    clf = ResNetClassifier(width=2, max_epochs=1, batch_size=16, precision="auto",
                           random_state=0).fit(X, y)
    assert clf.precision_ == expected
