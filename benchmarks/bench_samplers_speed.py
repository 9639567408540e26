"""Training and generation speed of the generative samplers, against plain PyTorch.

For each sampler (:class:`~skgenaug.AESampler`, :class:`~skgenaug.CVAESampler`,
:class:`~skgenaug.CGANSampler`) with the reference paper's defaults (AE 300 epochs,
CVAE 300, CGAN 1000; batch 128; the samplers' default widths and learning rates) on an
OrganMNIST-sized synthetic set (1650 grey 28x28 ``uint8`` images, 11 classes of 150),
this script measures:

* ``fit s (skorch)``: wall-clock seconds of ``sampler.fit(X, y)``, everything included
  (input validation, scaling, skorch initialisation, training, and for the autoencoder
  the encoding of the training codes);
* ``epochs s``: the part of it spent inside skorch's epochs (sum of the history's
  ``dur``), which separates per-fit fixed costs from per-batch overhead;
* ``fit s (plain)``: the same torch module (:mod:`skgenaug.nets`, same seed, default
  init) trained by a minimal hand-written PyTorch loop: the same optimizer (Adam; for
  the GAN two of them with ``betas=(0.5, 0.999)``, steps as in ``_cgan.py``), the same
  loss, batch size and number of epochs, mini-batches drawn by ``torch.randperm`` from
  in-memory tensors already scaled to ``[0, 1]`` ``float32``;
* ``ratio``: skorch seconds over plain seconds, medians over the repeats (the target
  is at most 1.3), and ``min ratio``, the ratio of the fastest runs, which a passing
  load on the machine disturbs less;
* ``images/s``: throughput of ``sampler.generate(labels, random_state=0)`` for
  ``--n-images`` labels.

The plain loop and the skorch fit run alternately (their order flips on every repeat)
under the same ``torch.set_num_threads``, after a one-epoch warm-up of both, so a load
that changes during the run affects both sides alike. With ``--repeats`` above 1 the
table shows medians. The header prints the torch version, the thread count, the device,
the CPU model and the load average (check that nothing else is running: ``ps aux
--sort=-%cpu | head``). On a busy machine torch's default of one thread per core slows
down erratically (its threads wait for each other whenever one is descheduled) and the
timings swing by whole multiples; ``--threads 1`` and ``--repeats 2`` or more keep the
ratio readable there, absolute seconds then mean little.

The images come from :func:`skgenaug.datasets.make_image_classification` when it draws
11 classes; it draws at most 10 at present, so they are uniform random ``uint8`` noise
with 11 balanced labels (the header says which). The speed of these fully connected
networks does not depend on the pixel values.

Examples
--------
Full paper epochs (about half an hour on two CPU cores, most of it the GAN)::

    python benchmarks/bench_samplers_speed.py

A quick look at a tenth of the epochs, two repeats, figures saved as JSON::

    python benchmarks/bench_samplers_speed.py --epochs-scale 0.1 --repeats 2 \\
        --json /tmp/speed.json

Only the GAN, on a GPU when there is one, with 4 threads::

    python benchmarks/bench_samplers_speed.py --samplers cgan --device auto --threads 4
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import skorch
import torch
from sklearn.utils import check_random_state
from torch.nn import functional as F

try:
    import skgenaug  # noqa: F401
except ImportError:  # run from a checkout that is not installed: use the checkout
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from skgenaug import AESampler, CGANSampler, CVAESampler
from skgenaug._torch_utils import array_to_tensor, resolve_device
from skgenaug._validation import draw_seed
from skgenaug.nets import Autoencoder, ConditionalGAN, ConditionalVAE

N_SAMPLES = 1650
N_CLASSES = 11
IMAGE_SIZE = 28
RANDOM_STATE = 0

PAPER_EPOCHS = {"ae": 300, "cvae": 300, "cgan": 1000}
SAMPLERS = {"ae": AESampler, "cvae": CVAESampler, "cgan": CGANSampler}


# ---------------------------------------------------------------------- environment
def cpu_model():
    """The CPU model name from ``/proc/cpuinfo``, else what :mod:`platform` knows."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def load_average():
    try:
        return tuple(round(x, 2) for x in os.getloadavg())
    except (AttributeError, OSError):
        return None


