"""A checkpoint's fields are checked for kind and range on load: every bad value is one CheckpointError."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
import torch
from hostile_files import deep_value, good_payload, non_finite_weights, save_raw, sparse_weights

from mnist_studio.core.catalog import summarise
from mnist_studio.core.checkpoint_reading import CheckpointError, CheckpointProblem
from mnist_studio.core.checkpoints import load_checkpoint, load_model


def metrics(**values: Any) -> dict[str, Any]:
    return {"metrics": good_payload()["metrics"] | values}


def config(**values: Any) -> dict[str, Any]:
    return {"config": good_payload()["config"] | values}


def shared_list_bomb() -> list[Any]:
    wide = list(range(10_000))
    return [wide] * 10_000  # a hundred million visits for a walk that does not remember what it saw


def cyclic() -> dict[str, Any]:
    loop: list[Any] = []
    loop.append(loop)
    return {"metrics": good_payload()["metrics"] | {"notes": loop}}


HOSTILE_FIELDS: dict[str, tuple[Any, str]] = {
    "huge learning rate": (lambda: config(learning_rate=10**400), "too large"),
    "huge format version": (lambda: {"format_version": 10**400}, "too large"),
    "huge epoch": (lambda: {"epoch": -(10**30)}, "too large"),
    "deep architecture": (lambda: {"arch": deep_value(20_000)}, "nested"),
    "deep status": (lambda: {"status": deep_value(20_000)}, "nested"),
    "deep metrics": (lambda: metrics(notes=deep_value(5_000)), "nested"),
    "deep training state": (lambda: {"training_state": {"optimizer": deep_value(5_000)}}, "nested"),
    "accuracy as text": (lambda: metrics(test_accuracy="0.98"), "test_accuracy"),
    "accuracy as a tensor": (lambda: metrics(test_accuracy=torch.tensor(0.98)), "test_accuracy"),
    "accuracy as a list": (lambda: metrics(test_accuracy=[0.98]), "test_accuracy"),
    "accuracy above one": (lambda: metrics(val_accuracy=98.0), "val_accuracy"),
    "accuracy not finite": (lambda: metrics(test_accuracy=float("nan")), "test_accuracy"),
    "history of text": (lambda: metrics(history=["epoch one"]), "history"),
    "seconds as text": (lambda: metrics(train_seconds="12"), "train_seconds"),
    "per-digit accuracy of text": (lambda: metrics(per_class_accuracy=["a"] * 10), "per_class_accuracy"),
    "date beyond local time": (lambda: {"created": "9999-12-31T23:59:59-12:00"}, "created"),
    "date before local time": (lambda: {"created": "0001-01-01T00:00:00+14:00"}, "created"),
    "date not a date": (lambda: {"created": "yesterday"}, "created"),
    "date as a number": (lambda: {"created": 1234}, "created"),
    "torch version as a tensor": (lambda: {"torch_version": torch.zeros(1)}, "torch_version"),
    "text too long": (lambda: metrics(device="x" * 100_000), "too long"),
    "sparse weights": (lambda: {"model_state": sparse_weights()}, "sparse"),
    "sparse optimizer state": (lambda: {"training_state": {"moment": torch.zeros(3, 3).to_sparse()}}, "sparse"),
    "shared list bomb": (lambda: metrics(notes=shared_list_bomb()), None),
    "value containing itself": (cyclic, "contains itself"),
}


@pytest.mark.parametrize("kind", HOSTILE_FIELDS)
def test_a_hostile_field_is_one_checkpoint_error(tmp_path: Path, kind: str) -> None:
    changes, reason = HOSTILE_FIELDS[kind]
    path = save_raw(tmp_path / "hostile.pt", good_payload() | changes())
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)  # what a user's process has; the test runner may have raised it
    try:
        if reason is None:  # a shared structure is legal: it must load, and quickly
            assert load_checkpoint(path).metrics["notes"]
            return
        with pytest.raises(CheckpointError, match=reason) as raised:
            load_checkpoint(path)
    finally:
        sys.setrecursionlimit(limit)
    message = str(raised.value)
    assert "\n" not in message and message.startswith(str(path)) and len(message) < 300
    error = raised.value
    assert error.__cause__ is None and (error.__context__ is None or error.__suppress_context__)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_weights_that_are_not_finite_are_refused(tmp_path: Path, value: float) -> None:
    path = save_raw(tmp_path / "nan.pt", good_payload(model_state=non_finite_weights(value)))
    with pytest.raises(CheckpointError, match="NaN or infinite") as raised:
        load_model(path)
    assert raised.value.reason is CheckpointProblem.NON_FINITE_WEIGHTS


def test_an_old_checkpoint_without_optional_fields_still_loads(tmp_path: Path) -> None:
    payload = good_payload()
    for optional in ("created", "torch_version", "app_version"):
        del payload[optional]
    checkpoint = load_checkpoint(save_raw(tmp_path / "old.pt", payload))
    assert (checkpoint.created, checkpoint.torch_version) == ("", "")
    assert summarise(checkpoint).describe().startswith("LeNet-5 · 98.00%")
