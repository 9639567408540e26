"""
A long-tailed data set
======================

Real medical data sets are rarely balanced: a few common findings and a tail of rare
ones. Here four classes hold 150, 60, 30 and 15 training images.
``sampling_strategy='auto'`` fills every class up to the largest, so the rarest class
gets about nine generated images for each real one. It is compared with no
augmentation, with random over-sampling (repeating real images) and with a fixed number
of generated images per class, by **balanced accuracy** and per-class recall on a
balanced test set: plain accuracy would reward predicting the common class.

.. note::

   Settings are reduced for speed (16x16 synthetic images, tiny networks, a few
   epochs), so that the script runs in seconds on a CPU. With real data, for instance
   DermaMNIST (seven classes, the largest over 50 times the smallest), load it with
   :func:`skgenaug.datasets.load_medmnist` instead.
"""

# %%
# An imbalanced training set, a balanced test set
# -----------------------------------------------
# The images are flattened to rows of 256 pixels: imbalanced-learn's
# ``RandomOverSampler`` takes 2-D data only, while skgenaug's estimators take either
# layout (a 256-pixel row is read as a 16x16 image).
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from imblearn.over_sampling import RandomOverSampler
from sklearn.base import clone
from sklearn.metrics import balanced_accuracy_score, recall_score

from skgenaug import AddPerClass, AugmentedClassifier, CVAESampler, ResNetClassifier
from skgenaug.datasets import make_image_classification

counts = np.array([150, 60, 30, 15])
X_train, y_train = make_image_classification(
    counts.sum(), n_classes=4, weights=counts / counts.sum(), image_size=16, noise=0.5,
    random_state=0,
)
X_test, y_test = make_image_classification(
    200, n_classes=4, image_size=16, noise=0.5, random_state=1
)
X_train, X_test = X_train.reshape(len(X_train), -1), X_test.reshape(len(X_test), -1)
print("training images per class:", np.bincount(y_train))
print("test images per class:    ", np.bincount(y_test))

# %%
# Four ways to train
# ------------------
# :class:`~skgenaug.AugmentedClassifier` holds out 15% of the *real* images of every
# class for validation before resampling (two images of the rarest class), so the
# classifier selects its epoch on real images only.
cvae = dict(hidden_layer_sizes=(128,), latent_dim=8, max_epochs=100, random_state=0)
methods = {
    "no augmentation": None,
    "random over-sampling, 'auto'": RandomOverSampler(random_state=0),
    "cVAE, 'auto'": CVAESampler(sampling_strategy="auto", **cvae),
    "cVAE, AddPerClass(30)": CVAESampler(sampling_strategy=AddPerClass(30), **cvae),
}
classifier = ResNetClassifier(width=4, max_epochs=6, batch_size=32, optimizer="adam",
                              lr=1e-2, random_state=0)

rows, recalls = [], {}
for name, sampler in methods.items():
    if sampler is None:
        # On real data alone the classifier's own stratified hold-out is real.
        model = clone(classifier).set_params(validation_fraction=0.15)
        model.fit(X_train, y_train)
        added = 0
    else:
        model = AugmentedClassifier(sampler, classifier, validation_fraction=0.15,
                                    random_state=0).fit(X_train, y_train)
        added = sum(model.sampler_.sampling_strategy_.values())
    y_pred = model.predict(X_test)
    rows.append({
        "method": name,
        "images added": added,
        "accuracy": np.mean(y_pred == y_test),
        "balanced accuracy": balanced_accuracy_score(y_test, y_pred),
    })
    recalls[name] = recall_score(y_test, y_pred, average=None)

# %%
# Scores
# ------
# On a balanced test set accuracy and balanced accuracy coincide; on an imbalanced one
# (such as most official test splits), only balanced accuracy weighs every class
# equally.
print(pd.DataFrame(rows).round(3).to_string(index=False))

# %%
# Recall per class shows where the methods differ: on the rare classes. A single run
# on toy data shows the mechanics only; compare methods over repeated folds (see
# :ref:`sphx_glr_auto_examples_plot_compare_samplers.py`).
fig, ax = plt.subplots(figsize=(7.5, 3))
width = 0.8 / len(recalls)
for i, (name, recall) in enumerate(recalls.items()):
    ax.bar(np.arange(len(counts)) - 0.4 + (i + 0.5) * width, recall, width, label=name)
ax.set_xticks(np.arange(len(counts)), [f"class {c}\n({n} real)" for c, n in
                                       enumerate(counts)])
ax.set_ylabel("test recall")
ax.set_ylim(0, 1.05)
ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
fig.tight_layout()
plt.show()
