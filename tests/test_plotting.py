"""Figures of skgenaug.plotting: structure, formats, errors, no pyplot state."""

import numpy as np
import pytest
import torch

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.container import BarContainer  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from skgenaug import CGANSampler, CVAESampler, ResNetClassifier  # noqa: E402
from skgenaug._methods import METHODS as ALL_METHODS  # noqa: E402
from skgenaug.datasets import make_image_classification  # noqa: E402
from skgenaug.metrics import memorization_report  # noqa: E402
from skgenaug.plotting import (  # noqa: E402
    method_colors,
    plot_memorization,
    plot_nearest_training_images,
    plot_sample_grid,
    plot_scores,
    plot_training_curves,
)


@pytest.fixture(autouse=True)
def one_thread_no_pyplot_leak():
    """One torch thread on the shared machine; no figure left registered in pyplot."""
    before_threads, before_figs = torch.get_num_threads(), plt.get_fignums()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before_threads)
    assert plt.get_fignums() == before_figs


def saves_png(fig, path):
    assert isinstance(fig, Figure)
    fig.savefig(path, dpi=40)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def gray():
    return make_image_classification(60, n_classes=3, image_size=12, random_state=0)


# --------------------------------------------------------------------------- sample grid


def test_sample_grid_gray_uint8(gray, tmp_path):
    X, y = gray
    fig = plot_sample_grid(X[:30], y[:30], X[30:], y[30:], n_per_class=4,
                           class_names=["disc", "bars", "stripes"], title="grid")
    real, fake = fig.axes
    assert (real.get_title(), fake.get_title()) == ("real", "generated")
    assert len(real.images) == len(fake.images) == 3 * 4
    assert [t.get_text() for t in real.get_yticklabels()] == ["disc", "bars", "stripes"]
    assert real.images[0].get_cmap().name == "gray"
    assert real.images[0].get_clim() == (0.0, 255.0)
    assert fig.get_suptitle() == "grid"
    saves_png(fig, tmp_path / "grid.png")


def test_sample_grid_rgb_float_flat_and_small_classes(tmp_path):
    X, y = make_image_classification(20, n_classes=2, image_size=10, n_channels=3,
                                     dtype="float32", random_state=0)
    gen = X[:3]  # class counts below n_per_class
    fig = plot_sample_grid(X, y, gen, y[:3], n_per_class=5, class_names={0: "a"},
                           random_state=0)
    real, fake = fig.axes
    assert len(real.images) == 10 and len(fake.images) == 3
    assert real.images[0].get_array().shape == (10, 10, 3)
    assert [t.get_text() for t in real.get_yticklabels()] == ["a", "1"]
    # Flat rows of square images are reshaped (gray 12x12 here).
    flat = make_image_classification(8, image_size=12, random_state=0)[0].reshape(8, -1)
    fig = plot_sample_grid(flat, np.zeros(8), flat, np.ones(8), n_per_class=2)
    assert len(fig.axes[0].images) == 2 and fig.axes[0].images[0].get_array().shape == (
        12, 12)
    saves_png(fig, tmp_path / "flat.png")


def test_sample_grid_errors(gray):
    X, y = gray
    with pytest.raises(ValueError, match="different shapes"):
        plot_sample_grid(X, y, X[:, :8, :8], y)
    with pytest.raises(ValueError, match="labels"):
        plot_sample_grid(X, y[:5], X, y)
    with pytest.raises(ValueError, match="n_per_class"):
        plot_sample_grid(X, y, X, y, n_per_class=0)
    with pytest.raises(ValueError, match="class_names"):
        plot_sample_grid(X, np.array(["a", "b", "c"])[y], X, np.array(["a", "b", "c"])[y],
                         class_names=["x", "y"])
    with pytest.raises(ValueError, match="NaN"):
        plot_sample_grid(np.full((2, 4, 4), np.nan), [0, 1], np.zeros((2, 4, 4)), [0, 1])


