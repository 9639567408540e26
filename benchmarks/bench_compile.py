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
    python benchmarks/bench_compile.py --fold all           # the whole profile, measured
    python benchmarks/bench_compile.py --fold all --only compiled   # one side per core
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

import skorch
import torch

from skgenaug.evaluation import Cell, _artifacts, _cells, _plan, get_profile
from skgenaug.medmnist import MedMNISTData

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
        _artifacts._FEATURE_CACHE.clear()  # both runs fit the quality report's ResNet
        start = time.perf_counter()
        if sampler_only:  # the generator's fit alone, on the cell's training part
            split = data.split(cell.seed, cell.fold)
            sampler = _plan.MethodSpec(cell.method).build(
                profile, _plan.default_sampling_strategy(profile), 0, "cpu")
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
    parser.add_argument("--fold", default="0",
                        help="a fold, or 'all' to time every fold of the profile (the "
                             "whole profile, measured rather than projected)")
    parser.add_argument("--only", choices=("eager", "compiled"), default=None,
                        help="time one side only (run the other in a second process, "
                             "e.g. one per core)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--sampler-only", action="store_true",
                        help="time the generators' fits alone (no classifier, no quality)")
    parser.add_argument("--root", default=os.environ.get("SKGENAUG_DATA_DIR", str(SHARED)))
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    profile = get_profile(args.profile)
    folds = range(profile.folds) if args.fold == "all" else [int(args.fold)]
    sides = {"eager": False, "compiled": True}
    if args.only:
        sides = {args.only: sides[args.only]}
    rows = []
    for fold in folds:
        for method in args.methods.split(","):
            cell = Cell(args.dataset, method, fold, 0, "val", "")
            row = dict(method=method, fold=fold)
            for side, compiled in sides.items():
                seconds, result = time_cell(cell, profile, args.root, compiled,
                                            args.sampler_only)
                row.update({f"{side}_s": round(seconds, 2), f"{side}_acc": result["acc"]})
            if len(sides) == 2:
                row["ratio"] = round(row["compiled_s"] / row["eager_s"], 3)
            rows.append(row)
            print(json.dumps(row), flush=True)
    # measured over the folds run, projected to the profile's folds x repeats
    scale = profile.folds * profile.repeats / len(folds)
    totals = {f"profile_{side}_s": round(sum(r[f"{side}_s"] for r in rows) * scale, 1)
              for side in sides}
    if len(sides) == 2:
        totals["ratio"] = round(totals["profile_compiled_s"] / totals["profile_eager_s"], 3)
    print(json.dumps(dict(
        profile=args.profile, dataset=args.dataset, threads=args.threads,
        torch=torch.__version__, folds_timed=len(folds),
        measured_not_projected=args.fold == "all", **totals,
    )))


if __name__ == "__main__":
    sys.exit(main())
