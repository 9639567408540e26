"""Generated images as files (``skgenaug generate``).

:func:`save_image_folder` writes any labelled images as a folder of class subfolders of
PNG files; :func:`generate_image_folder` fits a method's sampler on a data set and
writes what it generates, with a manifest, its settings, a figure and a README.
Re-exported from :mod:`skgenaug.datasets`. Both write into a hidden sibling folder and
rename it into place at the end: an interrupted run leaves no half-written folder.
"""

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import uuid
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from ._image_files import _GRAY_16, _skipped, load_images, load_unlabelled_images
from ._version import __version__

#: Columns of ``manifest.csv``, in order.
MANIFEST_COLUMNS = (
    "file", "class", "method", "settings_hash", "seed", "skgenaug_version",
    "torch_version", "source_hash", "nearest_source_distance", "nearest_source_file",
    "near_copy", "near_copy_threshold",
)
#: A generated image is a near copy when it lies closer to a source image than this
#: percentile of the source images' distances to their nearest other source image.
NEAR_COPY_PERCENTILE = 1.0


# ------------------------------------------------------------------ writing folders


def _pixels_to_write(X):
    """``(images, bits)``: uint8 or uint16 pixels for PNG files, the input's depth kept
    (float in [0, 1] and integers within 0-255 become 8-bit)."""
    X = np.asarray(X)
    if X.ndim == 4 and X.shape[-1] == 1:
        X = X[..., 0]
    if X.ndim not in (3, 4) or (X.ndim == 4 and X.shape[-1] not in (3, 4)):
        raise ValueError(
            f"X must hold images of shape (n, H, W) or (n, H, W, 3 or 4); got shape "
            f"{X.shape}."
        )
    if X.dtype == np.uint8:
        return X, 8
    if X.dtype == np.uint16:
        if X.ndim == 4:
            raise ValueError("16-bit images can be written as gray PNG files only "
                             "(Pillow writes no 16-bit colour PNG); convert to uint8.")
        return X, 16
    if X.dtype.kind == "f":
        if X.size and (not np.isfinite(X).all() or X.min() < 0 or X.max() > 1):
            raise ValueError("Floating-point images must lie in [0, 1] (they are "
                             "written as 8-bit, value * 255); scale them first.")
        return np.rint(X * 255).astype(np.uint8), 8
    if X.dtype.kind in "iu" and X.dtype != np.bool_:
        if X.size and (X.min() < 0 or X.max() > 255):
            raise ValueError(f"Integer images of dtype {X.dtype} must lie in 0-255 "
                             "(or be uint16 for 16-bit files).")
        return X.astype(np.uint8), 8
    raise ValueError(f"X must hold uint8, uint16 or float pixels; got dtype {X.dtype}.")


def _folder_names(y, class_names):
    """``{label: folder name}`` of the labels in ``y``."""
    labels = np.unique(y)
    if class_names is None:
        names = {label: str(label) for label in labels.tolist()}
    elif isinstance(class_names, dict):
        names = {label: str(class_names[label]) for label in labels.tolist()}
    else:
        names = {label: str(class_names[int(label)]) for label in labels.tolist()}
    for label, name in names.items():
        if (not name or name in (".", "..") or "/" in name or "\\" in name
                or _skipped(name)):
            raise ValueError(
                f"Class {label!r} would be written to the folder {name!r}, which the "
                "loaders cannot read back (empty, a path, hidden or system clutter); "
                "give it another name in class_names."
            )
    if len(set(names.values())) < len(names):
        raise ValueError(f"Two classes share a folder name: {names}.")
    return names


def _check_out(out, overwrite):
    """Refuse a non-empty ``out`` (unless ``overwrite``) or a file, before any work."""
    out = Path(out).expanduser()
    if out.exists() and not out.is_dir():
        raise FileExistsError(f"{out} is a file; the output must be a folder.")
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        raise FileExistsError(
            f"{out} is not empty; choose a new folder, or replace it with "
            "overwrite=True (--overwrite)."
        )
    return out


