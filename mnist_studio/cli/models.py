"""``mnist-studio models``: the shipped pretrained models, by the key that names them on the command line."""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

from mnist_studio.cli import EXIT_OK
from mnist_studio.core import paths
from mnist_studio.core.registry import ARCHITECTURES


@dataclass(frozen=True)
class ShippedModel:
    """One row of the list: a shipped checkpoint, or why it cannot be used."""

    key: str
    name: str
    file: Path
    test_accuracy: float | None
    error: str | None  # None when the checkpoint reads


def shipped_models() -> list[ShippedModel]:
    """Every architecture's shipped checkpoint (``pretrained_dir()/KEY.pt``), in registry order."""
    from mnist_studio.core.catalog import read_summary
    from mnist_studio.core.checkpoints import CheckpointError

    rows = []
    for key, spec in ARCHITECTURES.items():
        file = paths.pretrained_dir() / f"{key}.pt"
        try:
            summary = read_summary(file)
        except CheckpointError as error:
            rows.append(ShippedModel(key, spec.display_name, file, None, str(error)))
            continue
        rows.append(ShippedModel(key, spec.display_name, file, summary.test_accuracy, None))
    return rows


def run(args: argparse.Namespace) -> int:
    """Print the shipped models (key, name, test accuracy, file) and the folder runs are saved in."""
    rows = shipped_models()
    runs = paths.runs_dir()
    if args.json:
        models = [
            {"key": row.key, "name": row.name, "test_accuracy": row.test_accuracy, "file": str(row.file)}
            | ({"error": row.error} if row.error else {})
            for row in rows
        ]
        print(json.dumps({"models": models, "runs_folder": str(runs)}))
        return EXIT_OK
    width = max(len(row.name) for row in rows)
    print(f"{'key':<8}{'model':<{width + 2}}{'test accuracy':>13}  file")
    for row in rows:
        accuracy = f"{row.test_accuracy:.2%}" if row.test_accuracy is not None else "-"
        where = str(row.file) if row.error is None else f"unusable: {row.error}"
        print(f"{row.key:<8}{row.name:<{width + 2}}{accuracy:>13}  {where}")
    print()
    print("Give a key where a checkpoint file is expected, e.g. `mnist-studio evaluate lenet5`.")
    print(f"Your runs are saved in {runs}")
    return EXIT_OK
