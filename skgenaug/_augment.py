"""On-the-fly training augmentation for :class:`~skgenaug.ResNetClassifier`.

Batched torch ops only (one ``affine_grid`` / ``grid_sample`` warp per batch, masks and
``torch.where`` for the per-image choices), run on the classifier's device on the
training batches, with every random number drawn from a dedicated ``torch.Generator``
(and, for the per-batch mixing scalars, a numpy ``Generator``) seeded from the
classifier's ``random_state``. Tensors keep standard (contiguous NCHW) strides.
"""

import math

import numpy as np
import torch
import torch.nn.functional as F

from ._torch_utils import standard_strides

AUGMENT_NAMES = ("standard", "trivial")
FLIP_AXES = {"horizontal": -1, "vertical": -2}  # which tensor axis each flip mirrors


def check_flips(flips, sample_hw=None):
    """``flips`` as a tuple of axis names; ``ValueError`` for unknown names and, with
    ``sample_hw``, for an axis of length 1 (an image that lacks that axis)."""
    if isinstance(flips, str):
        raise ValueError(
            f"flips must be a tuple of axis names such as ('horizontal',); got the "
            f"string {flips!r}."
        )
    flips = tuple(flips)
    unknown = [axis for axis in flips if axis not in FLIP_AXES]
    if unknown:
        raise ValueError(
            f"flips names unknown axis/axes {unknown!r}; images have the axes "
            f"{sorted(FLIP_AXES)!r} (pass () for no flips)."
        )
    if sample_hw is not None:
        height, width = sample_hw
        for axis, size in (("vertical", height), ("horizontal", width)):
            if axis in flips and size < 2:
                raise ValueError(
                    f"flips={flips!r} flips the {axis} axis, but the images are "
                    f"{height} x {width}: they lack that axis."
                )
    return flips


def _flip(x, generator, flips, p=0.5):
    """Each image mirrored along each allowed axis with probability ``p`` (exact)."""
    n = x.shape[0]
    for axis in flips:
        mask = torch.rand(n, generator=generator, device=x.device) < p
        x = torch.where(mask.view(n, 1, 1, 1), x.flip(FLIP_AXES[axis]), x)
    return x


def _unit_range(x):
    """Per-image minimum and (positive) span, shaped to broadcast over NCHW."""
    flat = x.reshape(x.shape[0], -1)
    lo = flat.amin(dim=1).view(-1, 1, 1, 1)
    span = (flat.amax(dim=1).view(-1, 1, 1, 1) - lo).clamp_min(1e-6)
    return lo, span


def _warp(x, theta):
    """One batched affine warp (output pixel p samples the input at ``theta @ p`` in
    normalised coordinates), borders replicated."""
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="border",
                         align_corners=False)


def _theta(angle, scale, shear_x, shear_y, tx, ty, height, width):
    """Affine matrices in grid_sample's normalised coordinates from pixel-space
    rotation (radians), scale, shear and shifts (as fractions of the half-size)."""
    cos, sin = torch.cos(angle), torch.sin(angle)
    # rotation then shear, in pixel units; D A D^-1 maps it to normalised units
    a00 = cos + shear_x * sin
    a01 = -sin + shear_x * cos
    a10 = sin + shear_y * cos
    a11 = cos - shear_y * sin
    inv = 1.0 / scale
    row0 = torch.stack([a00 * inv, a01 * inv * height / width, tx], dim=1)
    row1 = torch.stack([a10 * inv * width / height, a11 * inv, ty], dim=1)
    return torch.stack([row0, row1], dim=1)


