"""Per-batch random affine augmentation on the training device (no per-sample Python work)."""

from __future__ import annotations

import math

import torch
from torch.nn import functional as F

from mnist_studio.core.constants import MAX_ROTATION_DEGREES, MAX_SHIFT_PIXELS, NORMALISED_BACKGROUND, SCALE_RANGE


def random_affine(
    images: torch.Tensor,
    generator: torch.Generator,
    *,
    max_rotation_degrees: float = MAX_ROTATION_DEGREES,
    scale_range: tuple[float, float] = SCALE_RANGE,
    max_shift_pixels: float = MAX_SHIFT_PIXELS,
) -> torch.Tensor:
    """Rotate, scale and shift each normalised image (N, 1, 28, 28) by a small random amount.

    Random parameters come from ``generator`` (on the CPU) so runs stay reproducible; the
    warp itself runs wherever ``images`` live. Uncovered pixels get the background value.
    """
    count, _, height, _ = images.shape
    uniform = torch.rand(count, 4, generator=generator)
    angle = (uniform[:, 0] * 2 - 1) * math.radians(max_rotation_degrees)
    scale = scale_range[0] + uniform[:, 1] * (scale_range[1] - scale_range[0])
    shift = (uniform[:, 2:] * 2 - 1) * (2 * max_shift_pixels / height)
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack(
        [torch.stack([cos, -sin, shift[:, 0]], 1), torch.stack([sin, cos, shift[:, 1]], 1)], 1
    ).to(images.device, images.dtype)
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)
    # Warp the offset from the background so padding (zeros) lands on the background value.
    warped = F.grid_sample(images - NORMALISED_BACKGROUND, grid, align_corners=False)
    return warped + NORMALISED_BACKGROUND
