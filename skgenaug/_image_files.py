"""Reading a user's own labelled images: class folders of image files, npz archives.

Re-exported from :mod:`skgenaug.datasets`. Pillow decodes the files (PNG, JPEG, TIFF,
BMP); every problem is an error naming the file, raised before anything is returned.
"""

import warnings
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from ._images import check_image_stack

#: File name endings read as images (case-insensitive).
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp")
# Pillow's format names of those files ('MPO': JPEG files from some cameras).
_FORMATS = {"PNG", "JPEG", "MPO", "TIFF", "BMP"}
# Operating-system clutter, skipped wherever it is (besides hidden names, see _skipped).
_CLUTTER = {"thumbs.db", "desktop.ini", "__macosx"}
_GRAY_8 = {"1", "L", "LA"}
_GRAY_16 = {"I;16", "I;16L", "I;16B", "I;16N", "I"}
_COLORS = (None, "gray", "rgb")
#: The resampling filter of ``size=``: Lanczos, Pillow's sharpest, antialiased when
#: shrinking (the usual case: scans and photographs down to 28 or 64 pixels).
RESAMPLING = "lanczos"


def _skipped(name):
    """Hidden files and folders (``.DS_Store``, macOS ``._*`` copies, ``.git``) and
    Windows / macOS clutter are not data."""
    return name.startswith(".") or name.lower() in _CLUTTER


def _check_size(size):
    if size is None:
        return None
    pair = (size, size) if isinstance(size, (int, np.integer)) else size
    try:
        height, width = pair
    except (TypeError, ValueError):
        height = width = None
    ok = all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= 1
             for v in (height, width))
    if not ok:
        raise ValueError(
            f"size must be a positive int or a (height, width) pair of them; got {size!r}."
        )
    return int(height), int(width)


def _check_color(color):
    if color not in _COLORS:
        raise ValueError(f"color must be None, 'gray' or 'rgb'; got {color!r}.")
    return color


def _existing(path, kind):
    path = Path(path).expanduser()
    if not path.exists():
        raise FileNotFoundError(f"{kind} not found: {path}")
    return path


def _corrupt(path, cause):
    return ValueError(f"Corrupt image {path}: {cause}. Replace or remove the file.")


def _labelled(X, y, target_names, filenames, descr, return_X_y, **extra):
    """``(data, target)``, or scikit-learn's loader Bunch with ``X`` and ``y`` kept as
    aliases of ``data`` and ``target`` (the same arrays), for code written before."""
    if return_X_y:
        return X, y
    return Bunch(data=X, target=y, target_names=target_names, filenames=filenames,
                 DESCR=descr, X=X, y=y, **extra)


def _describe(kind, path, X, target_names, y, how=""):
    counts = np.bincount(y, minlength=len(target_names))
    classes = ", ".join(f"{name} ({n})" for name, n in zip(target_names, counts))
    shape = "x".join(map(str, X.shape[1:]))
    return (f"{kind} {path}{how}: {len(X)} images of shape {shape} ({X.dtype}), "
            f"{len(target_names)} classes: {classes}.")


def _read_image(path):
    """The decoded image of one file, or a ValueError naming the file."""
    from PIL import Image, UnidentifiedImageError

    decoding_errors = (OSError, SyntaxError, ValueError, Image.DecompressionBombError)
    try:
        opened = Image.open(path)
    except UnidentifiedImageError:
        if path.suffix.lower() in IMAGE_EXTENSIONS:
            raise _corrupt(path, "Pillow cannot identify it as an image although its "
                                 "name says it is one") from None
        raise ValueError(
            f"{path} is not an image file (PNG, JPEG, TIFF or BMP). Every file in a class "
            "folder must be an image: move it out of the folder."
        ) from None
    except decoding_errors as exc:
        raise _corrupt(path, exc) from exc
    with opened:
        if opened.format not in _FORMATS:
            raise ValueError(
                f"{path} is a {opened.format} image; skgenaug reads PNG, JPEG, TIFF and "
                "BMP files. Convert it, or move it out of the folder."
            )
        if getattr(opened, "n_frames", 1) > 1:
            raise ValueError(
                f"{path} holds {opened.n_frames} frames (a stack or an animation); "
                "skgenaug reads single-frame images: save each frame as a file."
            )
        try:
            opened.load()  # decodes: a truncated or damaged file fails here
        except decoding_errors as exc:
            raise _corrupt(path, exc) from exc
        return opened.copy()