def test_nearest_training_images(gray, tmp_path):
    X, _ = gray
    report = memorization_report(X[:40], X[:6], X[40:], n_worst=6)
    fig = plot_nearest_training_images(report, X[:40], X[:6], n=4, title="copies")
    ax = fig.axes[0]
    assert len(ax.images) == 8 and ax.get_title() == "copies"
    assert all(t.get_text().endswith("*") for t in ax.get_xticklabels())  # exact copies
    saves_png(fig, tmp_path / "nearest.png")
    with pytest.raises(ValueError, match="indices"):
        plot_nearest_training_images(report, X[:2], X[:6])


# --------------------------------------------------------------------------- curves


def test_training_curves_of_samplers_and_classifier(gray, tmp_path):
    X, y = gray
    cvae = CVAESampler(hidden_layer_sizes=(16,), latent_dim=2, max_epochs=3,
                       random_state=0).fit(X, y)
    fig = plot_training_curves(cvae)
    assert len(fig.axes) == 1 and fig.axes[0].get_ylabel() == "loss"
    assert [line.get_label() for line in fig.axes[0].lines] == ["train_loss"]
    assert len(fig.axes[0].lines[0].get_xdata()) == 3

    cgan = CGANSampler(hidden_layer_sizes=(16,), latent_dim=2, max_epochs=2,
                       random_state=0).fit(X, y)
    labels = [line.get_label() for line in plot_training_curves(cgan).axes[0].lines]
    assert labels == ["train_loss", "discriminator_loss"]

    clf = ResNetClassifier(width=2, max_epochs=2, batch_size=32, random_state=0).fit(X, y)
    fig = plot_training_curves(clf, title="ResNet")
    loss, score = fig.axes
    assert [line.get_label() for line in loss.lines][:2] == ["train_loss", "valid_loss"]
    assert [line.get_label() for line in score.lines][:2] == ["valid_acc", "valid_auc"]
    assert score.lines[-1].get_label().startswith("kept epoch")
    assert fig.get_suptitle() == "ResNet"
    saves_png(fig, tmp_path / "curves.png")
    # A skorch net, and chosen keys.
    fig = plot_training_curves(clf.net_, keys="valid_acc")
    assert len(fig.axes) == 1 and fig.axes[0].get_ylabel() == "score"


def test_training_curves_history_list_and_errors():
    history = [{"epoch": 1, "train_loss": 1.0, "dur": 0.1, "train_loss_best": True},
               {"epoch": 2, "train_loss": 0.5, "dur": 0.1, "train_loss_best": True}]
    fig = plot_training_curves(history)
    np.testing.assert_array_equal(fig.axes[0].lines[0].get_ydata(), [1.0, 0.5])
    with pytest.raises(ValueError, match="not in the history"):
        plot_training_curves(history, keys=["valid_acc"])
    with pytest.raises(ValueError, match="no training history"):
        plot_training_curves(CVAESampler())
    with pytest.raises(ValueError, match="no training history"):
        plot_training_curves(ResNetClassifier())
    with pytest.raises(ValueError, match="empty"):
        plot_training_curves([])


# --------------------------------------------------------------------------- memorisation


def test_memorization_plot(tmp_path):
    rng = np.random.default_rng(0)
    train = rng.normal(size=(200, 5))
    report = memorization_report(train, train[:50] + 0.01, rng.normal(size=(100, 5)))
    fig = plot_memorization(report, bins=20)
    ax = fig.axes[0]
    assert len(ax.patches) == 2 * 20  # two histograms
    assert ax.lines[0].get_xdata()[0] == pytest.approx(report.threshold)
    assert "generated 100.0%" in ax.get_title()
    assert ax.get_xlabel().endswith("(features)")
    saves_png(fig, tmp_path / "memo.png")
    with pytest.raises(ValueError, match="memorization_report"):
        plot_memorization({"threshold": 1.0})


# --------------------------------------------------------------------------- scores


