"""The MedMNIST data: the paper's subsets, shared folds, the long tail."""

import numpy as np
import pytest
from _support import (
    _write_skewed_npz,
)

from skgenaug.evaluation import (
    _data,
    _scenarios,
)
from skgenaug.medmnist._data import _load_medmnist


def test_folds_are_shared_and_selection_uses_real_rows(data_root, smoke):
    X_pool, y_pool, *_ = _load_medmnist("breastmnist", str(data_root), 0, "paper",
                                              300)
    assert len(y_pool) == 52  # the pooled train + val parts (breast used whole)
    parts = [_data.fold_indices(y_pool, 2, 0, f) for f in range(2)]
    assert sorted(np.concatenate([p[1] for p in parts])) == list(range(52))
    np.testing.assert_array_equal(parts[0][0], _data.fold_indices(y_pool, 2, 0, 0)[0])




def test_long_tail_thins_the_pool_by_class_frequency_in_every_fold(tmp_path):
    # Label order and frequency order differ: class 5 is the most frequent, class 3
    # the rarest (a shape like DermaMNIST's).
    train_counts = [200, 300, 900, 170, 500, 1200, 180]
    _write_skewed_npz(tmp_path / "dermamnist.npz", train_counts)
    X_bal, y_bal, *_ = _load_medmnist("dermamnist", str(tmp_path), 0, "paper", None)
    X_lt, y_lt, *_ = _load_medmnist("dermamnist", str(tmp_path), 0, "paper", None,
                                  "long-tail")
    pool = np.bincount(y_bal)
    assert (pool == pool[0]).all()  # the paper's subset is balanced: 150 + 17 per class
    kept = np.bincount(y_lt)
    # The whole pool (training and validation parts) follows the rule, head to tail
    # by frequency in the official training split.
    assert _scenarios.frequency_ranks(train_counts) == [4, 3, 1, 6, 2, 0, 5]
    assert kept.tolist() == _scenarios.long_tail_counts(
        pool, ranks=_scenarios.frequency_ranks(train_counts))
    assert kept.argmax() == 5 and kept[5] == pool[5]  # the head keeps all
    assert kept.argmin() == 3 and kept[3] == round(pool[3] / 10)  # the tail a tenth
    # Every stratified training part is as skewed as the pool.
    assert kept.max() / kept.min() == pytest.approx(10, rel=0.1)
    for fold in range(5):
        train_idx, _ = _data.fold_indices(y_lt, 5, 0, fold)
        counts = np.bincount(y_lt[train_idx], minlength=7)
        assert counts.max() / counts.min() == pytest.approx(10, rel=0.2)
        assert counts.argmax() == 5 and counts.argmin() == 3
