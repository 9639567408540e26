"""ResNet-18 image classifier with a scikit-learn interface, trained through skorch."""

import numbers
import warnings
from collections.abc import Mapping

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    _check_sample_weight,
    check_consistent_length,
    check_is_fitted,
    column_or_1d,
)
from skorch import NeuralNetClassifier
from skorch.callbacks import (
    Callback,
    EpochScoring,
    EpochTimer,
    LRScheduler,
    PassthroughScoring,
)
from skorch.dataset import unpack_data
from skorch.helper import predefined_split
from skorch.utils import to_tensor
from torch.utils.data import RandomSampler

from ._augment import AUGMENT_NAMES, BatchAugmenter, check_flips
from ._images import validate_images
from ._scores import medmnist_auc
from ._skorch_utils import verbosity_callbacks
from ._torch_utils import (
    PRECISIONS,
    BatchTensorDataset,
    array_to_tensor,
    autocast,
    passthrough_collate,
    resolve_device,
    resolve_precision,
    torch_seed,
)
from ._validation import check_two_classes, draw_seed, stratified_holdout
from .base import _fill_shared_docs
from .nets import ResNet18

# ---------------------------------------------------------------------------- scoring
# Module-level functions (not lambdas) so that the fitted skorch net pickles. With
# ``use_caching=True`` skorch hands them the logits of its own validation pass, so a
# score costs no extra forward pass.


def _accuracy(net, X, y):
    if y is None or len(y) == 0:
        return np.nan
    return float(np.mean(net.predict_proba(X).argmax(axis=1) == y))


def _auc(net, X, y):
    if y is None or len(y) == 0:
        return np.nan
    return medmnist_auc(y, net.predict_proba(X))


class _KeepBestWeights(Callback):
    """Keeps, in memory, the module weights of the epoch where ``monitor`` was best, and
    loads them when training ends (skorch's ``Checkpoint`` would write files)."""

    def __init__(self, monitor):
        self.monitor = monitor

    def initialize(self):
        self.best_state_ = None
        self.best_epoch_ = None
        return self

    def on_epoch_end(self, net, **kwargs):
        # EpochScoring marks strict improvements only, so ties keep the earlier epoch
        # (as the plain PyTorch reference does).
        if net.history[-1].get(self.monitor + "_best"):
            state = net.module_.state_dict()
            self.best_state_ = {key: value.detach().clone() for key, value in state.items()}
            self.best_epoch_ = net.history[-1]["epoch"]

    def on_train_end(self, net, **kwargs):
        if self.best_state_ is not None:
            net.module_.load_state_dict(self.best_state_)
        self.best_state_ = None  # the fitted net need not carry a second copy


