"""Seven-segment digits, drawn as a meter display shows them: a style MNIST never had.

Each digit is drawn on a 280x280 canvas (white on black, like the Draw tab) at a random size,
aspect, slant, place and segment thickness, with small gaps between the segments; 6, 7 and 9
come in the variants real displays use (6 and 9 with or without their tail, 7 with or without
the upper-left bar). Run as a script to write a digit set in the ImageFolder layout:

    python benchmarks/seven_segment.py FOLDER [--per-digit 20] [--seed 0]
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

CANVAS = 280
SUPERSAMPLE = 3  # drawn at 3x and reduced: anti-aliased edges, as a real pen or photo gives
SEGMENTS = {  # a top, b top right, c bottom right, d bottom, e bottom left, f top left, g middle
    0: "abcdef",
    1: "bc",
    2: "abged",
    3: "abgcd",
    4: "fgbc",
    5: "afgcd",
    6: "afgedc",
    7: "abc",
    8: "abcdefg",
    9: "abcdfg",
}
VARIANTS = {6: ("a", 0.5), 7: ("f", 0.5), 9: ("d", 0.5)}  # segment toggled, and how often
HEIGHT_RANGE = (0.35, 0.85)  # of the canvas
ASPECT_RANGE = (0.45, 0.65)  # width / height
THICKNESS_RANGE = (0.18, 0.32)  # segment thickness / width
GAP_RANGE = (0.1, 0.4)  # gap between segments / thickness: at these the shipped LeNet-5 reads ~76%
SLANT_RANGE_DEGREES = (-3.0, 14.0)  # displays lean right, if at all


def _segment_boxes(width: float, height: float, thickness: float, gap: float) -> dict[str, tuple[float, ...]]:
    """Each segment as (x0, y0, x1, y1) in an upright box with its origin at the top left."""
    half = height / 2
    return {
        "a": (thickness + gap, 0, width - thickness - gap, thickness),
        "g": (thickness + gap, half - thickness / 2, width - thickness - gap, half + thickness / 2),
        "d": (thickness + gap, height - thickness, width - thickness - gap, height),
        "f": (0, thickness / 2 + gap, thickness, half - gap),
        "b": (width - thickness, thickness / 2 + gap, width, half - gap),
        "e": (0, half + gap, thickness, height - thickness / 2 - gap),
        "c": (width - thickness, half + gap, width, height - thickness / 2 - gap),
    }


def draw_seven_segment(digit: int, rng: np.random.Generator) -> np.ndarray:
    """One seven-segment ``digit`` as a (280, 280) uint8 canvas image, white on black."""
    segments = set(SEGMENTS[digit])
    if digit in VARIANTS and rng.random() < VARIANTS[digit][1]:
        segments ^= {VARIANTS[digit][0]}
    height = rng.uniform(*HEIGHT_RANGE) * CANVAS
    width = height * rng.uniform(*ASPECT_RANGE)
    thickness = width * rng.uniform(*THICKNESS_RANGE)
    gap = thickness * rng.uniform(*GAP_RANGE)
    slant = math.tan(math.radians(rng.uniform(*SLANT_RANGE_DEGREES)))
    reach = width + abs(slant) * height
    left = rng.uniform(4, max(5, CANVAS - reach - 4))
    top = rng.uniform(4, max(5, CANVAS - height - 4))
    scale = SUPERSAMPLE
    image = Image.new("L", (CANVAS * scale, CANVAS * scale), 0)
    draw = ImageDraw.Draw(image)
    for name, (x0, y0, x1, y1) in _segment_boxes(width, height, thickness, gap).items():
        if name not in segments:
            continue
        corners = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
        # Slant: shift each point right by how far it is above the bottom.
        points = [((left + x + slant * (height - y)) * scale, (top + y) * scale) for x, y in corners]
        draw.polygon(points, fill=255)
    return np.asarray(image.resize((CANVAS, CANVAS), Image.Resampling.BOX))


def seven_segment_set(per_digit: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``per_digit`` drawings of each digit: images (N, 280, 280) uint8 and labels (N,)."""
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(10), per_digit)
    return np.stack([draw_seven_segment(int(label), rng) for label in labels]), labels


def main() -> None:
    """Write a seven-segment digit set as FOLDER/0/*.png … FOLDER/9/*.png."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--per-digit", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    from mnist_studio.core.my_digits.folder import DigitSet

    digit_set = DigitSet.open(args.folder, create=True)
    images, labels = seven_segment_set(args.per_digit, args.seed)
    for image, label in zip(images, labels):
        digit_set.add(image, int(label))
    print(f"{len(labels)} digits written to {args.folder}", file=sys.stderr)


if __name__ == "__main__":
    main()
