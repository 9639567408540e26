"""Your own images, MedMNIST, the reference paper's data subsets, and synthetic images.

Four kinds of data live here:

- :func:`load_images` reads your own labelled images: a folder of class subfolders of
  PNG / JPEG / TIFF / BMP files (:func:`load_image_folder`) or an ``.npz`` file
  (:func:`load_image_npz`); :func:`load_unlabelled_images` reads a folder of images
  without labels (an unlabelled pool). :func:`save_image_folder` writes labelled
  images as such a folder, and :func:`generate_image_folder` fits a generator on one
  and writes the images it makes, with their provenance (``skgenaug generate``).

- :func:`load_medmnist` reads one split of a 2D MedMNIST data set from its official
  ``.npz`` file, exactly as stored (uint8 images, 1-D integer labels). It never downloads
  unless asked to.
- :func:`make_paper_subset` and :func:`load_paper_subset` build the small subsets of the
  reference paper (section 3.3, Table 1): about 150 training images per class from the
  official train split, a ninth of that per class from the official val split, and the
  whole official test split; BreastMNIST is used whole.
- :func:`make_image_classification` makes small synthetic image data sets whose classes
  differ visibly, for tests and examples.

Where the files are
-------------------
The data folder is, in this order: the ``root`` argument, the environment variable
``SKGENAUG_DATA_DIR``, or medmnist's own default root (``~/.medmnist``). A 28x28 data set
is the file ``<root>/<flag>.npz`` (for example ``breastmnist.npz``), a larger size the file
``<root>/<flag>_<size>.npz``, as medmnist names them.

Local copies of the files need not match medmnist's MD5 checksums (re-saved or rebuilt
copies never do), so a present file is loaded as it is and is never re-downloaded.
A download (``download=True``) fetches the official file from the URL in
``medmnist.INFO`` and keeps it only once its MD5 matches the official one.

Importing this module is cheap: ``medmnist`` (which imports torch) is imported only when
a MedMNIST name or file is looked up.
"""

import difflib
import logging
import os
import re
import zipfile
import zlib
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from ._image_files import (
    IMAGE_EXTENSIONS,
    load_image_folder,
    load_image_npz,
    load_images,
    load_unlabelled_images,
)
from ._synthetic import generate_image_folder, save_image_folder

__all__ = [
    "DATA_DIR_ENV",
    "IMAGE_EXTENSIONS",
    "PAPER_DATASETS",
    "PAPER_SUBSETS",
    "PAPER_TABLE1",
    "generate_image_folder",
    "load_image_folder",
    "load_image_npz",
    "load_images",
    "load_medmnist",
    "load_paper_subset",
    "load_unlabelled_images",
    "medmnist_flag",
    "make_image_classification",
    "make_paper_subset",
    "save_image_folder",
]

logger = logging.getLogger(__name__)

#: Environment variable naming the folder that holds the MedMNIST ``.npz`` files.
DATA_DIR_ENV = "SKGENAUG_DATA_DIR"

#: The eight MedMNIST data sets of the reference paper, in the order of its Table 1.
PAPER_DATASETS = (
    "pathmnist",
    "dermamnist",
    "octmnist",
    "pneumoniamnist",
    "breastmnist",
    "organamnist",
    "organcmnist",
    "organsmnist",
)

#: Training images per class of the paper's subsets; ``None`` means the whole official
#: splits (the paper used BreastMNIST whole: 546 train / 78 val images).
PAPER_SUBSETS = {
    "pathmnist": 150,
    "dermamnist": 150,
    "octmnist": 150,
    "pneumoniamnist": 150,
    "breastmnist": None,
    "organamnist": 150,
    "organcmnist": 150,
    "organsmnist": 150,
}

#: ``(n_train, n_val, n_test)`` exactly as printed in the paper's Table 1, for comparison.
#: The paper's validation totals are ``ceil(n_train / 9)``, a few images fewer than this
#: module's default of ``round(n_per_class / 9)`` per class (PathMNIST: 150 vs 153). Its
#: DermaMNIST counts (1,050 / 117) assume 150 images in every class, but two of the seven
#: classes of the official train split hold fewer. Its OrganMNIST test sizes differ from
#: MedMNIST v2's (``medmnist.INFO``; OrganA: 8,889 vs 17,778).
PAPER_TABLE1 = {
    "pathmnist": (1350, 150, 7180),
    "dermamnist": (1050, 117, 2005),
    "octmnist": (600, 67, 1000),
    "pneumoniamnist": (300, 34, 624),
    "breastmnist": (546, 78, 156),
    "organamnist": (1650, 184, 8889),
    "organcmnist": (1650, 184, 8268),
    "organsmnist": (1650, 184, 8829),
}