class _ResNetNet(NeuralNetClassifier):
    """skorch net with lean default callbacks: validation accuracy and AUC come from
    the cached validation logits (skorch's own valid_acc goes through a scorer object),
    and no PrintLog: :func:`~skgenaug._skorch_utils.verbosity_callbacks` adds one only
    when ``verbose``.

    Sample weights: training rows come as ``{"x": images, "sample_weight": w}`` and
    the criterion with ``reduction='none'``; the images go to the module, the weights
    to the loss, ``mean(w * cross_entropy)`` over the batch (the minibatch estimate of
    the weighted training loss ``sum(w * cross_entropy) / n_rows``). Validation rows
    carry no weights: their loss is the plain mean."""

    def __init__(self, *args, augmenter=None, precision="float32", **kwargs):
        super().__init__(*args, **kwargs)
        self.augmenter = augmenter
        self.precision = precision  # resolved: 'float32' or 'bfloat16'

    def train_step_single(self, batch, **fit_params):
        """skorch's training step, with the training batch augmented first (only
        here: validation and prediction go through :meth:`infer` untouched) and, when
        the augmenter mixes pairs, the loss mixed the same way."""
        if self.augmenter is None:
            return super().train_step_single(batch, **fit_params)
        self._set_training(True)
        Xi, yi = unpack_data(batch)
        x = Xi["x"] if isinstance(Xi, Mapping) else Xi
        x, mix = self.augmenter(to_tensor(x, device=self.device),
                                to_tensor(yi, device=self.device))
        y_pred = self.infer(x, **fit_params)
        if mix is None:
            loss = self.get_loss(y_pred, yi, X=Xi, training=True)
        else:
            weight = Xi["sample_weight"] if isinstance(Xi, Mapping) else None
            loss = self._mixed_loss(y_pred, yi, weight, *mix)
        loss.backward()
        return {"loss": loss, "y_pred": y_pred}

    def _mixed_loss(self, y_pred, y_true, weight, perm, lam):
        """``lam * loss(y) + (1 - lam) * loss(y[perm])``; with weights, each row's
        two terms carry the weights of the two rows mixed into it (so every row keeps
        its total weight), averaged over the batch as in :meth:`get_loss`."""
        y_true = to_tensor(y_true, device=self.device)
        own = super().get_loss(y_pred, y_true, training=True)
        other = super().get_loss(y_pred, y_true[perm], training=True)
        if own.ndim == 0:  # reduction='mean': a fit without weights
            return lam * own + (1 - lam) * other
        if weight is None:
            return (lam * own + (1 - lam) * other).mean()
        weight = weight.to(own.device)
        return (lam * weight * own + (1 - lam) * weight[perm] * other).mean()

    def infer(self, x, **fit_params):
        if isinstance(x, Mapping):
            x = x["x"]  # the weights are the loss's, not the module's
        # (a net pickled before ``precision`` existed computes in float32)
        with autocast(getattr(self, "precision", "float32"), self.device):
            logits = super().infer(x, **fit_params)
        return logits.float()  # losses, softmax and scores in float32 (no-op if already)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        loss = super().get_loss(y_pred, y_true, X=X, training=training)
        if loss.ndim == 0:  # reduction='mean': a fit without weights
            return loss
        if isinstance(X, Mapping):
            return (X["sample_weight"].to(loss.device) * loss).mean()
        return loss.mean()

    @property
    def _default_callbacks(self):
        return [
            ("epoch_timer", EpochTimer()),
            ("train_loss", PassthroughScoring(name="train_loss", on_train=True)),
            ("valid_loss", PassthroughScoring(name="valid_loss")),
            ("valid_acc", EpochScoring(_accuracy, lower_is_better=False,
                                       name="valid_acc", use_caching=True)),
            ("valid_auc", EpochScoring(_auc, lower_is_better=False,
                                       name="valid_auc", use_caching=True)),
        ]


# ---------------------------------------------------------------------------- estimator