def synchronize(device):
    if str(device).startswith("cuda"):
        torch.cuda.synchronize()


# ---------------------------------------------------------------------- data
def make_data():
    """``(X, y, note)``: 1650 ``uint8`` 28x28 images with 11 balanced labels."""
    from skgenaug.datasets import make_image_classification

    try:
        X, y = make_image_classification(
            N_SAMPLES, n_classes=N_CLASSES, image_size=IMAGE_SIZE, random_state=RANDOM_STATE
        )
        return X, y, f"make_image_classification(n_classes={N_CLASSES})"
    except ValueError as exc:
        rng = np.random.default_rng(RANDOM_STATE)
        X = rng.integers(0, 256, size=(N_SAMPLES, IMAGE_SIZE, IMAGE_SIZE), dtype=np.uint8)
        y = rng.permutation(np.arange(N_SAMPLES) % N_CLASSES)
        return (
            X,
            y,
            (
                f"random uint8 images, {N_CLASSES} balanced labels "
                f"(make_image_classification refused {N_CLASSES} classes: {exc})"
            ),
        )


# ---------------------------------------------------------------------- samplers
def make_sampler(name, **params):
    """The sampler ``name`` with its defaults (fully connected networks) and ``params``."""
    cls = SAMPLERS[name]
    if "architecture" in cls().get_params():
        params.setdefault("architecture", "mlp")
    return cls(**params)


def net_defaults(name):
    """``(hidden_layer_sizes, latent_dim, lr)`` the sampler ``name`` trains with."""
    sampler = make_sampler(name)
    if hasattr(sampler, "_hidden_layer_sizes"):  # ``None`` means a per-architecture default
        hidden = sampler._hidden_layer_sizes()
    else:
        hidden = sampler.hidden_layer_sizes
    return tuple(int(h) for h in np.atleast_1d(hidden)), sampler.latent_dim, sampler.lr


# ---------------------------------------------------------------------- plain loops
def _batches(n, batch_size, device):
    perm = torch.randperm(n, device=device)
    return perm.split(batch_size)


def plain_ae(X01, y, n_classes, epochs, batch_size, device):
    """Plain training loop of :class:`AESampler`'s autoencoder (MSE, Adam 1e-3)."""
    hidden, latent_dim, lr = net_defaults("ae")
    module = Autoencoder(X01.shape[1], hidden, latent_dim).to(device)
    optimizer = torch.optim.Adam(module.parameters(), lr=lr)
    module.train()
    for _ in range(epochs):
        for idx in _batches(len(X01), batch_size, device):
            xb = X01[idx]
            optimizer.zero_grad()
            loss = F.mse_loss(module(xb), xb)
            loss.backward()
            optimizer.step()
    return module


def plain_cvae(X01, y, n_classes, epochs, batch_size, device):
    """Plain training loop of :class:`CVAESampler`'s CVAE (negative ELBO, Adam 1e-3)."""
    hidden, latent_dim, lr = net_defaults("cvae")
    module = ConditionalVAE(X01.shape[1], n_classes, hidden, latent_dim).to(device)
    optimizer = torch.optim.Adam(module.parameters(), lr=lr)
    module.train()
    for _ in range(epochs):
        for idx in _batches(len(X01), batch_size, device):
            xb, cb = X01[idx], y[idx]
            optimizer.zero_grad()
            reconstruction, mean, log_var = module(xb, cb)
            recon = F.binary_cross_entropy(reconstruction, xb, reduction="sum")
            kl = -0.5 * torch.sum(1 + log_var - mean.pow(2) - log_var.exp())
            loss = (recon + kl) / len(xb)
            loss.backward()
            optimizer.step()
    return module


