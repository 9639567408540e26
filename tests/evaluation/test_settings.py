"""The evaluation's settings: checked once, when made."""

import pytest
from sklearn.model_selection import StratifiedKFold

from skgenaug import ResNetClassifier
from skgenaug.evaluation import EvaluationSettings, Execution


@pytest.mark.parametrize("changes, message", [
    (dict(n_jobs=0), "'n_jobs' parameter"),
    (dict(n_jobs=1.5), "'n_jobs' parameter"),
    (dict(n_jobs=True), "'n_jobs' parameter .* not a bool"),
    (dict(threads=0), "'threads' parameter"),
    (dict(backend="spark"), "'backend' parameter"),
    (dict(log="print"), "'log' parameter"),
    (dict(verbose=-1), "'verbose' parameter"),
])
def test_execution_refuses_bad_values_when_made(changes, message):
    with pytest.raises(ValueError, match=message):
        Execution(**changes)


def test_execution_says_where_messages_go():
    heard = []
    assert not Execution().progress and Execution(verbose=1).progress
    Execution(log=heard.append).say("a")
    Execution().say("dropped")
    assert heard == ["a"]
    assert Execution(verbose=1).say is print


@pytest.mark.parametrize("changes, message", [
    (dict(random_state=-1), "'random_state' parameter"),
    (dict(random_state=True), "'random_state' parameter .* not a bool"),
    (dict(cv=1), "'cv' parameter"),
    (dict(n_repeats=0), "'n_repeats' parameter"),
    (dict(cv=StratifiedKFold(2), n_repeats=2), "n_repeats applies to cv given as an int"),
    (dict(quality="yes"), "'quality' parameter"),
    (dict(name=" "), "non-empty string"),
    (dict(profile="fast"), "Unknown profile 'fast'"),
    (dict(classifier=dict(width=0)), "width"),
    (dict(classifier=dict(wdth=8)), "classifier: .*wdth"),
    (dict(methods=3), "'methods' parameter"),
    (dict(primary_metric="f1"), "'primary_metric' parameter"),
    (dict(rope=0), "'rope' parameter"),
    (dict(rope=-0.01), "'rope' parameter"),
])
def test_evaluation_settings_refuse_bad_values_when_made(changes, message):
    with pytest.raises(ValueError, match=message):
        EvaluationSettings(**changes)


def test_evaluation_settings_give_the_profile_they_name():
    profile = EvaluationSettings(profile="smoke", cv=3, n_repeats=2, quality=False,
                                 classifier=ResNetClassifier(width=4, max_epochs=3,
                                                             random_state=7),
                                 validation_fraction=0.3).resolve_profile()
    assert (profile.name, profile.folds, profile.repeats) == ("smoke", 3, 2)
    assert profile.quality is None and profile.validation_fraction == 0.3
    # The cell sets the seed, the device and the selection rule; the rest is kept.
    assert profile.classifier["width"] == 4 and profile.classifier["max_epochs"] == 3
    assert not {"random_state", "device", "selection"} & set(profile.classifier)
    splitter = EvaluationSettings(profile="smoke", cv=StratifiedKFold(2))
    assert splitter.resolve_profile().repeats == 1


def test_reporting_checks_the_primary_metric_and_rope():
    from skgenaug.evaluation._settings import Reporting

    with pytest.raises(ValueError, match="'primary_metric' parameter"):
        Reporting(primary_metric="AUC")
    with pytest.raises(ValueError, match="'rope' parameter"):
        Reporting(rope=0.0)
    declared = Reporting(baseline="geometric", primary_metric="balanced_acc",
                         rope=0.02).declared()
    assert declared["primary_metric"] == "balanced_acc" and declared["rope"] == 0.02
    assert declared["family"].startswith("balanced_acc of every (data set, method) vs "
                                         "geometric")
