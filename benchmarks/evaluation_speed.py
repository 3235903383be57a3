"""Evaluation speed on the CPU: the 10,000 test images through ``core.evaluation.evaluate``.

Each timed call normalises the uint8 test images and evaluates them (logits, loss, softmax,
confusion matrix), as the Test tab and ``mnist-studio evaluate`` do after loading a model.
Models are freshly initialised: the cost does not depend on the weights.
"""

from __future__ import annotations

import time

import torch

import _common
from mnist_studio.core.data import load_mnist, normalise
from mnist_studio.core.devices import default_cpu_threads
from mnist_studio.core.evaluation import evaluate
from mnist_studio.core.registry import ARCHITECTURES, build_model

GOAL_SECONDS = {"lenet5": 1.0}


def main() -> None:
    """Time evaluate() on the test set per architecture, interleaved; print the table."""
    parser = _common.parser(__doc__.splitlines()[0], repeats=5)
    parser.add_argument("--arch", nargs="+", default=list(ARCHITECTURES), help="architectures (default all)")
    parser.add_argument("--threads", type=int, default=default_cpu_threads(), help="CPU threads")
    arguments = parser.parse_args()
    _common.print_header("Evaluation of the 10,000 test images, CPU", arguments)
    torch.set_num_threads(arguments.threads)
    arrays = load_mnist()
    models = {arch: build_model(arch).eval() for arch in arguments.arch}

    def timed(arch: str) -> float:
        started = time.perf_counter()
        evaluate(models[arch], normalise(arrays.test_images), arrays.test_labels)
        return time.perf_counter() - started

    for arch in arguments.arch:  # warm-up: first calls allocate and pick kernels
        timed(arch)
    results = _common.interleaved({arch: (lambda arch=arch: timed(arch)) for arch in arguments.arch}, arguments.repeats)
    rows = []
    for arch, values in results.items():
        seconds = _common.median(values)
        goal = GOAL_SECONDS.get(arch)
        verdict = ("met" if seconds < goal else "MISSED") + f" (< {goal:g} s)" if goal else "-"
        rows.append([arch, f"{seconds:.3f}", _common.spread(values), f"{10_000 / seconds:,.0f}", verdict])
    print()
    _common.print_table(["arch", "seconds (median)", "range", "images/s", "goal"], rows)
    print(f"\n{arguments.threads} threads; median of {arguments.repeats} interleaved rounds after one warm-up each.")


if __name__ == "__main__":
    main()
