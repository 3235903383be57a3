"""The architecture registry: the one source of truth for each model's name, class and defaults.

Importing this module does not import torch, so the GUI can fill its widgets at start-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from torch import nn


@dataclass(frozen=True)
class ArchitectureSpec:
    """One architecture: identity, the class that builds it, and its default CPU recipe."""

    key: str
    display_name: str
    class_name: str  # attribute of mnist_studio.core.models
    description: str
    parameter_count: int  # checked against the built model by tests/core/test_models.py
    epochs: int
    batch_size: int
    learning_rate: float
    optimizer: str = "adamw"
    schedule: str = "onecycle"
    weight_decay: float = 1e-4
    bf16_pays: bool = False  # measured: the default recipe trains faster under bf16 autocast (docs/BENCHMARKS.md)


ARCHITECTURES: dict[str, ArchitectureSpec] = {
    spec.key: spec
    for spec in (
        ArchitectureSpec(
            key="mlp",
            display_name="MLP",
            class_name="MLP",
            description="Two dense layers (784-512-10); the fastest to train, ~98% in a few epochs.",
            parameter_count=407_050,
            epochs=3,
            batch_size=128,
            learning_rate=4e-3,
        ),
        ArchitectureSpec(
            key="lenet5",
            display_name="LeNet-5",
            class_name="LeNet5",
            description="LeCun's classic convolutional net; ~99% in a few epochs on a CPU.",
            parameter_count=44_426,
            epochs=3,
            batch_size=128,
            learning_rate=1e-2,
        ),
        ArchitectureSpec(
            key="resnet",
            display_name="ResNet (1 block)",
            class_name="ResidualNet",
            description="One residual block squeezed to a 28x28 map and a linear layer; ~96-97%.",
            parameter_count=8_571,
            epochs=3,
            batch_size=128,
            learning_rate=1e-2,
        ),
        ArchitectureSpec(
            key="gru",
            display_name="GRU (rows)",
            class_name="RowGRU",
            description="A recurrent net reading the image row by row; ~98.5% after a few epochs.",
            parameter_count=18_698,
            epochs=3,
            batch_size=128,
            learning_rate=4e-3,
        ),
        ArchitectureSpec(
            key="vit",
            display_name="Vision Transformer",
            class_name="VisionTransformer",
            description="A small ViT (4x4 patches, 4 blocks); slow on a CPU: minutes per epoch.",
            parameter_count=139_018,
            epochs=3,
            batch_size=128,
            learning_rate=2e-3,
            weight_decay=5e-2,
        ),
    )
}

DEFAULT_ARCHITECTURE = "lenet5"


def get_architecture(key: str) -> ArchitectureSpec:
    """Return the spec for ``key``; ``ValueError`` lists the known keys when it is unknown."""
    try:
        return ARCHITECTURES[key]
    except KeyError:
        known = ", ".join(ARCHITECTURES)
        raise ValueError(f"unknown architecture {key!r}; choose one of: {known}") from None


def build_model(key: str) -> "nn.Module":
    """Build a freshly initialised model of architecture ``key`` (imports torch)."""
    from mnist_studio.core import models

    return getattr(models, get_architecture(key).class_name)()