_SPLITS = ("train", "val", "test")
_SIZES = (28, 64, 128, 224)  # medmnist's sizes for 2D data sets
# Names that do not become a flag by dropping punctuation and appending "mnist".
_ALIASES = {
    "organmnistaxial": "organamnist",
    "organmnistcoronal": "organcmnist",
    "organmnistsagittal": "organsmnist",
}


# --------------------------------------------------------------------------------------
# Names, folders, files
# --------------------------------------------------------------------------------------


def _medmnist_info():
    # Imported here, not at module level: medmnist imports torch and pandas (~2 s).
    import medmnist

    return medmnist.INFO


def _resolve_flag(name):
    """Map 'BreastMNIST', 'breast', 'breastmnist', 'OrganMNIST_Axial', ... to a flag."""
    if not isinstance(name, str):
        raise TypeError(f"name must be a string such as 'breastmnist', got {name!r}")
    info = _medmnist_info()
    key = re.sub(r"[^0-9a-z]", "", name.lower())
    key = _ALIASES.get(key, key)
    flag = next((k for k in (key, key + "mnist") if k in info), None)
    if flag is None and (key + "mnist3d") in info:
        flag = key + "mnist3d"
    if flag is None:
        flags_2d = [k for k in info if not k.endswith("3d")]
        close = difflib.get_close_matches(key, flags_2d, n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise ValueError(
            f"Unknown MedMNIST data set {name!r}.{hint} Known 2D data sets: "
            f"{', '.join(flags_2d)}."
        )
    if flag.endswith("3d"):
        raise ValueError(
            f"{name!r} is the 3D data set '{flag}'; skgenaug handles 2D images only "
            "(28x28 gray or RGB). Use a 2D MedMNIST data set such as 'organamnist'."
        )
    if info[flag]["task"].startswith("multi-label"):
        # One 1-D label per image is what every sampler and classifier here expects.
        raise ValueError(
            f"'{flag}' is a multi-label data set ({len(info[flag]['label'])} binary labels "
            "per image); skgenaug supports single-label data sets only."
        )
    return flag


def medmnist_flag(name):
    """The MedMNIST flag of a 2D, single-label data set name.

    Parameters
    ----------
    name : str
        ``'breastmnist'``, ``'BreastMNIST'``, ``'breast'``, ``'OrganMNIST_Axial'``...
        (case and punctuation ignored).

    Returns
    -------
    flag : str
        The key of ``medmnist.INFO``, e.g. ``'breastmnist'``.

    Raises
    ------
    ValueError
        For an unknown name (with the closest known one), a 3D or a multi-label data
        set.

    Examples
    --------
    >>> from skgenaug.datasets import medmnist_flag
    >>> medmnist_flag("Breast"), medmnist_flag("OrganMNIST_Axial")
    ('breastmnist', 'organamnist')
    """
    return _resolve_flag(name)


def _resolve_root(root):
    """The data folder and where it came from (for error messages)."""
    if root is not None:
        return Path(root).expanduser(), "the root argument"
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser(), f"the environment variable {DATA_DIR_ENV}"
    import medmnist.info

    default = medmnist.info.DEFAULT_ROOT
    if default is None:  # medmnist could not create ~/.medmnist
        default = "~/.medmnist"
    return Path(default).expanduser(), "medmnist's default root"


def _file_name(flag, size):
    return f"{flag}.npz" if size == 28 else f"{flag}_{size}.npz"


def _check_split(split):
    if split not in _SPLITS:
        raise ValueError(f"split must be one of {_SPLITS}, got {split!r}")


def _check_size(size):
    if size not in _SIZES:
        raise ValueError(
            f"size must be one of {_SIZES} (the sizes MedMNIST publishes for 2D data "
            f"sets), got {size!r}"
        )


#: Seconds a download waits for the server before giving up.
_DOWNLOAD_TIMEOUT = 60
_CHUNK = 1 << 20


def _official(flag, size):
    """``(url, md5)`` of the official file, from ``medmnist.INFO`` (all sizes)."""
    suffix = "" if size == 28 else f"_{size}"
    info = _medmnist_info()[flag]
    return info.get(f"url{suffix}"), info.get(f"MD5{suffix}")


def _download(flag, size, root):
    """Download the official npz file of ``flag`` at ``size`` into ``root``.

    Straight from the URL in ``medmnist.INFO`` with urllib (medmnist's own download
    imports torchvision, which breaks when it does not match torch). The bytes go to a
    hidden temporary file in ``root`` and are renamed to the final name only once their
    MD5 matches, so an interrupted or corrupted download never passes for a data set.
    """
    import hashlib
    import http.client
    import tempfile
    import urllib.error
    import urllib.request

    from tqdm.auto import tqdm

    url, md5 = _official(flag, size)
    if not url or not md5:
        raise ValueError(f"medmnist.INFO has no URL and MD5 for {flag} at size {size}.")
    path = root / _file_name(flag, size)
    root.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=root)
    try:
        digest = hashlib.md5()
        with os.fdopen(handle, "wb") as out:
            try:
                with urllib.request.urlopen(url, timeout=_DOWNLOAD_TIMEOUT) as response:
                    total = int(response.headers.get("Content-Length") or 0) or None
                    with tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024,
                              desc=f"Downloading {path.name}", disable=None) as bar:
                        while chunk := response.read(_CHUNK):
                            out.write(chunk)
                            digest.update(chunk)
                            bar.update(len(chunk))
            except (urllib.error.URLError, http.client.HTTPException, OSError,
                    ValueError) as exc:
                raise OSError(f"Downloading {url} failed: {exc}") from exc
        if digest.hexdigest() != md5.lower():
            raise OSError(
                f"The file downloaded from {url} has MD5 {digest.hexdigest()}, not the "
                f"official {md5}: the download was cut short or altered. Nothing was "
                "kept; try again."
            )
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
    logger.info("Downloaded %s from %s (MD5 verified).", path, url)
    return path


