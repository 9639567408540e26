"""Fit time of ResNetClassifier (skorch) against a plain PyTorch training loop.

The plain loop is the 'naive' loop of the project's reference script
(``../shared/tools/plain_pytorch_reference.py``: CPU ``TensorDataset`` + ``DataLoader``,
fp32), imported from its path at run time, never copied. Both train the same ResNet-18
(28) with SGD (lr 1e-3, momentum 0.9), batches of 128, the same epochs and device, and
score the validation split once per epoch to select the best epoch. The goal is a ratio
of at most 1.15.

The reference also scores its test split whenever validation accuracy improves, which
``ResNetClassifier.fit`` does not do; by default it gets a two-image test split (one per
class) so that this extra work is negligible (``--reference-test full`` gives it the
real test split). Timings: ``ours`` is the wall time of ``fit`` (input validation,
tensor conversion, building the net, training, validation); ``ref_wall`` is the wall
time of the reference's ``train`` call, ``ref_loop`` the time its own timer reports
(epoch loop only). The ratios are ``ours / ref_wall`` and ``ours / ref_loop``.

Example::

    python benchmarks/bench_classifier_speed.py --epochs 3 --device cpu

``--augment-overhead`` times instead what on-the-fly augmentation (``augment=``) costs:
training epochs of ``ResNetClassifier`` (no validation, width 16, batches of 64, 28x28,
one thread by default) with ``augment=None``, ``'standard'`` and ``'trivial'``, alternating,
and the augmentation of one batch alone against the mean training step::

    python benchmarks/bench_classifier_speed.py --augment-overhead --epochs 3 --repeats 3

(``--classifier-precision auto`` times it at the quick profile's arithmetic; where
kornia imports, its nearest match of ``'standard'`` is timed on the same batch too).

``--precision`` times the arithmetic choices of issue 25: training epochs of
``ResNetClassifier`` with ``precision='float32'`` and ``'bfloat16'`` (autocast; fast only
where the CPU has AVX-512 BF16 or AMX, which it reports), and the bare ResNet-18 training
step in standard and channels-last strides, which the library does not use (it keeps
standard strides: channels-last kernels once corrupted memory on an AVX2-only CPU)::

    python benchmarks/bench_classifier_speed.py --precision --widths 8,16,32

(with skgenaug installed, ``pip install -e .``, or from the repository root with
``PYTHONPATH=.``).
"""

import argparse
import importlib.util
import json
import time
from pathlib import Path

import numpy as np
import torch

from skgenaug import ResNetClassifier
from skgenaug.nets import ResNet18

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_REFERENCE = REPO_ROOT.parent / "shared" / "tools" / "plain_pytorch_reference.py"
DEFAULT_NPZ = REPO_ROOT.parent / "shared" / "medmnist" / "breastmnist.npz"


