"""Classic geometric augmentation as an over-sampler (a baseline for the generative
samplers)."""

import numbers

import numpy as np
from imblearn.over_sampling.base import BaseOverSampler
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions

from ..base import BaseImageOverSampler, _fill_shared_docs


@_fill_shared_docs
class GeometricSampler(BaseImageOverSampler):
    """Over-sample with randomly flipped, rotated and shifted copies of real images.

    A new image of class ``c`` is a random real image of class ``c`` (drawn uniformly,
    with replacement), transformed by, in this order: a horizontal flip (with
    probability 1/2, if ``flip_horizontal``), a vertical flip (probability 1/2, if
    ``flip_vertical``), a rotation by a random multiple of 90 degrees (if ``rotate90``
    and the image is square) and an integer shift of up to ``max_shift`` pixels along
    each axis (uniform over ``-max_shift .. max_shift``), the uncovered border filled
    as ``padding_mode`` says. Its label is the source's. Pixels are only moved, never
    interpolated: the output has the input's layout and dtype, and, for flips and
    rotations, exactly the pixel values of its source (uint8 stays uint8). No
    training: ``fit`` keeps the training images (``images_``) to draw from.
    Unlabelled rows (label ``unlabelled_label``) are ignored: a transformed image
    needs its source's class.

    These are the classic label-preserving augmentations, on the same interface as
    the generative samplers, so a benchmark can compare them in the same pipeline.
    Whether a transform keeps the label depends on the data (a flipped chest X-ray
    swaps the heart's side): choose the transforms for the data set.

    Parameters
    ----------
    {sampling_strategy}
    flip_horizontal : bool, default=True
        Mirror left-right with probability 1/2.
    flip_vertical : bool, default=False
        Mirror top-bottom with probability 1/2.
    rotate90 : bool, default=True
        Rotate by 0, 90, 180 or 270 degrees (uniformly); square images only, others
        are never rotated.
    max_shift : int, default=2
        Largest shift in pixels along each axis; 0 disables shifts. An axis of length
        ``L`` shifts by at most ``L - 1``.
    padding_mode : {{'edge', 'constant', 'reflect', 'wrap'}}, default='edge'
        How the border uncovered by a shift is filled, as in :func:`numpy.pad`:
        repeating the edge pixels, zeros, mirroring, or wrapping around (a cyclic
        shift, which keeps every pixel value).
    random_state : int, RandomState instance or None, default=None
        Seeds the choice of sources and transforms.
    {unlabelled_label}

    Attributes
    ----------
    {resampling_attributes}
    images_ : ndarray of shape (n_labelled, H, W, C)
        The labelled training images, in their dtype, that new images are drawn from
        (flat rows read as images, see the notes).
    image_labels_ : ndarray of shape (n_labelled,)
        Encoded class (an index into ``classes_``) of each image.
    {input_attributes}

    See Also
    --------
    FlatImageSampler : imbalanced-learn's samplers (SMOTE, ...) on images.
    AESampler, CVAESampler, CGANSampler : Generative samplers.

    Notes
    -----
    Flat rows are read as images by the rule of the generative samplers: ``H * W``
    values as a square gray image, ``3 * H * W`` as a square RGB image, anything else
    as a ``1 x n_features`` strip (only horizontal flips and shifts then move values).

    Examples
    --------
    >>> from collections import Counter
    >>> from skgenaug import AddPerClass, GeometricSampler
    >>> from skgenaug.datasets import make_image_classification
    >>> X, y = make_image_classification(30, n_classes=2, weights=[0.7], random_state=0)
    >>> X_res, y_res = GeometricSampler(random_state=0).fit_resample(X, y)
    >>> X_res.shape, X_res.dtype, sorted(Counter(y_res.tolist()).items())
    ((42, 28, 28), dtype('uint8'), [(0, 21), (1, 21)])
    """

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "flip_horizontal": ["boolean"],
        "flip_vertical": ["boolean"],
        "rotate90": ["boolean"],
        "max_shift": [Interval(numbers.Integral, 0, None, closed="left")],
        "padding_mode": [StrOptions({"edge", "constant", "reflect", "wrap"})],
        "random_state": ["random_state"],
        "unlabelled_label": [numbers.Integral, str, None],
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        flip_horizontal=True,
        flip_vertical=False,
        rotate90=True,
        max_shift=2,
        padding_mode="edge",
        random_state=None,
        unlabelled_label=-1,
    ):
        super().__init__(sampling_strategy=sampling_strategy)
        self.flip_horizontal = flip_horizontal
        self.flip_vertical = flip_vertical
        self.rotate90 = rotate90
        self.max_shift = max_shift
        self.padding_mode = padding_mode
        self.random_state = random_state
        self.unlabelled_label = unlabelled_label

    def _fit_model(self, X, y_enc, seed):
        h, w, c = self.layout_.hwc
        self.images_ = self.layout_.to_flat(X).reshape(len(X), h, w, c)
        self.image_labels_ = np.asarray(y_enc)
        return self

    def _generate(self, y_enc, random_state):
        rng = check_random_state(random_state)
        n = len(y_enc)
        h, w, _ = self.layout_.hwc
        sources = np.empty(n, dtype=np.intp)
        for code in np.unique(y_enc):
            wanted = np.flatnonzero(y_enc == code)
            pool = np.flatnonzero(self.image_labels_ == code)
            sources[wanted] = pool[rng.randint(len(pool), size=len(wanted))]
        no = np.zeros(n, dtype=bool)
        flip_h = rng.rand(n) < 0.5 if self.flip_horizontal else no
        flip_v = rng.rand(n) < 0.5 if self.flip_vertical else no
        turns = rng.randint(4, size=n) if self.rotate90 and h == w else np.zeros(n, int)
        limit_y, limit_x = min(self.max_shift, h - 1), min(self.max_shift, w - 1)
        dy = rng.randint(-limit_y, limit_y + 1, size=n)
        dx = rng.randint(-limit_x, limit_x + 1, size=n)

        out = np.empty((n, *self.images_.shape[1:]), dtype=self.images_.dtype)
        for i, source in enumerate(sources):
            image = self.images_[source]
            if flip_h[i]:
                image = image[:, ::-1]
            if flip_v[i]:
                image = image[::-1]
            if turns[i]:
                image = np.rot90(image, turns[i], axes=(0, 1))
            if dy[i] or dx[i]:
                image = self._shift(image, dy[i], dx[i], limit_y, limit_x)
            out[i] = image
        return self.layout_.from_flat(out.reshape(n, -1))

    def _shift(self, image, dy, dx, limit_y, limit_x):
        """``image`` moved ``dy`` pixels down and ``dx`` right, the border padded."""
        padded = np.pad(
            image, ((limit_y, limit_y), (limit_x, limit_x), (0, 0)), mode=self.padding_mode
        )
        top, left = limit_y - dy, limit_x - dx
        return padded[top : top + image.shape[0], left : left + image.shape[1]]
