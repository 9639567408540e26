"""Penultimate-layer features of a fitted :class:`~skgenaug.ResNetClassifier`."""

from .._classifier import ResNetClassifier


def _final_estimator(estimator):
    """The last step of a (imblearn or sklearn) pipeline, else the estimator itself."""
    steps = getattr(estimator, "steps", None)
    if steps:
        return steps[-1][1]
    return estimator


def extract_features(estimator, X, *, batch_size=256):
    """Penultimate-layer features of images under a fitted ``ResNetClassifier``.

    The features are the globally pooled output of the ResNet's last stage (what
    :meth:`skgenaug.nets.ResNet18.features` returns), computed in evaluation mode with
    the input scaling fixed in ``fit``. They play the role that Inception features play
    in FID, but **no ImageNet or other pretrained weights are involved**: the features
    are only as good as the classifier, so fit it on the *real* training images (not on
    augmented data, which would make the embedding depend on the generator being
    judged), and use the same fitted classifier for every set you compare.

    The metric functions take feature arrays, so any other embedding works too.

    Parameters
    ----------
    estimator : ResNetClassifier or Pipeline
        A fitted :class:`~skgenaug.ResNetClassifier`, or a fitted pipeline ending in
        one (its last step is used; earlier steps are not applied).
    X : array-like of shape (n_samples, n_features), (n_samples, H, W) or \
            (n_samples, H, W, C)
        Images in the layout and dtype the classifier was fitted on.
    batch_size : int, default=256
        Images per forward pass.

    Returns
    -------
    features : ndarray of shape (n_samples, 8 * width), float32
        One feature vector per image.

    Examples
    --------
    >>> from skgenaug import ResNetClassifier
    >>> from skgenaug.datasets import make_image_classification
    >>> from skgenaug.metrics import extract_features
    >>> X, y = make_image_classification(40, random_state=0)
    >>> clf = ResNetClassifier(width=4, max_epochs=1, selection=None,
    ...                        validation_fraction=0, random_state=0).fit(X, y)
    >>> extract_features(clf, X[:5]).shape
    (5, 32)
    """
    clf = _final_estimator(estimator)
    if not isinstance(clf, ResNetClassifier):
        raise TypeError(
            "extract_features needs a fitted skgenaug.ResNetClassifier (or a pipeline "
            f"ending in one); got {type(clf).__name__}. For another embedding, compute "
            "the feature arrays yourself and pass them to the metric functions."
        )
    return clf.features(X, batch_size=batch_size)
