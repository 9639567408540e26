"""Method variants (+pool, +curated, +weighted, @N), the semi-supervised scenario, the
controls of the comparisons, and the fitted generators shared between the cells of a
fold (skgenaug._methods, skgenaug.evaluation)."""

import numpy as np
import pandas as pd
import pytest
from _support import _write_npz, quiet

from skgenaug import AddPerClass, CVAESampler, DiffusionSampler, cli, evaluate_augmentation
from skgenaug._methods import METHODS, display_name, parse_variant
from skgenaug.datasets import make_image_classification
from skgenaug.evaluation import PROFILES, _plan, get_profile
from skgenaug.evaluation._config import check_controls, parse_methods
from skgenaug.medmnist import MedMNISTData, run_medmnist_table


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    root = tmp_path_factory.mktemp("medmnist")
    # 200 training images per class: the paper's subset takes 150, 100 stay unlabelled
    _write_npz(root / "pneumoniamnist.npz", 2, 1, (400, 40, 30), seed=0)
    return root


# ------------------------------------------------------------------------ names
def test_variant_names_are_canonical_and_bad_ones_are_named():
    assert parse_variant("Diffusion+curated+pool@450").name == "diffusion+pool+curated@450"
    assert parse_variant("cvae").is_plain
    assert display_name("cvae-conv+pool+weighted@450") == (
        "cVAE (conv) + unlabelled pool + weighted, 450/class")
    for bad, match in [("geometric+pool", "cannot learn from unlabelled"),
                       ("ros+curated", "has no generate"), ("none@10", "takes no"),
                       ("cvae+pool+pool", "repeated"), ("cvae+foo", "unknown"),
                       ("vae", "'vae' is not a method")]:
        with pytest.raises(ValueError, match=match):
            parse_variant(bad)


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_the_registry_defines_a_method_and_the_profile_sizes_it(profile):
    profile = get_profile(profile)
    for name, method in METHODS.items():
        if method.sampler is None:
            assert profile.sampler_params(name) is None
            continue
        params = profile.sampler_params(name)
        assert params.items() >= method.params.items()
        assert not set(method.params) & set(profile.samplers[name])
    sampler = _plan.MethodSpec("wgan-gp").build(profile, AddPerClass(2), 0, "cpu")
    assert (sampler.architecture, sampler.objective) == ("conv", "wgan-gp")
    assert sampler.max_epochs == profile.samplers["wgan-gp"].get("max_epochs",
                                                                 sampler.max_epochs)
    variation = _plan.MethodSpec("diffusion-variation").build(profile, None, 0, "cpu")
    assert variation.strength == 0.5


def test_a_ratio_sweep_adds_an_at_n_variant_of_every_image_adding_method():
    assert parse_methods("none,geometric,cvae+pool", add_per_class=[450]) == [
        "none", "cvae+pool", "cvae+pool@450", "geometric", "geometric@450"]
    assert parse_methods("geometric@90,ros", add_per_class=[450]) == [
        "geometric@90", "ros", "ros@450"]  # an explicit @N is kept as it is


def test_controls_must_have_run():
    methods = ["none", "geometric", "cvae"]
    assert check_controls(None, methods) == ("ros",)
    assert check_controls("Geometric", methods) == ("geometric",)
    with pytest.raises(ValueError, match=r"\['ros'\] are not among the methods"):
        check_controls(["ros"], methods)
    with pytest.raises(ValueError, match="baseline already"):
        check_controls(["none"], methods)


# ------------------------------------------------------------- shared generators
@pytest.mark.parametrize("make", [
    lambda: CVAESampler(hidden_layer_sizes=(8,), latent_dim=2, max_epochs=2),
    lambda: DiffusionSampler(hidden_layer_sizes=(4, 8), n_train_timesteps=50,
                             n_sampling_steps=2, max_epochs=1, strength=0.5),
])
def test_resampling_a_fitted_generator_gives_what_fit_resample_gives(make):
    """The engine fits a generator once per fold and resamples it for every cell that
    shares it; the rows must be the ones fit_resample would give, with and without
    unlabelled rows."""
    X, y = make_image_classification(40, image_size=12, random_state=0)
    X_pool, _ = make_image_classification(10, image_size=12, random_state=1)
    for X_in, y_in in ((X, y), (np.concatenate([X, X_pool]), np.r_[y, [-1] * 10])):
        sampler = make().set_params(sampling_strategy=AddPerClass(5), random_state=7)
        expected = sampler.fit_resample(X_in, y_in)
        fitted = make().set_params(sampling_strategy=AddPerClass(5),
                                   random_state=7).fit(X_in, y_in)
        got = fitted.resample(X, y)  # what the engine calls
        for a, b in zip(expected, got):
            np.testing.assert_array_equal(a, b)


