"""CPU threads for training: 1 vs N intra-op threads, on a quiet machine and beside other work.

For each runtime variant, load and architecture (default recipe), the engine trains
``--images`` images with 1 and with N threads and reports images/s. Loads:
- none: nothing of ours besides the training (other processes on the machine still count);
- gui-like: a thread in the same process doing pure-Python work 10 ms out of every 50 ms
  (what a GUI thread redrawing charts at 20 Hz costs: it holds the GIL and a core meanwhile);
- busy-core: another process spinning one core at 100% (a second heavy program).
Variants are process-wide settings read once at start-up, so each runs in its own child
process; rounds alternate the variants (A B, B A, ...) and each child interleaves its cases:
- default: nothing set (libgomp's threads spin a while when they wait; glibc's defaults);
- omp-passive: ``OMP_WAIT_POLICY=PASSIVE`` (waiting OpenMP threads sleep at once);
- malloc-keep: glibc keeps freed blocks up to 64 MiB instead of unmapping them
  (``MALLOC_MMAP_THRESHOLD_``, ``MALLOC_TRIM_THRESHOLD_``), so they are not page-faulted again;
- omp-passive+malloc-keep: both.
``benchmarks/gui_training.py --threads 1 2`` measures the same inside the real window.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import _common

GUI_BUSY_SECONDS = 0.010
GUI_PERIOD_SECONDS = 0.050
VARIANTS: dict[str, dict[str, str]] = {
    "default": {},
    "omp-passive": {"OMP_WAIT_POLICY": "PASSIVE"},
    "malloc-keep": {"MALLOC_MMAP_THRESHOLD_": str(64 << 20), "MALLOC_TRIM_THRESHOLD_": str(256 << 20)},
}
VARIANTS["omp-passive+malloc-keep"] = VARIANTS["omp-passive"] | VARIANTS["malloc-keep"]
RESULT_MARK = "RESULT "


@contextmanager
def no_load() -> Iterator[None]:
    """No extra load."""
    yield


@contextmanager
def gui_like_load() -> Iterator[None]:
    """A thread that holds the GIL for 10 ms out of every 50 ms until the block ends."""
    finished = threading.Event()

    def work() -> None:
        while not finished.is_set():
            until = time.perf_counter() + GUI_BUSY_SECONDS
            while time.perf_counter() < until:
                pass
            finished.wait(GUI_PERIOD_SECONDS - GUI_BUSY_SECONDS)

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    try:
        yield
    finally:
        finished.set()
        thread.join()


@contextmanager
def busy_core_load() -> Iterator[None]:
    """Another process spinning one core until the block ends."""
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        yield
    finally:
        spinner.kill()
        spinner.wait()


LOADS = {"none": no_load, "gui-like": gui_like_load, "busy-core": busy_core_load}


def images_per_second(arch: str, threads: int, images: int, folder: Path) -> float:
    """Training images/s of the engine's default recipe for ``arch`` with ``threads`` threads."""
    from mnist_studio.core.config import TrainingConfig

    config = TrainingConfig.for_architecture(arch, epochs=1, subset=images, threads=threads, device="cpu")
    return _common.run_to_completion(config, folder / "run.pt").images_per_second


def child(arguments: object) -> None:
    """One round of every load, architecture and thread count; prints the results as JSON."""
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        for load in arguments.load:
            with LOADS[load]():
                for arch in arguments.arch:
                    cases = {
                        f"{load}/{arch}/{threads}": (
                            lambda threads=threads: images_per_second(arch, threads, arguments.images, Path(folder))
                        )
                        for threads in arguments.threads
                    }
                    for name, values in _common.interleaved(cases, 1).items():
                        results[name] = values[0]
    print(RESULT_MARK + json.dumps(results), flush=True)


def run_child(variant: str, arguments: object) -> dict[str, float]:
    """Run one child round under ``variant``; returns its results."""
    environment = {
        name: value for name, value in os.environ.items()
        if not any(name in settings for settings in VARIANTS.values())
    }
    environment.update(VARIANTS[variant])
    command = [
        sys.executable, __file__, "--child", "--images", str(arguments.images),
        "--arch", *arguments.arch, "--threads", *map(str, arguments.threads), "--load", *arguments.load,
    ]
    output = subprocess.run(command, env=environment, stdout=subprocess.PIPE, text=True, check=True).stdout
    for line in output.splitlines():
        if line.startswith(RESULT_MARK):
            return json.loads(line[len(RESULT_MARK) :])
    raise RuntimeError(f"the {variant} child printed no result")


def main() -> None:
    """Alternate the variants' child processes round by round; print the table."""
    parser = _common.parser(__doc__.splitlines()[0], repeats=3)
    parser.add_argument("--arch", nargs="+", default=["lenet5", "mlp"], help="architectures (default lenet5 mlp)")
    parser.add_argument("--images", type=int, default=6_400, help="images per timed run (default 6,400)")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, os.cpu_count() or 2], help="thread counts")
    parser.add_argument("--load", nargs="+", default=list(LOADS), choices=list(LOADS), help="loads (default all)")
    parser.add_argument(
        "--variant", nargs="+", default=["default", "omp-passive"], choices=list(VARIANTS),
        help="runtime variants (default: default omp-passive)",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        child(arguments)
        return
    _common.print_header("CPU threads for training (engine default recipe)", arguments)
    samples: dict[str, dict[str, list[float]]] = {variant: {} for variant in arguments.variant}
    for round_number in range(arguments.repeats):
        for variant in arguments.variant if round_number % 2 == 0 else reversed(arguments.variant):
            print(f"round {round_number + 1}/{arguments.repeats}, {variant}:", file=sys.stderr, flush=True)
            for name, value in run_child(variant, arguments).items():
                samples[variant].setdefault(name, []).append(value)
    rows = []
    for load in arguments.load:
        for arch in arguments.arch:
            medians = {
                (variant, threads): _common.median(samples[variant][f"{load}/{arch}/{threads}"])
                for variant in arguments.variant
                for threads in arguments.threads
            }
            best = max(medians.values())
            for (variant, threads), rate in medians.items():
                values = samples[variant][f"{load}/{arch}/{threads}"]
                rows.append(
                    [load, arch, variant, threads, f"{rate:,.0f}", _common.spread(values), f"{rate / best:.2f}"]
                )
    print()
    _common.print_table(["load", "arch", "variant", "threads", "images/s (median)", "range", "vs best"], rows)
    print(f"\n{arguments.images:,} images per run; 'vs best' compares within one load and architecture.")


if __name__ == "__main__":
    main()
