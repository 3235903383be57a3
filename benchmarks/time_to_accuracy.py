"""Time to 99.0% test accuracy for LeNet5 (CPU; ``--device cuda``): the default recipe vs the tutorial's.

Engine: one complete run of the registry's default recipe configured for E epochs (OneCycle
spans the whole run, so a 4-epoch run is not the first 4 epochs of a 5-epoch one), for each E in
``--epochs``; its wall time covers set-up, training, validation, test evaluation and checkpoint.
Tutorial: batch 64, Adam lr 1e-3 constant, torchvision DataLoader; with a constant rate, the
model after epoch k *is* a k-epoch run, so the test set is evaluated after each epoch and its
time is the training loop only (the evaluations are not counted, which favours the tutorial).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import torch
from torch import nn

import _common
from mnist_studio.core.config import TrainingConfig
from mnist_studio.core.data import load_mnist, normalise
from mnist_studio.core.devices import default_cpu_threads
from mnist_studio.core.evaluation import evaluate
from mnist_studio.core.registry import build_model
from training_throughput import TUTORIAL_LEARNING_RATE, tutorial_loader

ARCH = "lenet5"
TARGET_ACCURACY = 0.99
GOAL_SECONDS = 60.0


def engine_run(config: TrainingConfig, folder: Path) -> tuple[float, float, float]:
    """One complete engine run: (wall seconds, training seconds, test accuracy)."""
    started = time.perf_counter()
    finished = _common.run_to_completion(config, folder / "run.pt")
    wall = time.perf_counter() - started
    return wall, finished.train_seconds, finished.test_accuracy


def tutorial_run(epochs: int, threads: int, seed: int, device: str) -> list[tuple[int, float, float]]:
    """The tutorial's recipe for ``epochs`` epochs: (epoch, cumulative training s, test accuracy) each."""
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    arrays = load_mnist()
    test_images, test_labels = normalise(arrays.test_images, device), arrays.test_labels.to(device)
    model = build_model(ARCH).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=TUTORIAL_LEARNING_RATE)
    criterion = nn.CrossEntropyLoss()
    results = []
    training_seconds = 0.0
    with _common.torchvision_mnist_root() as root:
        loader = tutorial_loader(root)
        for epoch in range(1, epochs + 1):
            model.train()
            started = time.perf_counter()
            for images, labels in loader:
                images, labels = images.to(device), labels.to(device)
                optimizer.zero_grad()
                loss = criterion(model(images), labels)
                loss.backward()
                optimizer.step()
                loss.item()
            training_seconds += time.perf_counter() - started
            accuracy = evaluate(model, test_images, test_labels).accuracy
            results.append((epoch, training_seconds, accuracy))
            print(f"  tutorial epoch {epoch}: {training_seconds:.1f} s, {accuracy:.2%}", file=sys.stderr, flush=True)
            if accuracy >= TARGET_ACCURACY:
                break
    return results


def main() -> None:
    """Run the default recipe for each epoch count and seed, then the tutorial; print the table."""
    parser = _common.parser(__doc__.splitlines()[0], repeats=1)
    parser.add_argument("--epochs", type=int, nargs="+", default=[3, 4], help="engine run lengths (default 3 4)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0], help="seeds for the engine runs (default 0)")
    parser.add_argument("--augment", action="store_true", help="also run the default recipe with augmentation")
    parser.add_argument(
        "--tutorial-epochs", type=int, default=5, help="tutorial epochs at most; 0 skips it (default 5)"
    )
    parser.add_argument("--threads", type=int, default=default_cpu_threads(), help="CPU threads")
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda", "mps"], help="training device (default cpu)")
    arguments = parser.parse_args()
    _common.print_header(f"Time to 99.0% test accuracy, LeNet5, {arguments.device}", arguments)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        variants = [False, True] if arguments.augment else [False]
        for epochs in arguments.epochs:
            for augment in variants:
                config = TrainingConfig.for_architecture(
                    ARCH, epochs=epochs, augment=augment, device=arguments.device, threads=arguments.threads
                )
                recipe = (
                    f"default: batch {config.batch_size}, {config.optimizer} {config.schedule} "
                    f"lr {config.learning_rate:g}{', augment' if augment else ''}"
                )
                for seed in arguments.seeds:
                    walls, accuracies, trains = [], [], []
                    for _ in range(arguments.repeats):
                        wall, train, accuracy = engine_run(
                            TrainingConfig.from_dict(config.to_dict() | {"seed": seed}), Path(folder)
                        )
                        print(f"  {epochs} epochs seed {seed}: {wall:.1f} s, {accuracy:.2%}", file=sys.stderr)
                        walls.append(wall)
                        trains.append(train)
                        accuracies.append(accuracy)
                    wall = _common.median(walls)
                    accuracy = min(accuracies)
                    reached = accuracy >= TARGET_ACCURACY
                    verdict = "met" if reached and wall <= GOAL_SECONDS else "MISSED"
                    rows.append(
                        [recipe, epochs, seed, f"{accuracy:.2%}", f"{wall:.1f}", f"{_common.median(trains):.1f}",
                         "yes" if reached else "no", verdict]
                    )
    if arguments.tutorial_epochs:
        history = tutorial_run(arguments.tutorial_epochs, arguments.threads, seed=0, device=arguments.device)
        for epoch, seconds, accuracy in history:
            reached = accuracy >= TARGET_ACCURACY
            rows.append(
                ["tutorial: batch 64, adam constant lr 0.001", epoch, 0, f"{accuracy:.2%}", "-", f"{seconds:.1f}",
                 "yes" if reached else "no", "met" if reached and seconds <= GOAL_SECONDS else "-"]
            )
    print()
    _common.print_table(
        ["recipe", "epochs", "seed", "test accuracy", "wall s", "training s", ">= 99.0%", "goal <= 60 s"], rows
    )
    print(
        f"\n{arguments.device}, {arguments.threads} CPU threads. "
        "Engine wall s = the whole run; tutorial = its training loop only."
    )


if __name__ == "__main__":
    main()