def test_diffusion_and_its_variations_share_one_trained_model(root, tmp_path):
    """Two methods that differ only in a drawing parameter (strength) train one model
    per fold; each cell draws with its own strength."""
    profile = get_profile("smoke", folds=2)
    result = run_medmnist_table(profile, ["pneumoniamnist"],
                           ["none", "diffusion", "diffusion-variation"], ["val"], [0],
                                tmp_path / "out", root=str(root), execution=quiet())
    assert len(list((tmp_path / "out" / "generator_models").glob("*.pkl"))) == 2
    cells = result.cells.set_index(["method", "fold"])
    # same model, other strength: other images, so other quality figures
    assert (cells.loc["diffusion"]["quality"].map(lambda q: q["frechet_distance"])
            != cells.loc["diffusion-variation"]["quality"].map(
                lambda q: q["frechet_distance"])).all()


# ---------------------------------------------------------- semi-supervised run
def test_the_semi_supervised_pool_is_the_training_split_beyond_the_subset(root):
    profile = get_profile("smoke", scenario="semi-supervised", unlabelled_max=60)
    data = MedMNISTData("pneumoniamnist", str(root), profile)
    split = data.split(0, 0)
    full = np.load(root / "pneumoniamnist.npz")["train_images"]
    assert split.X_unlabelled.shape == (60, 28, 28)
    seen = {image.tobytes() for image in np.concatenate([split.X_train, split.X_val])}
    pool = {image.tobytes() for image in split.X_unlabelled}
    assert not seen & pool  # no labelled image is in the pool
    assert pool <= {image.tobytes() for image in full}
    balanced = MedMNISTData("pneumoniamnist", str(root), get_profile("smoke"))
    assert balanced.split(0, 0).X_unlabelled is None


@pytest.mark.slow
def test_semi_supervised_run_with_pool_curation_weights_and_two_ratios(root, tmp_path,
                                                                        capsys):
    out = tmp_path / "out"
    status = cli.main([
        "medmnist-table", "--profile", "smoke", "--datasets", "pneumonia",
        "--scenario", "semi-supervised", "--unlabelled-max", "60",
        "--methods", "none,geometric,cvae,cvae+pool,cvae+pool+curated,cvae+weighted",
        "--add-per-class", "20,60", "--controls", "geometric", "--root", str(root),
        "--out", str(out), "--no-progress", "--threads", "1", "--n-jobs", "1",
    ])
    assert status == 0
    cells = pd.read_csv(out / "cells.csv").set_index(["method", "fold"])
    methods = set(cells.index.get_level_values(0))
    assert methods == {"none", "geometric", "geometric@60", "cvae", "cvae@60",
                       "cvae+pool", "cvae+pool@60", "cvae+pool+curated",
                       "cvae+pool+curated@60", "cvae+weighted", "cvae+weighted@60"}
    n_real = cells.loc["none"].n_train
    for method, n in [("cvae", 20), ("cvae@60", 60), ("cvae+pool+curated@60", 60)]:
        assert (cells.loc[method].n_generated == 2 * n).all()
    assert (cells.loc["cvae+pool"].n_unlabelled == 60).all()
    assert (cells.loc["cvae"].n_unlabelled == 0).all()
    weight = cells.loc["cvae+weighted@60"].synthetic_weight
    assert np.allclose(weight, np.minimum(1, n_real / 120))
    assert cells.loc["cvae"].synthetic_weight.isna().all()
    # one generator per (fold, labelled or pooled): cvae, @60, +weighted share one,
    # and the pooled ones another
    assert len(list((out / "generator_models").glob("*.pkl"))) == 2 * 2
    comparisons = pd.read_csv(out / "comparisons.csv")
    vs = comparisons.drop_duplicates(["method", "reference"]).set_index("method")
    assert vs[vs.reference.str.startswith("geometric")].reference.to_dict() == {
        "cvae": "geometric", "cvae@60": "geometric@60", "cvae+pool": "geometric",
        "cvae+pool@60": "geometric@60", "cvae+pool+curated": "geometric",
        "cvae+pool+curated@60": "geometric@60", "cvae+weighted": "geometric",
        "cvae+weighted@60": "geometric@60"}
    text = (out / "results.md").read_text()
    assert "**Semi-supervised scenario**" in text
    assert "### Paired difference vs Geometric (a control)" in text
    assert "| pneumoniamnist | cVAE + unlabelled pool + curated, 60/class |" in text


