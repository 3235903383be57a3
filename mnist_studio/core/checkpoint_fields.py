"""Checking what a checkpoint's payload holds, field by field, before anything uses it.

A file can unpickle into any mix of plain values: numbers too large for a float, nesting a
thousand levels deep, sparse or meta tensors, text where a number belongs, a date that cannot
be shown in local time. Each is refused here as a ``CheckpointError`` naming the field, so the
model lists, the CLI and resuming can trust the types they read.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Callable

import torch

from mnist_studio.core.checkpoint_reading import CheckpointError, CheckpointProblem
from mnist_studio.core.config import TrainingConfig
from mnist_studio.core.values import is_finite_number, is_whole

STATUSES = ("completed", "stopped")
MAX_DEPTH = 16  # a stopped run's optimizer state is 6 levels deep
MAX_TEXT = 4096  # characters in any string of the payload
_LARGEST_WHOLE = 2**63  # what an int64 holds, and far less than overflows a float
_FRACTIONS = ("test_accuracy", "val_accuracy", "perturbed_test_accuracy")
_COUNTS = ("test_correct", "perturbed_test_correct", "images_seen", "threads")
_AMOUNTS = ("train_seconds", "images_per_second")
_LEAVE = object()  # marks, on the walk's stack, the moment a container's items are all checked


def _corrupt(path: Path, detail: str) -> CheckpointError:
    return CheckpointError(path, CheckpointProblem.CORRUPT, detail)


def _check_tensor(path: Path, tensor: torch.Tensor) -> None:
    if tensor.layout != torch.strided:
        raise _corrupt(path, f"holds a {str(tensor.layout).removeprefix('torch.')} tensor")
    if tensor.device.type != "cpu" or tensor.is_quantized:
        raise _corrupt(path, "holds a tensor of an unusual kind")


def check_plain(path: Path, payload: Any) -> None:
    """Refuse a payload that is not plain data of bounded depth: dicts, lists, tuples, text,
    whole numbers an int64 holds, floats, booleans, None and ordinary CPU tensors.

    Walks without recursion and visits a shared container once, so neither deep nesting nor a
    list repeating one big list a million times costs more than the file's own size; a
    container that contains itself is refused.
    """
    pending: list[tuple[Any, int]] = [(payload, 0)]
    on_path: set[int] = set()  # the containers being walked (their ids): meeting one again is a cycle
    done: set[int] = set()
    while pending:
        value, depth = pending.pop()
        if value is _LEAVE:
            on_path.discard(depth)
            done.add(depth)
            continue
        if depth > MAX_DEPTH:
            raise _corrupt(path, f"values nested more than {MAX_DEPTH} levels deep")
        if value is None or isinstance(value, (bool, float)):
            continue
        if isinstance(value, int):
            if not -_LARGEST_WHOLE <= value < _LARGEST_WHOLE:
                raise _corrupt(path, "a number too large")
        elif isinstance(value, str):
            if len(value) > MAX_TEXT:
                raise _corrupt(path, "a text too long")
        elif isinstance(value, torch.Tensor):
            _check_tensor(path, value)
        elif isinstance(value, (dict, list, tuple)):
            identity = id(value)
            if identity in on_path:
                raise _corrupt(path, "a value that contains itself")
            if identity in done:
                continue
            on_path.add(identity)
            pending.append((_LEAVE, identity))  # the id rides in the depth slot of the exit marker
            items: Any = value
            if isinstance(value, dict):
                for key in value:
                    if not isinstance(key, (str, int)) or isinstance(key, bool):
                        raise _corrupt(path, f"a key of type {type(key).__name__}")
                items = [*value.keys(), *value.values()]
            pending.extend((item, depth + 1) for item in items)
        else:
            raise _corrupt(path, f"an object of type {type(value).__name__}")




def _tensor_dict(value: Any) -> dict[str, torch.Tensor]:
    if not isinstance(value, dict) or not all(
        isinstance(name, str) and isinstance(tensor, torch.Tensor) for name, tensor in value.items()
    ):
        raise TypeError("not a mapping of layer names to tensors")
    return dict(value)


def _status(value: Any) -> str:
    if value not in STATUSES:
        raise ValueError(f"unknown status {str(value)[:40]!r}")
    return value


def _count(value: Any) -> int:
    if not is_whole(value) or value < 0:
        raise ValueError(f"{str(value)[:40]!r} is not a count")
    return value


def _mapping(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError(f"a mapping was expected, not {type(value).__name__}")
    return dict(value)


def _fraction(name: str, value: Any) -> None:
    if value is not None and not (is_finite_number(value) and 0 <= value <= 1):
        raise ValueError(f"{name} is not a fraction from 0 to 1")


def _metrics(value: Any) -> dict[str, Any]:
    """The metrics mapping, with the values the app shows checked for their kind and range."""
    metrics = _mapping(value)
    for name in _FRACTIONS:
        _fraction(name, metrics.get(name))
    for name in _COUNTS:
        if metrics.get(name) is not None and not (is_whole(metrics[name]) and metrics[name] >= 0):
            raise ValueError(f"{name} is not a count")
    for name in _AMOUNTS:
        if metrics.get(name) is not None and not (is_finite_number(metrics[name]) and metrics[name] >= 0):
            raise ValueError(f"{name} is not a number of 0 or more")
    per_class = metrics.get("per_class_accuracy")
    if per_class is not None:
        if not isinstance(per_class, (list, tuple)):
            raise ValueError("per_class_accuracy is not a list")
        for accuracy in per_class:
            _fraction("per_class_accuracy", accuracy)
    history = metrics.get("history", [])
    if not isinstance(history, list) or not all(
        isinstance(epoch, dict) and all(is_finite_number(number) for number in epoch.values()) for epoch in history
    ):
        raise ValueError("history is not a list of epochs with numbers")
    if not isinstance(metrics.get("device", ""), str):
        raise ValueError("device is not a text")
    return metrics


def _created(value: Any) -> str:
    """An ISO 8601 date that can be shown in local time, or "" (unknown)."""
    if value == "":
        return ""
    if not isinstance(value, str):
        raise TypeError(f"a date was expected, not {type(value).__name__}")
    try:
        datetime.fromisoformat(value).astimezone()
    except (ValueError, OverflowError, OSError):
        raise ValueError("not a date that can be shown") from None
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"a text was expected, not {type(value).__name__}")
    return value


def _field(path: Path, payload: dict[str, Any], key: str, convert: Callable[[Any], Any], default: Any = ...) -> Any:
    if key not in payload:
        if default is not ...:
            return default
        raise _corrupt(path, f"no {key}")
    try:
        return convert(payload[key])
    except (TypeError, ValueError, OverflowError) as error:  # ConfigError is a ValueError
        raise _corrupt(path, f"{key}: {error}") from None


def validate_checkpoint_fields(path: Path, payload: dict[str, Any]) -> dict[str, Any]:
    """The checked fields of a :class:`~mnist_studio.core.checkpoints.Checkpoint` (all but path and arch)."""
    return {
        "config": _field(path, payload, "config", TrainingConfig.from_dict),
        "model_state": _field(path, payload, "model_state", _tensor_dict),
        "status": _field(path, payload, "status", _status),
        "epoch": _field(path, payload, "epoch", _count),
        "step": _field(path, payload, "step", _count),
        "metrics": _field(path, payload, "metrics", _metrics),
        "created": _field(path, payload, "created", _created, ""),
        "torch_version": _field(path, payload, "torch_version", _text, ""),
        "training_state": _field(path, payload, "training_state", _mapping),
    }
