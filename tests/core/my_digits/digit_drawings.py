"""Drawings for the digit set tests, made with Pillow."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

CANVAS = 280


def drawing(seed: int) -> np.ndarray:
    """A different 280x280 white-on-black scribble for each seed (a stroke or three, like a drawn digit)."""
    rng = np.random.default_rng(seed)
    image = Image.new("L", (CANVAS, CANVAS), 0)
    draw = ImageDraw.Draw(image)
    for _ in range(int(rng.integers(1, 4))):
        points = [tuple(int(v) for v in rng.integers(60, 220, size=2)) for _ in range(3)]
        draw.line(points, fill=255, width=int(rng.integers(14, 24)))
    return np.asarray(image)