def _family(image, path):
    """``'gray'`` or ``'rgb'``: what the file holds (before any conversion)."""
    if image.mode in _GRAY_8 or image.mode in _GRAY_16:
        return "gray"
    if image.mode == "F":
        raise ValueError(
            f"{path} holds floating-point pixels (mode 'F'); skgenaug reads 8- and "
            "16-bit images. Scale it to 8 or 16 bits first."
        )
    return "rgb"


def _gray_16_to_float(image, path):
    """A 16-bit gray image as float32 in 0-255: the full 16-bit range mapped linearly
    (``value / 257``), the same for every image so that intensities stay comparable."""
    pixels = np.asarray(image)
    if pixels.size and (pixels.min() < 0 or pixels.max() > 65535):
        raise ValueError(
            f"{path} holds pixel values in [{pixels.min()}, {pixels.max()}], outside the "
            "16-bit range 0-65535."
        )
    return pixels.astype(np.float32) / 257.0


def _to_array(image, path, color, size):
    """uint8 ``(H, W)`` or ``(H, W, 3)`` pixels of ``image`` in ``color``, resized."""
    from PIL import Image

    resample = Image.Resampling.LANCZOS
    target = (size[1], size[0]) if size is not None else None  # Pillow: (width, height)
    if image.mode in _GRAY_16:
        pixels = _gray_16_to_float(image, path)
        if target is not None and target != image.size:
            pixels = np.asarray(Image.fromarray(pixels, mode="F").resize(target, resample))
        gray = np.clip(np.rint(pixels), 0, 255).astype(np.uint8)
        return gray if color == "gray" else np.repeat(gray[..., None], 3, axis=2)
    # 8-bit: alpha dropped; colour to gray by Pillow's ITU-R 601-2 luma
    # (L = 0.299 R + 0.587 G + 0.114 B).
    image = image.convert("L" if color == "gray" else "RGB")
    if target is not None and target != image.size:
        image = image.resize(target, resample)
    return np.asarray(image, dtype=np.uint8)


#: The files beside the class folders of a folder written by ``skgenaug generate``
#: (:func:`~skgenaug.datasets.generate_image_folder`): its provenance, not images.
_PROVENANCE = ("manifest.csv", "settings.json", "samples.png", "README.md")


def _class_folders(root):
    entries = sorted(root.iterdir())
    generated = all((root / name).is_file() for name in _PROVENANCE[:2])
    stray = [e.name for e in entries if e.is_file() and not _skipped(e.name)
             and not (generated and e.name in _PROVENANCE)]
    if stray:
        shown = ", ".join(stray[:5]) + (" ..." if len(stray) > 5 else "")
        raise ValueError(
            f"{root} holds file(s) outside class folders ({shown}). Images go into one "
            "subfolder per class (<folder>/<class>/<image>); move the others out."
        )
    folders = [e for e in entries if e.is_dir() and not _skipped(e.name)]
    if not folders:
        raise ValueError(
            f"{root} is empty: expected one subfolder per class, each holding that "
            "class's images (<folder>/<class>/<image>.png)."
        )
    if len(folders) == 1:
        raise ValueError(
            f"{root} holds a single class folder ({folders[0].name!r}); a classifier "
            "needs at least 2 classes, one subfolder each."
        )
    return folders


def _files_under(folder, root):
    """Every file below ``folder`` but clutter (names relative to ``root``), sorted."""
    return sorted(
        p for p in folder.rglob("*")
        if p.is_file() and not any(_skipped(part) for part in p.relative_to(root).parts)
    )


def _class_files(folder, root):
    files = _files_under(folder, root)
    if len(files) < 2:
        raise ValueError(
            f"Class folder {folder} holds {'one image' if files else 'no image'}; every "
            "class needs at least 2 images (and, for cross-validation, at least as many "
            "as folds)."
        )
    return files


