"""
Tuning a sampler with GridSearchCV
==================================

A sampler's parameters — how many images to add, the size of its latent space — are
tuned like any other hyper-parameter, with
:class:`~sklearn.model_selection.GridSearchCV` over an imbalanced-learn
:class:`~imblearn.pipeline.Pipeline`. The sampler is refitted on the training part of
every fold; the real validation images are routed to the classifier with
``clf__X_val`` / ``clf__y_val`` so that they never pass through the sampler.

.. note::

   Settings are reduced for speed (16x16 synthetic images, tiny networks, a few epochs,
   a four-point grid and 2 folds), so that the script runs in seconds on a CPU.
"""

# %%
# Data: training, real validation and test images
# -----------------------------------------------
# Split the validation images off *before* building the pipeline: they stay real.
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from imblearn.pipeline import Pipeline
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split

from skgenaug import AddPerClass, CVAESampler, ResNetClassifier
from skgenaug.datasets import make_image_classification

X, y = make_image_classification(
    200, n_classes=3, image_size=16, noise=0.3, random_state=1
)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)
X_train, X_val, y_train, y_val = train_test_split(
    X_train, y_train, test_size=0.2, stratify=y_train, random_state=0
)
print(f"train {len(y_train)}, validation {len(y_val)}, test {len(y_test)}")

# %%
# The pipeline and the grid
# -------------------------
# Parameters of a step are addressed as ``<step>__<parameter>``. The grid compares two
# amounts of generated images and two latent sizes. ``AddPerClass`` objects compare
# equal by value and print readably, so they work as grid values.
pipe = Pipeline([
    ("aug", CVAESampler(hidden_layer_sizes=(64,), max_epochs=30, random_state=0)),
    ("clf", ResNetClassifier(width=4, max_epochs=6, batch_size=32, optimizer="adam",
                             lr=1e-2, random_state=0)),
])
param_grid = {
    "aug__sampling_strategy": [AddPerClass(20), AddPerClass(80)],
    "aug__latent_dim": [2, 16],
}
search = GridSearchCV(
    pipe, param_grid, cv=StratifiedKFold(2, shuffle=True, random_state=0),
    scoring="balanced_accuracy",
)
# Fit parameters reach every fit: the same real validation set for every fold and for
# the final refit on all training images.
search.fit(X_train, y_train, clf__X_val=X_val, clf__y_val=y_val)

# %%
# Results
# -------
# ``cv_results_`` holds every combination's scores per fold; ``best_estimator_`` is the
# pipeline refitted with the best parameters on all training images.
results = pd.DataFrame(search.cv_results_)
table = results[["param_aug__sampling_strategy", "param_aug__latent_dim",
                 "mean_test_score", "std_test_score", "rank_test_score"]]
print(table.to_string(index=False))
print("best:", search.best_params_)
print(f"test balanced accuracy of the refitted best pipeline: "
      f"{search.score(X_test, y_test):.3f}")

# %%
# The cross-validated score is the one used for the choice; the test score of the
# chosen pipeline is an honest estimate only because the test images played no part in
# it. With 2 folds on toy data, the differences between grid points are mostly noise.
fig, ax = plt.subplots(figsize=(5, 3))
for latent_dim, part in results.groupby("param_aug__latent_dim"):
    labels = [repr(s) for s in part["param_aug__sampling_strategy"]]
    ax.errorbar(labels, part["mean_test_score"], yerr=part["std_test_score"],
                marker="o", capsize=3, label=f"latent_dim={latent_dim}")
ax.set_ylabel("balanced accuracy (CV)")
ax.set_xlabel("sampling_strategy")
ax.set_ylim(top=min(1.0, np.max(results["mean_test_score"]) + 0.15))
ax.legend()
fig.tight_layout()
plt.show()