def test_scores_long_format(tmp_path):
    pd = pytest.importorskip("pandas")
    table = pd.DataFrame({
        "dataset": ["breastmnist"] * 4 + ["pneumoniamnist"] * 4,
        "method": ["none", "none", "cvae", "cvae"] * 2,
        "value": [0.8, 0.84, 0.86, 0.9, 0.9, 0.92, 0.93, 0.95],
    })
    fig = plot_scores(table, metric="auc", title="AUC")
    ax = fig.axes[0]
    assert len(ax.patches) == 4  # 2 data sets x 2 methods
    heights = sorted(round(p.get_height(), 3) for p in ax.patches)
    assert heights == [0.82, 0.88, 0.91, 0.94]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["breast", "pneumonia"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["None", "cVAE"]
    assert ax.get_ylabel() == "AUC" and ax.get_title() == "AUC"
    bars = [c for c in ax.containers if isinstance(c, BarContainer)]
    assert len(bars) == 2 and all(c.errorbar is not None for c in bars)
    saves_png(fig, tmp_path / "scores.png")
    # With a metric column, rows of other metrics are ignored.
    both = pd.concat([table.assign(metric="auc"), table.assign(metric="acc", value=0.5)])
    assert len(plot_scores(both, metric="acc").axes[0].patches) == 4


def test_scores_benchmark_summary_and_cells():
    pd = pytest.importorskip("pandas")
    summary = pd.DataFrame({
        "selection": ["val", "val", "test-best", "test-best"],
        "dataset": ["breastmnist"] * 4,
        "method": ["none", "cgan", "none", "cgan"],
        "n": [5] * 4,
        "auc_mean": [0.85, 0.83, 0.88, 0.86], "auc_std": [0.02, 0.03, 0.02, 0.01],
        "paper_auc": [0.90, 0.87, 0.90, 0.87],
    })
    with pytest.raises(ValueError, match="selection"):
        plot_scores(summary)
    fig = plot_scores(summary, selection="val")
    ax = fig.axes[0]
    assert [round(p.get_height(), 3) for p in ax.patches] == [0.85, 0.83]
    paper = [line for line in ax.lines if line.get_label() == "paper"]
    assert len(paper) == 1
    assert "paper" in [t.get_text() for t in ax.get_legend().get_texts()]
    no_paper = plot_scores(summary, selection="val", show_paper=False).axes[0]
    assert "paper" not in [line.get_label() for line in no_paper.lines]
    with pytest.raises(ValueError, match="selection='x'"):
        plot_scores(summary, selection="x")

    cells = pd.DataFrame({"dataset": ["d"] * 4, "method": ["none", "none", "ae", "ae"],
                          "fold": [0, 1, 0, 1], "acc": [0.5, 0.7, 0.6, 0.6]})
    ax = plot_scores(cells, metric="acc").axes[0]
    assert [round(p.get_height(), 3) for p in ax.patches] == [0.6, 0.6]
    with pytest.raises(ValueError, match="no column 'auc'"):
        plot_scores(cells, metric="auc")
    with pytest.raises(ValueError, match="'dataset'"):
        plot_scores(pd.DataFrame({"method": ["a"], "value": [1.0]}))


def test_method_colors_stay_distinct_beyond_twenty_methods():
    # the quick semi-supervised run drew None and its 21st method in one colour
    from skgenaug._methods import METHOD_NAMES
    from skgenaug.plotting import method_colors

    variants = ["geometric@450", "diffusion@450", "diffusion+pool", "diffusion+pool@450",
                "diffusion+pool+curated", "diffusion+pool+curated@450",
                "diffusion+pool+curated+weighted@450", "my sampler"]
    methods = [*METHOD_NAMES, *variants]
    colors = method_colors(methods)
    assert len(set(colors.values())) == len(methods)
    # a registered method keeps its colour whichever others a figure shows
    assert method_colors(["none", *variants])["none"] == colors["none"]
    small = method_colors(["none", "geometric", *variants])
    assert len(set(small.values())) == len(small)


def test_every_method_has_its_own_color_in_the_scores_figure():
    colors = method_colors(list(ALL_METHODS))
    assert set(colors) == set(ALL_METHODS)
    assert len(set(colors.values())) == len(ALL_METHODS)
