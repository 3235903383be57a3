"""Shared helpers for the benchmark scripts: interleaved timing, medians, tables, machine facts.

The machine these run on may be shared, so absolute times drift; every script measures the
things it compares in the same process, interleaved, and reports medians and ratios.
This module imports neither torch nor Qt (the start-up benchmark relies on that).
"""

from __future__ import annotations

import argparse
import gzip
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path

from mnist_studio.core import paths
from mnist_studio.core.data import MNIST_FILES


def run_to_completion(config: object, checkpoint_path: Path) -> object:
    """Drive an engine run (a ``TrainingConfig``) to its end; its ``TrainingFinished`` record.

    Raises ``RuntimeError`` unless the run completed, so no benchmark reports a broken run.
    """
    from mnist_studio.core.progress import TrainingFinished
    from mnist_studio.core.training import Trainer

    finished = None
    for record in Trainer(config, checkpoint_path=checkpoint_path).run():
        if isinstance(record, TrainingFinished):
            finished = record
    if finished is None or finished.status != "completed":
        raise RuntimeError(f"engine run did not complete: {finished}")
    return finished


def median(values: Sequence[float]) -> float:
    """The median of ``values`` (NaN for none)."""
    return statistics.median(values) if values else float("nan")


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) with linear interpolation between the nearest ranks."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def interleaved(cases: dict[str, Callable[[], float]], repeats: int) -> dict[str, list[float]]:
    """Call each case once per round, in turn, and collect what each call returns.

    Odd rounds run the cases in reverse order (A B, B A, A B ...), so a slow drift of the
    machine's load hits every case alike.
    """
    results: dict[str, list[float]] = {name: [] for name in cases}
    names = list(cases)
    for round_number in range(repeats):
        for name in names if round_number % 2 == 0 else reversed(names):
            value = cases[name]()
            results[name].append(value)
            print(f"  round {round_number + 1}/{repeats}  {name}: {value:.4g}", file=sys.stderr, flush=True)
    return results


def spread(values: Sequence[float]) -> str:
    """``min-max`` of ``values`` for a table cell, to show how noisy the machine was."""
    if not values:
        return "-"
    return f"{_number(min(values))}-{_number(max(values))}"


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Print a Markdown table (paste-ready for docs/BENCHMARKS.md)."""
    cells = [[str(cell) for cell in row] for row in rows]
    widths = [max(len(header), *(len(row[i]) for row in cells)) for i, header in enumerate(headers)]
    print("| " + " | ".join(header.ljust(width) for header, width in zip(headers, widths)) + " |")
    print("|" + "|".join("-" * (width + 2) for width in widths) + "|")
    for row in cells:
        print("| " + " | ".join(cell.ljust(width) for cell, width in zip(row, widths)) + " |")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine_summary() -> str:
    """Date, CPU, core count, load and library versions, for the header of a result."""
    try:
        load = "load average " + " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        load = "load average unknown"
    threading_variables = [
        f"{name}={os.environ[name]}" for name in ("OMP_NUM_THREADS", "OMP_WAIT_POLICY", "MKL_NUM_THREADS")
        if name in os.environ
    ]
    environment = f"; {' '.join(threading_variables)}" if threading_variables else ""
    return (
        f"{time.strftime('%Y-%m-%d %H:%M %Z')}; {_cpu_model()}, {os.cpu_count()} cores; {load}{environment}; "
        f"Python {platform.python_version()}, torch {_version('torch')}, "
        f"torchvision {_version('torchvision')}, PySide6 {_version('PySide6-Essentials')}, "
        f"pyqtgraph {_version('pyqtgraph')}"
    )


def print_header(title: str, arguments: argparse.Namespace) -> None:
    """Print the benchmark's title, the command line that produced it, and the machine."""
    print(f"## {title}")
    print(f"command: python {' '.join([sys.argv[0], *sys.argv[1:]])}")
    print(f"machine: {machine_summary()}")
    print(f"options: {vars(arguments)}")
    print()


def parser(description: str, repeats: int) -> argparse.ArgumentParser:
    """An argument parser with the ``--repeats`` option every benchmark takes."""
    result = argparse.ArgumentParser(description=description)
    result.add_argument(
        "--repeats", type=int, default=repeats, help=f"interleaved rounds per case (default {repeats})"
    )
    return result


@contextmanager
def torchvision_mnist_root() -> Iterator[Path]:
    """A temporary folder laid out as torchvision's ``MNIST(root)`` expects, from the bundled files.

    torchvision looks for the decompressed files in ``root/MNIST/raw``; nothing is downloaded.
    """
    with tempfile.TemporaryDirectory(prefix="mnist-bench-") as folder:
        raw = Path(folder) / "MNIST" / "raw"
        raw.mkdir(parents=True)
        for name in MNIST_FILES:
            with gzip.open(paths.mnist_dir() / f"{name}.gz", "rb") as source, open(raw / name, "wb") as target:
                shutil.copyfileobj(source, target)
        yield Path(folder)
