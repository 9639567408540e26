"""Platform guards, each in a subprocess so a crash is a failed test, not the end of
the run: small channel counts on AVX2-only CPUs (issue 11) and life without
torchvision (the torchvision that medmnist pulls in may not import)."""

import json
import subprocess
import sys
import textwrap

import pytest


def _run(code, timeout):
    try:
        return subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"the subprocess hung for {exc.timeout} s (heap corruption can)")



_FIT_TWICE = textwrap.dedent(
    """
    import hashlib, json
    import numpy as np
    import torch
    from skgenaug import (AESampler, CGANSampler, CVAESampler, DiffusionSampler,
                          ResNetClassifier)
    from skgenaug.datasets import make_image_classification

    torch.set_num_threads(2)  # the thread count the reports crashed with
    X, y = make_image_classification(64, n_classes=2, image_size=28, random_state=0)
    assert X.dtype == np.uint8 and X.ndim == 3  # gray uint8 stacks, as MedMNIST's

    def digest(array):
        return hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()

    def classifier(width):
        clf = ResNetClassifier(width=width, max_epochs=2, batch_size=16, random_state=0)
        return digest(clf.fit(X, y).predict_proba(X))

    smallest = dict(architecture="conv", hidden_layer_sizes=(1, 2), latent_dim=2,
                    max_epochs=2, batch_size=16, sampling_strategy={0: 40, 1: 40},
                    random_state=0)
    samplers = {
        "ae-conv": lambda: AESampler(**smallest),
        "cvae-conv": lambda: CVAESampler(**smallest),
        "cgan-conv": lambda: CGANSampler(**smallest),
        "wgan-gp-conv": lambda: CGANSampler(objective="wgan-gp", **smallest),
        "acgan-conv": lambda: CGANSampler(auxiliary_classifier=True, **smallest),
        # U-Net widths 1 and 2 (GroupNorm of one group), with and without guidance
        "diffusion": lambda: DiffusionSampler(
            hidden_layer_sizes=(1, 2), layers_per_block=1, n_train_timesteps=50,
            n_sampling_steps=3, guidance_scale=2.0, max_epochs=2, batch_size=16,
            sampling_strategy={0: 40, 1: 40}, random_state=0),
    }
    out = {}
    for width in (2, 4):
        out[f"resnet-{width}"] = [classifier(width) for _ in range(2)]
    for name, make in samplers.items():
        out[name] = [digest(make().fit_resample(X, y)[0]) for _ in range(2)]
    print("RESULT " + json.dumps(out))
    """
)


@pytest.mark.slow
def test_small_channel_counts_fit_without_crashing_and_reproducibly():
    # About 10 s here. Before the fix, on a 2-core AMD EPYC (AVX2 only), the same
    # script died of heap corruption or hung.
    done = _run(_FIT_TWICE, timeout=240)
    assert done.returncode == 0, (
        f"the fits died with exit code {done.returncode}:\n{done.stderr[-3000:]}"
    )
    line = next(s for s in done.stdout.splitlines() if s.startswith("RESULT "))
    results = json.loads(line[len("RESULT "):])
    assert sorted(results) == sorted(
        ["resnet-2", "resnet-4", "ae-conv", "cvae-conv", "cgan-conv", "wgan-gp-conv",
         "acgan-conv", "diffusion"]
    )
    differ = [name for name, (first, second) in results.items() if first != second]
    assert not differ, f"two fits with the same random_state differ: {differ}"


_WITHOUT_TORCHVISION = textwrap.dedent(
    """
    import sys
    sys.modules["torchvision"] = None  # any import of it now raises ImportError
    import numpy as np
    import skgenaug, skgenaug.evaluation, skgenaug.datasets, skgenaug.metrics
    import skgenaug.plotting
    from skgenaug import CVAESampler, ResNetClassifier
    from skgenaug.datasets import make_image_classification

    X, y = make_image_classification(40, n_classes=2, image_size=8, random_state=0)
    X_res, y_res = CVAESampler(max_epochs=1, hidden_layer_sizes=(8,),
                               random_state=0).fit_resample(X, y)
    ResNetClassifier(width=2, max_epochs=1, random_state=0).fit(X_res, y_res)
    skgenaug.datasets._medmnist_info()  # the medmnist metadata, as load_medmnist reads it
    print("OK")
    """
)


def test_skgenaug_never_needs_torchvision():
    done = _run(_WITHOUT_TORCHVISION, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().endswith("OK")


_NUMPY_ONLY = textwrap.dedent(
    """
    import importlib.abc, sys, types

    class Blocker(importlib.abc.MetaPathFinder):
        # (not sys.modules[name] = None: array_api_compat reads sys.modules["torch"])
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("torch", "skorch"):
                raise ImportError(f"{name} is blocked in this test")

    sys.meta_path.insert(0, Blocker())
    # The package and subpackage __init__ files import every estimator (torch too):
    # stand-ins with their paths load the numpy-only modules alone.
    for name, path in (("skgenaug", PACKAGE), ("skgenaug.samplers", PACKAGE + "/samplers")):
        package = types.ModuleType(name)
        package.__path__ = [path]
        sys.modules[name] = package
    import numpy as np
    from imblearn.over_sampling import SMOTE
    from skgenaug.base import AddPerClass, BaseImageOverSampler, ImageSamplerMixin
    from skgenaug.samplers._adapter import FlatImageSampler
    from skgenaug.samplers._geometric import GeometricSampler

    rng = np.random.RandomState(0)
    X = rng.randint(0, 256, size=(20, 6, 6)).astype(np.uint8)
    y = np.repeat([0, 1], [14, 6])
    for sampler in (GeometricSampler(sampling_strategy=AddPerClass(2), random_state=0),
                    FlatImageSampler(SMOTE(k_neighbors=3, random_state=0))):
        X_res, y_res = sampler.fit_resample(X, y)
        assert X_res.dtype == np.uint8 and X_res.shape[1:] == (6, 6)
    assert not {"torch", "skorch"} & set(sys.modules)
    print("OK")
    """
)


def test_numpy_only_samplers_import_neither_torch_nor_skorch():
    import os

    import skgenaug

    package = os.path.dirname(skgenaug.__file__)
    done = _run(f"PACKAGE = {package!r}\n" + _NUMPY_ONLY, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().endswith("OK")
