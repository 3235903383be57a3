"""Which recipe reaches an architecture's target accuracy in the least training time (issue 17).

Each candidate (batch size, peak learning rate, epochs, precision) runs a complete engine run per
seed, candidates interleaved round by round so load drifts hit them alike. A candidate qualifies
when every seed reaches the target test accuracy; the fastest qualifying one (median training
seconds) is the one to make the default. Run on a quiet machine: the seconds are absolute.
"""

from __future__ import annotations

import itertools
import sys
import tempfile
from pathlib import Path

import _common
from mnist_studio.core.config import TrainingConfig
from mnist_studio.core.registry import ARCHITECTURES

TARGETS = {"mlp": 0.982, "lenet5": 0.990, "resnet": 0.960, "gru": 0.985, "vit": 0.970}


def main() -> None:
    """Run the grid, print one row per candidate and name the fastest that qualifies."""
    parser = _common.parser(__doc__.splitlines()[0], repeats=1)
    parser.add_argument("--arch", default="lenet5", choices=list(ARCHITECTURES))
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[128, 256])
    parser.add_argument("--lr-scales", type=float, nargs="+", default=[1.0, 1.5], help="x the registry's rate")
    parser.add_argument("--epochs", type=int, nargs="+", default=[2, 3])
    parser.add_argument("--precisions", nargs="+", default=["fp32"], choices=["fp32", "bf16"])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--target", type=float, default=None, help="test accuracy to reach (default per arch)")
    arguments = parser.parse_args()
    target = arguments.target or TARGETS[arguments.arch]
    _common.print_header(f"Recipe search, {arguments.arch}, target {target:.1%}", arguments)
    spec = ARCHITECTURES[arguments.arch]
    candidates = list(
        itertools.product(arguments.batch_sizes, arguments.lr_scales, arguments.epochs, arguments.precisions)
    )
    results: dict[tuple, list[tuple[float, float]]] = {candidate: [] for candidate in candidates}
    with tempfile.TemporaryDirectory() as folder:
        for seed in arguments.seeds:
            for candidate in candidates:
                batch, scale, epochs, precision = candidate
                config = TrainingConfig.for_architecture(
                    arguments.arch, batch_size=batch, learning_rate=spec.learning_rate * scale, epochs=epochs,
                    precision=precision, seed=seed, device="cpu", threads=arguments.threads,
                )  # fmt: skip
                finished = _common.run_to_completion(config, Path(folder) / "run.pt")
                results[candidate].append((finished.train_seconds, finished.test_accuracy))
                print(f"  {candidate} seed {seed}: {finished.train_seconds:.1f} s, {finished.test_accuracy:.2%}",
                      file=sys.stderr, flush=True)  # fmt: skip
    rows, qualifying = [], []
    for candidate, runs in results.items():
        batch, scale, epochs, precision = candidate
        seconds = _common.median([run[0] for run in runs])
        accuracies = [run[1] for run in runs]
        qualifies = min(accuracies) >= target
        if qualifies:
            qualifying.append((seconds, candidate))
        rows.append([batch, f"{spec.learning_rate * scale:g}", epochs, precision, f"{seconds:.1f}",
                     f"{min(accuracies):.2%}", f"{sum(accuracies) / len(accuracies):.2%}", "yes" if qualifies else "no"])  # fmt: skip
    print()
    _common.print_table(
        ["batch", "lr", "epochs", "precision", "train s (median)", "worst accuracy", "mean accuracy", "qualifies"], rows
    )
    if qualifying:
        seconds, best = min(qualifying)
        print(f"\nFastest qualifying: batch {best[0]}, lr {spec.learning_rate * best[1]:g}, {best[2]} epochs, "
              f"{best[3]}: {seconds:.1f} s of training")  # fmt: skip
    else:
        print("\nNo candidate reached the target with every seed.")


if __name__ == "__main__":
    main()