def plain_cgan(X01, y, n_classes, epochs, batch_size, device):
    """Plain training loop of :class:`CGANSampler`'s GAN (the steps of ``_cgan.py``)."""
    hidden, latent_dim, lr = net_defaults("cgan")
    module = ConditionalGAN(X01.shape[1], n_classes, hidden, latent_dim).to(device)
    opt_g = torch.optim.Adam(module.generator.parameters(), lr=lr, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(module.discriminator.parameters(), lr=lr, betas=(0.5, 0.999))
    module.train()
    for _ in range(epochs):
        for idx in _batches(len(X01), batch_size, device):
            real, labels = X01[idx], y[idx]
            n = len(real)
            ones = torch.ones(n, device=device)
            zeros = torch.zeros(n, device=device)
            z = torch.randn(n, module.latent_dim, device=device)
            fake = module.generate(z, labels)
            opt_d.zero_grad()
            d_loss = F.binary_cross_entropy_with_logits(
                module.discriminate(real, labels), ones
            ) + F.binary_cross_entropy_with_logits(
                module.discriminate(fake.detach(), labels), zeros
            )
            d_loss.backward()
            opt_d.step()
            opt_g.zero_grad()
            g_loss = F.binary_cross_entropy_with_logits(
                module.discriminate(fake, labels), ones
            )
            g_loss.backward()
            opt_g.step()
    return module


PLAIN = {"ae": plain_ae, "cvae": plain_cvae, "cgan": plain_cgan}


# ---------------------------------------------------------------------- timing
def time_plain(name, X01, y_enc, n_classes, epochs, batch_size, device, seed):
    X01 = X01.to(device)
    y_enc = y_enc.to(device)
    torch.manual_seed(seed)
    synchronize(device)
    start = time.perf_counter()
    PLAIN[name](X01, y_enc, n_classes, epochs, batch_size, device)
    synchronize(device)
    return time.perf_counter() - start


def time_skorch(name, X, y, epochs, batch_size, device):
    sampler = make_sampler(
        name,
        max_epochs=epochs,
        batch_size=batch_size,
        device=device,
        random_state=RANDOM_STATE,
    )
    synchronize(device)
    start = time.perf_counter()
    sampler.fit(X, y)
    synchronize(device)
    elapsed = time.perf_counter() - start
    epochs_s = float(sum(sampler.history_[:, "dur"]))
    return elapsed, epochs_s, sampler


def time_generate(sampler, labels, device):
    sampler.generate(labels[:256], random_state=RANDOM_STATE)  # warm-up
    synchronize(device)
    start = time.perf_counter()
    sampler.generate(labels, random_state=RANDOM_STATE)
    synchronize(device)
    return time.perf_counter() - start


# ---------------------------------------------------------------------- main
def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description="Time the generative samplers' fit (skorch vs a plain PyTorch loop) "
        "and generation on an OrganMNIST-sized synthetic set.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--epochs-scale",
        type=float,
        default=1.0,
        help="fraction of the paper's epochs (AE 300, CVAE 300, CGAN 1000) to train",
    )
    parser.add_argument(
        "--samplers", default="ae,cvae,cgan", help="comma-separated subset of ae,cvae,cgan"
    )
    parser.add_argument(
        "--n-images", type=int, default=10_000, help="images drawn to time generation"
    )
    parser.add_argument("--batch-size", type=int, default=128, help="mini-batch size")
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda", "auto"])
    parser.add_argument("--repeats", type=int, default=1, help="timed runs per sampler")
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="torch.set_num_threads value (default: leave torch's default)",
    )
    parser.add_argument("--json", default=None, help="write the figures to this path")
    args = parser.parse_args(argv)
    names = [s.strip().lower() for s in args.samplers.split(",") if s.strip()]
    unknown = sorted(set(names) - set(SAMPLERS))
    if unknown or not names:
        parser.error(f"--samplers takes a subset of ae,cvae,cgan; got {args.samplers!r}")
    args.samplers = names
    if args.epochs_scale <= 0:
        parser.error("--epochs-scale must be positive")
    if args.repeats < 1 or args.n_images < 1 or args.batch_size < 1:
        parser.error("--repeats, --n-images and --batch-size must be at least 1")
    if args.threads is not None and args.threads < 1:
        parser.error("--threads must be at least 1")
    return args