def load_image_folder(path, *, size=None, color=None, return_X_y=False):
    """Load labelled images from class subfolders (``<path>/<class>/<image>``).

    The layout of torchvision's ``ImageFolder`` and Keras'
    ``image_dataset_from_directory``: one subfolder per class, named after it; files may
    sit in deeper folders inside a class folder. Classes are sorted by folder name and
    files by path, so the same folder always gives the same rows.

    Parameters
    ----------
    path : str or path-like
        The folder.
    size : int, (height, width) or None, default=None
        Resize every image to this size with Pillow's Lanczos filter (antialiased when
        shrinking; :data:`RESAMPLING`); the aspect ratio is not kept, so crop first if
        it matters. ``None`` keeps the images as they are, which then must all have the
        same size.
    color : {None, 'gray', 'rgb'}, default=None
        ``'gray'`` converts every image to one channel (colour by Pillow's ITU-R 601-2
        luma), ``'rgb'`` to three (gray repeated). ``None`` keeps what the files hold,
        which then must be all gray or all colour.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of the Bunch, as scikit-learn's loaders do.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like, with the keys of scikit-learn's loaders

        - ``data``: uint8 images, ``(n, H, W)`` gray or ``(n, H, W, 3)`` colour;
        - ``target``: int64 class codes, ``0 .. n_classes - 1``, in ``target_names``
          order;
        - ``target_names``: the class folder names;
        - ``filenames``: the path of each image's file, as an array of str;
        - ``DESCR``: what was read, in words;

        ``X`` and ``y`` are kept as aliases of ``data`` and ``target`` (the same
        arrays), for code written before; and

        - ``manifest``: a :class:`pandas.DataFrame` with one row per image: ``row`` (in
          ``X``), ``label``, ``class_name``, ``file`` (path relative to ``path``),
          ``mode`` (Pillow's), ``height`` and ``width`` before resizing;
        - ``path``, ``size``, ``color``, ``resampling``: what was read and how.

    (data, target) : tuple of ndarray
        With ``return_X_y=True``: the images and their class codes.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        Naming the problem (and the file): ``path`` is not a folder, is empty or holds
        one class; a class folder holds fewer than 2 images; a file is not an image or
        is corrupt (or is a GIF, WebP, multi-frame or floating-point image); images
        differ in size without ``size``, or mix gray and colour without ``color``; a
        16-bit pixel lies outside 0-65535.

    Warns
    -----
    UserWarning
        When 16-bit images use at most 12 bits (maximum below 4096): mapped to 8 bits
        they span 0-15 only; rescale them to the full range before saving.

    Notes
    -----
    **8-bit** images stay uint8 as stored (alpha channels are dropped). **16-bit** gray
    images (Pillow modes ``'I;16'``, ``'I'``) are mapped to uint8 by the full 16-bit
    range, ``round(value / 257)``, the same mapping for every image (and for a test
    folder read the same way), so that intensities stay comparable between images;
    the networks here take uint8. **Skipped**: hidden files and folders (names starting
    with ``.``, such as ``.DS_Store`` and macOS ``._*`` copies), ``Thumbs.db``,
    ``desktop.ini`` and ``__MACOSX``; beside the class folders of a folder written by
    :func:`~skgenaug.datasets.generate_image_folder` (it holds ``manifest.csv`` and
    ``settings.json``), its ``manifest.csv``, ``settings.json``, ``samples.png`` and
    ``README.md``. Any other file that is not an image is an error, not skipped.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from PIL import Image
    >>> from skgenaug.datasets import load_image_folder, make_image_classification
    >>> X, y = make_image_classification(6, image_size=16, random_state=0)
    >>> root = Path(tempfile.mkdtemp())
    >>> for i, (image, label) in enumerate(zip(X, y)):
    ...     (root / f"class_{label}").mkdir(exist_ok=True)
    ...     Image.fromarray(image).save(root / f"class_{label}" / f"{i}.png")
    >>> data = load_image_folder(root, size=28)
    >>> data.data.shape, data.data.dtype, data.target_names
    ((6, 28, 28), dtype('uint8'), ['class_0', 'class_1'])
    >>> X, y = load_image_folder(root, size=28, return_X_y=True)
    >>> X.shape, y.tolist() == data.target.tolist()
    ((6, 28, 28), True)
    >>> data.manifest.columns.tolist()[:4]
    ['row', 'label', 'class_name', 'file']
    """
    size, color = _check_size(size), _check_color(color)
    root = _existing(path, "Image folder")
    if not root.is_dir():
        raise ValueError(f"{root} is not a folder: load_image_folder reads a folder of "
                         "class subfolders (use load_image_npz for an .npz file).")
    folders = _class_folders(root)
    files = [(label, folder.name, file) for label, folder in enumerate(folders)
             for file in _class_files(folder, root)]
    X, manifest, color = _read_files(files, root, size, color)
    y = manifest["label"].to_numpy(dtype=np.int64)
    target_names = [folder.name for folder in folders]
    how = "" if size is None else f", resized to {size[0]}x{size[1]} ({RESAMPLING})"
    return _labelled(
        X, y, target_names, np.array([str(file) for *_, file in files]),
        _describe("Image folder", root, X, target_names, y, how), return_X_y,
        manifest=manifest, path=str(root), size=None if size is None else tuple(size),
        color=color, resampling=RESAMPLING if size is not None else None,
    )


