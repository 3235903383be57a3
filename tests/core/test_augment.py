"""Per-batch augmentation: small, reproducible warps that keep the background at MNIST's blank value."""

from __future__ import annotations

import torch

from mnist_studio.core.augment import random_affine
from mnist_studio.core.constants import NORMALISED_BACKGROUND
from mnist_studio.core.data import load_mnist, normalise


def test_shape_and_type_are_kept_and_images_change() -> None:
    images = normalise(load_mnist().train_images[:16])
    warped = random_affine(images, torch.Generator().manual_seed(0))
    assert warped.shape == images.shape and warped.dtype == images.dtype
    assert not torch.allclose(warped, images)


def test_a_blank_image_stays_blank() -> None:
    blank = torch.full((4, 1, 28, 28), NORMALISED_BACKGROUND)
    warped = random_affine(blank, torch.Generator().manual_seed(0))
    torch.testing.assert_close(warped, blank)


def test_the_generator_fixes_the_warp() -> None:
    images = normalise(load_mnist().train_images[:8])
    first = random_affine(images, torch.Generator().manual_seed(5))
    second = random_affine(images, torch.Generator().manual_seed(5))
    assert torch.equal(first, second)


def test_the_warp_is_small() -> None:
    images = normalise(load_mnist().train_images[:64])
    warped = random_affine(images, torch.Generator().manual_seed(1))
    # Ink grows or shrinks with the area (scale 0.85-1.15): no digit leaves the frame or is blown up.
    ink_ratio = (warped - NORMALISED_BACKGROUND).sum((1, 2, 3)) / (images - NORMALISED_BACKGROUND).sum((1, 2, 3))
    assert ink_ratio.min() > 0.85**2 * 0.95 and ink_ratio.max() < 1.15**2 * 1.05
