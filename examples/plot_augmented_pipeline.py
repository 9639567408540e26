"""
An augmented pipeline on BreastMNIST
====================================

A conditional VAE adds generated images to the training data of a ResNet-18, inside an
imbalanced-learn :class:`~imblearn.pipeline.Pipeline`, and the result is compared with
the same classifier trained on real images only.

The script uses the real BreastMNIST files when it finds them (the folder named by
``SKGENAUG_DATA_DIR``, else ``../shared/medmnist`` beside the repository) and synthetic
images from :func:`skgenaug.datasets.make_image_classification` otherwise.

.. note::

   Settings are reduced for speed (a ResNet-18 of width 8 instead of 64, 5 epochs of Adam
   instead of 100 of SGD, a small cVAE trained for 30 epochs instead of 300), so that the
   script runs in seconds on a CPU. The scores show how to use the tools, not what the
   methods can do.
"""

# %%
# Data: real images when present, synthetic ones otherwise
# --------------------------------------------------------
# MedMNIST ships official train, validation and test splits as ``uint8`` arrays of shape
# ``(n, 28, 28)``: exactly what every skgenaug estimator takes.
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from imblearn.pipeline import Pipeline
from sklearn.metrics import balanced_accuracy_score, roc_auc_score
from sklearn.model_selection import train_test_split

from skgenaug import AddPerClass, CVAESampler, ResNetClassifier
from skgenaug.datasets import load_medmnist, make_image_classification


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
    X_train, y_train = load_medmnist("breastmnist", "train", root=root)
    X_val, y_val = load_medmnist("breastmnist", "val", root=root)
    X_test, y_test = load_medmnist("breastmnist", "test", root=root)
    source = "BreastMNIST"
else:
    X, y = make_image_classification(
        400, n_classes=2, weights=[0.3], noise=0.35, random_state=0
    )
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, stratify=y, random_state=0
    )
    X_train, X_val, y_train, y_val = train_test_split(
        X_train, y_train, test_size=0.15, stratify=y_train, random_state=0
    )
    source = "synthetic images"

print(f"{source}: train {X_train.shape} {X_train.dtype}, val {len(y_val)}, "
      f"test {len(y_test)}; training class counts {np.bincount(y_train)}")

# %%
# The pipeline
# ------------
# The sampler adds 150 generated images to every class of the training data
# (:class:`~skgenaug.AddPerClass`; imbalanced-learn's string strategies would only
# balance the classes). The classifier chooses its best epoch on the *real* validation
# images: passed as ``clf__X_val`` / ``clf__y_val``, they go straight to the classifier,
# past the sampler, so generated images never reach validation and the generator never
# sees the validation images.
classifier = ResNetClassifier(width=8, max_epochs=5, batch_size=32, optimizer="adam",
                              random_state=0)
augmented = Pipeline([
    ("aug", CVAESampler(sampling_strategy=AddPerClass(150), hidden_layer_sizes=(128, 64),
                        max_epochs=30, random_state=0)),
    ("clf", classifier),
])
augmented.fit(X_train, y_train, clf__X_val=X_val, clf__y_val=y_val)

# The baseline: the same classifier on the real training images only.
baseline = ResNetClassifier(**classifier.get_params()).fit(
    X_train, y_train, X_val=X_val, y_val=y_val
)

# %%
# What the sampler added
# ----------------------
# The fitted sampler records the number of images it generated per class. Its output
# keeps the input's layout and dtype: ``uint8`` images in, ``uint8`` images out.
sampler = augmented.named_steps["aug"]
print("generated per class:", {int(k): n for k, n in sampler.sampling_strategy_.items()})
print("a generated batch:", sampler.generate([0, 1], random_state=0).dtype)

# %%
# Test scores
# -----------
# Only real test images are scored. With one split and reduced settings, differences of
# a few points are noise: :ref:`sphx_glr_auto_examples_plot_compare_samplers.py`
# compares samplers over cross-validation folds.
models = {"no augmentation": baseline, "cVAE augmentation": augmented}
for name, model in models.items():
    proba = model.predict_proba(X_test)[:, 1]
    bacc = balanced_accuracy_score(y_test, model.predict(X_test))
    print(f"{name:>18}: test AUC {roc_auc_score(y_test, proba):.3f}, "
          f"balanced accuracy {bacc:.3f}")

# %%
# Validation accuracy per epoch
# -----------------------------
# The history of the classifier shows the epoch selection: the weights of the epoch
# with the best validation accuracy are kept (``best_epoch_``).
fig, ax = plt.subplots(figsize=(5, 3))
for name, model in models.items():
    clf = model.named_steps["clf"] if hasattr(model, "named_steps") else model
    epochs = clf.history_[:, "epoch"]
    ax.plot(epochs, clf.history_[:, "valid_acc"], marker="o",
            label=f"{name} (best epoch {clf.best_epoch_})")
ax.set_xlabel("epoch")
ax.set_ylabel("validation accuracy")
ax.set_title(source)
ax.legend()
fig.tight_layout()
plt.show()
