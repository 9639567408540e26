"""The label checks and seeded hold-outs every estimator shares (skgenaug/_validation.py).

The hold-out rows are pinned: they are the rows ``ResNetClassifier`` and
``AugmentedClassifier`` held out before both went through one helper (issue 14), and a
change would change which models a seed gives.
"""

import numpy as np
import pytest

from skgenaug import AugmentedClassifier, ResNetClassifier
from skgenaug._validation import check_two_classes, draw_seed, stratified_holdout

BALANCED3 = np.repeat([0, 1, 2], 20)
UNEVEN = np.repeat([0, 1, 2, 3], [7, 3, 1, 12])  # one class of a single row
TINY = np.array([0, 0, 1, 1, 1])


@pytest.mark.parametrize(
    "y, fraction, seed, val_idx, next_draw",
    [
        (BALANCED3, 0.1, 0, [1, 18, 21, 31, 53, 55], 318433188),
        (UNEVEN, 0.25, 3, [4, 6, 9, 12, 13, 22], 872618382),
        (TINY, 0.5, 1, [0, 3, 4], 491263),
    ],
)
def test_per_class_holdout_rows_are_pinned(y, fraction, seed, val_idx, next_draw):
    rng = np.random.RandomState(seed)
    train_idx, val = stratified_holdout(y, fraction, rng, count="per-class")
    assert val.tolist() == val_idx
    assert train_idx.tolist() == sorted(set(range(len(y))) - set(val_idx))
    assert train_idx.dtype == val.dtype == np.int64
    # the classifier goes on drawing its torch seed from the same generator
    assert rng.randint(1 << 30) == next_draw


@pytest.mark.parametrize(
    "y, fraction, seed, train_idx, val_idx",
    [
        (BALANCED3, 0.1, 0,
         [32, 5, 24, 19, 39, 37, 43, 13, 3, 53, 2, 22, 57, 49, 58, 40, 7, 21, 36, 47, 25,
          4, 30, 23, 29, 8, 33, 56, 35, 6, 50, 44, 38, 9, 16, 18, 20, 31, 14, 41, 34, 45,
          46, 1, 28, 48, 42, 10, 11, 0, 51, 52, 17, 55],
         [59, 12, 54, 27, 26, 15]),
        # a class of one row: a plain random split of ceil(0.25 * 23) = 6 rows
        (UNEVEN, 0.25, 3, [1, 2, 20, 13, 4, 19, 6, 7, 5, 18, 9, 11, 22, 0, 8, 3, 10],
         [21, 12, 17, 15, 14, 16]),
        (TINY, 0.5, 1, [0, 3], [1, 2, 4]),
        (np.array([0, 1, 0, 1, 2, 2, 2]), 0.1, 5, [2, 4, 1, 0, 5, 3], [6]),
        (np.array(list("aabbbbcccccc")), 0.3, 2, [6, 10, 7, 1, 11, 3, 4, 2], [9, 0, 8, 5]),
    ],
)
def test_total_holdout_rows_are_pinned(y, fraction, seed, train_idx, val_idx):
    train, val = stratified_holdout(y, fraction, seed, count="total")
    assert train.tolist() == train_idx and val.tolist() == val_idx
    # AugmentedClassifier hands the sampler the training rows in this order
    model = AugmentedClassifier(None, ResNetClassifier(), validation_fraction=fraction,
                                random_state=seed)
    X = np.arange(len(y)) * 10
    X_train, X_val, y_train, y_val = model._hold_out(X, y)
    assert X_train.tolist() == [10 * i for i in train_idx]
    assert X_val.tolist() == [10 * i for i in val_idx]
    assert y_train.tolist() == y[train_idx].tolist()


def test_holdout_rejects_an_unknown_count():
    with pytest.raises(ValueError, match="count must be"):
        stratified_holdout(TINY, 0.5, 0, count="each")


def test_check_two_classes_message():
    check_two_classes(np.array([0, 1]), "X")
    with pytest.raises(ValueError, match=r"^y holds a single class \('a'\); X needs "):
        check_two_classes(np.array(["a"]), "X")
    with pytest.raises(ValueError, match=r"^y_synth holds a single class \(3\); a "):
        check_two_classes(np.array([3]), "a classifier", labels_name="y_synth")


def test_draw_seed_is_an_int_from_the_random_state():
    assert draw_seed(0) == draw_seed(np.random.RandomState(0))
    assert isinstance(draw_seed(None), int)
