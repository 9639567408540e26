"""Label checks and seeded choices shared by every estimator (numpy and scikit-learn
only, so that the numpy-only samplers need no torch)."""

import numpy as np
from sklearn.utils import check_random_state


def draw_seed(random_state):
    """An int seed (for torch or a nested estimator) drawn from a scikit-learn
    ``random_state``."""
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))
