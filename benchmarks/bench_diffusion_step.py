"""CPU cost of a diffusion U-Net step: skgenaug's own U-Net against diffusers'.

For each configuration (channel widths, residual blocks per level, self-attention in
the middle block or not) this script times, in one process under one
``torch.set_num_threads``:

* ``train s``: one training step of a batch (``--batch-size``, default 64) of gray
  32x32 images (28x28 MedMNIST images padded to 32): the forward pass on noised images
  at random timesteps with random class labels, the MSE against the noise, the
  backward pass and an Adam step;
* ``sample s``: one deterministic DDIM step of the same batch without gradients (one
  forward pass and the update; classifier-free guidance doubles the batch, so about
  doubles this).

Two networks of matching shape are timed: :class:`skgenaug.nets.ConditionalUNet` (the
noise predictor of :class:`skgenaug.DiffusionSampler`) and, when ``diffusers`` can be
imported, ``diffusers.UNet2DModel`` with the same ``block_out_channels``,
``layers_per_block``, plain ``DownBlock2D`` / ``UpBlock2D`` blocks, ``add_attention``
for the middle block, ``num_class_embeds`` for the classes plus the null class and
``norm_num_groups=8``. The two alternate within every repeat (their order flips from
repeat to repeat), after warm-up steps, so a changing load hits both; the table shows
medians over ``--repeats`` of the mean over ``--steps`` steps.

diffusers is not a dependency of skgenaug. Its import fails beside the torchvision
that ``pip install medmnist`` pulls in (built for another torch), so time it from a
throw-away environment without torchvision, for example::

    python3 -m venv /tmp/venv-diffusers && . /tmp/venv-diffusers/bin/activate
    pip install -c constraints-cpu.txt diffusers scikit-learn imbalanced-learn skorch
    python benchmarks/bench_diffusion_step.py --threads 2

(run from the repository root: the checkout is used when skgenaug is not installed).
Without diffusers the script times skgenaug's U-Net alone and says why.

Examples
--------
The default configurations, 2 threads, 5 repeats::

    python benchmarks/bench_diffusion_step.py --threads 2

One configuration::

    python benchmarks/bench_diffusion_step.py --configs 16-32-32x1 --repeats 3
"""

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import torch
from torch.nn import functional as F

try:
    import skgenaug  # noqa: F401
except ImportError:  # run from a checkout that is not installed: use the checkout
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from skgenaug.nets import ConditionalUNet
from skgenaug.samplers._diffusion import cosine_alphas_cumprod

N_CLASSES = 2
SIDE = 32
N_TIMESTEPS = 1000
DEFAULT_CONFIGS = "16-32-32x1,16-32-32x1+attn,32-64-64x1,32-64-64x1+attn,64-128-128x2+attn"


def parse_config(text):
    """``'32-64-64x1+attn'`` -> ``((32, 64, 64), 1, True)``."""
    attention = text.endswith("+attn")
    widths, layers = text.removesuffix("+attn").split("x")
    return tuple(int(w) for w in widths.split("-")), int(layers), attention


class OwnUNet:
    """skgenaug's U-Net on flat rows of 32x32 gray images."""

    name = "skgenaug"

    def __init__(self, widths, layers, attention):
        self.module = ConditionalUNet(
            (SIDE, SIDE, 1), N_CLASSES, widths, layers_per_block=layers, attention=attention
        )

    def __call__(self, x, t, c):
        return self.module(x.reshape(len(x), -1), t, c).reshape(x.shape)


class DiffusersUNet:
    """diffusers' UNet2DModel of the same shape, NCHW in and out."""

    name = "diffusers"

    def __init__(self, widths, layers, attention):
        from diffusers import UNet2DModel

        self.module = UNet2DModel(
            sample_size=SIDE,
            in_channels=1,
            out_channels=1,
            block_out_channels=widths,
            layers_per_block=layers,
            down_block_types=("DownBlock2D",) * len(widths),
            up_block_types=("UpBlock2D",) * len(widths),
            add_attention=attention,
            num_class_embeds=N_CLASSES + 1,
            norm_num_groups=8,
        )

    def __call__(self, x, t, c):
        return self.module(x, t, class_labels=c).sample


def diffusers_problem():
    """Why diffusers cannot be timed here, or ``None``."""
    try:
        import diffusers  # noqa: F401
        from diffusers import UNet2DModel  # noqa: F401
    except Exception as exc:  # ImportError, or torchvision's RuntimeError
        return f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}"
    return None


