"""
Generated images as files, with their provenance
================================================

A generator that helps is worth keeping the images of: to train your own pipeline on
them, to look at them, to share them. :func:`skgenaug.datasets.generate_image_folder`
(the command ``skgenaug generate SRC OUT --method M --n-per-class N``) fits one
method's sampler on every image of a labelled folder and writes the images it makes
as a folder of class subfolders, with ``manifest.csv`` (provenance and, for each
image, its nearest source image and a near-copy flag), ``settings.json``,
``samples.png`` and a ``README.md``.

The images here are synthetic (:func:`skgenaug.datasets.make_image_classification`)
and the ``smoke`` profile trains a tiny cVAE for 2 epochs, so that the script runs in
seconds: its images are noise. Use ``quick`` or ``paper`` for images worth keeping.
"""

# %%
# A labelled folder
# -----------------
# :func:`~skgenaug.datasets.save_image_folder` writes any labelled arrays as
# ``<folder>/<class>/<id>.png`` (8-bit here; ``uint16`` arrays give 16-bit files).
import tempfile
from pathlib import Path

import numpy as np

from skgenaug.datasets import (
    generate_image_folder,
    load_images,
    make_image_classification,
    save_image_folder,
)

work = Path(tempfile.mkdtemp())
X, y = make_image_classification(24, n_classes=2, image_size=16, random_state=0)
save_image_folder(X, y, work / "real", class_names=["disc", "bars"])

# %%
# Fit and write
# -------------
# Any method spec the evaluation accepts works (``'diffusion+curated'``,
# ``'cvae+pool'`` with ``unlabelled=``...). The output folder is written beside
# itself and renamed into place at the end, so an interrupted run leaves nothing
# half-written.
result = generate_image_folder(work / "real", work / "generated", "cvae", 6,
                               profile="smoke", random_state=0, verbose=0)
print(sorted(p.name for p in (work / "generated").iterdir()))
print(result.manifest[["file", "class", "nearest_source_file",
                       "nearest_source_distance", "near_copy"]].head(4)
      .to_string(index=False))

# %%
# Read them back
# --------------
# The folder is a labelled data set like any other (the provenance files beside the
# class folders are skipped). Never test a classifier on images the generator saw.
data = load_images(work / "generated")
print(data.target_names, np.bincount(data.target))

# %%
# The figure the folder holds: real images on the left, generated ones on the right.
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(8, 2))
ax.imshow(plt.imread(work / "generated" / "samples.png"))
ax.set_axis_off()

# %%
# Do these images help?
# ---------------------
# Images made elsewhere (by this library or any other generator) enter the
# evaluation as ``synthetic=`` (the command's ``--synthetic DIR``): a method that
# draws, per fold, as many images per class as the other methods add, compared with
# no augmentation and with ROS (copies of real images, as many; 3 per class here, as
# the folder holds 6 per class). Here the generator
# saw every real image, so the report warns that a leak cannot be ruled out: evaluate
# outside images only on data their generator never saw.
from skgenaug import AddPerClass, evaluate_augmentation

real = load_images(work / "real")
names = np.asarray(real.target_names)
evaluation = evaluate_augmentation(
    real.data, names[real.target], "none,ros",
    synthetic={"generated": (data.data, np.asarray(data.target_names)[data.target])},
    sampling_strategy=AddPerClass(3), profile="smoke", cv=2, quality=False, n_jobs=1,
    random_state=0)
print(evaluation.comparisons[["method", "reference", "metric", "mean_diff",
                              "verdict"]].head(6).to_string(index=False))
