"""Facts about MNIST shared by training, evaluation and preprocessing: one place for each."""

from __future__ import annotations

IMAGE_SIZE = 28
NUM_CLASSES = 10

# Mean and standard deviation of the 60,000 training pixels scaled to [0, 1].
MNIST_MEAN = 0.1307
MNIST_STD = 0.3081

# The value a blank (0) pixel takes after normalisation.
NORMALISED_BACKGROUND = (0.0 - MNIST_MEAN) / MNIST_STD

VALIDATION_SIZE = 5_000

# How far augmentation moves a training image at most (core/augment.py; the Train form's tooltip says it).
MAX_ROTATION_DEGREES = 12.0
SCALE_RANGE = (0.85, 1.15)
MAX_SHIFT_PIXELS = 2.5
