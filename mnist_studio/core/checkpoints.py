"""Checkpoint files: written atomically, read safely, every failure one clear ``CheckpointError``.

A checkpoint holds only tensors and plain Python types, so it loads with
``torch.load(weights_only=True)``; a file whose unpickling would run code is refused.
"""

from __future__ import annotations

import os
import pickle
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import torch
from torch import nn

from mnist_studio import __version__
from mnist_studio.core.config import ConfigError, TrainingConfig
from mnist_studio.core.registry import ARCHITECTURES, build_model

FORMAT_NAME = "mnist-studio-checkpoint"
FORMAT_VERSION = 1


class CheckpointError(Exception):
    """A checkpoint cannot be used; ``str(error)`` is one line a user understands."""


@dataclass(frozen=True)
class Checkpoint:
    """A loaded checkpoint: the run's configuration, weights, training state and metrics."""

    path: Path
    arch: str
    config: TrainingConfig
    model_state: dict[str, torch.Tensor]
    status: str  # "completed" or "stopped"
    epoch: int  # epochs completed
    step: int  # global steps completed
    metrics: dict[str, Any]
    created: str
    torch_version: str
    training_state: dict[str, Any] = field(default_factory=dict)  # optimizer, schedule, RNG, position

    @property
    def test_accuracy(self) -> float | None:
        """Test accuracy (0-1) recorded when the run finished, if any."""
        return self.metrics.get("test_accuracy")


def build_payload(
    config: TrainingConfig,
    model: nn.Module,
    *,
    status: str,
    epoch: int,
    step: int,
    metrics: dict[str, Any],
    training_state: dict[str, Any],
) -> dict[str, Any]:
    """Assemble the plain-typed dictionary that :func:`save_checkpoint` writes."""
    return {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "arch": config.arch,
        "config": config.to_dict(),
        "model_state": {name: tensor.detach().cpu().clone() for name, tensor in model.state_dict().items()},
        "status": status,
        "epoch": epoch,
        "step": step,
        "metrics": metrics,
        "training_state": training_state,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "torch_version": torch.__version__,
        "app_version": __version__,
    }


def save_checkpoint(path: Path | str, payload: dict[str, Any]) -> Path:
    """Write ``payload`` to ``path`` atomically; on any failure the previous file is untouched."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            torch.save(payload, stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def _read(path: Path) -> Any:
    if not path.is_file():
        raise CheckpointError(f"{path}: no such checkpoint file")
    if path.stat().st_size == 0:
        raise CheckpointError(f"{path}: the file is empty, not a checkpoint")
    with path.open("rb") as stream:
        is_zip = stream.read(4) == b"PK\x03\x04"
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as error:
        if "weights_only" in str(error) or "Unsupported global" in str(error):
            raise CheckpointError(
                f"{path}: refused to load, the file contains code or objects that are unsafe to load"
            ) from None
        if is_zip:
            raise CheckpointError(f"{path}: the checkpoint is corrupt") from None
        raise CheckpointError(f"{path}: not a checkpoint file") from None
    except (RuntimeError, EOFError, zipfile.BadZipFile, ValueError, OSError) as error:
        if is_zip:
            raise CheckpointError(f"{path}: the checkpoint is truncated or corrupt") from None
        raise CheckpointError(f"{path}: not a checkpoint file ({type(error).__name__})") from None


def load_checkpoint(path: Path | str) -> Checkpoint:
    """Read and check a checkpoint file; raises ``CheckpointError`` with a one-line reason."""
    path = Path(path)
    payload = _read(path)
    if not isinstance(payload, dict) or payload.get("format") != FORMAT_NAME:
        if isinstance(payload, dict) and payload and all(isinstance(v, torch.Tensor) for v in payload.values()):
            raise CheckpointError(f"{path}: a bare state dict, not an MNIST Studio checkpoint")
        raise CheckpointError(f"{path}: not an MNIST Studio checkpoint")
    version = payload.get("format_version")
    if not isinstance(version, int):
        raise CheckpointError(f"{path}: the checkpoint is corrupt (no format version)")
    if version > FORMAT_VERSION:
        raise CheckpointError(
            f"{path}: made by a newer MNIST Studio (format {version}); this version reads format "
            f"{FORMAT_VERSION}, please upgrade"
        )
    arch = payload.get("arch")
    if arch not in ARCHITECTURES:
        raise CheckpointError(f"{path}: made for an unknown architecture {arch!r}")
    try:
        config = TrainingConfig.from_dict(payload["config"])
        checkpoint = Checkpoint(
            path=path,
            arch=arch,
            config=config,
            model_state=dict(payload["model_state"]),
            status=str(payload["status"]),
            epoch=int(payload["epoch"]),
            step=int(payload["step"]),
            metrics=dict(payload.get("metrics") or {}),
            created=str(payload.get("created", "")),
            torch_version=str(payload.get("torch_version", "")),
            training_state=dict(payload.get("training_state") or {}),
        )
    except (KeyError, TypeError, ValueError, ConfigError) as error:
        raise CheckpointError(f"{path}: the checkpoint is corrupt ({error})") from None
    if config.arch != arch:
        raise CheckpointError(f"{path}: the checkpoint is corrupt (config is for {config.arch!r}, weights for {arch!r})")
    _check_weights(checkpoint)
    return checkpoint


def _check_weights(checkpoint: Checkpoint) -> None:
    expected = build_model(checkpoint.arch).state_dict()
    stored = checkpoint.model_state
    if set(stored) != set(expected):
        raise CheckpointError(
            f"{checkpoint.path}: the weights were made for another architecture, not {checkpoint.arch!r}"
        )
    for name, tensor in expected.items():
        if not isinstance(stored[name], torch.Tensor) or stored[name].shape != tensor.shape:
            raise CheckpointError(
                f"{checkpoint.path}: the weights do not fit {checkpoint.arch!r} (layer {name})"
            )


def load_model(path: Path | str, device: torch.device | str = "cpu") -> tuple[nn.Module, Checkpoint]:
    """Load a checkpoint and return its model in eval mode on ``device``, with the checkpoint."""
    checkpoint = load_checkpoint(path)
    model = build_model(checkpoint.arch)
    model.load_state_dict(checkpoint.model_state, strict=True)
    return model.to(device).eval(), checkpoint
