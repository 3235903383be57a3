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
