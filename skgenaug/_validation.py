"""Label checks and seeded choices shared by every estimator (numpy and scikit-learn
only, so that the numpy-only samplers need no torch)."""

import numpy as np
from sklearn.utils import check_random_state


def draw_seed(random_state):
    """An int seed (for torch or a nested estimator) drawn from a scikit-learn
    ``random_state``."""
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


def check_two_classes(classes, needed_by, *, labels_name="y"):
    """Raise the library's one error for labels of a single class.

    Parameters
    ----------
    classes : array-like
        The distinct labels found (``np.unique`` of them).
    needed_by : str
        Who needs two classes, for the message: an estimator's name, ``'a
        classifier'``, ...
    labels_name : str, default='y'
        Name of the labels in the caller's signature.

    Raises
    ------
    ValueError
        ``"<labels_name> holds a single class (<label>); <needed_by> needs at least 2
        classes."`` when ``classes`` holds fewer than two labels.
    """
    classes = np.asarray(classes).tolist()  # Python scalars: 0, not np.int64(0)
    if len(classes) < 2:
        found = f"a single class ({classes[0]!r})" if classes else "no class"
        raise ValueError(
            f"{labels_name} holds {found}; {needed_by} needs at least 2 classes."
        )
