"""The fine-tuning recipe: what a user may choose, its defaults, and the run configuration it makes.

Importing this module does not import torch or numpy, so the CLI's ``--help`` shows the defaults
at once. The defaults were chosen by ``benchmarks/finetune_quality.py`` (docs/BENCHMARKS.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from mnist_studio.core.config import ConfigError, TrainingConfig
from mnist_studio.core.registry import get_architecture

DEFAULT_EPOCHS = 3
DEFAULT_MNIST_SHARE = 0.75
DEFAULT_HOLDOUT = 0.2
BATCH_SIZE = 64
LEARNING_RATE_FACTOR = 0.1  # of the architecture's training rate: a nudge, not a new training
MAX_MNIST_SHARE = 0.95
MAX_HOLDOUT = 0.9
FEW_SAMPLES = 3  # a digit with fewer images than this is accepted with a warning


@dataclass(frozen=True)
class FineTuneSettings:
    """What a user may choose about a fine-tuning run; ``learning_rate`` None takes the architecture's."""

    epochs: int = DEFAULT_EPOCHS
    learning_rate: float | None = None
    mnist_share: float = DEFAULT_MNIST_SHARE  # of each batch
    holdout: float = DEFAULT_HOLDOUT  # of each digit's images, for validation
    seed: int = 0
    batch_size: int = BATCH_SIZE
    device: str = "auto"
    threads: int | None = None

    def __post_init__(self) -> None:
        share, holdout = self.mnist_share, self.holdout
        if not isinstance(share, (int, float)) or isinstance(share, bool) or not 0 <= share <= MAX_MNIST_SHARE:
            raise ConfigError(f"the MNIST share must be a number from 0 to {MAX_MNIST_SHARE}")
        if not isinstance(holdout, (int, float)) or isinstance(holdout, bool) or not 0 < holdout <= MAX_HOLDOUT:
            raise ConfigError(f"the held-out share must be a number above 0 and at most {MAX_HOLDOUT}")


def default_learning_rate(arch: str) -> float:
    """The peak learning rate fine-tuning uses for ``arch`` unless told otherwise."""
    return get_architecture(arch).learning_rate * LEARNING_RATE_FACTOR


def training_config(arch: str, settings: FineTuneSettings) -> TrainingConfig:
    """The run configuration of a fine-tuning run; raises ``ConfigError`` for a bad value."""
    return TrainingConfig.for_architecture(
        arch,
        epochs=settings.epochs,
        batch_size=settings.batch_size,
        learning_rate=settings.learning_rate if settings.learning_rate is not None else default_learning_rate(arch),
        augment=True,
        seed=settings.seed,
        device=settings.device,
        threads=settings.threads,
    )