def load_reference(path):
    """Import the plain PyTorch reference script as a module, from its path."""
    path = Path(path)
    if not path.is_file():
        raise SystemExit(f"reference script not found: {path} (pass --reference)")
    spec = importlib.util.spec_from_file_location("plain_pytorch_reference", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_data(ref, npz, per_class, n_images, seed):
    """The paper's subset (reference's ``paper_subset``), optionally cut to ``n_images``
    training images (a seeded random choice)."""
    X_tr, y_tr, X_va, y_va, X_te, y_te = ref.paper_subset(
        np.load(npz), per_class=per_class, seed=seed
    )
    if n_images is not None and n_images < len(X_tr):
        keep = np.sort(np.random.default_rng(seed).permutation(len(X_tr))[:n_images])
        X_tr, y_tr = X_tr[keep], y_tr[keep]
    return X_tr, y_tr, X_va, y_va, X_te, y_te


def time_reference(ref, data, n_classes, epochs, device, seed, full_test):
    X_tr, y_tr, X_va, y_va, X_te, y_te = data
    if not full_test:
        pick = [int(np.flatnonzero(y_te == c)[0]) for c in np.unique(y_te)]
        X_te, y_te = X_te[pick], y_te[pick]
    start = time.perf_counter()
    result = ref.train(
        ref.to_nchw(X_tr), y_tr.astype(np.int64), ref.to_nchw(X_va), y_va,
        ref.to_nchw(X_te), y_te, n_classes, epochs, "naive", device, seed,
    )
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    return time.perf_counter() - start, result


def time_ours(data, width, epochs, device, seed):
    X_tr, y_tr, X_va, y_va, _, _ = data
    clf = ResNetClassifier(
        width=width, max_epochs=epochs, batch_size=128, lr=1e-3, optimizer="sgd",
        selection="accuracy", device=device, random_state=seed,
    )
    start = time.perf_counter()
    clf.fit(X_tr, y_tr, X_val=X_va, y_val=y_va)
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    return time.perf_counter() - start, clf


def training_images(npz, seed, n_images=None):
    """The npz's training split (28x28 uint8), else synthetic images of that size."""
    if Path(npz).is_file():
        data = np.load(npz)
        X, y = data["train_images"], data["train_labels"].ravel()
        source = Path(npz).name
    else:
        from skgenaug.datasets import make_image_classification

        X, y = make_image_classification(546, random_state=seed)
        source = "make_image_classification"
    if n_images is not None and n_images < len(X):
        keep = np.sort(np.random.default_rng(seed).permutation(len(X))[:n_images])
        X, y = X[keep], y[keep]
    return X, y, source


def best_time(call, *args, warmup=5, rounds=7, calls=20):
    """Seconds per call of ``call(*args)``: the best of ``rounds`` means of ``calls``
    calls."""
    for _ in range(warmup):
        call(*args)
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(calls):
            call(*args)
        times.append((time.perf_counter() - start) / calls)
    return min(times)


def kornia_standard(image_size):
    """kornia.augmentation's nearest match of ``augment='standard'`` (horizontal flip,
    rotation 10 degrees, scale 0.1, shift 2 pixels with replicated borders, brightness
    and contrast 0.1, gamma 1.2, noise 0.02), for images in [0, 1]; ``None`` where
    kornia does not import (it is not a dependency)."""
    try:
        import kornia.augmentation as K
    except ImportError:
        return None
    height, width = image_size
    return K.AugmentationSequential(
        K.RandomHorizontalFlip(p=0.5),
        K.RandomAffine(degrees=10.0, translate=(2 / width, 2 / height), scale=(0.9, 1.1),
                       padding_mode="border", p=1.0),
        K.ColorJitter(brightness=0.1, contrast=0.1, p=1.0),
        K.RandomGamma(gamma=(1 / 1.2, 1.2), p=1.0),
        K.RandomGaussianNoise(std=0.02, p=1.0),
    )


def augment_overhead(args):
    """Training-epoch time with augment=None / 'standard' / 'trivial', and the time of
    the augmentation of one batch alone; prints a table and a JSON summary."""
    from skgenaug._augment import BatchAugmenter

    torch.set_num_threads(args.threads or 1)
    width = args.width or 16
    batch = args.batch_size
    X, y, source = training_images(args.npz, args.seed, args.n_images)
    modes = [None, "standard", "trivial"]
    n_batches = int(np.ceil(len(X) / batch))
    print(f"augment overhead: {source}, train {len(X)} images {X.shape[1:]}, width "
          f"{width}, batch {batch} ({n_batches} steps per epoch), epochs {args.epochs}, "
          f"repeats {args.repeats}, precision {args.classifier_precision}, torch "
          f"{torch.__version__}, threads "
          f"{torch.get_num_threads()}", flush=True)

    def fit(mode, epochs):
        clf = ResNetClassifier(width=width, max_epochs=epochs, batch_size=batch,
                               selection=None, validation_fraction=0, augment=mode,
                               precision=args.classifier_precision,
                               random_state=args.seed)
        clf.fit(X, y)
        return [h["dur"] for h in clf.history_]

    for mode in modes:  # warm-up
        fit(mode, 1)
    epochs = {mode: [] for mode in modes}
    for repeat in range(args.repeats):
        for mode in modes:
            epochs[mode].extend(fit(mode, args.epochs))
        print(f"run {repeat + 1}: " + ", ".join(
            f"{mode}: {np.median(epochs[mode][-args.epochs:]):.3f} s/epoch"
            for mode in modes), flush=True)

    # the augmentation alone, on one batch of the scaled training images
    images = torch.as_tensor(X[:batch], dtype=torch.float32).div(255).sub(0.5).div(0.5)
    images = images.reshape(len(images), 1, *X.shape[1:3]).contiguous()
    labels = torch.as_tensor(y[:batch])
    alone = {}
    for mode in modes[1:]:
        augmenter = BatchAugmenter(mode, ("horizontal",), 0.0, 0.0, args.seed, "cpu")
        alone[mode] = best_time(augmenter, images, labels)
    kornia_pipeline = kornia_standard(X.shape[1:3])
    if kornia_pipeline is not None:  # kornia works on images in [0, 1]
        unit = images.mul(0.5).add(0.5)
        alone["kornia"] = best_time(kornia_pipeline, unit)

    base = np.median(epochs[None])
    step = base / n_batches
    summary = {"source": source, "n_train": len(X), "width": width,
               "batch_size": batch, "threads": torch.get_num_threads(),
               "precision": args.classifier_precision,
               "epoch_s_none": round(float(base), 4),
               "step_ms_none": round(1000 * step, 2)}
    print(f"{'augment':>9} | median epoch s | best epoch s | epoch overhead % | "
          f"one batch's augmentation ms | % of a step")
    for mode in modes:
        median, best = np.median(epochs[mode]), min(epochs[mode])
        over = 100 * (median / base - 1)
        op = alone.get(mode)
        op_text = "" if op is None else f"{1000 * op:8.2f} | {100 * op / step:6.2f}"
        print(f"{str(mode):>9} | {median:14.3f} | {best:12.3f} | {over:16.1f} | "
              f"{op_text}")
        if mode is not None:
            summary[f"epoch_overhead_pct_{mode}"] = round(float(over), 2)
            summary[f"augment_ms_{mode}"] = round(1000 * op, 3)
            summary[f"augment_pct_of_step_{mode}"] = round(100 * op / step, 2)
    if "kornia" in alone:  # timed on the batch alone, not in training epochs
        op = alone["kornia"]
        print(f"{'kornia':>9} | {'':>14} | {'':>12} | {'':>16} | {1000 * op:8.2f} | "
              f"{100 * op / step:6.2f}")
        summary["augment_ms_kornia"] = round(1000 * op, 3)
        summary["augment_pct_of_step_kornia"] = round(100 * op / step, 2)
    print(json.dumps(summary), flush=True)
    return summary


def precision_speed(args):
    """Images per second of ResNetClassifier training epochs in float32 and bfloat16,
    and of the bare module's training step with standard and channels-last strides."""
    from skgenaug._torch_utils import native_bf16

    torch.set_num_threads(args.threads or 1)
    batch = args.batch_size
    X, y, source = training_images(args.npz, args.seed, args.n_images)
    widths = [int(w) for w in args.widths.split(",")]
    print(f"precision: {source}, train {len(X)} images, batch {batch}, epochs "
          f"{args.epochs}, repeats {args.repeats}, torch {torch.__version__}, threads "
          f"{torch.get_num_threads()}, native bfloat16: {native_bf16('cpu')}, "
          f"CPU capability {torch.backends.cpu.get_cpu_capability()}", flush=True)

    def fit(width, precision, epochs):
        clf = ResNetClassifier(width=width, max_epochs=epochs, batch_size=batch,
                               selection=None, validation_fraction=0,
                               precision=precision, random_state=args.seed)
        clf.fit(X, y)
        return min(h["dur"] for h in clf.history_)

    def module_step(width, precision, channels_last, steps=10):
        torch.manual_seed(args.seed)
        module = ResNet18(1, 2, width=width)
        x, target = torch.randn(batch, 1, 28, 28), torch.randint(0, 2, (batch,))
        if channels_last:
            module = module.to(memory_format=torch.channels_last)
            x = x.contiguous(memory_format=torch.channels_last)
        optimizer = torch.optim.Adam(module.parameters())

        def step():
            optimizer.zero_grad()
            with torch.autocast("cpu", dtype=torch.bfloat16,
                                enabled=precision == "bfloat16"):
                out = module(x)
            torch.nn.functional.cross_entropy(out.float(), target).backward()
            optimizer.step()

        for _ in range(3):
            step()
        best = np.inf
        for _ in range(args.repeats):
            start = time.perf_counter()
            for _ in range(steps):
                step()
            best = min(best, (time.perf_counter() - start) / steps)
        return batch / best

    summary = {"native_bf16": native_bf16("cpu"), "rows": []}
    print(f"{'width':>5} | {'precision':>9} | fit img/s | step img/s standard | "
          f"step img/s channels-last")
    for width in widths:
        for precision in ("float32", "bfloat16"):
            fit(width, precision, 1)  # warm-up
            epoch = min(fit(width, precision, args.epochs) for _ in range(args.repeats))
            standard = module_step(width, precision, False)
            last = module_step(width, precision, True)
            row = dict(width=width, precision=precision,
                       fit_img_s=round(len(X) / epoch), step_img_s=round(standard),
                       step_img_s_channels_last=round(last))
            summary["rows"].append(row)
            print(f"{width:>5} | {precision:>9} | {row['fit_img_s']:>9} | "
                  f"{row['step_img_s']:>19} | {row['step_img_s_channels_last']:>24}",
                  flush=True)
    print(json.dumps(summary), flush=True)
    return summary


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reference", default=str(DEFAULT_REFERENCE),
                        help="path of plain_pytorch_reference.py")
    parser.add_argument("--npz", default=str(DEFAULT_NPZ), help="a MedMNIST npz file")
    parser.add_argument("--per-class", type=int, default=10_000,
                        help="training images per class (large = the whole split)")
    parser.add_argument("--n-images", type=int, default=None,
                        help="cut the training set to this many images")
    parser.add_argument("--width", type=int, default=None,
                        help="network width (default 64; 16 with --augment-overhead)")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--device", default="cpu", help="cpu, cuda or auto")
    parser.add_argument("--repeats", type=int, default=2,
                        help="timed runs of each, alternating; the minimum is reported")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    parser.add_argument("--reference-test", choices=["tiny", "full"], default="tiny")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--augment-overhead", action="store_true",
                        help="time augment=None/'standard'/'trivial' training epochs "
                             "instead (width 16 unless --width is given, one thread "
                             "unless --threads)")
    parser.add_argument("--batch-size", type=int, default=64,
                        help="batch size of --augment-overhead and --precision")
    parser.add_argument("--classifier-precision", default="float32",
                        choices=("float32", "bfloat16", "auto"),
                        help="ResNetClassifier(precision=...) of --augment-overhead "
                             "('auto' as the quick profile: bfloat16 where native)")
    parser.add_argument("--precision", action="store_true",
                        help="time float32 against bfloat16 training, and standard "
                             "against channels-last strides, instead")
    parser.add_argument("--widths", default="8,16",
                        help="network widths of --precision (comma list)")
    args = parser.parse_args(argv)
    if args.augment_overhead:
        return augment_overhead(args)
    if args.precision:
        return precision_speed(args)
    args.width = args.width or 64

    if args.threads:
        torch.set_num_threads(args.threads)
    device = "cuda" if args.device == "auto" and torch.cuda.is_available() else args.device
    if device == "auto":
        device = "cpu"
    ref = load_reference(args.reference)
    if args.width != 64:
        # The reference's network is fixed at width 64: give its loop our module at the
        # requested width, so both loops train the same network.
        ref.ResNet18 = lambda cin, n: ResNet18(cin, n, width=args.width)
    data = load_data(ref, args.npz, args.per_class, args.n_images, args.seed)
    n_classes = int(max(data[1].max(), data[5].max()) + 1)
    print(f"data: {Path(args.npz).name}, train {len(data[0])}, val {len(data[2])}; "
          f"width {args.width}, epochs {args.epochs}, device {device}, "
          f"torch {torch.__version__}, threads {torch.get_num_threads()}", flush=True)

    # Warm-up (allocator, kernels, lazy imports) with one short epoch of each.
    warm = tuple(a[:256] if i in (0, 1) else a for i, a in enumerate(data))
    time_reference(ref, warm, n_classes, 1, device, args.seed, False)
    time_ours(warm, args.width, 1, device, args.seed)

    ref_wall, ref_loop, ours = [], [], []
    for repeat in range(args.repeats):
        wall, result = time_reference(ref, data, n_classes, args.epochs, device,
                                      args.seed, args.reference_test == "full")
        ref_wall.append(wall)
        ref_loop.append(result["seconds"])
        seconds, clf = time_ours(data, args.width, args.epochs, device, args.seed)
        ours.append(seconds)
        print(f"run {repeat + 1}: reference wall {wall:.2f} s "
              f"(loop {result['seconds']:.2f} s), ResNetClassifier.fit {seconds:.2f} s",
              flush=True)

    summary = {
        "ref_wall_s": round(min(ref_wall), 3),
        "ref_loop_s": round(min(ref_loop), 3),
        "ours_s": round(min(ours), 3),
        "ratio_vs_ref_wall": round(min(ours) / min(ref_wall), 3),
        "ratio_vs_ref_loop": round(min(ours) / min(ref_loop), 3),
        "goal": 1.15,
        "n_train": len(data[0]),
        "epochs": args.epochs,
        "width": args.width,
        "device": torch.cuda.get_device_name() if device.startswith("cuda") else "cpu",
        "threads": torch.get_num_threads(),
        "ours_best_epoch": clf.best_epoch_,
        "ours_test_acc": round(float(clf.score(data[4], data[5])), 3),
    }
    print(json.dumps(summary), flush=True)
    return summary


if __name__ == "__main__":
    main()