def main(argv=None):
    args = parse_args(argv)
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    device = resolve_device(args.device)

    X, y, data_note = make_data()
    classes = np.unique(y)
    y_enc = array_to_tensor(np.searchsorted(classes, y), dtype=torch.long)
    X01 = array_to_tensor(X.reshape(len(X), -1).astype(np.float32) / np.float32(255))
    labels = np.resize(classes, args.n_images)
    seed = draw_seed(check_random_state(RANDOM_STATE))  # the samplers' torch seed

    header = {
        "python": sys.version.split()[0],
        "torch": torch.__version__,
        "skorch": skorch.__version__,
        "threads": torch.get_num_threads(),
        "device": device
        + (f" ({torch.cuda.get_device_name(0)})" if device.startswith("cuda") else ""),
        "cpu": cpu_model(),
        "cpu_count": os.cpu_count(),
        "load_average_start": load_average(),
        "data": f"X {X.shape} {X.dtype}, {len(classes)} classes; {data_note}",
        "batch_size": args.batch_size,
        "epochs_scale": args.epochs_scale,
        "repeats": args.repeats,
        "n_images": args.n_images,
    }
    for key, value in header.items():
        print(f"{key:>20}: {value}")
    sys.stdout.flush()

    epochs = {
        name: max(1, round(PAPER_EPOCHS[name] * args.epochs_scale))
        for name in args.samplers
    }
    # warm-up: one epoch of each path, so lazy initialisation is not timed
    for name in args.samplers:
        time_plain(name, X01, y_enc, len(classes), 1, args.batch_size, device, seed)
        time_skorch(name, X, y, 1, args.batch_size, device)

    results = {
        name: {
            "epochs": epochs[name],
            "skorch_s": [],
            "epochs_s": [],
            "plain_s": [],
            "generate_s": [],
        }
        for name in args.samplers
    }
    for rep in range(args.repeats):
        for name in args.samplers:
            res = results[name]
            order = ("plain", "skorch") if rep % 2 == 0 else ("skorch", "plain")
            for which in order:
                if which == "plain":
                    t = time_plain(
                        name,
                        X01,
                        y_enc,
                        len(classes),
                        epochs[name],
                        args.batch_size,
                        device,
                        seed,
                    )
                    res["plain_s"].append(t)
                    print(f"  [{rep + 1}/{args.repeats}] {name:<4} plain  fit {t:9.2f} s")
                else:
                    t, t_epochs, sampler = time_skorch(
                        name, X, y, epochs[name], args.batch_size, device
                    )
                    res["skorch_s"].append(t)
                    res["epochs_s"].append(t_epochs)
                    t_gen = time_generate(sampler, labels, device)
                    res["generate_s"].append(t_gen)
                    print(
                        f"  [{rep + 1}/{args.repeats}] {name:<4} skorch fit {t:9.2f} s "
                        f"(epochs {t_epochs:.2f} s), generate {args.n_images} images "
                        f"in {t_gen:.3f} s"
                    )
                sys.stdout.flush()

    rows = []
    for name in args.samplers:
        res = results[name]
        skorch_s = statistics.median(res["skorch_s"])
        plain_s = statistics.median(res["plain_s"])
        res["skorch_s_median"] = skorch_s
        res["epochs_s_median"] = statistics.median(res["epochs_s"])
        res["plain_s_median"] = plain_s
        res["ratio"] = skorch_s / plain_s
        res["min_ratio"] = min(res["skorch_s"]) / min(res["plain_s"])
        res["images_per_s"] = args.n_images / statistics.median(res["generate_s"])
        rows.append(
            (
                name,
                str(res["epochs"]),
                f"{skorch_s:.2f}",
                f"{res['epochs_s_median']:.2f}",
                f"{plain_s:.2f}",
                f"{res['ratio']:.3f}",
                f"{res['min_ratio']:.3f}",
                f"{res['images_per_s']:,.0f}",
            )
        )
    header["load_average_end"] = load_average()

    columns = (
        "sampler",
        "epochs",
        "fit s (skorch)",
        "epochs s",
        "fit s (plain)",
        "ratio",
        "min ratio",
        "generated images/s",
    )
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(columns)]
    print()
    print(" | ".join(c.ljust(w) for c, w in zip(columns, widths)))
    print("-+-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join(v.rjust(w) for v, w in zip(row, widths)))
    print(f"\nload average at end: {header['load_average_end']}")
    over = [name for name in args.samplers if results[name]["ratio"] > 1.3]
    if over:
        print(f"skorch overhead above 1.3x for: {', '.join(over)}")

    if args.json:
        with open(args.json, "w") as f:
            json.dump({"environment": header, "results": results}, f, indent=2)
        print(f"figures written to {args.json}")
    return results


if __name__ == "__main__":
    main()
