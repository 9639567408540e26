"""
Real and generated images, class by class
=========================================

Before trusting a score, look at the images. Each sampler is fitted on the same
training images, draws eight new images per class, and
:func:`skgenaug.plotting.plot_sample_grid` shows them beside real images of the same
class, one row per class.

The script uses the real BreastMNIST training images when it finds them (the folder
named by ``SKGENAUG_DATA_DIR``, else ``../shared/medmnist`` beside the repository) and
synthetic images from :func:`skgenaug.datasets.make_image_classification` otherwise.

.. note::

   Settings are reduced for speed (small networks; 30 epochs for the autoencoder and the
   cVAE instead of 300, 60 for the cGAN instead of 1000), so that the script runs in
   seconds on a CPU. Generated images are correspondingly rough: a GAN in particular
   needs far more training than this.
"""

# %%
# Training images
# ---------------
import os
from pathlib import Path

import numpy as np

from skgenaug import AESampler, CGANSampler, CVAESampler
from skgenaug.datasets import load_medmnist, make_image_classification
from skgenaug.plotting import plot_sample_grid, plot_training_curves


def find_medmnist(flag):
    """Folder holding ``<flag>.npz``: $SKGENAUG_DATA_DIR, else ../shared/medmnist."""
    try:
        here = Path(__file__).resolve().parent
    except NameError:  # sphinx-gallery and notebooks: run from the examples folder
        here = Path.cwd()
    candidates = [os.environ.get("SKGENAUG_DATA_DIR")] + [
        repository.parent / "shared" / "medmnist" for repository in (here.parent, here)
    ]
    for folder in candidates:
        if folder and (Path(folder) / f"{flag}.npz").is_file():
            return Path(folder)
    return None


root = find_medmnist("breastmnist")
if root is not None:
    X, y = load_medmnist("breastmnist", "train", root=root)
    class_names = {0: "malignant", 1: "normal, benign"}
    source = "BreastMNIST"
else:
    X, y = make_image_classification(240, n_classes=3, random_state=0)
    class_names = {0: "disc", 1: "horizontal bars", 2: "vertical bars"}
    source = "synthetic images"
print(f"{source}: {X.shape} {X.dtype}, class counts {np.bincount(y)}")

# %%
# Three samplers
# --------------
# ``fit`` trains the generator only; ``generate`` then draws images for any labels,
# with a seed of its own. Generated images come back in the layout and dtype of the
# training images (here ``uint8``).
samplers = {
    "autoencoder": AESampler(hidden_layer_sizes=(256, 128, 64), latent_dim=16,
                             max_epochs=30, random_state=0),
    "conditional VAE": CVAESampler(hidden_layer_sizes=(256, 128), latent_dim=16,
                                   max_epochs=30, random_state=0),
    "conditional GAN": CGANSampler(hidden_layer_sizes=(128, 256), latent_dim=32,
                                   max_epochs=60, lr=5e-4, random_state=0),
}
labels = np.repeat(np.unique(y), 8)  # eight images of every class
generated = {}
for name, sampler in samplers.items():
    sampler.fit(X, y)
    generated[name] = sampler.generate(labels, random_state=0)
    print(f"{name}: generated {generated[name].shape} {generated[name].dtype}")

# %%
# Autoencoder
# -----------
# Each new image decodes a perturbed, interpolated code of a real image of the class:
# close to real images, sometimes too close (see
# :func:`skgenaug.metrics.memorization_report`).
#
# The plotting functions return a :class:`matplotlib.figure.Figure`; in a script, save it
# with ``fig.savefig("grid.png")``.
fig_ae = plot_sample_grid(X, y, generated["autoencoder"], labels,
                          class_names=class_names, title=f"{source}: autoencoder",
                          random_state=0)

# %%
# Conditional VAE
# ---------------
# New draws from the prior, decoded with the class: smooth, averaged-looking images.
fig_cvae = plot_sample_grid(X, y, generated["conditional VAE"], labels,
                            class_names=class_names,
                            title=f"{source}: conditional VAE", random_state=0)

# %%
# Conditional GAN
# ---------------
# After so few epochs the generator has learned rough shapes at best.
fig_cgan = plot_sample_grid(X, y, generated["conditional GAN"], labels,
                            class_names=class_names,
                            title=f"{source}: conditional GAN", random_state=0)

# %%
# Training curves
# ---------------
# A GAN's losses do not fall steadily: the generator's and the discriminator's losses
# pull against each other, which is why the images matter more than the curves.
fig_curves = plot_training_curves(samplers["conditional GAN"],
                                  title="conditional GAN training")