@contextlib.contextmanager
def _staged(out):
    """A hidden sibling folder of ``out`` to write into; renamed to ``out`` when the
    block ends without an exception, deleted when it raises."""
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial",
                                  dir=out.parent))
    try:
        yield stage
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    old = None
    if out.exists():  # an empty folder, or one to overwrite: moved aside first
        old = out.with_name(f".{out.name}.{uuid.uuid4().hex[:8]}.old")
        os.replace(out, old)
    os.replace(stage, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _write_pngs(pixels, y, names, folder, verbose, desc="Writing images"):
    """Write ``folder/<class>/<id>.png``; the files relative to ``folder``, by row."""
    from PIL import Image
    from tqdm.auto import tqdm

    counts = {label: int((y == label).sum()) for label in names}
    width = max(4, len(str(max(counts.values(), default=0))))
    seen = dict.fromkeys(names, 0)
    files = []
    for name in names.values():
        (folder / name).mkdir(parents=True, exist_ok=True)
    for image, label in tqdm(zip(pixels, y.tolist()), total=len(y), desc=desc,
                             disable=not verbose, leave=False):
        relative = f"{names[label]}/{seen[label]:0{width}d}.png"
        seen[label] += 1
        Image.fromarray(image).save(folder / relative)
        files.append(relative)
    return files


def save_image_folder(X, y, out, *, class_names=None, overwrite=False, verbose=0):
    """Write labelled images as a folder of class subfolders of PNG files.

    The layout :func:`~skgenaug.datasets.load_image_folder` reads back:
    ``out/<class>/<id>.png``, ``<id>`` counting the images of each class in row order
    (``0000.png``, ``0001.png``, ...). PNG is lossless, so 8-bit images read back
    exactly as written.

    Parameters
    ----------
    X : array-like of shape (n, H, W), (n, H, W, 1), (n, H, W, 3) or (n, H, W, 4)
        Images. The depth is kept: ``uint8`` gives 8-bit files, ``uint16`` (gray) 16-bit
        files; floats in [0, 1] and integers within 0-255 give 8-bit files.
    y : array-like of shape (n,)
        Their classes.
    out : str or path-like
        The folder to write. It must not exist, or be empty, unless ``overwrite``.
    class_names : dict, sequence or None, default=None
        The folder name of each class: ``{label: name}``, or a sequence indexed by
        integer labels (a loader's ``target_names``). ``None`` uses ``str(label)``.
    overwrite : bool, default=False
        Replace a non-empty ``out`` (only once everything is written).
    verbose : int, default=0
        Show a progress bar while writing.

    Returns
    -------
    files : list of str
        The file of each row of ``X``, relative to ``out`` (``'<class>/<id>.png'``).

    Raises
    ------
    FileExistsError
        If ``out`` is a file, or a non-empty folder without ``overwrite``.
    ValueError
        For images of an unsupported shape, dtype or range, labels that do not match
        the images, or a class name that cannot be a folder.

    Notes
    -----
    Everything is written into a hidden sibling folder first, renamed to ``out`` at
    the end: an exception (a full disk, Ctrl-C) leaves ``out`` as it was.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from skgenaug.datasets import (load_image_folder, make_image_classification,
    ...                                save_image_folder)
    >>> X, y = make_image_classification(6, image_size=8, random_state=0)
    >>> out = Path(tempfile.mkdtemp()) / "images"
    >>> files = save_image_folder(X, y, out, class_names=["disc", "bars"])
    >>> len(files), files[0], int(y[0])
    (6, 'bars/0000.png', 1)
    >>> data = load_image_folder(out)
    >>> data.target_names, data.data.shape
    (['bars', 'disc'], (6, 8, 8))
    """
    pixels, _ = _pixels_to_write(X)
    y = np.asarray(y)
    if y.ndim != 1 or len(y) != len(pixels):
        raise ValueError(f"y must hold one label per image ({len(pixels)}); got shape "
                         f"{y.shape}.")
    names = _folder_names(y, class_names)
    out = _check_out(out, overwrite)
    with _staged(out) as stage:
        files = _write_pngs(pixels, y, names, stage, verbose)
    return files


# ------------------------------------------------------------ fitting and writing


def _check_count(n_per_class):
    if isinstance(n_per_class, bool) or not isinstance(n_per_class, (int, np.integer)) \
            or n_per_class < 1:
        raise ValueError(f"n_per_class must be a positive int; got {n_per_class!r}.")
    return int(n_per_class)


def _check_variant(method):
    from ._methods import parse_variant

    variant = parse_variant(method)
    if variant.base == "none":
        raise ValueError("Method 'none' makes no images; choose a method that does, "
                         "e.g. 'cvae' or 'diffusion'.")
    if variant.add_per_class is not None:
        raise ValueError(f"Method {method!r}: give the number of images per class as "
                         "n_per_class (--n-per-class), not as @N.")
    if variant.weighted:
        raise ValueError(f"Method {method!r}: +weighted sets how a classifier weighs "
                         "generated images, not the images; leave it out here.")
    return variant


def _inside(path, folder):
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return True


def _check_paths(src, out):
    src = Path(src).expanduser()
    if not src.exists():
        raise FileNotFoundError(f"Source data not found: {src}")
    out = Path(out).expanduser()
    src_abs, out_abs = src.resolve(), out.resolve()
    if src.is_dir() and _inside(out_abs, src_abs):
        raise ValueError(f"The output folder {out} lies inside the source folder {src}; "
                         "the generated images would mix with the real ones. Write "
                         "them elsewhere.")
    if _inside(src_abs, out_abs):
        raise ValueError(f"The source {src} lies inside the output folder {out}, which "
                         "writing would replace. Write the images elsewhere.")
    return src, out


def _source_hash(data):
    """SHA-256 of the images as the generator sees them: shape, dtype, pixel bytes,
    class codes and class names."""
    digest = hashlib.sha256()
    X = np.ascontiguousarray(data.data)
    digest.update(json.dumps([list(X.shape), str(X.dtype),
                              list(map(str, data.target_names))]).encode())
    digest.update(X.tobytes())
    digest.update(np.ascontiguousarray(data.target, dtype=np.int64).tobytes())
    return digest.hexdigest()


def _describe(value):
    """An estimator's full parameters as JSON-ready values, nested estimators
    included."""
    if hasattr(value, "get_params") and not isinstance(value, type):
        return {"estimator": f"{type(value).__module__}.{type(value).__qualname__}",
                "params": {k: _describe(v)
                           for k, v in sorted(value.get_params(deep=False).items())}}
    return json.loads(json.dumps(value, default=repr))


def _nearest(X_from, X_to=None):
    """Pixel L2 distance of each row of ``X_from`` to its nearest row of ``X_to``, and
    that row; without ``X_to``, to its nearest *other* row of ``X_from`` (a row is not
    its own neighbour, even where it has an exact copy elsewhere)."""
    from sklearn.neighbors import NearestNeighbors

    def rows(X):
        return X.reshape(len(X), -1).astype(np.float64)

    # Brute force in memory-bounded chunks (scikit-learn's working_memory).
    nn = NearestNeighbors(n_neighbors=1).fit(rows(X_from if X_to is None else X_to))
    distances, nearest = nn.kneighbors(None if X_to is None else rows(X_from))
    return distances[:, 0], nearest[:, 0]


def _command(src, out, method, n, unlabelled, size, color, profile, seed, device):
    """The ``skgenaug generate`` command that makes the same images."""
    import shlex

    words = ["skgenaug", "generate", str(src), str(out), "--method", method,
             "--n-per-class", str(n), "--profile", profile, "--random-state", str(seed)]
    if unlabelled is not None:
        words += ["--unlabelled", str(unlabelled)]
    if size is not None:
        words += ["--size", str(size) if np.isscalar(size) else "x".join(map(str, size))]
    if color is not None:
        words += ["--color", color]
    if device != "cpu":
        words += ["--device", device]
    return shlex.join(words)


def _readme(info):
    counts = "\n".join(f"| {name} | {real} | {made} |"
                       for name, real, made in info["counts"])
    info["and_pool"] = " and from the unlabelled images" if info["n_unlabelled"] else ""
    pool = (f"\nThe generator also trained on {info['n_unlabelled']} unlabelled images "
            f"from `{info['unlabelled']}` (+pool).\n" if info["n_unlabelled"] else "")
    return f"""# Generated images: {info['display']}

These images were **generated**, not acquired: method `{info['method']}`
({info['display']}), fitted on all {info['n_source']} images of `{info['source']}`
with the `{info['profile']}` profile, seed {info['seed']}, by skgenaug
{info['skgenaug_version']} (torch {info['torch_version']}).
{pool}
| class | source images | generated images |
|---|---|---|
{counts}

- `<class>/<id>.png`: the generated images ({info['bits']}-bit PNG, the source's depth).
- `manifest.csv`: one row per image: its class, the method, the settings hash
  (`settings.json` holds the sampler's full parameters), the seed, the versions, the
  source hash (SHA-256 of the source images as the generator saw them:
  `{info['source_hash'][:16]}...`), and the pixel L2 distance to the nearest source
  image with that image's file.
- `near_copy`: the distance is at most {info['threshold']:.4g}, the
  {NEAR_COPY_PERCENTILE:g}st percentile of the distances between each source image and
  its nearest other source image (pixels 0-255): closer to a real image than
  99% of real images are to each other. {info['n_near']} of {info['n_generated']}
  images are flagged.
- `samples.png`: real (left) and generated (right) images, by class.

**Do not evaluate a classifier on data the generator saw.** The generator learned from
every image of the source above{info['and_pool']}: a classifier trained
with these images and tested on any of them measures memory, not
generalisation. Test only on images the generator never saw.

Made with: `{info['command']}`
"""


def generate_image_folder(src, out, method, n_per_class, *, unlabelled=None,
                          size=None, color=None, profile="quick", random_state=0,
                          device="cpu", overwrite=False, verbose=1):
    """Fit a method's sampler on labelled images and write what it generates as files.

    What ``skgenaug generate SRC OUT --method M --n-per-class N`` does. The sampler of
    ``method`` (with the profile's settings, as the evaluation builds it) is fitted on
    all of ``src`` with ``AddPerClass(n_per_class)``; ``out`` then holds

    - ``<class>/<id>.png``: the generated images, at the source's size and mode
      (16-bit PNG when every source image is 16-bit);
    - ``manifest.csv``: one row per image, with the columns ``file``, ``class``,
      ``method``, ``settings_hash`` (of ``settings.json``, the sampler's full
      parameters), ``seed``,
      ``skgenaug_version``, ``torch_version``, ``source_hash`` (SHA-256 of the source
      images as the generator saw them), ``nearest_source_distance`` (pixel L2
      distance, pixels 0-255, to the nearest source image), ``nearest_source_file``,
      ``near_copy`` and ``near_copy_threshold`` (see Notes);
    - ``settings.json``, ``samples.png`` (real and generated images side by side, by
      class) and ``README.md`` (what made these images, from which data, and the
      warning not to evaluate on data the generator saw).

    Parameters
    ----------
    src : str or path-like
        A folder of class subfolders or an ``.npz`` file
        (:func:`~skgenaug.datasets.load_images`), with at least 2 classes.
    out : str or path-like
        The folder to write: absent or empty unless ``overwrite``, not inside ``src``.
    method : str
        A method spec of the evaluation: ``'cvae'``, ``'diffusion+pool+curated'``...
        (``+pool`` needs ``unlabelled``; ``+curated`` wraps the sampler in
        :class:`~skgenaug.CuratedSampler` with the profile's ``curation`` settings).
        ``@N`` and ``+weighted`` are refused: give ``n_per_class`` instead, and
        weights matter to a classifier, not to images.
    n_per_class : int
        Images generated per class.
    unlabelled : str, path-like or None, default=None
        A folder of unlabelled images for a ``+pool`` method, read with ``size`` and
        ``color``.
    size : int, (height, width) or None, default=None
        Resize the folder's images (see :func:`~skgenaug.datasets.load_image_folder`).
    color : {None, 'gray', 'rgb'}, default=None
        Convert the folder's images.
    profile : str or Profile, default='quick'
        Settings profile of the sampler (:func:`~skgenaug.evaluation.get_profile`).
    random_state : int, default=0
        Seed of the fit and the draw; recorded in the manifest.
    device : str, default='cpu'
        Torch device of a network's training: ``'cpu'``, ``'cuda'``, ``'auto'``...
    overwrite : bool, default=False
        Replace a non-empty ``out`` (only once everything is written).
    verbose : int, default=1
        ``0``: silent; ``1``: a line per stage and progress bars; ``2``: also the
        network's epochs.

    Returns
    -------
    result : :class:`~sklearn.utils.Bunch`
        ``path`` (the folder), ``manifest`` (:class:`pandas.DataFrame` of
        ``manifest.csv``), ``settings`` (of ``settings.json``), ``settings_hash``,
        ``source_hash``, ``near_copy_threshold`` and ``n_near_copies``.

    Raises
    ------
    FileNotFoundError
        If ``src`` (or ``unlabelled``) does not exist.
    FileExistsError
        If ``out`` is a file, or a non-empty folder without ``overwrite``.
    ValueError
        Before any fitting, with nothing written: ``src`` holds one class or an
        unreadable image (named); ``n_per_class`` is not positive; the method is
        unknown or takes no images; ``out`` lies inside ``src`` (or ``src`` inside
        ``out``); ``+pool`` without ``unlabelled`` (or ``unlabelled`` without
        ``+pool``); unlabelled images of another shape.

    See Also
    --------
    save_image_folder : Write any labelled images as a class folder.

    Notes
    -----
    **Near copies.** Each generated image's nearest source image is found by pixel L2
    distance (computed in blocks of rows). The threshold is the 1st percentile of the
    distances from each source image to its nearest *other* source image: an image
    flagged ``near_copy`` lies closer to a real image than 99% of real images lie to
    each other. Exact duplicates
    among the source images make it 0 (only exact copies are flagged then).

    **Atomic.** Everything is written into a hidden sibling folder, renamed to ``out``
    at the end: an interrupted run leaves no manifest listing missing files.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from skgenaug.datasets import (generate_image_folder, load_images,
    ...                                make_image_classification, save_image_folder)
    >>> X, y = make_image_classification(12, image_size=8, random_state=0)
    >>> root = Path(tempfile.mkdtemp())
    >>> _ = save_image_folder(X, y, root / "real", class_names=["disc", "bars"])
    >>> result = generate_image_folder(root / "real", root / "made", "ros", 3,
    ...                                profile="smoke", verbose=0)
    >>> result.manifest["class"].value_counts().sort_index().tolist()
    [3, 3]
    >>> bool(result.manifest.near_copy.all())  # random over-sampling copies images
    True
    >>> load_images(root / "made").data.shape
    (6, 8, 8)
    """
    import pandas as pd
    import torch

    from ._methods import display_name
    from ._torch_utils import resolve_device
    from .base import AddPerClass
    from .evaluation._config import get_profile
    from .evaluation._plan import MethodSpec

    say = print if verbose else (lambda *args, **kwargs: None)
    # Every check before any fitting, and before anything is written.
    n_per_class = _check_count(n_per_class)
    variant = _check_variant(method)
    profile = get_profile(profile)
    if isinstance(random_state, bool) or not isinstance(random_state, (int, np.integer)):
        raise ValueError(f"random_state must be an int; got {random_state!r}.")
    random_state = int(random_state)
    device = resolve_device(device)
    src, out = _check_paths(src, out)
    if variant.pool and unlabelled is None:
        raise ValueError(f"Method {variant.name!r}: +pool trains the generator on "
                         "unlabelled images too; give their folder (unlabelled=..., "
                         "--unlabelled DIR).")
    if unlabelled is not None and not variant.pool:
        raise ValueError(f"Unlabelled images are used by +pool methods only; use "
                         f"'{variant.name}+pool' or leave them out.")
    out = _check_out(out, overwrite)
    data = load_images(src, size=size, color=color)
    X, y = data.data, data.target
    if len(data.target_names) < 2:
        raise ValueError(f"{src} holds a single class ({data.target_names[0]!r}); a "
                         "class-conditional generator needs at least 2.")
    X_pool = None
    if unlabelled is not None:
        pool = load_unlabelled_images(unlabelled, size=size,
                                      color=color or data.get("color"))
        X_pool = pool.data
        if X_pool.shape[1:] != X.shape[1:]:
            raise ValueError(
                f"The unlabelled images of {unlabelled} have shape {X_pool.shape[1:]}, "
                f"the source images {X.shape[1:]}; pass size= and color= (--size, "
                "--color) to read both alike."
            )
    names = _folder_names(np.arange(len(data.target_names)),
                          dict(enumerate(data.target_names)))
    # 16-bit out only when every source image is 16-bit (the loader reads them as
    # uint8, value / 257; written back as value * 257).
    sixteen = bool("manifest" in data and len(data.manifest)
                   and data.manifest["mode"].isin(_GRAY_16).all())

    spec = MethodSpec(variant.name)
    sampler = spec.build(profile, AddPerClass(n_per_class), random_state, device)
    marker = getattr(sampler, "unlabelled_label", -1)
    if verbose >= 2 and "verbose" in sampler.get_params(deep=False):
        sampler.set_params(verbose=1)
    if variant.curated:
        from .samplers import CuratedSampler

        sampler = CuratedSampler(sampler, sampling_strategy=sampler.sampling_strategy,
                                 random_state=random_state, **profile.curation)
    X_in, y_in = X, y
    if X_pool is not None:
        X_in = np.concatenate([X, X_pool])
        y_in = np.concatenate([y, np.full(len(X_pool), marker, dtype=y.dtype)])

    settings = dict(method=variant.name, n_per_class=n_per_class, seed=random_state,
                    profile=profile.name, sampler=_describe(sampler))
    settings_hash = hashlib.sha256(
        json.dumps(settings, sort_keys=True).encode()).hexdigest()[:16]
    source_hash = _source_hash(data)

    say(f"Fitting {display_name(variant.name)} ({type(sampler).__name__}, profile "
        f"'{profile.name}') on {len(y)} images of {src}"
        + (f" and {len(X_pool)} unlabelled" if X_pool is not None else "")
        + f"; {n_per_class} new images per class.", flush=True)
    X_res, y_res = sampler.fit_resample(X_in, y_in)
    X_new, y_new = np.asarray(X_res)[len(y):], np.asarray(y_res)[len(y):]

    distances, nearest = _nearest(X_new, X)
    source_nn, _ = _nearest(X)
    threshold = float(np.percentile(source_nn, NEAR_COPY_PERCENTILE))
    near = distances <= threshold
    if "manifest" in data:
        source_files = data.manifest["file"].to_numpy(dtype=str)
    else:  # npz rows: '<array>[<i>]'
        source_files = np.array([f.rsplit(":", 1)[-1] for f in data.filenames])

    pixels = X_new.astype(np.uint16) * 257 if sixteen else X_new
    versions = dict(skgenaug_version=__version__, torch_version=torch.__version__)
    with _staged(out) as stage:
        files = _write_pngs(pixels, y_new, {k: names[k] for k in np.unique(y_new)},
                            stage, verbose, desc="Writing images")
        manifest = pd.DataFrame({
            "file": files, "class": [names[k] for k in y_new.tolist()],
            "method": variant.name, "settings_hash": settings_hash,
            "seed": random_state, **versions, "source_hash": source_hash,
            "nearest_source_distance": distances.round(4),
            "nearest_source_file": source_files[nearest],
            "near_copy": near, "near_copy_threshold": round(threshold, 4),
        }, columns=list(MANIFEST_COLUMNS))
        manifest.to_csv(stage / "manifest.csv", index=False)
        (stage / "settings.json").write_text(
            json.dumps(dict(settings, settings_hash=settings_hash, **versions),
                       indent=2, sort_keys=True) + "\n")
        from .plotting import plot_sample_grid

        figure = plot_sample_grid(
            X, y, X_new, y_new, class_names=data.target_names, random_state=0,
            title=f"{display_name(variant.name)}: real (left), generated (right)")
        figure.savefig(stage / "samples.png", dpi=100)
        counts = [(name, int((y == k).sum()), int((y_new == k).sum()))
                  for k, name in names.items()]
        (stage / "README.md").write_text(_readme(dict(
            display=display_name(variant.name), method=variant.name,
            n_source=len(y), source=src, profile=profile.name, seed=random_state,
            n_unlabelled=0 if X_pool is None else len(X_pool), unlabelled=unlabelled,
            counts=counts, bits=16 if sixteen else 8, source_hash=source_hash,
            threshold=threshold, n_near=int(near.sum()), n_generated=len(y_new),
            command=_command(src, out, variant.name, n_per_class, unlabelled, size,
                             color, profile.name, random_state, device),
            **versions)))
    say(f"Wrote {len(files)} images, manifest.csv, settings.json, samples.png and "
        f"README.md to {out} ({int(near.sum())} near copies of a source image).")
    return Bunch(path=str(out), manifest=manifest, settings=settings,
                 settings_hash=settings_hash, source_hash=source_hash,
                 near_copy_threshold=threshold, n_near_copies=int(near.sum()))
