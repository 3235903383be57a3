"""Print (or write into README.md) the pretrained-models results table, from the checkpoints' metadata.

    python scripts/results_table.py                 # print the Markdown table
    python scripts/results_table.py --write-readme  # replace the table between the README markers
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from mnist_studio.core.checkpoints import CheckpointError, load_checkpoint
from mnist_studio.core.paths import pretrained_dir
from mnist_studio.core.registry import ARCHITECTURES

START, END = "<!-- results:start -->", "<!-- results:end -->"


def _reproduce_command(config: dict, device: str) -> str:
    flags = [
        f"--arch {config['arch']}",
        f"--epochs {config['epochs']}",
        f"--batch-size {config['batch_size']}",
        f"--lr {config['learning_rate']:g}",
        f"--optimizer {config['optimizer']}",
        f"--schedule {config['schedule']}",
        f"--weight-decay {config['weight_decay']:g}",
        *(["--augment"] if config["augment"] else []),
        f"--seed {config['seed']}",
        f"--device {device.split(':')[0]}",
        *([f"--threads {config['threads']}"] if config.get("threads") else []),
    ]
    return "mnist-studio train " + " ".join(flags) + f" --out checkpoints/{config['arch']}.pt"


def results_table(folder: Path) -> str:
    """Markdown table of every shipped checkpoint in ``folder``, one row per architecture."""
    rows = [
        "| architecture | parameters | epochs | batch | learning rate | augmentation | test accuracy "
        "| perturbed test accuracy | training time | device |",
        "|---|---:|---:|---:|---:|---|---:|---:|---:|---|",
    ]
    commands = []
    for key, spec in ARCHITECTURES.items():
        path = folder / f"{key}.pt"
        try:
            checkpoint = load_checkpoint(path)
        except CheckpointError as error:
            rows.append(f"| {spec.display_name} | {spec.parameter_count:,} | – | – | – | – | missing ({error}) | – | – | – |")
            continue
        config, metrics = checkpoint.config, checkpoint.metrics
        perturbed = metrics.get("perturbed_test_accuracy")
        device = metrics.get("device", "cpu")
        if device == "cpu" and metrics.get("threads"):
            device += f" ({metrics['threads']} thread{'s' if metrics['threads'] > 1 else ''})"
        rows.append(
            f"| {spec.display_name} | {spec.parameter_count:,} | {config.epochs} | {config.batch_size} "
            f"| {config.learning_rate:g} | {'yes' if config.augment else 'no'} "
            f"| {metrics['test_accuracy']:.2%} | {f'{perturbed:.2%}' if perturbed is not None else '–'} "
            f"| {metrics['train_seconds'] / 60:.1f} min | {device} |"
        )
        commands.append(f"{spec.display_name}: `{_reproduce_command(config.to_dict(), metrics.get('device', 'cpu'))}`")
    return "\n".join(rows) + "\n\nReproduce a row:\n\n" + "\n".join(f"- {line}" for line in commands) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write-readme", action="store_true", help="rewrite the table in README.md")
    arguments = parser.parse_args()
    table = results_table(pretrained_dir())
    if not arguments.write_readme:
        print(table)
        return 0
    readme = Path(__file__).resolve().parents[1] / "README.md"
    text = readme.read_text(encoding="utf-8")
    if START not in text or END not in text:
        print(f"README.md has no {START} ... {END} markers", file=sys.stderr)
        return 2
    block = f"{START}\n{table}{END}"
    readme.write_text(re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S), encoding="utf-8")
    print(f"updated {readme}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