def _read_files(files, root, size, color):
    """``(X, manifest, color)`` of ``[(label, class name, file), ...]``: every file
    read, converted and resized as asked, with the checks of
    :func:`load_image_folder` (one colour family and one size unless asked to convert,
    the 16-bit warning)."""
    import pandas as pd

    rows = []  # one dict per image; pixels converted at once (memory: the output's)
    for label, class_name, file in files:
        image = _read_image(file)
        family = _family(image, file)
        rows.append(dict(
            label=label, class_name=class_name, file=file, family=family,
            mode=image.mode, height=image.size[1], width=image.size[0],
            peak=int(np.asarray(image).max()) if image.mode in _GRAY_16 else None,
            pixels=_to_array(image, file, color or family, size),
        ))
    families = {row["family"] for row in rows}
    if color is None and len(families) > 1:
        example = {row["family"]: row["file"] for row in rows}
        n_gray = sum(row["family"] == "gray" for row in rows)
        raise ValueError(
            f"{root} mixes gray and colour images ({n_gray} gray, e.g. {example['gray']}; "
            f"{len(rows) - n_gray} colour, e.g. {example['rgb']}). Pass color='gray' "
            "or color='rgb' to convert them all."
        )
    color = color or families.pop()
    if size is None:
        sizes = {}
        for row in rows:
            sizes.setdefault((row["height"], row["width"]), row["file"])
        if len(sizes) > 1:
            shown = "; ".join(f"{file} is {h}x{w}"
                              for (h, w), file in list(sizes.items())[:3])
            raise ValueError(
                f"Images in {root} differ in size ({shown}; height x width). Pass "
                "size=(height, width), or an int for square images, to resize them all."
            )
    peaks = [row["peak"] for row in rows if row["peak"] is not None]
    if peaks and max(peaks) < 4096:
        warnings.warn(
            f"The 16-bit images of {root} reach at most {max(peaks)}: they use 12 bits "
            "or fewer, so mapped to 8 bits (value / 257) they span 0-15 only. Rescale "
            "them to the full 16-bit range (or save them as 8-bit) before loading.",
            UserWarning, stacklevel=3,
        )
    X = np.stack([row.pop("pixels") for row in rows])
    manifest = pd.DataFrame(rows).drop(columns=["family", "peak"])
    manifest.insert(0, "row", np.arange(len(rows)))
    manifest["file"] = [row["file"].relative_to(root).as_posix() for row in rows]
    return X, manifest, color


def load_unlabelled_images(path, *, size=None, color=None):
    """Load images without labels: every image file in a folder and its subfolders.

    For the unlabelled pool of semi-supervised augmentation (the ``+pool`` methods of
    :func:`~skgenaug.evaluate_augmentation`, ``skgenaug evaluate --unlabelled``): a
    hospital's unannotated scans, say. Files are read as :func:`load_image_folder`
    reads them (same formats, conversions, checks and skipped clutter), in path order.

    Parameters
    ----------
    path : str or path-like
        The folder.
    size : int, (height, width) or None, default=None
        Resize every image (Lanczos; see :func:`load_image_folder`).
    color : {None, 'gray', 'rgb'}, default=None
        Convert every image (see :func:`load_image_folder`).

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data`` (uint8 images; ``X`` is kept as an alias, the same array),
        ``filenames`` (each image's file), ``manifest`` (``row``, ``file``, ``mode``,
        ``height``, ``width``), ``path``, ``size``, ``color``, ``resampling``.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If ``path`` is not a folder or holds no image, or as :func:`load_image_folder`
        raises for a file.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from PIL import Image
    >>> from skgenaug.datasets import load_unlabelled_images, make_image_classification
    >>> X, _ = make_image_classification(3, image_size=16, random_state=0)
    >>> root = Path(tempfile.mkdtemp())
    >>> for i, image in enumerate(X):
    ...     Image.fromarray(image).save(root / f"scan_{i}.png")
    >>> load_unlabelled_images(root).data.shape
    (3, 16, 16)
    """
    size, color = _check_size(size), _check_color(color)
    root = _existing(path, "Image folder")
    if not root.is_dir():
        raise ValueError(f"{root} is not a folder of images.")
    files = _files_under(root, root)
    if not files:
        raise ValueError(f"{root} holds no image file.")
    X, manifest, color = _read_files([(-1, "", file) for file in files], root, size,
                                     color)
    return Bunch(
        data=X, X=X, filenames=np.array([str(file) for file in files]),
        manifest=manifest.drop(columns=["label", "class_name"]), path=str(root),
        size=None if size is None else tuple(size), color=color,
        resampling=RESAMPLING if size is not None else None,
    )