def _locate(flag, size, root, download):
    """Path of the npz file of ``flag``; downloads only when asked and absent."""
    folder, source = _resolve_root(root)
    path = folder / _file_name(flag, size)
    if path.is_file():
        return path
    url = _official(flag, size)[0] or "(no URL in medmnist.INFO)"
    cause = None
    if download:
        try:
            _download(flag, size, folder)
        except Exception as exc:  # offline, proxy, MD5 mismatch, full disk, ...
            cause = exc
        if path.is_file():
            return path
    message = f"MedMNIST file not found: {path} (data folder from {source})."
    if cause is not None:
        first_line = (str(cause).strip().splitlines() or [""])[0]
        message += f" Downloading it from {url} failed ({type(cause).__name__}: " \
                   f"{first_line})."
    elif download:
        message += f" Downloading it from {url} did not create it."
    message += (
        f"\nFix: put {path.name} in that folder, or point skgenaug at the folder that "
        f"holds it with root=... or the environment variable {DATA_DIR_ENV}"
        + ("" if download else ", or pass download=True on a machine with internet access")
        + f".\nOfficial file: {url}"
    )
    raise FileNotFoundError(message) from cause


def _bad_file(path, problem):
    return ValueError(
        f"{path}: {problem}. The file is damaged or not in MedMNIST's npz layout "
        "(train_images, train_labels, val_images, val_labels, test_images, test_labels); "
        "replace it with the official file."
    )


def _read_splits(path, flag, size, splits):
    """Read and check ``{split: (X, y)}`` from one npz file, opened once."""
    info = _medmnist_info()[flag]
    n_channels, n_classes = info["n_channels"], len(info["label"])
    expected = (size, size) if n_channels == 1 else (size, size, n_channels)
    kind = "gray" if n_channels == 1 else f"{n_channels}-channel"
    logger.debug("Loading %s as it is (not checked against medmnist's MD5).", path)
    try:
        npz = np.load(path, allow_pickle=False)
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise _bad_file(path, f"cannot be read as an npz file ({exc})") from exc
    out = {}
    with npz:
        for split in splits:
            keys = (f"{split}_images", f"{split}_labels")
            missing = [k for k in keys if k not in npz.files]
            if missing:
                raise _bad_file(
                    path, f"no {' or '.join(missing)} array (it holds {sorted(npz.files)})"
                )
            try:
                X, y = npz[keys[0]], npz[keys[1]]
            except (OSError, ValueError, EOFError, zlib.error, zipfile.BadZipFile) as exc:
                raise _bad_file(path, f"cannot read {split} arrays ({exc})") from exc
            if X.ndim < 1 or X.shape[1:] != expected:
                raise _bad_file(
                    path,
                    f"{keys[0]} has shape {X.shape}; {flag} at size {size} holds {kind} "
                    f"images of shape (n, {', '.join(map(str, expected))})",
                )
            if X.dtype != np.uint8:
                raise _bad_file(path, f"{keys[0]} has dtype {X.dtype}, expected uint8")
            if y.ndim == 2 and y.shape[1] == 1:
                y = y.ravel()
            if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
                raise _bad_file(
                    path,
                    f"{keys[1]} has shape {y.shape} and dtype {y.dtype}; expected integer "
                    "labels of shape (n, 1)",
                )
            if len(y) != len(X):
                raise _bad_file(
                    path,
                    f"{keys[1]} holds {len(y)} labels for {len(X)} images in {keys[0]}",
                )
            if len(y) and (y.min() < 0 or y.max() >= n_classes):
                raise _bad_file(
                    path,
                    f"{keys[1]} holds labels in [{y.min()}, {y.max()}]; {flag} has "
                    f"{n_classes} classes (0 to {n_classes - 1})",
                )
            if len(X) != info["n_samples"][split]:
                logger.debug(
                    "%s: %s holds %d images; the official file holds %d.",
                    path, keys[0], len(X), info["n_samples"][split],
                )
            out[split] = (X, y.astype(np.int64))
    return out


