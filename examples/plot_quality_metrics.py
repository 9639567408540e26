"""
================================================
Quality, privacy and utility of generated images
================================================

How good are the images a generative sampler adds? This example fits a small
conditional VAE on synthetic images and judges its output four ways:

- **fidelity and diversity**: Fréchet distance and precision / recall / density /
  coverage (Naeem et al., 2020) on features of a classifier of real images;
- **memorisation**: are generated images closer to training images than new real
  images are (near copies)?
- **utility**: train on generated images and test on real ones (TSTR), and the reverse;
- all of it at once with :func:`skgenaug.metrics.quality_report`.

A "sampler" that returns training images plus a little noise serves as the
memorising extreme, and held-out real images as the ideal generator.

Runs on a CPU in under a minute. Set ``SKGENAUG_SAVE_FIGURES=<folder>`` to write the
figures there as PNG files.
"""

# %%
# Data and a generative sampler
# -----------------------------
# Three classes of 28x28 gray images (disc, horizontal bars, vertical bars), 100 per
# class for training and 50 per class held out. The held-out images are never shown to
# the sampler: they are the "new real images" every metric compares against.
import os
from pathlib import Path

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression

from skgenaug import CVAESampler, ResNetClassifier
from skgenaug.datasets import make_image_classification
from skgenaug.metrics import (
    extract_features,
    frechet_distance,
    memorization_report,
    precision_recall_density_coverage,
    quality_report,
    train_real_test_synthetic,
    train_synthetic_test_real,
)
from skgenaug.plotting import (
    plot_memorization,
    plot_nearest_training_images,
    plot_sample_grid,
    plot_training_curves,
)

torch.set_num_threads(1)  # tiny networks: more threads mostly add overhead
SAVE_TO = os.environ.get("SKGENAUG_SAVE_FIGURES")


def show(fig, name):
    """Save the figure when SKGENAUG_SAVE_FIGURES is set; return it for display."""
    if SAVE_TO:
        Path(SAVE_TO).mkdir(parents=True, exist_ok=True)
        fig.savefig(Path(SAVE_TO) / f"quality_{name}.png", dpi=80)
    return fig


CLASS_NAMES = ["disc", "horizontal bars", "vertical bars"]
X_train, y_train = make_image_classification(300, n_classes=3, random_state=0)
X_holdout, y_holdout = make_image_classification(150, n_classes=3, random_state=1)

sampler = CVAESampler(hidden_layer_sizes=(256, 128), latent_dim=8, max_epochs=200,
                      random_state=0).fit(X_train, y_train)
show(plot_training_curves(sampler, title="cVAE training"), "cvae_training")

# %%
# Generated images beside real ones
# ---------------------------------
# ``generate`` draws images for any labels; here as many per class as there are
# training images, so that the sets compared below have equal sizes.
y_gen = y_train.copy()
X_gen = sampler.generate(y_gen, random_state=0)
show(plot_sample_grid(X_train, y_train, X_gen, y_gen, n_per_class=8,
                      class_names=CLASS_NAMES, title="cVAE: real and generated"),
     "sample_grid")

# %%
# The memorising extreme: training images plus a little pixel noise.
rng = np.random.default_rng(0)
rows = rng.integers(len(X_train), size=len(X_train))
noise = rng.integers(-3, 4, size=X_train.shape)
X_copies = np.clip(X_train[rows] + noise, 0, 255).astype(np.uint8)
y_copies = y_train[rows]

# %%
# Features of a classifier of real images
# ---------------------------------------
# No ImageNet weights are used: the embedding is the penultimate layer of a small
# ResNet-18 trained on the real training images only. Its features are only as good
# as that classifier; use the same fitted classifier for every set you compare.
feature_clf = ResNetClassifier(width=8, max_epochs=10, batch_size=64, optimizer="adam",
                               selection=None, validation_fraction=0, random_state=0)
feature_clf.fit(X_train, y_train)
F_train = extract_features(feature_clf, X_train)
sets = {
    "held-out real": (X_holdout, y_holdout),
    "cVAE": (X_gen, y_gen),
    "noisy copies": (X_copies, y_copies),
}
features = {name: extract_features(feature_clf, X) for name, (X, _) in sets.items()}
print("features:", F_train.shape)

