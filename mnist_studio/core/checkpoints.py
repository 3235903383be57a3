"""Checkpoint files: written atomically, read safely, every failure one clear ``CheckpointError``.

A checkpoint holds only tensors and plain Python types, so it loads with
``torch.load(weights_only=True)``; a file whose unpickling would run code is refused, and so is
one that is too big, malformed, or holds weights that are not finite. Writing goes through
:mod:`mnist_studio.core.files` (checked target, atomic replace, :class:`OutputPathError`).
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import torch
from torch import nn

from mnist_studio import __version__
from mnist_studio.core import paths
from mnist_studio.core.catalog import CHECKPOINT_SUFFIX
from mnist_studio.core.checkpoint_fields import check_plain, validate_checkpoint_fields
from mnist_studio.core.checkpoint_reading import (
    MAX_CHECKPOINT_BYTES,
    CheckpointError,
    CheckpointProblem,
    read_payload,
)
from mnist_studio.core.config import TrainingConfig
from mnist_studio.core.files import OutputPathError, OutputProblem, atomic_write, reserve_path
from mnist_studio.core.registry import ARCHITECTURES, build_model

__all__ = [
    "CHECKPOINT_SUFFIX",
    "Checkpoint",
    "CheckpointError",
    "CheckpointProblem",
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "MAX_CHECKPOINT_BYTES",
    "build_payload",
    "load_checkpoint",
    "load_model",
    "reserve_run_path",
    "save_checkpoint",
    "save_fallback",
]

FORMAT_NAME = "mnist-studio-checkpoint"
FORMAT_VERSION = 1


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
        "torch_version": str(torch.__version__),  # TorchVersion is a str subclass weights_only refuses
        "app_version": __version__,
    }


def _is_short_write(error: RuntimeError) -> bool:
    # torch reports a write that came up short (a full disk) as "[enforce fail at inline_container.cc:…]
    # … unexpected pos …" or "… file write failed".
    text = str(error)
    return "inline_container" in text or "unexpected pos" in text or "file write failed" in text


def save_checkpoint(path: Path | str, payload: dict[str, Any]) -> Path:
    """Write ``payload`` to ``path`` atomically; on any failure the previous file is untouched.

    Raises :class:`~mnist_studio.core.files.OutputPathError` (``reason`` NO_SPACE on a full
    disk or quota) when the file cannot be written; keep the weights with :func:`save_fallback`.
    """
    try:
        return atomic_write(path, lambda stream: torch.save(payload, stream))
    except RuntimeError as error:
        if _is_short_write(error):
            raise OutputPathError(OutputProblem.NO_SPACE, path) from None
        raise


def reserve_run_path(arch: str, folder: Path | None = None) -> Path:
    """Take a fresh checkpoint name ``{arch}-{YYYYmmdd-HHMMSS}.pt`` (``-2``, ... if taken) in the runs folder.

    The name is reserved atomically as an empty file (runs started in the same second never
    share it); :func:`save_checkpoint` writes over it, and
    :func:`mnist_studio.core.files.release_reserved_path` gives it back if nothing is saved.
    Listing treats an empty ``.pt`` file as such a reservation. Raises ``OutputPathError``.
    """
    stem = f"{arch}-{time.strftime('%Y%m%d-%H%M%S')}"
    return reserve_path(folder if folder is not None else paths.runs_dir(), stem, CHECKPOINT_SUFFIX)


def save_fallback(payload: dict[str, Any], failed_path: Path | str) -> Path:
    """Keep a run whose checkpoint could not go to ``failed_path``: write it under a fresh name in
    the runs folder, else in the system's temporary folder, and return where it went.

    Raises the last folder's ``OutputPathError`` when neither can hold it.
    """
    stem = f"{Path(failed_path).stem[:80] or payload.get('arch', 'model')}-rescued"
    last_error: OutputPathError | None = None
    for folder in (paths.runs_dir(), Path(tempfile.gettempdir())):
        try:
            reserved = reserve_path(folder, stem, CHECKPOINT_SUFFIX)
        except OutputPathError as error:
            last_error = error
            continue
        try:
            return save_checkpoint(reserved, payload)
        except OutputPathError as error:
            reserved.unlink(missing_ok=True)
            last_error = error
    assert last_error is not None
    raise last_error


def load_checkpoint(path: Path | str) -> Checkpoint:
    """Read and check a checkpoint file; raises ``CheckpointError`` (and nothing else) with a one-line reason."""
    path = Path(path)
    try:
        return _load(path)
    except CheckpointError:
        raise
    except MemoryError:
        raise CheckpointError(path, CheckpointProblem.TOO_LARGE, "it needs more memory than there is") from None
    except Exception as error:  # noqa: BLE001 - a hostile file must never escape as another exception
        raise CheckpointError(path, CheckpointProblem.CORRUPT, type(error).__name__) from None


def _load(path: Path) -> Checkpoint:
    payload = read_payload(path)
    check_plain(path, payload)  # before anything compares or converts its values
    if not isinstance(payload, dict) or payload.get("format") != FORMAT_NAME:
        if isinstance(payload, dict) and payload and all(isinstance(v, torch.Tensor) for v in payload.values()):
            raise CheckpointError(path, CheckpointProblem.STATE_DICT)
        raise CheckpointError(path, CheckpointProblem.FOREIGN)
    version = payload.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise CheckpointError(path, CheckpointProblem.CORRUPT, "no valid format version")
    if version > FORMAT_VERSION:
        detail = f"format {version}; this version reads format {FORMAT_VERSION}"
        raise CheckpointError(path, CheckpointProblem.NEWER_FORMAT, detail)
    arch = payload.get("arch")
    if not isinstance(arch, str) or arch not in ARCHITECTURES:
        raise CheckpointError(path, CheckpointProblem.UNKNOWN_ARCHITECTURE, repr(arch)[:80])
    fields = validate_checkpoint_fields(path, payload)
    checkpoint = Checkpoint(path=path, arch=arch, **fields)
    if checkpoint.config.arch != arch:
        detail = f"config is for {checkpoint.config.arch!r}, weights for {arch!r}"
        raise CheckpointError(path, CheckpointProblem.CORRUPT, detail)
    _check_weights(checkpoint)
    return checkpoint


def _check_weights(checkpoint: Checkpoint) -> None:
    expected = build_model(checkpoint.arch).state_dict()
    stored = checkpoint.model_state
    path = checkpoint.path
    if set(stored) != set(expected):
        fits = [key for key in ARCHITECTURES if set(build_model(key).state_dict()) == set(stored)]
        found = f"holds {fits[0]!r} weights" if fits else "holds weights of an unknown model"
        raise CheckpointError(path, CheckpointProblem.WRONG_ARCHITECTURE, f"the file says {checkpoint.arch!r} but {found}")
    for name, tensor in expected.items():
        if stored[name].shape != tensor.shape or stored[name].dtype != tensor.dtype:
            raise CheckpointError(path, CheckpointProblem.WEIGHTS_DO_NOT_FIT, f"{checkpoint.arch!r} (layer {name})")
        if stored[name].is_floating_point() and not bool(torch.isfinite(stored[name]).all()):
            raise CheckpointError(path, CheckpointProblem.NON_FINITE_WEIGHTS, f"layer {name}")


def load_model(path: Path | str, device: torch.device | str = "cpu") -> tuple[nn.Module, Checkpoint]:
    """Load a checkpoint and return its model in eval mode on ``device``, with the checkpoint."""
    checkpoint = load_checkpoint(path)
    model = build_model(checkpoint.arch)
    try:
        model.load_state_dict(checkpoint.model_state, strict=True)
    except Exception as error:  # noqa: BLE001 - whatever slipped past the checks is still a bad file
        raise CheckpointError(checkpoint.path, CheckpointProblem.CORRUPT, type(error).__name__) from None
    return model.to(device).eval(), checkpoint