# --------------------------------------------------------------------------------------
# Public loaders
# --------------------------------------------------------------------------------------


def load_medmnist(name, split="train", root=None, *, size=28, download=False):
    """Load one split of a 2D MedMNIST data set as numpy arrays.

    The images come back exactly as stored in the official ``.npz`` file: uint8,
    ``(n, size, size)`` for gray data sets and ``(n, size, size, 3)`` for RGB ones.
    A file that is present is loaded as it is: no MD5 check (local copies often differ
    from the official checksums) and no download.

    Parameters
    ----------
    name : str
        A 2D MedMNIST data set, by flag or name, case and punctuation ignored:
        ``'breastmnist'``, ``'BreastMNIST'``, ``'breast'``, ``'OrganMNIST_Axial'``...
        (see ``medmnist.INFO``). 3D data sets and the multi-label ``'chestmnist'`` are
        refused with a ValueError: every estimator here expects one label per 2D image.
    split : {'train', 'val', 'test'}, default='train'
        The official split.
    root : str or path-like, default=None
        Folder holding ``<flag>.npz``. ``None`` uses the environment variable
        ``SKGENAUG_DATA_DIR`` when set, else medmnist's default root (``~/.medmnist``).
    size : {28, 64, 128, 224}, default=28
        Image size; sizes other than 28 are read from ``<flag>_<size>.npz``.
    download : bool, default=False
        When the file is absent, download the official file (the URL and MD5 of
        ``medmnist.INFO``) into the data folder, with a progress bar; it gets its final
        name only once its MD5 matches (no torchvision needed). Off by default so that
        a misplaced folder fails fast instead of starting a download.

    Returns
    -------
    X : ndarray of uint8, shape (n, size, size) or (n, size, size, 3)
        The images.
    y : ndarray of int64, shape (n,)
        The class labels, ``0`` to ``n_classes - 1``.

    Raises
    ------
    FileNotFoundError
        If the file is absent (and could not be downloaded: no network, or an MD5
        that differs from the official one). The message names the expected path, how
        to point skgenaug elsewhere, and the official URL; the download's error is
        its ``__cause__``.
    ValueError
        If ``name``, ``split`` or ``size`` is unknown or unsupported, or if the file is
        damaged: a missing array, a wrong image shape or dtype, or a label count that
        does not match the image count.

    Examples
    --------
    >>> from skgenaug.datasets import load_medmnist
    >>> X, y = load_medmnist("breast", "train")  # doctest: +SKIP
    >>> X.shape, X.dtype, y.shape  # doctest: +SKIP
    ((546, 28, 28), dtype('uint8'), (546,))
    >>> X, y = load_medmnist("DermaMNIST", "test", root="data/")  # doctest: +SKIP
    >>> X.shape  # doctest: +SKIP
    (2005, 28, 28, 3)
    """
    _check_split(split)
    _check_size(size)
    flag = _resolve_flag(name)
    path = _locate(flag, size, root, download)
    return _read_splits(path, flag, size, (split,))[split]


def _as_generator(random_state):
    """A numpy Generator from None, an int, a SeedSequence, a Generator or a RandomState."""
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(np.iinfo(np.int32).max))
    return np.random.default_rng(random_state)


def _per_class_indices(y, k, rng):
    # Up to k indices of every class present in y, drawn without replacement, grouped
    # by class in ascending label order.
    parts = [rng.permutation(np.flatnonzero(y == c))[:k] for c in np.unique(y)]
    return np.concatenate(parts) if parts else np.empty(0, dtype=np.intp)


def _check_count(value, name):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive int or None, got {value!r}")
    return int(value)


