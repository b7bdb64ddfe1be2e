"""The shipped digits: the UCI set's 1,797 images, intact, offline, without scikit-learn."""

import hashlib

import numpy as np
import pytest

from tinygrad_bn.digits import digits_path, load_digits, split_digits


def test_the_file_is_the_one_the_notice_describes():
    digest = hashlib.sha256(digits_path().read_bytes()).hexdigest()
    notice = (digits_path().parent / "README.md").read_text(encoding="utf-8")
    assert digest in notice
    assert "CC BY 4.0" in notice


def test_images_are_1797_eight_by_eight_in_the_unit_interval_with_ten_balanced_classes():
    images, labels = load_digits()
    assert images.shape == (1797, 1, 8, 8) and images.dtype == np.float64
    assert images.min() == 0.0 and images.max() == 1.0
    assert np.all((images * 16) == np.round(images * 16))  # integer ink counts 0..16
    counts = np.bincount(labels)
    assert labels.dtype == np.int64 and len(counts) == 10
    assert counts.min() >= 170 and counts.sum() == 1797


def test_a_split_is_seeded_disjoint_and_complete():
    a, b, c = split_digits(seed=3), split_digits(seed=3), split_digits(seed=4)
    np.testing.assert_array_equal(a.test[0], b.test[0])
    assert not np.array_equal(a.test[1], c.test[1])
    assert len(a.train[1]) + len(a.test[1]) == 1797 and len(a.test[1]) == 359
    images = load_digits()[0].reshape(1797, -1)
    rows = {r.tobytes() for r in images}
    split_rows = [r.tobytes() for part in (a.train[0], a.test[0]) for r in part.reshape(-1, 64)]
    assert set(split_rows) == rows


def test_a_float32_load_keeps_float32():
    assert load_digits(np.float32)[0].dtype == np.float32


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.1])
def test_a_test_fraction_outside_zero_to_one_is_refused(fraction):
    with pytest.raises(ValueError, match="test_fraction"):
        split_digits(test_fraction=fraction)
