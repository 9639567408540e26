"""CuratedSampler: over-generates, drops wrong-class images and near-copies, returns the
counts the strategy asks for, and reports what it dropped and why."""

import pickle
from collections import Counter

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.svm import LinearSVC
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import InvalidParameterError

from skgenaug import AddPerClass, CuratedSampler, GeometricSampler
from skgenaug.base import BaseImageOverSampler
from skgenaug.datasets import make_image_classification
from skgenaug.metrics import memorization_report
from skgenaug.samplers import default_judge

SIZE = 12
#: New real images of the three classes, never in a training set: the "good" output.
FRESH_X, FRESH_Y = make_image_classification(
    300, n_classes=3, image_size=SIZE, random_state=123
)


class PlantedSampler(BaseImageOverSampler):
    """A stand-in generator with known faults. An image asked for class ``c`` is, with
    probability ``copy_share``, an exact copy of a random training image (labelled or
    not); else, for ``c == wrong_class`` and with probability ``wrong_share``, a new
    real image of the next class; else a new real image of class ``c``. ``drawn_``
    records each image's kind."""

    _learns_from_unlabelled = True

    def __init__(self, *, sampling_strategy="auto", wrong_class=None, wrong_share=0.0,
                 copy_share=0.0, random_state=None, unlabelled_label=-1):
        super().__init__(sampling_strategy=sampling_strategy)
        self.wrong_class = wrong_class
        self.wrong_share = wrong_share
        self.copy_share = copy_share
        self.random_state = random_state
        self.unlabelled_label = unlabelled_label

    def _fit_model(self, X, y_enc, seed):
        self.train_ = X
        self.drawn_ = []

    def _generate(self, y_enc, random_state):
        rng = check_random_state(random_state)
        images = []
        for label in self.classes_[y_enc]:
            u = rng.rand()
            if u < self.copy_share:
                kind, image = "copy", self.train_[rng.randint(len(self.train_))]
            else:
                source = label
                kind = "fresh"
                if label == self.wrong_class and u < self.copy_share + self.wrong_share:
                    source, kind = (label + 1) % 3, "wrong"
                pool = np.flatnonzero(FRESH_Y == source)
                image = FRESH_X[pool[rng.randint(len(pool))]]
            images.append(image)
            self.drawn_.append(kind)
        return np.stack(images)


@pytest.fixture(scope="module")
def data():
    """45 labelled 12x12 images (0/1/2: 20/15/10) and 20 unlabelled ones."""
    X, y = make_image_classification(
        45, n_classes=3, image_size=SIZE, weights=[0.45, 0.33], random_state=0
    )
    X_pool, _ = make_image_classification(20, n_classes=3, image_size=SIZE, random_state=1)
    return np.concatenate([X, X_pool]), np.r_[y, np.full(20, -1)]


def _keys(images):
    return [image.tobytes() for image in images]


def test_drops_a_wrong_class_generators_images_and_a_copiers_copies(data):
    X, y = data
    curated = CuratedSampler(
        PlantedSampler(wrong_class=1, wrong_share=0.5, copy_share=0.3),
        sampling_strategy=AddPerClass(30),
        random_state=0,
    )
    X_res, y_res = curated.fit_resample(X, y)
    # exact counts: the labelled rows (unlabelled never returned), then 30 per class
    assert Counter(y_res.tolist()) == {0: 50, 1: 45, 2: 40}
    np.testing.assert_array_equal(X_res[:45], X[:45])
    generated, labels = X_res[45:], y_res[45:]
    # every returned image is a new real image of its own class: no planted wrong-class
    # image, no copy of a training image (labelled or unlabelled)
    fresh = {c: set(_keys(FRESH_X[FRESH_Y == c])) for c in range(3)}
    for image, label in zip(_keys(generated), labels):
        assert image in fresh[label]
    assert not set(_keys(generated)) & set(_keys(X))
    # the report accounts for every planted fault
    kinds = Counter(curated.sampler_.drawn_)
    report = curated.curation_report_
    assert report["class"].tolist() == [0, 1, 2]
    assert report["requested"].tolist() == report["kept"].tolist() == [30, 30, 30]
    assert report["generated"].sum() == len(curated.sampler_.drawn_)
    assert report["near_copy"].sum() >= kinds["copy"] > 0
    assert report["low_confidence"][1] >= kinds["wrong"] > 0
    np.testing.assert_array_equal(
        report["generated"], report["kept"] + report["dropped"] + report["surplus"]
    )