def _subset_indices(y_train, y_val, n_per_class, n_val_per_class, shuffle, rng):
    """Row indices of the paper subset in the official train and val splits."""
    n_per_class = _check_count(n_per_class, "n_per_class")
    n_val_per_class = _check_count(n_val_per_class, "n_val_per_class")
    if n_val_per_class is None and n_per_class is not None:
        # train:val = 9:1 per class, as in the paper and the project's reference script.
        n_val_per_class = max(1, round(n_per_class / 9))
    # Train picks first, then val picks, then the shuffles: for the same seed the picked
    # images are those of the plain PyTorch reference script (shared/tools).
    idx = []
    for y, k in ((y_train, n_per_class), (y_val, n_val_per_class)):
        idx.append(np.arange(len(y)) if k is None else _per_class_indices(y, k, rng))
    if shuffle:
        # Rows grouped by class would give one-class batches to an unshuffled loader.
        idx = [i if k is None else rng.permutation(i)
               for i, k in zip(idx, (n_per_class, n_val_per_class))]
    return idx[0], idx[1], n_per_class, n_val_per_class


def _labels_1d(y, name):
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.ravel()
    if y.ndim != 1:
        raise ValueError(f"{name} must be 1-D (or (n, 1)), got shape {y.shape}")
    return y


def make_paper_subset(
    X_train,
    y_train,
    X_val,
    y_val,
    n_per_class=150,
    *,
    n_val_per_class=None,
    shuffle=True,
    random_state=None,
):
    """Draw the reference paper's small training and validation subsets from arrays.

    Section 3.3 of the paper: about ``n_per_class`` training images per class from the
    official train split and a ninth of that per class from the official val split
    (train:val = 9:1). A class with fewer images keeps all it has. Test data is not
    touched: the paper evaluates on the whole official test split.

    Parameters
    ----------
    X_train : array-like of shape (n_train, ...)
        Images (or any rows) of the official train split.
    y_train : array-like of shape (n_train,) or (n_train, 1)
        Their class labels.
    X_val : array-like of shape (n_val, ...)
        Images (or any rows) of the official val split.
    y_val : array-like of shape (n_val,) or (n_val, 1)
        Their class labels.
    n_per_class : int or None, default=150
        Training images per class; ``None`` keeps the whole train split (and, unless
        ``n_val_per_class`` is given, the whole val split), in their official order.
    n_val_per_class : int or None, default=None
        Validation images per class. ``None`` means ``max(1, round(n_per_class / 9))``
        (17 for 150), or the whole val split when ``n_per_class`` is ``None``.
    shuffle : bool, default=True
        Shuffle the drawn rows. ``False`` keeps them grouped by class in ascending label
        order, which, for the same integer seed, reproduces the arrays of the project's
        plain PyTorch reference script (``shared/tools/plain_pytorch_reference.py``).
    random_state : int, numpy Generator, RandomState or None, default=None
        Seed of the draw; an int makes it reproducible.

    Returns
    -------
    X_train_sub, y_train_sub, X_val_sub, y_val_sub : ndarray
        The subsets, labels 1-D.

    See Also
    --------
    load_paper_subset : Load a MedMNIST data set and draw its paper subset.

    Examples
    --------
    >>> import numpy as np
    >>> from skgenaug.datasets import make_paper_subset
    >>> rng = np.random.default_rng(0)
    >>> X_tr, y_tr = rng.random((1000, 4)), np.repeat([0, 1, 2], [500, 400, 100])
    >>> X_va, y_va = rng.random((120, 4)), np.repeat([0, 1, 2], [50, 50, 20])
    >>> Xs, ys, Xv, yv = make_paper_subset(X_tr, y_tr, X_va, y_va, random_state=0)
    >>> np.bincount(ys), np.bincount(yv)
    (array([150, 150, 100]), array([17, 17, 17]))
    """
    y_train, y_val = _labels_1d(y_train, "y_train"), _labels_1d(y_val, "y_val")
    for X, y, name in ((X_train, y_train, "train"), (X_val, y_val, "val")):
        if len(X) != len(y):
            raise ValueError(f"X_{name} has {len(X)} rows but y_{name} has {len(y)} labels")
    rng = _as_generator(random_state)
    idx_train, idx_val, _, _ = _subset_indices(
        y_train, y_val, n_per_class, n_val_per_class, shuffle, rng
    )
    X_train, X_val = np.asarray(X_train), np.asarray(X_val)
    return X_train[idx_train], y_train[idx_train], X_val[idx_val], y_val[idx_val]


def _class_counts(y, n_classes):
    return {c: int(n) for c, n in enumerate(np.bincount(y, minlength=n_classes))}


