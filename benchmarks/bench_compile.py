"""Does ``torch.compile`` make the CPU benchmark faster? Time it, compile time included.

Runs the cells of one fold of the benchmark (``--profile quick`` by default, BreastMNIST,
the paper's four methods) twice: as they are, and with every torch module that skorch
trains wrapped in ``torch.compile`` (skorch's own ``torch_compile`` hook, forced on). Each
cell builds fresh networks, so every compiled cell pays for its compilation, as a
compiled profile would. Prints per-cell seconds, the ratio, and the whole profile's
projected seconds (the fold's sum times the profile's folds and seeds), and whether the
test scores stayed the same.

    python benchmarks/bench_compile.py                      # quick, BreastMNIST, fold 0
    python benchmarks/bench_compile.py --methods none,cvae --threads 1
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

import skorch
import torch

from skgenaug.benchmark import Cell, _cells, get_profile
from skgenaug.benchmark._data import MedMNISTData

SHARED = Path(__file__).resolve().parents[2] / "shared" / "medmnist"


def _always_compile(net, module, name):
    return torch.compile(module)


def time_cell(cell, profile, root, compiled, sampler_only=False):
    original = skorch.NeuralNet.torch_compile
    if compiled:
        skorch.NeuralNet.torch_compile = _always_compile
    data = MedMNISTData(cell.dataset, root, profile)
    try:
        torch._dynamo.reset()  # no compiled code carried over from the cell before
        _cells._FEATURE_CACHE.clear()  # both runs fit the quality report's ResNet
        start = time.perf_counter()
        if sampler_only:  # the generator's fit alone, on the cell's training part
            split = data.split(cell.seed, cell.fold)
            sampler = _cells.MethodSpec(cell.method).build(
                profile, _cells.default_sampling_strategy(profile), 0, "cpu")
            X_res, _ = sampler.fit_resample(split.X_train, split.y_train)
            # a check, not a score
            result = dict(acc=float(X_res[len(split.y_train):].mean()))
        else:
            result = _cells.run_cell(cell, profile, data)
        return time.perf_counter() - start, result
    finally:
        skorch.NeuralNet.torch_compile = original


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="quick")
    parser.add_argument("--dataset", default="breastmnist")
    parser.add_argument("--methods", default="none,ae,cvae,cgan")
    parser.add_argument("--fold", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--sampler-only", action="store_true",
                        help="time the generators' fits alone (no classifier, no quality)")
    parser.add_argument("--root", default=os.environ.get("SKGENAUG_DATA_DIR", str(SHARED)))
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    profile = get_profile(args.profile)
    rows = []
    for method in args.methods.split(","):
        cell = Cell(args.dataset, method, args.fold, 0, "val", "")
        eager_s, eager = time_cell(cell, profile, args.root, False, args.sampler_only)
        compiled_s, comp = time_cell(cell, profile, args.root, True, args.sampler_only)
        rows.append(dict(method=method, eager_s=round(eager_s, 2),
                         compiled_s=round(compiled_s, 2),
                         ratio=round(compiled_s / eager_s, 3),
                         eager_acc=eager["acc"], compiled_acc=comp["acc"]))
        print(json.dumps(rows[-1]), flush=True)
    runs = profile.folds * profile.repeats
    eager_total = sum(r["eager_s"] for r in rows) * runs
    compiled_total = sum(r["compiled_s"] for r in rows) * runs
    print(json.dumps(dict(
        profile=args.profile, dataset=args.dataset, threads=args.threads,
        torch=torch.__version__, cells_per_method=runs,
        projected_profile_eager_s=round(eager_total, 1),
        projected_profile_compiled_s=round(compiled_total, 1),
        ratio=round(compiled_total / eager_total, 3),
    )))


if __name__ == "__main__":
    sys.exit(main())