@_fill_shared_docs
class ResNetClassifier(ClassifierMixin, BaseEstimator):
    """ResNet-18 image classifier (MedMNIST's 28x28 variant) trained through skorch.

    The network is :class:`skgenaug.nets.ResNet18`: a 3x3 stride-1 stem without
    max-pool, four stages of two basic blocks (``width``, ``2 * width``, ``4 * width``,
    ``8 * width`` channels), global average pooling and a linear head, trained with
    cross entropy. The defaults follow the reference paper (SGD with momentum 0.9, lr
    1e-3, batch 128, 100 epochs, the weights of the best validation epoch kept);
    ``optimizer='adam', lr_schedule='medmnist', selection='auc'`` gives the MedMNIST
    recipe.

    **Validation data.** The model-selection split never holds generated images when
    the validation rows are given explicitly: ``fit(X, y, X_val=..., y_val=...)``, the
    same keyword names as
    :meth:`~sklearn.ensemble.HistGradientBoostingClassifier.fit`. In an
    :class:`imblearn.pipeline.Pipeline` pass them as ``clf__X_val`` / ``clf__y_val``:
    the pipeline routes them straight to the classifier, past the sampler, so they are
    real images by construction and the sampler never trains on them either (an
    autoencoder's reconstructions of validation images would otherwise leak into
    training). Without ``X_val`` the classifier holds out a stratified, seeded
    ``validation_fraction`` of the rows *it is given*; behind a sampler those rows
    include generated ones, so in an augmentation pipeline always pass ``clf__X_val``
    (MedMNIST ships an official validation split; otherwise split one off with
    :func:`~sklearn.model_selection.train_test_split` before the pipeline), or use
    :class:`~skgenaug.AugmentedClassifier`, which holds out real rows before
    resampling by itself.

    Parameters
    ----------
    width : int, default=64
        Channels of the first stage (64 is the standard ResNet-18).
    max_epochs : int, default=100
        Training epochs.
    batch_size : int, default=128
        Mini-batch size for training and inference. A trailing training batch of a
        single image is dropped (batch norm cannot train on one value per channel).
    lr : float, default=1e-3
        Initial learning rate.
    optimizer : {{'sgd', 'adam', 'adamw'}}, default='sgd'
        ``'sgd'``: SGD with momentum 0.9 (the paper); ``'adam'``: Adam (MedMNIST);
        ``'adamw'``: AdamW, whose weight decay is decoupled from the gradient.
    weight_decay : float >= 0, default=0.0
        The optimizer's weight decay (L2 penalty for SGD and Adam, decoupled decay for
        AdamW; with 0, AdamW is Adam).
    lr_schedule : {{None, 'medmnist', 'onecycle'}}, default=None
        ``'medmnist'`` multiplies the learning rate by 0.1 after 50% and again after
        75% of ``max_epochs`` (``MultiStepLR``, stepped once per epoch).
        ``'onecycle'``: the one-cycle policy (``OneCycleLR``, stepped once per batch):
        a warm-up over the first 30% of the steps from ``lr / 25`` to ``lr``, then a
        cosine decay to ``lr / 1e4``.
    label_smoothing : float in [0, 1), default=0.0
        Label smoothing of the cross-entropy loss (0: none).
    selection : {{'accuracy', 'auc'}} or None, default='accuracy'
        Keep the weights of the epoch with the best validation accuracy or AUC (the
        first such epoch on ties); ``None`` keeps the last epoch's weights. AUC is
        computed as ``medmnist.Evaluator`` does
        (:func:`~skgenaug.metrics.medmnist_auc`). Passing the test split as ``X_val``
        reproduces the paper's "best test accuracy" rule, which selects on the test set
        and is optimistic: label such results accordingly.
    validation_fraction : float in [0, 1), default=0.1
        Share of the training rows held out (stratified, seeded by ``random_state``)
        for validation when ``fit`` gets no ``X_val``; at least one row of every class
        that has two or more rows. Ignored when ``X_val`` is given. With ``0`` and no
        ``X_val`` there is no validation and ``selection`` must be ``None``.
    image_shape : tuple of int (H, W, C) or None, default=None
        Image shape of flat ``(n_samples, H * W * C)`` rows (pixel-major, channels
        last). ``None`` infers it: square gray, square RGB, else a ``1 x n_features``
        strip (tabular data). Ignored for 3D and 4D input.
    callbacks : list of skorch callbacks or None, default=None
        Extra skorch callbacks (instances or ``(name, callback)`` tuples), run after
        the built-in scoring and selection callbacks.
    augment : {{None, 'standard', 'trivial'}} or callable, default=None
        On-the-fly augmentation of the training batches: drawn fresh for every batch
        of every epoch, on ``device``, applied to training rows only (never to
        validation rows, ``predict``, ``predict_proba`` or ``features``), from a
        dedicated ``torch.Generator`` seeded by ``random_state`` (an int gives
        bit-identical reruns). ``None``: no augmentation. ``'standard'``: per image,
        flips along ``flips`` (probability 1/2 each), one batched affine warp
        (rotation up to 10 degrees, scale 0.9-1.1, shift up to 2 pixels: a random
        crop with padding, borders replicated), brightness and contrast jitter (10%
        of the image's range), gamma in [1/1.2, 1.2] and Gaussian noise (2% of the
        range). ``'trivial'``: TrivialAugment-style, one operation per image drawn
        uniformly at a uniformly drawn strength (rotate, shear, translate, scale,
        brightness, contrast, gamma, sharpness, autocontrast, noise, a flip along
        each of ``flips``, or nothing). A callable ``f(batch, generator) -> batch``
        gets the scaled float32 ``(n, C, H, W)`` batch and the ``torch.Generator`` to
        draw from, and must return a batch of the same shape and dtype; ``fit`` calls
        it once on two training images to check that before training.
    flips : tuple of {{'horizontal', 'vertical'}}, default=('horizontal',)
        Axes along which ``'standard'`` and ``'trivial'`` may mirror an image:
        ``()`` never flips (e.g. chest X-rays, whose left and right differ), both
        for rotation-invariant images such as dermoscopy. Ignored with
        ``augment=None`` or a callable.
    mixup : float >= 0, default=0.0
        Beta parameter of mixup: with ``mixup > 0`` each training batch is mixed
        with a permutation of itself, ``lam * x + (1 - lam) * x[perm]`` with one
        ``lam ~ Beta(mixup, mixup)`` per batch, and the loss is mixed the same way
        (``sample_weight`` weighs each term by its source row). ``0`` is off.
        Applied after ``augment``.
    cutmix : float >= 0, default=0.0
        Beta parameter of CutMix: a box of ``1 - lam`` of the image is pasted from
        the paired image and the loss mixed by the pasted share. With both
        ``mixup`` and ``cutmix`` set, each batch uses one of the two at random.
    precision : {{'float32', 'bfloat16', 'auto'}}, default='float32'
        Arithmetic of the forward pass (training, validation, prediction and
        ``features``). ``'bfloat16'``: ``torch.autocast`` to bfloat16, with weights,
        losses and probabilities kept in float32. ``'auto'``: bfloat16 where the
        device computes it natively (a CPU with AVX-512 BF16 or AMX, a CUDA GPU that
        supports it), float32 elsewhere, where bfloat16 would be emulated and slower.
        The precision used is ``precision_``. bfloat16 changes the numbers (8 bits of
        mantissa), not their reproducibility on one machine.
    epoch_size : int or None, default=None
        Training rows drawn per epoch, without replacement within an epoch (from the
        seeded batch order); ``None``: every training row once. Fix it to the number
        of real training rows to give an augmented fit as many optimizer steps as an
        unaugmented one: each epoch then draws that many rows from the real and
        generated ones together (the evaluation's equal training budgets).
    {device}
    random_state : int, RandomState instance or None, default=None
        Seeds the validation split, weight initialisation and batch order. With an int
        two fits on the CPU give identical models.
    {verbose}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels, as ``LabelEncoder`` sorts them.
    {input_attributes}
    layout_ : ImageLayout
        Sample shape and dtype seen in ``fit``; the dtype fixes the input scaling.
    net_ : skorch.NeuralNetClassifier
        The fitted skorch net; ``net_.module_`` is the :class:`~skgenaug.nets.ResNet18`.
    history_ : skorch.History
        Per-epoch ``train_loss``, ``valid_loss``, ``valid_acc``, ``valid_auc``,
        ``event_lr`` (with ``lr_schedule``), ``dur``.
    best_epoch_ : int or None
        The (1-based) epoch whose weights were kept; ``None`` when the last epoch's
        weights are used because no selection happened.
    device_ : str
        The torch device the net was trained on.
    precision_ : {{'float32', 'bfloat16'}}
        The precision the net computes in (``precision`` resolved for ``device_``).

    Notes
    -----
    Input scaling is decided by the dtype of ``X`` in ``fit``: ``uint8`` images are
    mapped to ``[-1, 1]`` with ``(x / 255 - 0.5) / 0.5`` (MedMNIST's normalisation);
    any other dtype is used as given, so scale such data yourself. ``X_val`` and the
    data passed to ``predict`` get the same mapping.

    Examples
    --------
    >>> import numpy as np
    >>> from skgenaug import ResNetClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.integers(0, 256, size=(60, 28, 28), dtype=np.uint8)
    >>> y = np.repeat(["benign", "malignant"], 30)
    >>> X_val, y_val = X[:10], y[:10]
    >>> clf = ResNetClassifier(width=4, max_epochs=2, random_state=0)
    >>> clf.fit(X, y, X_val=X_val, y_val=y_val).predict(X[:3]).shape
    (3,)
    >>> clf.classes_.tolist()
    ['benign', 'malignant']

    In a resampling pipeline, route the (real) validation rows past the sampler:

    >>> from imblearn.over_sampling import RandomOverSampler
    >>> from imblearn.pipeline import Pipeline
    >>> pipe = Pipeline([("aug", RandomOverSampler(random_state=0)),
    ...                  ("clf", ResNetClassifier(width=4, max_epochs=2,
    ...                                           random_state=0))])
    >>> X_flat = X.reshape(len(X), -1)
    >>> pipe = pipe.fit(X_flat[10:], y[10:], clf__X_val=X_flat[:10], clf__y_val=y[:10])
    >>> pipe.predict_proba(X_flat[:2]).shape
    (2, 2)
    """

    _parameter_constraints: dict = {
        "width": [Interval(numbers.Integral, 1, None, closed="left")],
        "max_epochs": [Interval(numbers.Integral, 1, None, closed="left")],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "lr": [Interval(numbers.Real, 0, None, closed="neither")],
        "optimizer": [StrOptions({"sgd", "adam", "adamw"})],
        "weight_decay": [Interval(numbers.Real, 0, None, closed="left")],
        "lr_schedule": [StrOptions({"medmnist", "onecycle"}), None],
        "label_smoothing": [Interval(numbers.Real, 0, 1, closed="left")],
        "selection": [StrOptions({"accuracy", "auc"}), None],
        "validation_fraction": [Interval(numbers.Real, 0, 1, closed="left")],
        "image_shape": [tuple, list, None],
        "callbacks": [list, None],
        "augment": [StrOptions(set(AUGMENT_NAMES)), callable, None],
        "flips": [tuple, list],
        "mixup": [Interval(numbers.Real, 0, None, closed="left")],
        "cutmix": [Interval(numbers.Real, 0, None, closed="left")],
        "precision": [StrOptions(set(PRECISIONS))],
        "epoch_size": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "device": [str, torch.device],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        width=64,
        max_epochs=100,
        batch_size=128,
        lr=1e-3,
        optimizer="sgd",
        weight_decay=0.0,
        lr_schedule=None,
        label_smoothing=0.0,
        selection="accuracy",
        validation_fraction=0.1,
        image_shape=None,
        callbacks=None,
        augment=None,
        flips=("horizontal",),
        mixup=0.0,
        cutmix=0.0,
        precision="float32",
        epoch_size=None,
        device="cpu",
        random_state=None,
        verbose=0,
    ):
        self.width = width
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.optimizer = optimizer
        self.weight_decay = weight_decay
        self.lr_schedule = lr_schedule
        self.label_smoothing = label_smoothing
        self.selection = selection
        self.validation_fraction = validation_fraction
        self.image_shape = image_shape
        self.callbacks = callbacks
        self.augment = augment
        self.flips = flips
        self.mixup = mixup
        self.cutmix = cutmix
        self.precision = precision
        self.epoch_size = epoch_size
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ fitting
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, *, X_val=None, y_val=None, sample_weight=None):
        """Train the network, selecting weights on validation data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), (n_samples, H, W) or \
                (n_samples, H, W, C)
            Training images (or flat rows, see ``image_shape``).
        y : array-like of shape (n_samples,)
            Class labels (strings or integers), at least two classes.
        X_val : array-like or None, default=None
            Validation images in the layout of ``X`` (same number of values per
            sample, same channels). In a pipeline pass ``clf__X_val``: then they never
            pass through a sampler. ``None`` holds out ``validation_fraction`` of
            ``X``.
        y_val : array-like of shape (n_val_samples,) or None, default=None
            Labels of ``X_val``; every label must occur in ``y``.
        sample_weight : array-like of shape (n_samples,) or None, default=None
            Non-negative weight of each training row in the loss: each batch's loss is
            ``mean(sample_weight * cross_entropy)`` over its rows, so a row of weight
            0.5 counts half as much as one of weight 1 (scikit-learn's convention).
            Validation rows (given or held out) are not weighted. ``None`` (or all
            ones) trains as without weights.

        Returns
        -------
        self : ResNetClassifier
            The fitted classifier.
        """
        X, y_enc, encoder = self._check_training_data(X, y)
        augmenting = self._check_augment()
        weight = self._check_weights(sample_weight, X)
        self.device_ = resolve_device(self.device)
        self.precision_ = resolve_precision(self.precision, self.device_)
        rng = check_random_state(self.random_state)
        train_ds, valid_ds = self._datasets(X, y_enc, X_val, y_val, encoder, rng, weight)
        self.net_ = self._make_net(
            in_channels=self.layout_.n_channels,
            n_classes=len(self.classes_),
            n_train=len(train_ds),
            valid_ds=valid_ds,
            weighted=weight is not None,
        )
        seed = draw_seed(rng)
        if augmenting:
            # A seed of its own, drawn after the net's: weight initialisation and batch
            # order are those of the same fit without augmentation.
            augmenter = BatchAugmenter(
                self.augment, self.flips, self.mixup, self.cutmix, draw_seed(rng),
                self.device_,
            )
            inputs = train_ds.X["x"] if isinstance(train_ds.X, Mapping) else train_ds.X
            augmenter.check(inputs[:2].to(self.device_))
            self.net_.augmenter = augmenter
        with torch_seed(seed, self.device_):
            self.net_.fit(train_ds, None)
        self.best_epoch_ = self._kept_epoch()
        # The fitted net need not carry the validation data (smaller pickles).
        self.net_.train_split = None
        self.history_ = self.net_.history
        return self

    def _check_augment(self):
        """Validates ``flips`` against the images seen in fit; whether any training
        augmentation (``augment``, ``mixup`` or ``cutmix``) is on."""
        uses_flips = self.augment in AUGMENT_NAMES
        check_flips(self.flips, self.layout_.hwc[:2] if uses_flips else None)
        return self.augment is not None or self.mixup > 0 or self.cutmix > 0

    def _check_training_data(self, X, y):
        """Validated ``X``, labels encoded ``0 .. n_classes - 1`` and their encoder;
        records ``layout_`` and ``classes_``."""
        name = type(self).__name__
        if y is None:
            raise ValueError(
                f"{name} requires y to be passed, but the target y is None."
            )
        X, y, layout = validate_images(
            self, X, y, reset=True, image_shape=self.image_shape
        )
        check_classification_targets(y)
        encoder = LabelEncoder().fit(y)
        check_two_classes(encoder.classes_, name)
        self.layout_ = layout
        self.classes_ = encoder.classes_
        return X, encoder.transform(y), encoder

    @staticmethod
    def _check_weights(sample_weight, X):
        """Validated weights as float32, or ``None`` when there are none (or all are
        1, which trains exactly as no weights)."""
        if sample_weight is None:
            return None
        weight = _check_sample_weight(
            sample_weight, X, dtype=np.float32, ensure_non_negative=True
        )
        return None if np.all(weight == 1) else weight

    def _datasets(self, X, y_enc, X_val, y_val, encoder, rng, weight=None):
        """Training and validation datasets (``None`` for no validation) on the device:
        the given validation rows, else a held-out ``validation_fraction``; the
        training rows carry their ``weight``, when given."""
        X_t = self._to_tensor(X)
        y_t = array_to_tensor(y_enc, dtype=torch.long)
        w_t = None if weight is None else array_to_tensor(weight)
        if X_val is not None or y_val is not None:
            X_v, y_v = self._check_validation_data(X_val, y_val, encoder)
        elif self.validation_fraction > 0:
            train_idx, val_idx = self._hold_out(y_t, rng)
            X_v, y_v = X_t[val_idx], y_t[val_idx]
            X_t, y_t = X_t[train_idx], y_t[train_idx]
            w_t = None if w_t is None else w_t[train_idx]
        else:
            X_v = y_v = None
        if X_v is None and self.selection is not None:
            raise ValueError(
                f"selection={self.selection!r} needs validation data: pass X_val and y_val "
                "to fit, set validation_fraction > 0, or set selection=None."
            )
        if self.device_ != "cpu":
            # Images are small: keeping them on the device saves a copy per batch.
            X_t, y_t = X_t.to(self.device_), y_t.to(self.device_)
            w_t = None if w_t is None else w_t.to(self.device_)
            if X_v is not None:
                X_v, y_v = X_v.to(self.device_), y_v.to(self.device_)
        inputs = X_t if w_t is None else {"x": X_t, "sample_weight": w_t}
        train_ds = BatchTensorDataset(inputs, y_t)
        return train_ds, None if X_v is None else BatchTensorDataset(X_v, y_v)

    def _hold_out(self, y_t, rng):
        """Index tensors of the training and the validation rows: a stratified
        ``validation_fraction`` of the rows held out."""
        train_idx, val_idx = stratified_holdout(
            y_t.numpy(), self.validation_fraction, rng, count="per-class"
        )
        if len(val_idx) == 0:
            raise ValueError(
                f"validation_fraction={self.validation_fraction} leaves no validation "
                "rows (every class has a single sample); pass X_val and y_val, or set "
                "validation_fraction=0 and selection=None."
            )
        train_idx = array_to_tensor(train_idx, dtype=torch.long)
        val_idx = array_to_tensor(val_idx, dtype=torch.long)
        return train_idx, val_idx

    def _kept_epoch(self):
        """The epoch whose weights selection kept (``None`` without selection), with a
        warning when selection never saw a finite score."""
        keeper = dict(self.net_.callbacks_).get("keep_best")
        if keeper is None:
            return None
        if keeper.best_epoch_ is None:
            warnings.warn(
                f"The validation {self.selection} was never a finite number (too few "
                "validation rows of some class?); the last epoch's weights are kept.",
                UserWarning,
                stacklevel=3,  # the frame above fit, as when fit warned itself
            )
        return keeper.best_epoch_

    def _epoch_rows(self, n_train):
        """Training rows per epoch, and whether the last batch is dropped (one row:
        batch norm needs two)."""
        size = n_train if self.epoch_size is None else self.epoch_size
        return size, size > 1 and size % self.batch_size == 1

    def _train_order(self, n_train):
        """The training iterator's order: every row once per epoch, shuffled, or
        ``epoch_size`` rows drawn from a shuffled order (the torch global generator,
        seeded by ``fit``, draws both)."""
        size, drop_last = self._epoch_rows(n_train)
        order = dict(iterator_train__drop_last=drop_last)
        if size == n_train:
            return dict(order, iterator_train__shuffle=True)
        return dict(order, iterator_train__shuffle=False,
                    iterator_train__sampler=RandomSampler(range(n_train),
                                                          num_samples=size))

    def _make_net(self, in_channels, n_classes, n_train, valid_ds, weighted=False):
        optimizer = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam,
                     "adamw": torch.optim.AdamW}[self.optimizer]
        optimizer_kwargs = {"optimizer__weight_decay": self.weight_decay}
        if self.optimizer == "sgd":
            optimizer_kwargs["optimizer__momentum"] = 0.9
        callbacks = []
        if self.lr_schedule == "medmnist":
            milestones = [int(0.5 * self.max_epochs), int(0.75 * self.max_epochs)]
            scheduler = LRScheduler("MultiStepLR", milestones=milestones, gamma=0.1)
            callbacks.append(("lr_schedule", scheduler))
        elif self.lr_schedule == "onecycle":
            size, drop_last = self._epoch_rows(n_train)
            batches = size // self.batch_size if drop_last else -(-size // self.batch_size)
            scheduler = LRScheduler(torch.optim.lr_scheduler.OneCycleLR, max_lr=self.lr,
                                    step_every="batch",
                                    total_steps=self.max_epochs * batches)
            callbacks.append(("lr_schedule", scheduler))
        if self.selection is not None and valid_ds is not None:
            monitor = "valid_acc" if self.selection == "accuracy" else "valid_auc"
            callbacks.append(("keep_best", _KeepBestWeights(monitor)))
        callbacks.extend(self.callbacks or [])
        printing, verbose = verbosity_callbacks(self.verbose)
        return _ResNetNet(
            ResNet18,
            module__in_channels=in_channels,
            module__n_classes=n_classes,
            module__width=self.width,
            criterion=torch.nn.CrossEntropyLoss,
            criterion__label_smoothing=self.label_smoothing,
            # per-row losses for the weights (_ResNetNet.get_loss); else skorch's mean
            **({"criterion__reduction": "none"} if weighted else {}),
            classes=list(range(n_classes)),
            optimizer=optimizer,
            lr=self.lr,
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            train_split=None if valid_ds is None else predefined_split(valid_ds),
            **self._train_order(n_train),
            iterator_train__collate_fn=passthrough_collate,
            iterator_valid__collate_fn=passthrough_collate,
            callbacks=callbacks + printing,
            device=self.device_,
            precision=self.precision_,
            verbose=verbose,
            **optimizer_kwargs,
        )

    def _check_validation_data(self, X_val, y_val, encoder):
        if X_val is None or y_val is None:
            raise ValueError("X_val and y_val must be given together.")
        try:
            X_val, _, _ = validate_images(self, X_val, reset=False, layout=self.layout_)
        except ValueError as exc:
            raise ValueError(f"X_val does not match X: {exc}") from exc
        y_val = column_or_1d(np.asarray(y_val), warn=True)
        check_consistent_length(X_val, y_val)
        unknown = np.setdiff1d(y_val, self.classes_)
        if unknown.size:
            raise ValueError(
                f"y_val holds label(s) {unknown.tolist()!r} that are not in y "
                f"(classes: {self.classes_.tolist()!r})."
            )
        return self._to_tensor(X_val), array_to_tensor(
            encoder.transform(y_val), dtype=torch.long
        )

    def _to_tensor(self, X):
        """Validated samples -> float32 NCHW tensor, scaled by the rule fixed in fit."""
        flat = self.layout_.to_flat(X)
        if self.layout_.dtype == np.uint8:
            flat = (flat.astype(np.float32) / 255.0 - 0.5) / 0.5  # MedMNIST's transform
        return array_to_tensor(flat, layout=self.layout_)

    # ------------------------------------------------------------------ prediction
    def predict_proba(self, X):
        """Class probabilities (softmax of the logits).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), (n_samples, H, W) or \
                (n_samples, H, W, C)
            Images in the layout seen in ``fit`` (flat rows of the same size work too).

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns in the order of ``classes_``.
        """
        check_is_fitted(self)
        X, _, _ = validate_images(self, X, reset=False, layout=self.layout_)
        proba = self.net_.predict_proba(BatchTensorDataset(self._to_tensor(X)))
        proba = proba.astype(np.float64)
        return proba / proba.sum(axis=1, keepdims=True)

    def features(self, X, *, batch_size=None):
        """Penultimate-layer features of images: the ResNet's pooled last stage.

        Computed in evaluation mode, with the input scaling fixed in ``fit``, by
        :meth:`skgenaug.nets.ResNet18.features`. They are what
        :func:`skgenaug.metrics.extract_features` returns.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), (n_samples, H, W) or \
                (n_samples, H, W, C)
            Images in the layout seen in ``fit``.
        batch_size : int or None, default=None
            Images per forward pass; ``None`` uses ``batch_size``.

        Returns
        -------
        features : ndarray of shape (n_samples, 8 * width), float32
            One feature vector per image.
        """
        check_is_fitted(self)
        if batch_size is None:
            batch_size = self.batch_size
        if (
            isinstance(batch_size, bool)
            or not isinstance(batch_size, numbers.Integral)
            or batch_size < 1
        ):
            raise ValueError(f"batch_size must be a positive int; got {batch_size!r}.")
        X, _, _ = validate_images(self, X, reset=False, layout=self.layout_)
        module = self.net_.module_
        was_training = module.training
        module.eval()
        out = []
        try:
            with torch.no_grad():
                for start in range(0, len(X), batch_size):
                    batch = self._to_tensor(X[start : start + batch_size])
                    with autocast(getattr(self, "precision_", "float32"), self.device_):
                        feats = module.features(batch.to(self.device_))
                    out.append(feats.float().cpu().numpy())
        finally:
            module.train(was_training)
        if not out:
            return np.empty((0, module.n_features), dtype=np.float32)
        return np.concatenate(out)

    def predict(self, X):
        """Predicted class labels.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), (n_samples, H, W) or \
                (n_samples, H, W, C)
            Images in the layout seen in ``fit``.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        proba = self.predict_proba(X)  # checks fitted before classes_ is touched
        return self.classes_[proba.argmax(axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags

