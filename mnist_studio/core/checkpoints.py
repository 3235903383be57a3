"""Checkpoint files: written atomically, read safely, every failure one clear ``CheckpointError``.

A checkpoint holds only tensors and plain Python types, so it loads with
``torch.load(weights_only=True)``; a file whose unpickling would run code is refused.
"""

from __future__ import annotations

import io
import os
import pickletools
import secrets
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import torch
from torch import nn

from mnist_studio import __version__
from mnist_studio.core.config import TrainingConfig
from mnist_studio.core.registry import ARCHITECTURES, build_model

FORMAT_NAME = "mnist-studio-checkpoint"
FORMAT_VERSION = 1
STATUSES = ("completed", "stopped")
# Globals a checkpoint's pickle legitimately names (tensor rebuilders, storages, OrderedDict).
_EXPECTED_GLOBALS = ("torch.", "collections.OrderedDict")
_MAX_SCANNED_BYTES = 64 * 2**20


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
        "torch_version": str(torch.__version__),  # TorchVersion is a str subclass weights_only refuses
        "app_version": __version__,
    }


def save_checkpoint(path: Path | str, payload: dict[str, Any]) -> Path:
    """Write ``payload`` to ``path`` atomically; on any failure the previous file is untouched."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # os.open rather than mkstemp: mkstemp's files are private (0600) regardless of the umask, and
    # a checkpoint is a document the user may want to share.
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        with os.fdopen(handle, "wb") as stream:
            torch.save(payload, stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _fsync_folder(path.parent)
    return path


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable where the platform allows it (POSIX)."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    try:
        handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass  # some file systems refuse fsync on folders; the data itself is already on disk
    finally:
        os.close(handle)


def _pickle_globals(path: Path) -> list[str]:
    """The ``module.name`` globals the file's pickles refer to ("?" where one cannot be told).

    Only used to word the error for a file torch has already refused; loading never relies on it.
    """
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                members = [m for m in archive.infolist() if m.filename.endswith("data.pkl")]
                # A compressed member could be a zip bomb; torch's own pickles are small.
                streams = [io.BytesIO(archive.read(m)) for m in members if m.file_size < _MAX_SCANNED_BYTES]
        elif path.stat().st_size < _MAX_SCANNED_BYTES:
            streams = [io.BytesIO(path.read_bytes())]
        else:
            return []
    except Exception:  # noqa: BLE001 - an unreadable archive simply has nothing to report
        return []
    found: list[str] = []
    for stream in streams:
        strings: list[str] = []
        size = len(stream.getbuffer())
        try:
            while stream.tell() < size:  # the legacy format is several pickles in a row
                for opcode, argument, _ in pickletools.genops(stream):
                    if opcode.name in ("GLOBAL", "INST"):
                        found.append(str(argument).replace(" ", "."))
                    elif opcode.name == "STACK_GLOBAL":
                        found.append(".".join(strings[-2:]) if len(strings) >= 2 else "?")
                    elif isinstance(argument, str):
                        strings.append(argument)
        except Exception:  # noqa: BLE001 - garbage after (or instead of) a pickle ends the scan
            pass
    return found


def _looks_unsafe(path: Path, error: Exception) -> bool:
    if "Unsupported global" in str(error):
        return True
    return any(not name.startswith(_EXPECTED_GLOBALS) for name in _pickle_globals(path))


def _read(path: Path) -> Any:
    if path.is_dir():
        raise CheckpointError(f"{path}: is a folder, not a checkpoint file")
    if not path.is_file():
        raise CheckpointError(f"{path}: no such checkpoint file")
    try:
        with path.open("rb") as stream:
            head = stream.read(4)
    except OSError as error:
        raise CheckpointError(f"{path}: cannot read the file ({error.strerror or error})") from None
    if not head:
        raise CheckpointError(f"{path}: the file is empty, not a checkpoint")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch warns about the pickle protocol of foreign files
            return torch.load(path, map_location="cpu", weights_only=True)
    except OSError as error:
        raise CheckpointError(f"{path}: cannot read the file ({error.strerror or error})") from None
    except Exception as error:  # noqa: BLE001 - hostile bytes can make the unpickler raise almost anything
        if _looks_unsafe(path, error):
            raise CheckpointError(
                f"{path}: refused to load: the file contains code or objects that are unsafe to load"
            ) from None
        if head == b"PK\x03\x04":
            raise CheckpointError(f"{path}: the checkpoint is truncated or corrupt") from None
        raise CheckpointError(f"{path}: not a checkpoint file") from None


def load_checkpoint(path: Path | str) -> Checkpoint:
    """Read and check a checkpoint file; raises ``CheckpointError`` with a one-line reason."""
    path = Path(path)
    payload = _read(path)
    if not isinstance(payload, dict) or payload.get("format") != FORMAT_NAME:
        if isinstance(payload, dict) and payload and all(isinstance(v, torch.Tensor) for v in payload.values()):
            raise CheckpointError(f"{path}: bare model weights (a state dict), not an MNIST Studio checkpoint")
        raise CheckpointError(f"{path}: not an MNIST Studio checkpoint")
    version = payload.get("format_version")
    if not _is_whole(version) or version < 1:
        raise CheckpointError(f"{path}: the checkpoint is corrupt (no valid format version)")
    if version > FORMAT_VERSION:
        raise CheckpointError(
            f"{path}: made by a newer MNIST Studio (format {version}); this version reads format "
            f"{FORMAT_VERSION}, please upgrade"
        )
    arch = payload.get("arch")
    if not isinstance(arch, str) or arch not in ARCHITECTURES:
        raise CheckpointError(f"{path}: made for an unknown architecture {arch!r}")
    checkpoint = Checkpoint(
        path=path,
        arch=arch,
        config=_field(path, payload, "config", TrainingConfig.from_dict),
        model_state=_field(path, payload, "model_state", _tensor_dict),
        status=_field(path, payload, "status", _status),
        epoch=_field(path, payload, "epoch", _count),
        step=_field(path, payload, "step", _count),
        metrics=_field(path, payload, "metrics", _mapping),
        created=str(payload.get("created", "")),
        torch_version=str(payload.get("torch_version", "")),
        training_state=_field(path, payload, "training_state", _mapping),
    )
    if checkpoint.config.arch != arch:
        raise CheckpointError(
            f"{path}: the checkpoint is corrupt (config is for {checkpoint.config.arch!r}, weights for {arch!r})"
        )
    _check_weights(checkpoint)
    return checkpoint


def _is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _field(path: Path, payload: dict[str, Any], key: str, convert: Callable[[Any], Any]) -> Any:
    if key not in payload:
        raise CheckpointError(f"{path}: the checkpoint is corrupt (no {key})")
    try:
        return convert(payload[key])
    except (TypeError, ValueError) as error:  # ConfigError is a ValueError
        raise CheckpointError(f"{path}: the checkpoint is corrupt ({key}: {error})") from None


def _tensor_dict(value: Any) -> dict[str, torch.Tensor]:
    if not isinstance(value, dict) or not all(
        isinstance(name, str) and isinstance(tensor, torch.Tensor) for name, tensor in value.items()
    ):
        raise TypeError("not a mapping of layer names to tensors")
    return dict(value)


def _status(value: Any) -> str:
    if value not in STATUSES:
        raise ValueError(f"unknown status {value!r}")
    return value


def _count(value: Any) -> int:
    if not _is_whole(value) or value < 0:
        raise ValueError(f"{value!r} is not a count")
    return value


def _mapping(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError(f"a mapping was expected, not {type(value).__name__}")
    return dict(value)


def _check_weights(checkpoint: Checkpoint) -> None:
    expected = build_model(checkpoint.arch).state_dict()
    stored = checkpoint.model_state
    if set(stored) != set(expected):
        fits = [key for key in ARCHITECTURES if set(build_model(key).state_dict()) == set(stored)]
        found = f"holds {fits[0]!r} weights" if fits else "holds weights of an unknown model"
        raise CheckpointError(
            f"{checkpoint.path}: made for another architecture: the file says {checkpoint.arch!r} but {found}"
        )
    for name, tensor in expected.items():
        if stored[name].shape != tensor.shape or stored[name].dtype != tensor.dtype:
            raise CheckpointError(f"{checkpoint.path}: the weights do not fit {checkpoint.arch!r} (layer {name})")


def load_model(path: Path | str, device: torch.device | str = "cpu") -> tuple[nn.Module, Checkpoint]:
    """Load a checkpoint and return its model in eval mode on ``device``, with the checkpoint."""
    checkpoint = load_checkpoint(path)
    model = build_model(checkpoint.arch)
    model.load_state_dict(checkpoint.model_state, strict=True)
    return model.to(device).eval(), checkpoint