def test_a_pool_method_needs_unlabelled_images(root, tmp_path, capsys):
    with pytest.raises(SystemExit):
        cli.main(["medmnist-table", "--profile", "smoke", "--datasets", "pneumonia",
                  "--methods", "none,cvae+pool", "--root", str(root),
                  "--out", str(tmp_path / "out")])
    assert "use scenario='semi-supervised'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
    X, y = make_image_classification(40, image_size=12, random_state=0)
    with pytest.raises(ValueError, match="pass them as X_unlabelled"):
        evaluate_augmentation(X, y, "none,cvae+pool", profile="smoke")


def test_evaluation_gives_the_unlabelled_images_to_the_pool_methods_only():
    X, y = make_image_classification(40, image_size=12, random_state=0)
    X_pool, _ = make_image_classification(25, image_size=12, random_state=1)
    result = evaluate_augmentation(X, y, "none,cvae,cvae+pool", X_unlabelled=X_pool,
                                   profile="smoke", quality=False, n_jobs=1, threads=1)
    n = result.cells.groupby("method").n_unlabelled.max()
    assert n["cvae+pool"] == 25 and n["cvae"] == 0 and n["none"] == 0
    with pytest.raises(ValueError, match="X_unlabelled holds images of shape"):
        evaluate_augmentation(X, y, "none,cvae+pool", X_unlabelled=X_pool[:, :8],
                              profile="smoke")


def test_cells_sharing_a_generator_pay_for_its_training_once(root):
    profile = get_profile("smoke", scenario="semi-supervised")
    data = MedMNISTData("pneumoniamnist", str(root), profile)
    cell = _plan.Cell("pneumoniamnist", "cvae", 0, 0, "val", "")
    spec = _plan.MethodSpec("cvae")
    full = _plan.estimated_cost(cell, profile, data, spec)
    shared = _plan.estimated_cost(cell, profile, data, spec, with_generator=False)
    pooled = _plan.estimated_cost(cell, profile, data, _plan.MethodSpec("cvae+pool"))
    assert shared < full < pooled  # the pool makes the generator's training longer
    groups = {m: _plan.generator_group(cell, _plan.MethodSpec(m), profile)
              for m in ("cvae", "cvae@60", "cvae+curated", "cvae+pool", "geometric")}
    assert groups["cvae"] == groups["cvae@60"] == groups["cvae+curated"]
    assert groups["cvae+pool"] != groups["cvae"] and groups["geometric"] is None


def test_cells_curating_alike_share_one_curation(root, tmp_path, monkeypatch):
    """'+curated' and '+curated+weighted' of a fold curate the same images once; each
    cell's numbers are those of a run that curates for that method alone."""
    from skgenaug import CuratedSampler

    calls = []
    fit_resample = CuratedSampler.fit_resample

    def counted(self, X, y):
        calls.append(len(y))
        return fit_resample(self, X, y)

    monkeypatch.setattr(CuratedSampler, "fit_resample", counted)
    profile = get_profile("smoke", folds=2, scenario="semi-supervised",
                          unlabelled_max=30)

    def run(methods, out):
        return run_medmnist_table(profile, ["pneumoniamnist"], methods, ["val"], [0], out,
                                  root=str(root), execution=quiet()
                                  ).cells.set_index(["method", "fold"])

    shared = run(["cvae+pool+curated", "cvae+pool+curated+weighted"], tmp_path / "a")
    assert len(calls) == 2  # one curation per fold, not per cell
    assert len(list((tmp_path / "a" / "generator_models").glob("*.curated"))) == 2
    alone = run(["cvae+pool+curated+weighted"], tmp_path / "b")
    assert len(calls) == 4
    for column in ("auc", "acc", "balanced_acc", "n_generated"):
        pd.testing.assert_series_equal(
            shared.loc["cvae+pool+curated+weighted"][column],
            alone.loc["cvae+pool+curated+weighted"][column])
    fd = [cells.loc["cvae+pool+curated+weighted"]["quality"].map(
        lambda q: q["frechet_distance"]) for cells in (shared, alone)]
    pd.testing.assert_series_equal(*fd)
    assert (shared.loc["cvae+pool+curated+weighted"].synthetic_weight < 1).all()