def _npz_error(path, problem):
    return ValueError(
        f"{path}: {problem}. An npz file of labelled images holds arrays 'X' (images) and "
        "'y' (labels), optionally 'X_test' and 'y_test'; or MedMNIST's 'train_images', "
        "'train_labels' (and 'val_*', 'test_*')."
    )


def _npz_images(path, key, X):
    try:
        return check_image_stack(X, f"'{key}'")
    except ValueError as exc:
        raise _npz_error(path, str(exc).rstrip(".")) from None


def _npz_labels(path, key, y, n):
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.ravel()
    if y.ndim != 1:
        raise _npz_error(path, f"'{key}' has shape {y.shape}; expected one label per "
                               "image, shape (n,) or (n, 1)")
    if len(y) != n:
        raise _npz_error(path, f"'{key}' holds {len(y)} labels for {n} images")
    return y


def load_image_npz(path, *, return_X_y=False):
    """Load labelled images from an ``.npz`` file.

    Two layouts are read: arrays ``X`` and ``y`` (optionally ``X_test`` and ``y_test``,
    a separate test set), or MedMNIST's (``train_images`` and ``train_labels``; the
    ``val_*`` arrays, when present, are appended to the training images, and
    ``test_*`` become the test set). Arrays are used as stored: no resizing, no
    conversion.

    Parameters
    ----------
    path : str or path-like
        The ``.npz`` file.
    return_X_y : bool, default=False
        Return ``(data, target)`` (the training images and their class codes) instead
        of the Bunch, as scikit-learn's loaders do.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like, with the keys of scikit-learn's loaders: ``data`` (images as
        stored, ``(n, H, W)`` or ``(n, H, W, 3)``; ``(n, H, W, 1)`` becomes
        ``(n, H, W)``), ``target`` (int64 class codes in ``target_names`` order),
        ``target_names`` (the distinct labels of training and test images as strings,
        sorted), ``filenames`` (where each row comes from, ``'<path>:<array>[<i>]'``)
        and ``DESCR``; the test set as ``data_test`` and ``target_test`` (``None``
        without one); ``arrays`` (the names of the arrays read) and ``path``. ``X``,
        ``y``, ``X_test`` and ``y_test`` are kept as aliases of ``data``, ``target``,
        ``data_test`` and ``target_test`` (the same arrays), for code written before.
    (data, target) : tuple of ndarray
        With ``return_X_y=True``.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ValueError
        If it is not an npz file, lacks the expected keys (the message lists the keys it
        holds), or holds arrays of the wrong shape, dtype or length.

    Examples
    --------
    >>> import tempfile, os
    >>> import numpy as np
    >>> from skgenaug.datasets import load_image_npz, make_image_classification
    >>> X, y = make_image_classification(10, random_state=0)
    >>> path = os.path.join(tempfile.mkdtemp(), "images.npz")
    >>> np.savez(path, X=X, y=np.where(y == 1, "sick", "healthy"))
    >>> data = load_image_npz(path)
    >>> data.data.shape, data.target_names, data.data_test is None
    ((10, 28, 28), ['healthy', 'sick'], True)
    >>> X, y = load_image_npz(path, return_X_y=True)
    >>> X.shape, y.dtype
    ((10, 28, 28), dtype('int64'))
    """
    import zipfile

    path = _existing(path, "npz file")
    try:
        npz = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise _npz_error(path, f"cannot be read as an npz file ({exc})") from exc
    if not hasattr(npz, "files"):  # a plain .npy array
        raise _npz_error(path, "holds a single array, not named arrays")
    with npz:
        keys = set(npz.files)
        if {"X", "y"} <= keys:
            train = [("X", "y")]
            test = ("X_test", "y_test")
            if len({"X_test", "y_test"} & keys) == 1:
                raise _npz_error(path, "it holds one of 'X_test' and 'y_test' without "
                                       "the other")
        elif {"train_images", "train_labels"} <= keys:
            train = [("train_images", "train_labels")]
            if {"val_images", "val_labels"} <= keys:
                train.append(("val_images", "val_labels"))
            test = ("test_images", "test_labels")
        else:
            raise _npz_error(path, f"no 'X' and 'y' arrays (it holds {sorted(keys)})")
        try:
            parts = [(_npz_images(path, xk, npz[xk]), yk, npz[yk]) for xk, yk in train]
            parts = [(X, _npz_labels(path, yk, y, len(X))) for X, yk, y in parts]
            has_test = set(test) <= keys
            if has_test:
                X_test = _npz_images(path, test[0], npz[test[0]])
                y_test = _npz_labels(path, test[1], npz[test[1]], len(X_test))
        except (OSError, EOFError, zipfile.BadZipFile) as exc:
            raise _npz_error(path, f"cannot read its arrays ({exc})") from exc
    shapes = {X.shape[1:] for X, _ in parts}
    if len(shapes) > 1:
        raise _npz_error(path, f"its training arrays hold images of shapes {shapes}")
    X = np.concatenate([X for X, _ in parts])
    y = np.concatenate([y for _, y in parts])
    if len(X) == 0:
        raise _npz_error(path, "it holds no images")
    classes = np.unique(np.concatenate([y, y_test]) if has_test else y)
    target = np.searchsorted(classes, y).astype(np.int64)
    if return_X_y:
        return X, target
    target_names = [str(c) for c in classes.tolist()]
    filenames = np.array([f"{path}:{xk}[{i}]" for (xk, _), (part, _) in zip(train, parts)
                          for i in range(len(part))])
    arrays = [k for pair in train for k in pair]
    descr = _describe("npz file", path, X, target_names, target, f" ({', '.join(arrays)})")
    data_test = target_test = None
    if has_test:
        data_test = X_test
        target_test = np.searchsorted(classes, y_test).astype(np.int64)
        arrays += list(test)
        descr += f" Test set: {len(X_test)} images ({', '.join(test)})."
    return _labelled(X, target, target_names, filenames, descr, False,
                     data_test=data_test, target_test=target_test, X_test=data_test,
                     y_test=target_test, arrays=arrays, path=str(path))