def _format_counts(bunch):
    counts, names = bunch.class_counts, bunch.target_names
    k = bunch.n_per_class
    lines = [
        f"{bunch.name} ({bunch.flag}): paper subset with n_per_class={k}, "
        f"n_val_per_class={bunch.n_val_per_class}, random_state={bunch.random_state}",
        f"{'class':>5}  {'name':<32} {'train':>6} {'val':>5} {'test':>6}",
    ]
    for c, label in enumerate(names):
        short = label if len(label) <= 32 else label[:29] + "..."
        mark = " *" if k is not None and counts["train"][c] < k else ""
        lines.append(
            f"{c:>5}  {short:<32} {counts['train'][c]:>6} {counts['val'][c]:>5} "
            f"{counts['test'][c]:>6}{mark}"
        )
    totals = [sum(counts[s].values()) for s in _SPLITS]
    lines.append(f"{'total':>5}  {'':<32} {totals[0]:>6} {totals[1]:>5} {totals[2]:>6}")
    if any(line.endswith(" *") for line in lines):
        lines.append(f"* fewer than {k} images in the official train split: all kept")
    return "\n".join(lines)


def load_paper_subset(
    name,
    root=None,
    *,
    n_per_class="paper",
    n_val_per_class=None,
    shuffle=True,
    random_state=None,
    size=28,
    download=False,
    verbose=False,
):
    """Load a MedMNIST data set as the reference paper's small subset (its Table 1).

    Training: about ``n_per_class`` images per class from the official train split (a
    class with fewer keeps all it has); validation: ``round(n_per_class / 9)`` per class
    from the official val split; test: the whole official test split. With the default
    ``n_per_class='paper'`` the per-data-set rule comes from :data:`PAPER_SUBSETS`: 150
    per class, except BreastMNIST which the paper used whole (546 / 78 / 156).

    Parameters
    ----------
    name : str
        A 2D MedMNIST data set (see :func:`load_medmnist`); the paper's eight are
        listed in :data:`PAPER_DATASETS`.
    root : str or path-like, default=None
        Data folder, as in :func:`load_medmnist` (else ``SKGENAUG_DATA_DIR``, else
        medmnist's default root).
    n_per_class : 'paper', int or None, default='paper'
        Training images per class. ``'paper'`` looks the data set up in
        :data:`PAPER_SUBSETS` (150 for a data set the paper did not use); ``None`` keeps
        the whole train and val splits.
    n_val_per_class : int or None, default=None
        Validation images per class; ``None`` means ``max(1, round(n_per_class / 9))``.
    shuffle : bool, default=True
        Shuffle the drawn rows (see :func:`make_paper_subset`).
    random_state : int, numpy Generator, RandomState or None, default=None
        Seed of the draw; an int makes the subset reproducible.
    size : {28, 64, 128, 224}, default=28
        Image size (MedMNIST+); sizes other than 28 are read from
        ``<flag>_<size>.npz``. The same seed draws the same rows at every size.
    download : bool, default=False
        Download the official file when it is absent (see :func:`load_medmnist`).
    verbose : bool, default=False
        Print the class counts of the three parts.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like, with attributes

        - ``X_train, y_train, X_val, y_val, X_test, y_test``: uint8 images as stored and
          int64 labels.
        - ``train_indices, val_indices``: rows of the subsets in the official splits.
        - ``class_counts``: ``{'train': {label: count}, 'val': {...}, 'test': {...}}``.
        - ``target_names``: class names from ``medmnist.INFO``, by label.
        - ``flag, name, task, n_channels, n_per_class, n_val_per_class, random_state,
          file``: what was loaded and how (``n_per_class`` resolved: an int or None).

    Raises
    ------
    FileNotFoundError, ValueError
        As :func:`load_medmnist`.

    See Also
    --------
    make_paper_subset : The same draw on arrays already in memory.

    Examples
    --------
    >>> from skgenaug.datasets import load_paper_subset
    >>> data = load_paper_subset("pneumonia", random_state=0)  # doctest: +SKIP
    >>> len(data.y_train), len(data.y_val), len(data.y_test)  # doctest: +SKIP
    (300, 34, 624)
    >>> data.class_counts["train"]  # doctest: +SKIP
    {0: 150, 1: 150}
    >>> load_paper_subset("breast").n_per_class is None  # used whole  # doctest: +SKIP
    True
    """
    _check_size(size)
    flag = _resolve_flag(name)
    if isinstance(n_per_class, str):
        if n_per_class != "paper":
            raise ValueError(
                f"n_per_class must be 'paper', an int or None, got {n_per_class!r}"
            )
        n_per_class = PAPER_SUBSETS.get(flag, 150)
    path = _locate(flag, size, root, download)
    splits = _read_splits(path, flag, size, _SPLITS)
    (X_tr, y_tr), (X_va, y_va), (X_te, y_te) = (splits[s] for s in _SPLITS)
    rng = _as_generator(random_state)
    idx_tr, idx_va, n_per_class, n_val_per_class = _subset_indices(
        y_tr, y_va, n_per_class, n_val_per_class, shuffle, rng
    )
    info = _medmnist_info()[flag]
    n_classes = len(info["label"])
    data = Bunch(
        X_train=X_tr[idx_tr],
        y_train=y_tr[idx_tr],
        X_val=X_va[idx_va],
        y_val=y_va[idx_va],
        X_test=X_te,
        y_test=y_te,
        train_indices=idx_tr,
        val_indices=idx_va,
        target_names=[info["label"][str(c)] for c in range(n_classes)],
        flag=flag,
        name=info["python_class"],
        task=info["task"],
        n_channels=info["n_channels"],
        n_per_class=n_per_class,
        n_val_per_class=n_val_per_class,
        random_state=random_state,
        file=str(path),
    )
    data.class_counts = {
        s: _class_counts(data[f"y_{s}"], n_classes) for s in _SPLITS
    }
    if verbose:
        print(_format_counts(data))
    return data