# %%
# Fidelity and diversity
# ----------------------
# Each set against the training features. Held-out real images show what an ideal
# generator scores (their Fréchet distance is a bit inflated: 150 instead of 300
# samples). Copies score like real images here: these metrics cannot see memorisation.
# The cVAE's smooth images lie off the real images in this embedding (low precision,
# density and coverage), although a classifier trained on them does well on real
# images (TSTR, below): read fidelity together with utility.
print(f"{'set':<14} {'FD':>7} {'prec.':>6} {'recall':>6} {'dens.':>6} {'cover.':>6}")
for name, F in features.items():
    prdc = precision_recall_density_coverage(F_train, F, n_neighbors=5)
    print(f"{name:<14} {frechet_distance(F_train, F):7.2f} {prdc['precision']:6.3f} "
          f"{prdc['recall']:6.3f} {prdc['density']:6.3f} {prdc['coverage']:6.3f}")

# %%
# Memorisation
# ------------
# Distances from each generated image to its nearest training image (pixels scaled to
# [0, 1]), against the same distances of held-out real images. Near copies sit left of
# the 5% quantile of the held-out distances: about 5% of held-out images by
# construction, all of the noisy copies.
for name in ("cVAE", "noisy copies"):
    report = memorization_report(X_train, sets[name][0], X_holdout, quantile=0.05)
    print(f"{name:<13} pixels:   near-copy share {report.near_copy_share:.3f} "
          f"(held-out {report.holdout_near_copy_share:.3f}), "
          f"median distance ratio {report.median_distance_ratio:.2f}")
    key = name.split()[-1].lower()
    show(plot_memorization(report, title=f"{name}: nearest training image"),
         f"memorization_{key}")
show(plot_nearest_training_images(report, X_train, X_copies, n=8,
                                  title="noisy copies: closest generated images"),
     "nearest_copies")

# %%
# The cVAE's share is above 5% too, yet it copies nothing: pixel distances favour
# smooth images. A denoised image is closer to a noisy training image than another
# noisy real image is, since only one image's noise enters the distance. The same
# report on the classifier's features does not show it (but would miss copies that
# differ only in details the classifier ignores): read both, and look at the pairs.
for name in ("cVAE", "noisy copies"):
    report = memorization_report(F_train, features[name], features["held-out real"])
    print(f"{name:<13} features: near-copy share {report.near_copy_share:.3f} "
          f"(held-out {report.holdout_near_copy_share:.3f})")

# %%
# Utility
# -------
# TSTR: a fresh classifier with the same settings, trained on the generated images
# only, tested on the held-out real images. TRTS: the classifier of real images tested
# on the generated images (are they recognised as their class?).
for name in ("cVAE", "noisy copies"):
    X, y = sets[name]
    tstr = train_synthetic_test_real(feature_clf, X, y, X_holdout, y_holdout)
    print(f"{name:<13} TSTR acc {tstr['accuracy']:.3f} AUC {tstr['auc']:.3f} | "
          f"TRTS acc {feature_clf.score(X, y):.3f}")
print(f"{'real':<13} TRTR acc {feature_clf.score(X_holdout, y_holdout):.3f}")

# %%
# :func:`~skgenaug.metrics.train_real_test_synthetic` does the TRTS fit itself, with a
# clone of any classifier; a linear model on raw pixels is cheap:
trts = train_real_test_synthetic(LogisticRegression(max_iter=500),
                                 X_train.reshape(len(X_train), -1) / 255, y_train,
                                 X_gen.reshape(len(X_gen), -1) / 255, y_gen)
print("TRTS, logistic regression on pixels:", {k: round(v, 3) for k, v in trts.items()})

# %%
# Everything at once
# ------------------
# :func:`~skgenaug.metrics.quality_report` draws the images, embeds them with the given
# (or its own) classifier and returns plain numbers, ready for a results table.
report = quality_report(sampler, X_train, y_train, X_holdout, y_holdout,
                        feature_estimator=feature_clf, random_state=0)
for key in ("frechet_distance", "reference_frechet_distance", "precision", "recall",
            "coverage", "pixel_near_copy_share", "feature_near_copy_share",
            "tstr_accuracy", "trtr_accuracy"):
    print(f"{key:<27} {report[key]:.3f}")
