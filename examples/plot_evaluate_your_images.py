"""
Does augmentation help on my images?
====================================

You have a few hundred labelled images of your own, a folder per class, and one
question: does augmentation help my classifier, and which kind?
:func:`skgenaug.evaluate_augmentation` answers it. It cross-validates a ResNet-18 without
augmentation and with each method on the same folds, fits every sampler on the training
part of a fold only, never lets the test images choose the classifier's epoch, and compares
each method with no augmentation by paired differences over the folds.

Here the "own images" are a folder of PNG files written from PneumoniaMNIST (the paper's
subset of seed 0, thinned to 40 images per class) when the file is found (the folder
named by ``SKGENAUG_DATA_DIR``, else ``../shared/medmnist`` beside the repository), and
synthetic images from :func:`skgenaug.datasets.make_image_classification` otherwise.

.. note::

   Settings are reduced so that the script runs in about a minute on a CPU: 80 images,
   3 folds, 40 generated images per class. On your data keep the profile's 5 folds, or
   run the paper's profile on a GPU, from Python or from the command line::

       skgenaug evaluate my_images/ --methods none,geometric,cvae --out results/
"""

# %%
# A folder of images, one subfolder per class
# -------------------------------------------
# The layout of torchvision's ``ImageFolder``: ``<folder>/<class>/<image>.png``.
import os
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

from skgenaug import AddPerClass, evaluate_augmentation
from skgenaug.datasets import load_images, load_paper_subset, make_image_classification


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


root = find_medmnist("pneumoniamnist")
if root is not None:
    subset = load_paper_subset("pneumonia", root=root, n_per_class=40, random_state=0)
    X, y, names = subset.X_train, subset.y_train, ["normal", "pneumonia"]
    source = "PneumoniaMNIST"
else:
    X, y = make_image_classification(80, n_classes=2, noise=0.3, random_state=0)
    names, source = ["disc", "bars"], "synthetic images"

folder = Path(tempfile.mkdtemp()) / "my_images"
for i, (image, label) in enumerate(zip(X, y)):
    (folder / names[label]).mkdir(parents=True, exist_ok=True)
    Image.fromarray(image).save(folder / names[label] / f"image_{i:03d}.png")
print(f"{source}: wrote {len(y)} PNG files to {folder}")

# %%
# Reading it back
# ---------------
# :func:`~skgenaug.datasets.load_images` reads the folder (or an ``.npz`` file): class
# names from the folder names, and a manifest of which file became which row. Pass
# ``size=64`` to resize images of other sizes, ``color='gray'`` or ``'rgb'`` to
# convert a folder that mixes both.
data = load_images(folder)
print(data.data.shape, data.data.dtype, data.target_names)
print(data.manifest.head(3).to_string(index=False))

# %%
# The evaluation
# --------------
# Three methods: no augmentation, geometric transforms of real images, and a conditional
# VAE, with the ``quick`` profile's settings (a ResNet-18 at width 16 trained 40 epochs
# with on-the-fly augmentation; a small cVAE), each sampler adding 40 images per class
# (the profile adds 150, the paper's number, which would outnumber these 27 training
# images per class five times). Methods can also be sampler instances of your own, such
# as ``{"none": None, "mine": CVAESampler(...)}``. Without a test set, each held-out
# fold is the test set and 20% of each training part validates the classifier. A
# ``results_dir`` would store every finished cell there, so that an interrupted run
# resumes, and write the report.
result = evaluate_augmentation(
    data.data, np.array(data.target_names)[data.target], "none,geometric,cvae",
    profile="quick", cv=3, sampling_strategy=AddPerClass(40), random_state=0,
    n_jobs=1, threads=1,  # tiny cells; on your data leave both out: a cell per CPU
)
print(result.summary[["method", "n", "auc_mean", "auc_std", "acc_mean", "acc_std"]]
      .round(3).to_string(index=False))

# %%
# Does it help?
# -------------
# Each method minus no augmentation, paired by fold, with the Nadeau-Bengio corrected
# 95% interval (folds share training images, so the plain paired t-test is too
# confident). Three folds are far too few to show anything: read the intervals, not the
# means.
comparisons = result.comparisons[result.comparisons.metric == "auc"]
print(comparisons[["method", "reference", "mean_diff", "ci_low", "ci_high", "verdict"]]
      .round(3).to_string(index=False))

# %%
# The scores
# ----------
# :meth:`~skgenaug.AugmentationEvaluation.plot` draws the mean and the standard
# deviation over folds with :func:`skgenaug.plotting.plot_scores`;
# :meth:`~skgenaug.AugmentationEvaluation.save` writes the whole report (results.md,
# the tables as CSV, config.json, this figure, sample grids).
fig = result.plot(["auc", "acc", "balanced_acc"])