# --------------------------------------------------------------------------------------
# Synthetic image data
# --------------------------------------------------------------------------------------


def _box(dy, dx, s):
    return np.maximum(np.abs(dy), np.abs(dx)) <= s


def _stripes(t, s, period):
    return np.floor((t + s) / (period * s)) % 2 == 0


# One mask per class, on offsets ``dy, dx`` (n, H, W) from the pattern's centre, in units
# of a 28-pixel image; ``s`` (n, 1, 1) is the half size, 0.3 * s the stroke width.
# Ordered so that the first classes differ the most.
_PATTERNS = (
    ("disc", lambda dy, dx, s: np.hypot(dy, dx) <= s),
    ("horizontal bars", lambda dy, dx, s: _box(dy, dx, s) & _stripes(dy, s, 0.4)),
    ("vertical bars", lambda dy, dx, s: _box(dy, dx, s) & _stripes(dx, s, 0.4)),
    ("cross", lambda dy, dx, s: _box(dy, dx, s)
     & ((np.abs(dy) <= 0.2 * s) | (np.abs(dx) <= 0.2 * s))),
    ("ring", lambda dy, dx, s: (np.hypot(dy, dx) <= s) & (np.hypot(dy, dx) >= 0.6 * s)),
    ("diagonal", lambda dy, dx, s: _box(dy, dx, s) & (np.abs(dy - dx) <= 0.3 * s)),
    ("anti-diagonal", lambda dy, dx, s: _box(dy, dx, s) & (np.abs(dy + dx) <= 0.3 * s)),
    ("checkerboard", lambda dy, dx, s: _box(dy, dx, s)
     & (_stripes(dy, s, 0.5) == _stripes(dx, s, 0.5))),
    ("square frame", lambda dy, dx, s: _box(dy, dx, s) & ~_box(dy, dx, 0.65 * s)),
    ("triangle", lambda dy, dx, s: _box(dy, dx, s) & (dy >= 0) & (np.abs(dx) <= dy)),
)


_N_PATTERNS = len(_PATTERNS)


def _class_sizes(n_samples, n_classes, weights):
    if weights is None:
        p = np.full(n_classes, 1.0 / n_classes)
    else:
        p = np.asarray(weights, dtype=float).ravel()
        if len(p) == n_classes - 1:
            p = np.append(p, 1.0 - p.sum())
        if len(p) != n_classes or np.any(p < 0) or p.sum() <= 0:
            raise ValueError(
                f"weights must hold n_classes ({n_classes}) or n_classes - 1 non-negative "
                f"proportions (the last one 1 - sum of the others), got {weights!r}"
            )
        p = p / p.sum()
    sizes = np.floor(p * n_samples).astype(int)
    # Hand out the rounding remainder to the largest fractional parts.
    remainder = n_samples - sizes.sum()
    sizes[np.argsort(-(p * n_samples - sizes), kind="stable")[:remainder]] += 1
    return sizes