def load_images(path, *, size=None, color=None, return_X_y=False):
    """Load labelled images from a folder of class subfolders or an ``.npz`` file.

    What ``skgenaug evaluate PATH`` reads: a folder goes to :func:`load_image_folder`,
    a file ending in ``.npz`` to :func:`load_image_npz`.

    Parameters
    ----------
    path : str or path-like
        Folder or ``.npz`` file.
    size : int, (height, width) or None, default=None
        Resize (folders only; see :func:`load_image_folder`).
    color : {None, 'gray', 'rgb'}, default=None
        Convert (folders only; see :func:`load_image_folder`).
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of the Bunch, as scikit-learn's loaders do.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        As the loader returns it (``data``, ``target``, ``target_names``,
        ``filenames``, ``DESCR``, ...); ``data_test`` and ``target_test`` are ``None``
        for a folder. ``X``, ``y``, ``X_test`` and ``y_test`` are kept as aliases of
        ``data``, ``target``, ``data_test`` and ``target_test``.
    (data, target) : tuple of ndarray
        With ``return_X_y=True``: the (training) images and their class codes.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If ``path`` is neither a folder nor an ``.npz`` file, if ``size`` or ``color``
        is given for an npz file, or as the loader raises.

    Examples
    --------
    >>> import tempfile, os
    >>> import numpy as np
    >>> from skgenaug.datasets import load_images, make_image_classification
    >>> X, y = make_image_classification(10, random_state=0)
    >>> path = os.path.join(tempfile.mkdtemp(), "images.npz")
    >>> np.savez(path, X=X, y=y)
    >>> load_images(path).data.shape
    (10, 28, 28)
    >>> X, y = load_images(path, return_X_y=True)
    >>> X.shape, y.shape
    ((10, 28, 28), (10,))
    """
    path = _existing(path, "Data")
    if path.is_dir():
        data = load_image_folder(path, size=size, color=color, return_X_y=return_X_y)
        if not return_X_y:
            data.data_test = data.target_test = data.X_test = data.y_test = None
        return data
    if path.suffix.lower() != ".npz":
        raise ValueError(
            f"{path} is neither a folder of class subfolders nor an .npz file."
        )
    if size is not None or color is not None:
        raise ValueError(
            f"size and color apply to image folders; the arrays of {path} are used as "
            "stored (resize or convert them before saving the npz file)."
        )
    return load_image_npz(path, return_X_y=return_X_y)