def make_batch(batch_size, generator):
    x0 = torch.rand(batch_size, 1, SIDE, SIDE, generator=generator) * 2 - 1
    noise = torch.randn(x0.shape, generator=generator)
    t = torch.randint(N_TIMESTEPS, (batch_size,), generator=generator)
    c = torch.randint(N_CLASSES + 1, (batch_size,), generator=generator)
    return x0, noise, t, c


def train_step(net, optimizer, batch, alphas_cumprod):
    x0, noise, t, c = batch
    a = alphas_cumprod[t].reshape(-1, 1, 1, 1)
    x_t = a.sqrt() * x0 + (1 - a).sqrt() * noise
    net.module.train()
    optimizer.zero_grad()
    loss = F.mse_loss(net(x_t, t, c), noise)
    loss.backward()
    optimizer.step()


def ddim_step(net, batch, alphas_cumprod):
    x, _, _, c = batch
    t, t_prev = 500, 450
    a, a_prev = alphas_cumprod[t], alphas_cumprod[t_prev]
    net.module.eval()
    with torch.no_grad():
        eps = net(x, torch.full((len(x),), t), c)
        x0 = ((x - (1 - a).sqrt() * eps) / a.sqrt()).clamp(-1, 1)
        return a_prev.sqrt() * x0 + (1 - a_prev).sqrt() * eps


def seconds(fn, n_steps):
    start = time.perf_counter()
    for _ in range(n_steps):
        fn()
    return (time.perf_counter() - start) / n_steps


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--configs", default=DEFAULT_CONFIGS,
                        help="comma-separated WIDTHSxLAYERS[+attn], e.g. 32-64-64x1+attn")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--steps", type=int, default=3, help="timed steps per repeat")
    parser.add_argument("--warmup", type=int, default=2)
    args = parser.parse_args(argv)

    torch.set_num_threads(args.threads)
    problem = diffusers_problem()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), "
          f"{platform.processor() or platform.machine()}, "
          f"load average {os.getloadavg()[0]:.2f}")
    if problem is None:
        import diffusers

        print(f"diffusers {diffusers.__version__}")
    else:
        print(f"diffusers not timed ({problem})")
    print(f"batch of {args.batch_size} gray {SIDE}x{SIDE} images, medians of "
          f"{args.repeats} repeats x {args.steps} steps\n")

    alphas_cumprod = cosine_alphas_cumprod(N_TIMESTEPS).float()
    kinds = [OwnUNet] + ([DiffusersUNet] if problem is None else [])
    header = f"{'config':<20} {'network':<10} {'params':>9} {'train s':>8} {'sample s':>9}"
    print(header)
    print("-" * len(header))
    for text in args.configs.split(","):
        widths, layers, attention = parse_config(text)
        nets, times = {}, {}
        for kind in kinds:
            torch.manual_seed(0)
            net = kind(widths, layers, attention)
            optimizer = torch.optim.Adam(net.module.parameters(), lr=1e-4)
            nets[kind.name] = (net, optimizer)
            times[kind.name] = {"train": [], "sample": []}
        batch = make_batch(args.batch_size, torch.Generator().manual_seed(0))
        for net, optimizer in nets.values():
            for _ in range(args.warmup):
                train_step(net, optimizer, batch, alphas_cumprod)
                ddim_step(net, batch, alphas_cumprod)
        for repeat in range(args.repeats):
            order = list(nets) if repeat % 2 == 0 else list(nets)[::-1]
            for name in order:
                net, optimizer = nets[name]
                times[name]["train"].append(seconds(
                    lambda net=net, optimizer=optimizer, batch=batch: train_step(
                        net, optimizer, batch, alphas_cumprod), args.steps))
                times[name]["sample"].append(seconds(
                    lambda net=net, batch=batch: ddim_step(net, batch, alphas_cumprod),
                    args.steps))
        for name, (net, _) in nets.items():
            n_params = sum(p.numel() for p in net.module.parameters())
            print(f"{text:<20} {name:<10} {n_params:>9,} "
                  f"{statistics.median(times[name]['train']):>8.3f} "
                  f"{statistics.median(times[name]['sample']):>9.3f}")
        if len(nets) == 2:
            ratio = [statistics.median(times["skgenaug"][key])
                     / statistics.median(times["diffusers"][key])
                     for key in ("train", "sample")]
            print(f"{'':<20} {'ratio':<10} {'':>9} {ratio[0]:>8.2f} {ratio[1]:>9.2f}")


if __name__ == "__main__":
    main()
