"""A fixed, perturbed copy of the test set: how well a model copes with digits drawn differently.

People draw digits tilted, smaller or larger and off-centre. Every checkpoint records its accuracy
on this copy beside the plain test accuracy, so models can be compared on it.
"""

from __future__ import annotations

import torch

from mnist_studio.core.augment import random_affine

PERTURBATION_SEED = 20_261_128
PERTURBATION = {"max_rotation_degrees": 15.0, "scale_range": (0.8, 1.1), "max_shift_pixels": 3.0}
PERTURBATION_DESCRIPTION = "rotated up to ±15°, scaled 0.8–1.1×, shifted up to ±3 px (fixed seed)"


def perturbed_copy(normalised_images: torch.Tensor) -> torch.Tensor:
    """The same images, each rotated, scaled and shifted by a fixed pseudo-random amount."""
    generator = torch.Generator().manual_seed(PERTURBATION_SEED)
    return random_affine(normalised_images, generator, **PERTURBATION)
