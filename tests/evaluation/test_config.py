"""Profiles, method lists and cell hashes."""

import pytest

from skgenaug._methods import METHOD_NAMES
from skgenaug._methods import METHODS as ALL_METHODS
from skgenaug.evaluation import (
    get_profile,
)
from skgenaug.evaluation._config import (
    config_hash,
    parse_methods,
    parse_selections,
)

METHODS = ["none", "ae", "cvae", "cgan"]


def test_cell_hashes_are_unchanged_by_the_profile_dataclass(monkeypatch):
    # Computed by skgenaug 048f146 (settings as dicts, protocol 3): the settings hash
    # as they did; only a protocol change (4: distinct classifier and sampler seeds)
    # makes stored cells stale.
    from skgenaug.evaluation import _config

    current = config_hash(get_profile("quick"), "none")
    monkeypatch.setattr(_config, "PROTOCOL_VERSION", 3)
    before = {
        ("quick", "balanced", "none"): "639434335b52c555",
        ("quick", "balanced", "cvae"): "690c1863f06a6aa7",
        ("quick", "balanced", "smote"): "36a10a9a82bfdd8a",
        ("smoke", "balanced", "wgan-gp"): "c3e239cb56a53590",
        ("paper", "balanced", "cgan"): "0c70034efc83a94c",
        ("quick", "long-tail", "none"): "410b33607c58eda8",
        ("quick", "long-tail", "acgan"): "814261ebc8c898ee",
    }
    # The quick classifier of those days (issue 25 chose another on validation folds).
    earlier_quick = dict(width=8, max_epochs=20, batch_size=32, lr=1e-3, optimizer="adam")
    for (name, scenario, method), digest in before.items():
        # (without the on-the-fly augmentation that protocol 5 added to 'quick')
        # (nor the last-epoch rule it took later)
        profile = get_profile(name, scenario=scenario, classifier_augment="none",
                              classifier=earlier_quick if name == "quick" else None,
                              epoch_rule="accuracy")
        assert config_hash(profile, method) == digest
    assert current != before[("quick", "balanced", "none")]
    # On-the-fly augmentation and unequal training budgets are other cells.
    assert config_hash(get_profile("quick", classifier_augment="trivial"), "none") != \
        config_hash(get_profile("quick", classifier_augment="none"), "none") != \
        config_hash(get_profile("quick"), "none")
    assert config_hash(get_profile("quick", equal_steps=False), "none") != \
        config_hash(get_profile("quick"), "none")
    with pytest.raises(TypeError, match="read-only"):
        get_profile("quick").classifier["width"] = 64


def test_parsing():
    assert parse_methods("None,AE,cvae,CGAN") == METHODS
    assert parse_methods("all") == list(ALL_METHODS)
    assert len(ALL_METHODS) == 15 and set(METHOD_NAMES) == set(ALL_METHODS)
    assert parse_methods("smote,Geometric,wgan-gp") == ["wgan-gp", "geometric", "smote"]
    # Every method has settings in every profile.
    for name in ("paper", "quick", "smoke"):
        assert set(get_profile(name).samplers) == set(ALL_METHODS) - {"none", "plain"}
    with pytest.raises(ValueError, match="Unknown method"):
        parse_methods("vae")
    assert parse_selections("test-best,val") == ["val", "test-best"]