def test_near_copy_rule_is_the_memorization_reports(data):
    # the threshold is the copy_quantile quantile of leave-one-out distances between
    # training images, in memorization_report's pixel scale
    X, y = data
    curated = CuratedSampler(PlantedSampler(), copy_quantile=0.2, random_state=0)
    curated.fit(X, y)
    rows = X.reshape(len(X), -1) / 255.0
    distances = np.sqrt(((rows[:, None] - rows[None]) ** 2).sum(-1))
    np.fill_diagonal(distances, np.inf)
    assert curated.copy_threshold_ == pytest.approx(np.quantile(distances.min(1), 0.2))
    report = memorization_report(X, X[:5], X, threshold=curated.copy_threshold_)
    assert report.near_copy_share == 1.0  # training images are copies of themselves


def test_rounds_fill_exact_counts_after_heavy_rejection(data):
    X, y = data
    curated = CuratedSampler(
        PlantedSampler(wrong_class=2, wrong_share=0.7),
        candidates_per_image=1.0,
        random_state=0,
    )
    X_res, y_res = curated.fit_resample(X, y)
    assert Counter(y_res.tolist()) == {0: 20, 1: 20, 2: 20}
    assert curated.n_rounds_ > 1
    assert curated.curation_report_["kept"].tolist() == [0, 5, 10]


def test_a_class_that_cannot_be_filled_is_an_error_with_the_counts(data):
    X, y = data
    curated = CuratedSampler(
        PlantedSampler(wrong_class=1, wrong_share=1.0),
        sampling_strategy=AddPerClass(5),
        max_rounds=3,
        random_state=0,
    )
    # (the judge is not perfect: it may pass a rare wrong image, never five)
    with pytest.raises(ValueError, match=r"could not fill every class in max_rounds=3 "
                       r"rounds \(class 1: [0-4] of 5 kept, \d+ drawn, \d+ below"):
        curated.fit_resample(X, y)
    assert curated.n_rounds_ == 3
    kept = curated.curation_report_["kept"]
    assert kept[0] == kept[2] == 5 and kept[1] < 5


def test_filters_can_be_turned_off(data):
    X, y = data
    curated = CuratedSampler(
        PlantedSampler(wrong_class=1, wrong_share=1.0, copy_share=0.5),
        min_confidence=0.0,
        copy_quantile=None,
        candidates_per_image=1.0,
        random_state=0,
    )
    curated.fit_resample(X, y)
    report = curated.curation_report_
    assert report["dropped"].sum() == 0 and curated.copy_threshold_ is None
    assert report["kept"].tolist() == report["generated"].tolist() == [0, 5, 10]


class SpyJudge:
    """A judge that records what it was fitted on (the default judge underneath)."""

    def __init__(self):
        pass

    def get_params(self, deep=True):
        return {}

    def set_params(self, **params):
        return self

    def fit(self, X, y):
        self.seen_ = (np.asarray(X).shape, np.asarray(y).tolist())
        self.model_ = default_judge().fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X):
        return self.model_.predict_proba(X)


def test_judge_is_fitted_on_the_real_labelled_rows_only(data):
    X, y = data
    curated = CuratedSampler(PlantedSampler(), judge=SpyJudge(), random_state=0)
    curated.fit(X, y)
    shape, labels = curated.judge_.seen_
    assert shape == (45, SIZE, SIZE)  # in the input's layout, no unlabelled row
    assert labels == y[:45].tolist()
    # the wrapped generator got every row, the unlabelled ones with the marker
    assert len(curated.sampler_.train_) == 65
    assert curated.sampler_.n_unlabelled_ == 20
    assert curated.unlabelled_label == -1


