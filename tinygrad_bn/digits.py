"""The 1,797 handwritten digits of the UCI set: 8x8 images, ten classes, shipped with the package.

Each image counts the ink in 4x4 blocks of a 32x32 bitmap, so a pixel is an
integer from 0 (blank) to 16 (full). `load_digits` returns them as float images
(N, 1, 8, 8) scaled to [0, 1], the shape a convolution expects, with integer
labels 0..9. The data file and its licence (CC BY 4.0): `data/README.md`.
"""

from dataclasses import dataclass
from importlib import resources

import numpy as np

DIGITS_FILE = "digits.npz"


def digits_path():
    """Where the shipped digits live: a compressed numpy file with `images` and `labels`."""
    return resources.files("tinygrad_bn") / "data" / DIGITS_FILE


def load_digits(dtype=np.float64):
    """images (1797, 1, 8, 8) in [0, 1] (pixel / 16) and labels (1797,) int64, in file order."""
    with resources.as_file(digits_path()) as path, np.load(path) as stored:
        images, labels = stored["images"], stored["labels"]
    return (images[:, None] / 16.0).astype(dtype), labels.astype(np.int64)


@dataclass
class DigitSplits:
    """A seeded split of the digits into training and held-out (test) images and labels."""

    train: tuple
    test: tuple


def split_digits(seed=0, test_fraction=0.2, dtype=np.float64):
    """Shuffle the digits with `seed`; keep `test_fraction` of them (359 by default) for testing."""
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"split_digits: test_fraction must be in (0, 1), got {test_fraction!r}")
    images, labels = load_digits(dtype)
    order = np.random.default_rng(seed).permutation(len(labels))
    cut = len(labels) - round(test_fraction * len(labels))
    train, test = order[:cut], order[cut:]
    return DigitSplits((images[train], labels[train]), (images[test], labels[test]))