class StandardAugment:
    """Per batch: flips along the allowed axes, one random affine warp (rotation,
    scale, shift: the random crop with padding folded into the shift), brightness /
    contrast / gamma jitter and light Gaussian noise, all per image.

    Magnitudes (0 switches an op off): ``rotate`` degrees, ``scale`` relative,
    ``shift`` pixels, ``brightness`` and ``contrast`` relative to the image's range,
    ``gamma`` (exponent in ``[1 / (1 + gamma), 1 + gamma]``), ``noise`` (standard
    deviation relative to the image's range).
    """

    def __init__(self, flips=("horizontal",), rotate=10.0, scale=0.1, shift=2.0,
                 brightness=0.1, contrast=0.1, gamma=0.2, noise=0.02):
        self.flips = tuple(flips)
        self.rotate = rotate
        self.scale = scale
        self.shift = shift
        self.brightness = brightness
        self.contrast = contrast
        self.gamma = gamma
        self.noise = noise

    def __call__(self, x, generator):
        n, _, height, width = x.shape
        dev, dt = x.device, x.dtype
        x = _flip(x, generator, self.flips)
        r = torch.rand(n, 8, generator=generator, device=dev, dtype=dt) * 2 - 1
        if self.rotate or self.scale or self.shift:
            zero = torch.zeros(n, device=dev, dtype=dt)
            theta = _theta(
                r[:, 0] * math.radians(self.rotate), 1 + r[:, 1] * self.scale, zero, zero,
                r[:, 2] * 2 * self.shift / width, r[:, 3] * 2 * self.shift / height,
                height, width,
            )
            x = _warp(x, theta)
        if self.brightness or self.contrast or self.gamma:
            lo, span = _unit_range(x)
            u = (x - lo) / span
            if self.contrast:
                mean = u.mean(dim=(1, 2, 3), keepdim=True)
                u = (u - mean) * (1 + self.contrast * r[:, 4]).view(n, 1, 1, 1) + mean
            if self.brightness:
                u = u + (self.brightness * r[:, 5]).view(n, 1, 1, 1)
            u = u.clamp(0, 1)
            if self.gamma:
                u = u.pow(torch.exp(r[:, 6] * math.log1p(self.gamma)).view(n, 1, 1, 1))
            x = u * span + lo
        if self.noise:
            _, span = _unit_range(x)
            noise = torch.randn(x.shape, generator=generator, device=dev, dtype=dt)
            x = x + noise * (self.noise * span)
        return standard_strides(x)


class TrivialAugment:
    """TrivialAugment-style: each image gets one operation, drawn uniformly, at a
    uniformly drawn strength (and random sign): identity, rotate, shear x / y,
    translate x / y, scale, brightness, contrast, gamma, sharpness, autocontrast,
    noise, and a flip along each allowed axis. The geometric ones share one batched
    warp of the images that drew them."""

    GEOMETRIC = ("rotate", "shear_x", "shear_y", "translate_x", "translate_y", "scale")
    PHOTOMETRIC = ("brightness", "contrast", "gamma", "sharpness", "autocontrast",
                   "noise")

    def __init__(self, flips=("horizontal",)):
        self.flips = tuple(flips)
        self.ops = ("identity",) + self.GEOMETRIC + self.PHOTOMETRIC + tuple(
            f"flip_{axis}" for axis in self.flips
        )

    def __call__(self, x, generator):
        n, c, height, width = x.shape
        dev, dt = x.device, x.dtype
        op = torch.randint(len(self.ops), (n,), generator=generator, device=dev)
        m = torch.rand(n, generator=generator, device=dev, dtype=dt)
        sign = torch.where(torch.rand(n, generator=generator, device=dev) < 0.5, -1, 1)
        s = m * sign.to(dt)  # signed strength in [-1, 1]

        def picked(name):
            return op == self.ops.index(name)

        def value(name, magnitude, neutral):
            return torch.where(picked(name), neutral + magnitude * s,
                               torch.full_like(s, neutral))

        geometric = torch.zeros(n, dtype=torch.bool, device=dev)
        for name in self.GEOMETRIC:
            geometric |= picked(name)
        idx = geometric.nonzero().flatten()
        if len(idx):
            theta = _theta(
                value("rotate", math.radians(30), 0.0), value("scale", 0.25, 1.0),
                value("shear_x", 0.3, 0.0), value("shear_y", 0.3, 0.0),
                value("translate_x", 0.5, 0.0), value("translate_y", 0.5, 0.0),
                height, width,
            )
            x = x.index_copy(0, idx, _warp(x[idx], theta[idx]))
        photometric = torch.zeros(n, dtype=torch.bool, device=dev)
        for name in self.PHOTOMETRIC:
            photometric |= picked(name)
        if bool(photometric.any()):
            lo, span = _unit_range(x)
            u = (x - lo) / span
            view = (n, 1, 1, 1)
            mean = u.mean(dim=(1, 2, 3), keepdim=True)
            u = (u - mean) * value("contrast", 0.5, 1.0).view(view) + mean
            u = u + value("brightness", 0.3, 0.0).view(view)
            blur = F.avg_pool2d(F.pad(u, (1, 1, 1, 1), mode="replicate"), 3, stride=1)
            u = blur + (u - blur) * value("sharpness", 0.9, 1.0).view(view)
            # autocontrast: stretch the 1st-99th percentile range to [0, 1]
            idx = picked("autocontrast").nonzero().flatten()
            if len(idx):
                sub = u[idx]
                q = torch.quantile(sub.reshape(len(idx), -1),
                                   torch.tensor([0.01, 0.99], device=dev, dtype=dt), dim=1)
                q_lo, q_hi = q[0].view(-1, 1, 1, 1), q[1].view(-1, 1, 1, 1)
                u = u.index_copy(0, idx, (sub - q_lo) / (q_hi - q_lo).clamp_min(1e-6))
            u = u.clamp(0, 1)
            u = u.pow(torch.exp(value("gamma", math.log(2.0), 0.0)).view(view))
            sigma = torch.where(picked("noise"), 0.1 * m, torch.zeros_like(m))
            noise = torch.randn(x.shape, generator=generator, device=dev, dtype=dt)
            u = u + noise * sigma.view(view)
            x = torch.where(photometric.view(view), u * span + lo, x)
        for axis in self.flips:
            mask = picked(f"flip_{axis}").view(n, 1, 1, 1)
            x = torch.where(mask, x.flip(FLIP_AXES[axis]), x)
        return standard_strides(x)


