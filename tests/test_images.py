"""One answer to "is this an image stack?": the samplers, the classifier, the
evaluation, the npz loader and the figures accept and refuse the same arrays."""

import numpy as np
import pytest

from skgenaug import GeometricSampler, ResNetClassifier
from skgenaug._images import check_image_stack
from skgenaug.datasets import load_image_npz
from skgenaug.evaluation._evaluate import _check_images_and_labels
from skgenaug.plotting import plot_sample_grid

RNG = np.random.RandomState(0)
GRAY = RNG.randint(0, 256, size=(8, 8, 8)).astype(np.uint8)
Y = np.array([0, 1] * 4)

# name: (images, accepted?)
CASES = {
    "gray": (GRAY, True),
    "gray, channel last": (GRAY[..., None], True),
    "RGB": (np.stack([GRAY] * 3, axis=-1), True),
    "RGBA": (np.stack([GRAY] * 4, axis=-1), True),
    "float in [0, 1]": (GRAY / 255.0, True),
    "uint16 within 0-255": (GRAY.astype(np.uint16), True),
    "uint16 beyond 255": (GRAY.astype(np.uint16) * 256, False),
    "negative integers": (GRAY.astype(np.int64) - 128, False),
    "NaN": (np.where(GRAY > 128, np.nan, GRAY / 255.0), False),
    "bool": (GRAY > 128, False),
    "two channels": (np.stack([GRAY] * 2, axis=-1), False),
    "channels first": (np.stack([GRAY] * 3, axis=1), False),
}


def _sampler(X):
    GeometricSampler(random_state=0).fit_resample(X, Y)


def _classifier(X):
    ResNetClassifier(width=4, max_epochs=1, selection=None, validation_fraction=0,
                     random_state=0).fit(X, Y)


def _evaluation(X):
    _check_images_and_labels(X, Y)


def _npz(X, tmp_path):
    path = tmp_path / "images.npz"
    np.savez(path, X=X, y=Y)
    load_image_npz(path)


def _figure(X):
    import matplotlib.pyplot as plt

    plt.close(plot_sample_grid(X, Y, X, Y, n_per_class=2))


@pytest.mark.parametrize("case", list(CASES))
def test_every_entry_point_gives_the_same_answer(case, tmp_path):
    X, accepted = CASES[case]
    answers = {}
    for name, use in [("sampler", _sampler), ("classifier", _classifier),
                      ("evaluation", _evaluation), ("figure", _figure),
                      ("npz", lambda X: _npz(X, tmp_path))]:
        try:
            use(X)
        except ValueError as exc:
            answers[name] = f"refused: {exc}"
        else:
            answers[name] = "accepted"
    expected = "accepted" if accepted else "refused"
    assert all(a.startswith(expected) for a in answers.values()), answers


@pytest.mark.parametrize("case, message", [
    ("uint16 beyond 255", r"integer pixels in \[0, 65280\].*scale 16-bit"),
    ("NaN", "NaN"),
    ("bool", "dtype bool"),
    ("channels first", "Channels first"),
])
def test_refusals_name_the_problem(case, message):
    with pytest.raises(ValueError, match=message):
        check_image_stack(CASES[case][0], "X")


def test_gray_with_a_channel_axis_reads_as_gray():
    assert check_image_stack(GRAY[..., None], "X").shape == (8, 8, 8)
    flat = check_image_stack(GRAY.reshape(8, -1), "X", flat_rows=True)
    np.testing.assert_array_equal(flat, GRAY)
    with pytest.raises(ValueError, match="Flat rows"):
        check_image_stack(GRAY.reshape(8, -1), "X")


def test_flat_rows_stay_tabular_data_to_the_estimators():
    # Flat rows may be features of any range (imbalanced-learn's samplers wrapped by
    # FlatImageSampler, scikit-learn's checks): the pixel rules are for image stacks.
    rows = (GRAY.astype(np.int64) - 128).reshape(8, -1)
    X_res, _ = GeometricSampler(random_state=0).fit_resample(rows, Y)
    assert X_res.dtype == np.int64 and X_res.min() < 0
    with pytest.raises(ValueError, match="integer pixels"):
        GeometricSampler(random_state=0).fit_resample(rows.reshape(8, 8, 8), Y)