def make_image_classification(
    n_samples=200,
    *,
    n_classes=2,
    image_size=28,
    n_channels=1,
    weights=None,
    noise=0.1,
    dtype="uint8",
    random_state=None,
):
    """Make small synthetic images whose classes differ visibly.

    Each class is one bright pattern on a dark background: disc, horizontal bars,
    vertical bars, cross, ring, diagonal, anti-diagonal, checkerboard, square frame,
    triangle (classes 0 to 9, in this order). Every image jitters the pattern's position
    (up to 2 pixels at 28x28) and size, draws its brightness and background level (and,
    for several channels, a colour tint that does not depend on the class), and adds
    Gaussian noise. The class mean images therefore differ clearly: a linear classifier
    on raw pixels separates the classes, while a generative model still has to learn
    shapes, not a constant per class. Meant for tests and examples, for instance to
    check that images generated for class ``k`` are classified as ``k``.

    Parameters
    ----------
    n_samples : int, default=200
        Number of images.
    n_classes : int, default=2
        Number of classes, 1 to 10.
    image_size : int, default=28
        Height and width of the images (at least 8).
    n_channels : int, default=1
        1 gives ``(n, H, W)`` gray images; more gives ``(n, H, W, n_channels)``.
    weights : array-like of float or None, default=None
        Class proportions, of length ``n_classes`` (normalised) or ``n_classes - 1``
        (the last class gets the rest), as in :func:`sklearn.datasets.make_classification`.
        ``None`` makes balanced classes.
    noise : float, default=0.1
        Standard deviation of the Gaussian pixel noise, in units of the full intensity
        range (0 to 1).
    dtype : {'uint8', 'float32'}, default='uint8'
        ``'uint8'`` gives pixels 0 to 255 as MedMNIST stores them, ``'float32'`` 0 to 1.
    random_state : int, numpy Generator, RandomState or None, default=None
        Seed; an int makes the output reproducible.

    Returns
    -------
    X : ndarray of shape (n_samples, image_size, image_size[, n_channels])
        The images, in random order.
    y : ndarray of int64, shape (n_samples,)
        The class of each image.

    Examples
    --------
    >>> import numpy as np
    >>> from skgenaug.datasets import make_image_classification
    >>> X, y = make_image_classification(100, n_classes=3, weights=[0.6, 0.3],
    ...                                  random_state=0)
    >>> X.shape, X.dtype, np.bincount(y)
    ((100, 28, 28), dtype('uint8'), array([60, 30, 10]))
    >>> X, y = make_image_classification(10, n_channels=3, dtype="float32", random_state=0)
    >>> X.shape, X.dtype, bool(X.min() >= 0 and X.max() <= 1)
    ((10, 28, 28, 3), dtype('float32'), True)
    """
    n_samples = _check_count(n_samples, "n_samples")
    if n_samples is None:
        raise ValueError("n_samples must be a positive int, got None")
    if not (isinstance(n_classes, (int, np.integer)) and 1 <= n_classes <= _N_PATTERNS):
        raise ValueError(
            f"n_classes must be an int from 1 to {_N_PATTERNS}, got {n_classes!r}"
        )
    if not (isinstance(image_size, (int, np.integer)) and image_size >= 8):
        raise ValueError(f"image_size must be an int of at least 8, got {image_size!r}")
    if not (isinstance(n_channels, (int, np.integer)) and n_channels >= 1):
        raise ValueError(f"n_channels must be a positive int, got {n_channels!r}")
    if not noise >= 0:
        raise ValueError(f"noise must be non-negative, got {noise!r}")
    out_dtype = np.dtype(dtype)
    if out_dtype not in (np.dtype(np.uint8), np.dtype(np.float32)):
        raise ValueError(f"dtype must be 'uint8' or 'float32', got {dtype!r}")

    rng = _as_generator(random_state)
    sizes = _class_sizes(n_samples, n_classes, weights)
    y = rng.permutation(np.repeat(np.arange(n_classes, dtype=np.int64), sizes))

    def draw(low, high):
        return rng.uniform(low, high, (n_samples, 1, 1))

    # Pixel centres in units of a 28-pixel image, so that patterns scale with the size.
    u = (np.arange(image_size) + 0.5) * (28.0 / image_size) - 14.0
    centre_y, centre_x, half_size = draw(-2, 2), draw(-2, 2), draw(7, 10)
    dy, dx = u[None, :, None] - centre_y, u[None, None, :] - centre_x
    mask = np.zeros((n_samples, image_size, image_size), dtype=bool)
    for k in range(n_classes):
        rows = y == k
        mask[rows] = _PATTERNS[k][1](dy[rows], dx[rows], half_size[rows])
    background, brightness = draw(0.0, 0.15), draw(0.7, 1.0)
    X = background + (brightness - background) * mask
    if n_channels > 1:
        tint = rng.uniform(0.6, 1.0, (n_samples, 1, 1, n_channels))
        X = X[..., None] * tint
    X = np.clip(X + rng.normal(0.0, noise, X.shape), 0.0, 1.0)
    if out_dtype == np.uint8:
        return np.rint(X * 255).astype(np.uint8), y
    return X.astype(np.float32), y