def test_generate_curates_and_is_seeded(data):
    X, y = data
    curated = CuratedSampler(PlantedSampler(copy_share=0.5), random_state=0).fit(X, y)
    first = curated.generate([0, 1, 2, 2], random_state=3)
    assert curated.curation_report_["kept"].tolist() == [1, 1, 2]
    assert not set(_keys(first)) & set(_keys(X))
    np.testing.assert_array_equal(first, curated.generate([0, 1, 2, 2], random_state=3))
    restored = pickle.loads(pickle.dumps(curated))
    np.testing.assert_array_equal(first, restored.generate([0, 1, 2, 2], random_state=3))


def test_same_seed_same_output_with_a_real_sampler():
    X, y = make_image_classification(30, n_classes=2, image_size=8, random_state=0)
    outputs = [
        CuratedSampler(GeometricSampler(), sampling_strategy=AddPerClass(4),
                       random_state=seed).fit_resample(X, y)[0]
        for seed in (0, 0, 1)
    ]
    np.testing.assert_array_equal(outputs[0], outputs[1])
    assert not np.array_equal(outputs[0][30:], outputs[2][30:])


def test_verbose_prints_a_line_per_round(data, capsys):
    X, y = data
    CuratedSampler(PlantedSampler(copy_share=0.5), verbose=1, random_state=0).fit_resample(
        X, y
    )
    out = capsys.readouterr().out
    assert "CuratedSampler round 1: drew" in out and "near-copies" in out


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(sampler=LinearSVC()), "'sampler' parameter"),
        (dict(judge=LinearSVC()), "'judge' parameter"),
        (dict(min_confidence=1.5), "'min_confidence' parameter"),
        (dict(copy_quantile=1.0), "'copy_quantile' parameter"),
        (dict(candidates_per_image=0.5), "'candidates_per_image' parameter"),
        (dict(max_rounds=0), "'max_rounds' parameter"),
    ],
)
def test_bad_parameters(params, match, data):
    X, y = data
    params = {"sampler": PlantedSampler(), **params}
    with pytest.raises(InvalidParameterError, match=match):
        CuratedSampler(**params).fit_resample(X, y)


def test_bad_input_is_named(data):
    X, y = data
    with pytest.raises(ValueError, match="y holds no labelled row"):
        CuratedSampler(PlantedSampler()).fit(X, np.full(len(y), -1))
    with pytest.raises(ValueError, match="single class"):
        CuratedSampler(PlantedSampler()).fit(X, np.where(y == 0, 0, -1))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        CuratedSampler(PlantedSampler()).fit(X, y[:-1])


@pytest.mark.parametrize("inner_seed", [5, None])
def test_prefit_generator_gives_the_output_of_a_full_fit(data, inner_seed):
    """A generator fitted beforehand (as the evaluation engine shares one between the
    cells of a fold) curates to exactly what a full fit gives: same generator, same
    judge seed, same draws."""
    from skgenaug import CVAESampler

    X, y = data
    inner = CVAESampler(hidden_layer_sizes=(8,), latent_dim=2, max_epochs=2,
                        random_state=inner_seed)
    # min_confidence=0: a 2-epoch cVAE draws nothing the judge recognises
    params = dict(sampling_strategy=AddPerClass(6), min_confidence=0.0, random_state=0)
    full = CuratedSampler(inner, **params)
    X_full, y_full = full.fit_resample(X, y)
    fitted = clone(inner).set_params(random_state=full.sampler_.random_state).fit(X, y)
    prefit = CuratedSampler(fitted, prefit=True, **params)
    X_pre, y_pre = prefit.fit_resample(X, y)
    np.testing.assert_array_equal(X_full, X_pre)
    np.testing.assert_array_equal(y_full, y_pre)
    assert prefit.sampler_ is not fitted  # a copy: the caller's sampler is untouched


def test_prefit_needs_a_fitted_generator_of_the_same_classes(data):
    X, y = data
    with pytest.raises(ValueError, match="prefit=True, but the wrapped .* not fitted"):
        CuratedSampler(GeometricSampler(), prefit=True).fit(X, y)
    other = GeometricSampler().fit(X[y >= 0][:30], np.arange(30) % 2)
    with pytest.raises(ValueError, match=r"fitted on classes \[0, 1\], not on"):
        CuratedSampler(other, prefit=True).fit(X, y)
