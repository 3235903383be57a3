"""The run configuration: a frozen, validated record of everything that shapes a training run."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from mnist_studio.core.constants import VALIDATION_SIZE
from mnist_studio.core.registry import ARCHITECTURES, DEFAULT_ARCHITECTURE, get_architecture
from mnist_studio.core.values import is_finite_number, is_whole

OPTIMIZERS = ("adam", "adamw", "sgd")
SCHEDULES = ("constant", "onecycle")
DEVICES = ("auto", "cpu", "cuda", "mps")
PRECISIONS = ("fp32", "bf16", "auto")  # auto: bf16 where the device has it natively and it pays
MAX_EPOCHS = 200
MAX_BATCH_SIZE = 8192
TRAINING_IMAGES = 60_000 - VALIDATION_SIZE


class ConfigError(ValueError):
    """A configuration value is out of range; the message names the field and the valid range."""




@dataclass(frozen=True)
class TrainingConfig:
    """Everything that determines a training run. Build one with :meth:`for_architecture`."""

    arch: str = DEFAULT_ARCHITECTURE
    epochs: int = 3
    batch_size: int = 128
    learning_rate: float = 4e-3
    optimizer: str = "adamw"
    schedule: str = "onecycle"
    weight_decay: float = 1e-4
    augment: bool = False
    device: str = "auto"
    seed: int = 0
    threads: int | None = None  # None: the engine's measured default for this machine
    subset: int | None = None  # train on only this many images (quick runs, tests)
    precision: str = "fp32"
    compile: bool = False  # torch.compile the model for training (pays off on long runs)

    def __post_init__(self) -> None:
        # Type checks come first so that a value from a file or a widget never reaches a comparison
        # that raises TypeError instead of ConfigError.
        checks = [
            (
                isinstance(self.arch, str) and self.arch in ARCHITECTURES,
                f"arch must be one of {', '.join(ARCHITECTURES)}",
            ),
            (
                is_whole(self.epochs) and 1 <= self.epochs <= MAX_EPOCHS,
                f"epochs must be a whole number from 1 to {MAX_EPOCHS}",
            ),
            (
                is_whole(self.batch_size) and 1 <= self.batch_size <= MAX_BATCH_SIZE,
                f"batch size must be a whole number from 1 to {MAX_BATCH_SIZE}",
            ),
            # No upper bound: a rate that diverges is caught by the engine's NaN stop with a clear message.
            (is_finite_number(self.learning_rate) and self.learning_rate > 0, "learning rate must be a number above 0"),
            (self.optimizer in OPTIMIZERS, f"optimizer must be one of {', '.join(OPTIMIZERS)}"),
            (self.schedule in SCHEDULES, f"schedule must be one of {', '.join(SCHEDULES)}"),
            (
                is_finite_number(self.weight_decay) and 0 <= self.weight_decay < 1,
                "weight decay must be at least 0 and below 1",
            ),
            (isinstance(self.augment, bool), "augment must be true or false"),
            (self.device in DEVICES, f"device must be one of {', '.join(DEVICES)}"),
            (self.precision in PRECISIONS, f"precision must be one of {', '.join(PRECISIONS)}"),
            (isinstance(self.compile, bool), "compile must be true or false"),
            (is_whole(self.seed) and 0 <= self.seed < 2**63, "seed must be a non-negative whole number"),
            (
                self.threads is None or (is_whole(self.threads) and 1 <= self.threads <= 256),
                "threads must be a whole number from 1 to 256",
            ),
            (
                self.subset is None or (is_whole(self.subset) and 1 <= self.subset <= TRAINING_IMAGES),
                f"subset must be a whole number of images from 1 to {TRAINING_IMAGES}",
            ),
        ]
        for valid, message in checks:
            if not valid:
                raise ConfigError(message)

    @classmethod
    def for_architecture(cls, arch: str, **overrides: Any) -> "TrainingConfig":
        """The architecture's default recipe from the registry, with ``overrides`` applied.

        Overrides whose value is ``None`` (an option not given) keep the default, except for
        ``threads`` and ``subset`` where ``None`` is itself the default.
        """
        try:
            spec = get_architecture(arch)
        except ValueError as error:
            raise ConfigError(str(error)) from None
        values: dict[str, Any] = {
            "arch": arch,
            "epochs": spec.epochs,
            "batch_size": spec.batch_size,
            "learning_rate": spec.learning_rate,
            "optimizer": spec.optimizer,
            "schedule": spec.schedule,
            "weight_decay": spec.weight_decay,
        }
        values.update({key: value for key, value in overrides.items() if value is not None})
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        """Plain-type dictionary (for checkpoints, JSON and logs)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "TrainingConfig":
        """Inverse of :meth:`to_dict`; unknown keys are ignored so older files still load."""
        if not isinstance(values, dict):
            raise ConfigError(f"a configuration must be a mapping, not {type(values).__name__}")
        known = {field.name for field in dataclasses.fields(cls)}
        return cls(**{key: value for key, value in values.items() if key in known})
