"""Write a MedMNIST paper subset as a folder of PNG files, one subfolder per class.

The input of the committed ``skgenaug evaluate`` run (docs/results/evaluate_pneumonia_png):
real images laid out as a user's own images would be, for example::

    python benchmarks/medmnist_png_folder.py pneumonia /tmp/pneumonia_png --seed 0

writes the training and validation parts of PneumoniaMNIST's paper subset of seed 0
(150 + 17 images per class, :func:`skgenaug.datasets.load_paper_subset`) as
``/tmp/pneumonia_png/<class name>/<split>_<row>.png``, 8-bit gray, 28x28, as stored.
The data folder is ``--root``, else ``$SKGENAUG_DATA_DIR``, else ``../shared/medmnist``
beside the repository.
"""

import argparse
import os
import sys
from pathlib import Path

from PIL import Image

from skgenaug.datasets import load_paper_subset

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "medmnist"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", help="MedMNIST data set, e.g. pneumonia")
    parser.add_argument("out", help="folder to create (must not exist)")
    parser.add_argument("--seed", type=int, default=0, help="subset seed")
    parser.add_argument("--root", default=os.environ.get("SKGENAUG_DATA_DIR") or
                        (str(SHARED_DATA) if SHARED_DATA.is_dir() else None))
    args = parser.parse_args(argv)
    data = load_paper_subset(args.dataset, root=args.root, random_state=args.seed)
    out = Path(args.out)
    out.mkdir(parents=True)
    for split in ("train", "val"):
        X, y = data[f"X_{split}"], data[f"y_{split}"]
        for row, (image, label) in enumerate(zip(X, y)):
            # Class names are folder names: keep them short and file-system safe.
            name = data.target_names[label].split(",")[0].strip().replace(" ", "_")
            folder = out / name
            folder.mkdir(exist_ok=True)
            Image.fromarray(image).save(folder / f"{split}_{row:03d}.png")
    counts = {name: len(list((out / name).iterdir())) for name in sorted(os.listdir(out))}
    print(f"Wrote {sum(counts.values())} PNG files of {data.file} (seed {args.seed}) to "
          f"{out}: {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
