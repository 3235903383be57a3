"""CPU threads for training: 1 vs N intra-op threads, on a quiet machine and beside other work.

For each load and architecture (default recipe), the engine trains ``--images`` images with 1
and with N threads, interleaved, and reports images/s. Loads:
- none: nothing of ours besides the training (other processes on the machine still count);
- gui-like: a thread in the same process doing pure-Python work 10 ms out of every 50 ms
  (what a GUI thread redrawing charts at 20 Hz costs: it holds the GIL and a core meanwhile);
- busy-core: another process spinning one core at 100% (a second heavy program).
``benchmarks/gui_training.py --threads 1 2`` measures the same inside the real window.
"""

from __future__ import annotations

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
from mnist_studio.core.config import TrainingConfig
from mnist_studio.core.progress import TrainingFinished
from mnist_studio.core.training import Trainer

GUI_BUSY_SECONDS = 0.010
GUI_PERIOD_SECONDS = 0.050


@contextmanager
def no_load() -> Iterator[None]:
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
    config = TrainingConfig.for_architecture(arch, epochs=1, subset=images, threads=threads, device="cpu")
    finished = None
    for record in Trainer(config, checkpoint_path=folder / "run.pt").run():
        if isinstance(record, TrainingFinished):
            finished = record
    if finished is None or finished.status != "completed":
        raise RuntimeError(f"engine run did not complete: {finished}")
    return finished.images_per_second


def main() -> None:
    parser = _common.parser(__doc__.splitlines()[0], repeats=3)
    parser.add_argument("--arch", nargs="+", default=["lenet5", "mlp"], help="architectures (default lenet5 mlp)")
    parser.add_argument("--images", type=int, default=12_800, help="images per timed run (default 12,800)")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, os.cpu_count() or 2], help="thread counts")
    parser.add_argument("--load", nargs="+", default=list(LOADS), choices=list(LOADS), help="loads (default all)")
    arguments = parser.parse_args()
    _common.print_header("CPU threads for training (engine default recipe)", arguments)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for load in arguments.load:
            with LOADS[load]():
                for arch in arguments.arch:
                    print(f"{load}, {arch}:", file=sys.stderr)
                    cases = {
                        f"{threads} threads": (
                            lambda threads=threads: images_per_second(arch, threads, arguments.images, Path(folder))
                        )
                        for threads in arguments.threads
                    }
                    results = _common.interleaved(cases, arguments.repeats)
                    best = max(_common.median(values) for values in results.values())
                    for name, values in results.items():
                        rate = _common.median(values)
                        rows.append([load, arch, name, f"{rate:,.0f}", _common.spread(values), f"{rate / best:.2f}"])
    print()
    _common.print_table(["load", "arch", "threads", "images/s (median)", "range", "vs best"], rows)


if __name__ == "__main__":
    main()
