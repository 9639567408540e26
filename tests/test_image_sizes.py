"""64x64 images (MedMNIST+ sizes): the classifier and every sampler fit and generate
at that size, gray and RGB, and the paper subset loads at it."""

import numpy as np
import pytest

from skgenaug import (
    AddPerClass,
    AESampler,
    CGANSampler,
    CVAESampler,
    GeometricSampler,
    ResNetClassifier,
)
from skgenaug.datasets import load_paper_subset, make_image_classification

SIZE = 64


@pytest.fixture(scope="module", params=[1, 3], ids=["gray", "rgb"])
def images(request):
    return make_image_classification(24, image_size=SIZE, n_channels=request.param,
                                     random_state=0)


def test_classifier_at_64(images):
    X, y = images
    clf = ResNetClassifier(width=2, max_epochs=1, batch_size=16, random_state=0)
    clf.fit(X, y, X_val=X[:6], y_val=y[:6])
    proba = clf.predict_proba(X[:5])
    assert proba.shape == (5, 2) and np.allclose(proba.sum(axis=1), 1)
    assert clf.n_features_in_ == X[0].size


TINY = dict(max_epochs=1, batch_size=16, random_state=0)
SAMPLERS = {
    "ae": lambda: AESampler(hidden_layer_sizes=(16,), latent_dim=4, **TINY),
    "cvae": lambda: CVAESampler(hidden_layer_sizes=(16,), latent_dim=4, **TINY),
    "cgan": lambda: CGANSampler(hidden_layer_sizes=(16,), latent_dim=4, **TINY),
    "ae-conv": lambda: AESampler(architecture="conv", hidden_layer_sizes=(4, 8),
                                 latent_dim=4, **TINY),
    "cvae-conv": lambda: CVAESampler(architecture="conv", hidden_layer_sizes=(4, 8),
                                     latent_dim=4, **TINY),
    "cgan-conv": lambda: CGANSampler(architecture="conv", hidden_layer_sizes=(8, 4),
                                     latent_dim=4, **TINY),
    "geometric": lambda: GeometricSampler(random_state=0),
}


@pytest.mark.parametrize("name", list(SAMPLERS))
def test_samplers_at_64(images, name):
    X, y = images
    sampler = SAMPLERS[name]().set_params(sampling_strategy=AddPerClass(3))
    X_res, y_res = sampler.fit_resample(X, y)
    assert X_res.shape == (len(X) + 6, *X.shape[1:]) and X_res.dtype == np.uint8
    assert np.bincount(y_res[len(y):]).tolist() == [3, 3]
    if hasattr(sampler, "generate"):
        new = sampler.generate([0, 1], random_state=0)
        assert new.shape == (2, *X.shape[1:]) and new.dtype == np.uint8


def test_paper_subset_at_64(tmp_path):
    arrays = {}
    for i, (split, n) in enumerate((("train", 30), ("val", 10), ("test", 8))):
        X, y = make_image_classification(n, image_size=SIZE, random_state=i)
        arrays[f"{split}_images"] = X
        arrays[f"{split}_labels"] = y.astype(np.uint8)[:, None]
    np.savez(tmp_path / "pneumoniamnist_64.npz", **arrays)
    data = load_paper_subset("pneumonia", root=tmp_path, n_per_class=9, size=SIZE,
                             random_state=0)
    assert data.X_train.shape == (18, SIZE, SIZE) and data.X_test.shape == (8, SIZE, SIZE)
    assert data.file.endswith("pneumoniamnist_64.npz")
    with pytest.raises(FileNotFoundError, match="pneumoniamnist.npz"):
        load_paper_subset("pneumonia", root=tmp_path)  # size 28 is another file