class BatchAugmenter:
    """What the net applies to each training batch: the image transform (``augment``)
    and, with ``mixup`` / ``cutmix`` > 0, the mixing of pairs within the batch.

    ``__call__(x, y)`` returns ``(x, mix)``, ``mix`` being ``None`` or
    ``(perm, lam)``: the loss is then ``lam * loss(y) + (1 - lam) * loss(y[perm])``.
    With both alphas set, each batch uses one of the two, with probability 1/2.
    """

    def __init__(self, augment, flips, mixup, cutmix, seed, device):
        if augment == "standard":
            self.transform = StandardAugment(flips)
        elif augment == "trivial":
            self.transform = TrivialAugment(flips)
        else:
            self.transform = augment  # a callable or None
        self.user_callable = callable(augment) and augment not in AUGMENT_NAMES
        self.mixup = float(mixup)
        self.cutmix = float(cutmix)
        self.seed = int(seed)
        self.generator = torch.Generator(device=device)
        self.generator.manual_seed(self.seed)
        self.rng = np.random.default_rng([self.seed, 1])

    def __getstate__(self):
        # A CUDA generator would not unpickle where CUDA is missing: keep its device
        # and state (a CPU byte tensor) instead.
        state = self.__dict__.copy()
        generator = state.pop("generator")
        state["generator_state_"] = (str(generator.device), generator.get_state())
        return state

    def __setstate__(self, state):
        device, generator_state = state.pop("generator_state_")
        self.__dict__.update(state)
        try:
            self.generator = torch.Generator(device=device)
            self.generator.set_state(generator_state)
        except RuntimeError:  # the device is not available here: a fresh CPU stream
            self.generator = torch.Generator()
            self.generator.manual_seed(self.seed)

    def check(self, x):
        """Applies a user's callable once to ``x`` (with a throw-away generator) and
        refuses it when it changes the batch's shape or dtype."""
        if not self.user_callable:
            return
        generator = torch.Generator(device=x.device)
        generator.manual_seed(0)
        self._checked(self.transform(x.clone(), generator), x)

    @staticmethod
    def _checked(out, x):
        if not isinstance(out, torch.Tensor):
            raise ValueError(
                f"The augment callable must return a torch.Tensor; it returned "
                f"{type(out).__name__}."
            )
        if out.shape != x.shape or out.dtype != x.dtype:
            raise ValueError(
                "The augment callable must return a batch of the shape and dtype it "
                f"gets: it got {tuple(x.shape)} {x.dtype} and returned "
                f"{tuple(out.shape)} {out.dtype}."
            )
        return out

    def __call__(self, x, y):
        if self.transform is not None:
            out = self.transform(x, self.generator)
            x = self._checked(out, x) if self.user_callable else out
            x = standard_strides(x)
        mix = None
        use = [name for name, alpha in (("mixup", self.mixup), ("cutmix", self.cutmix))
               if alpha > 0]
        if use and len(x) > 1:
            name = use[0] if len(use) == 1 else use[int(self.rng.random() < 0.5)]
            alpha = self.mixup if name == "mixup" else self.cutmix
            lam = float(self.rng.beta(alpha, alpha))
            perm = torch.randperm(len(x), generator=self.generator, device=x.device)
            if name == "mixup":
                x = lam * x + (1 - lam) * x[perm]
            else:
                x, lam = self._cut(x, perm, lam)
            mix = (perm, lam)
        return x, mix

    def _cut(self, x, perm, lam):
        """CutMix: one box (area ``1 - lam``, clipped at the borders) pasted from the
        paired image; ``lam`` becomes the kept share of the pixels."""
        height, width = x.shape[-2:]
        cut = math.sqrt(1 - lam)
        ch, cw = int(round(height * cut)), int(round(width * cut))
        cy, cx = int(self.rng.integers(height)), int(self.rng.integers(width))
        y0, y1 = max(cy - ch // 2, 0), min(cy + ch - ch // 2, height)
        x0, x1 = max(cx - cw // 2, 0), min(cx + cw - cw // 2, width)
        x = x.clone()
        x[:, :, y0:y1, x0:x1] = x[perm][:, :, y0:y1, x0:x1]
        return x, 1 - (y1 - y0) * (x1 - x0) / (height * width)
