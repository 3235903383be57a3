"""Training speed on a GPU (issue 17): images/s and time to 99% test accuracy per architecture.

For each architecture and each variant (fp32 / bf16 autocast, eager / compiled), with the data on
the device and large batches: one epoch's images/s, then the shortest run (1, 2, 3… epochs of
OneCycle) that reaches 99.0% test accuracy (98.5% for the MLP and ResNet, which do not reach 99%
in a few epochs), its training seconds. The anchor: 99% LeNet-class accuracy in 0.76 s on a
laptop GPU (tuomaso/train_mnist_fast). Runs on the CPU too (``--device cpu``) for a smoke test.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import _common
from mnist_studio.core.config import TrainingConfig
from mnist_studio.core.registry import ARCHITECTURES

TARGETS = {"mlp": 0.985, "lenet5": 0.99, "resnet": 0.965, "gru": 0.99, "vit": 0.985}
VARIANTS = {
    "fp32": {"precision": "fp32"},
    "bf16": {"precision": "bf16"},
    "bf16+compile": {"precision": "bf16", "compile": True},
}


def run(config: TrainingConfig) -> tuple[float, float, float]:
    """(training seconds, images/s, test accuracy) of one complete run."""
    with tempfile.TemporaryDirectory() as folder:
        finished = _common.run_to_completion(config, Path(folder) / "run.pt")
    return finished.train_seconds, finished.images_per_second, finished.test_accuracy


def main() -> None:
    """Print a table per architecture and write every figure as JSON (``--out``)."""
    parser = _common.parser(__doc__.splitlines()[0], repeats=1)
    parser.add_argument("--device", default="cuda", help="cuda (default), or cpu for a smoke test")
    parser.add_argument("--archs", nargs="+", default=list(ARCHITECTURES), choices=list(ARCHITECTURES))
    parser.add_argument("--batch-size", type=int, default=1024)
    parser.add_argument("--max-epochs", type=int, default=6)
    parser.add_argument("--subset", type=int, default=None, help="train on fewer images (smoke tests)")
    parser.add_argument("--out", type=Path, default=None, help="also write the results as JSON here")
    arguments = parser.parse_args()
    _common.print_header("Training speed on the device", arguments)
    results = []
    for arch in arguments.archs:
        rows = []
        for name, options in VARIANTS.items():
            def config(epochs: int) -> TrainingConfig:
                return TrainingConfig.for_architecture(
                    arch, epochs=epochs, batch_size=arguments.batch_size, device=arguments.device,
                    subset=arguments.subset, learning_rate=ARCHITECTURES[arch].learning_rate * 4, **options,
                )  # fmt: skip

            if options.get("compile"):
                run(config(1))  # warm the compile cache: the figures below are for a warm cache
            _, images_per_second, _ = run(config(1))
            reached = None
            for epochs in range(1, arguments.max_epochs + 1):
                seconds, _, accuracy = run(config(epochs))
                if accuracy >= TARGETS[arch]:
                    reached = (epochs, seconds, accuracy)
                    break
            rows.append([name, f"{images_per_second:,.0f}", *(reached or ("—", "—", "not reached"))])
            results.append({"arch": arch, "variant": name, "images_per_second": images_per_second,
                            "reached": reached, "target": TARGETS[arch]})  # fmt: skip
        print(f"\n{arch} (target {TARGETS[arch]:.1%}, batch {arguments.batch_size}, lr x4)")
        _common.print_table(["variant", "images/s", "epochs", "train s", "test accuracy"], rows)
    if arguments.out is not None:
        arguments.out.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    sys.exit(main())
