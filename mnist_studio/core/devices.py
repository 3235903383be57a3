"""Which compute devices exist, which one ``auto`` means, and how many CPU threads to use."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch


def available_devices() -> list[str]:
    """Devices present on this machine, best first, always ending with ``"cpu"``."""
    import torch

    found = []
    if torch.cuda.is_available():
        found.append("cuda")
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        found.append("mps")
    return found + ["cpu"]


def resolve_device(name: str) -> "torch.device":
    """Map ``auto``/``cpu``/``cuda``/``mps`` to a present device; ``ValueError`` if it is absent."""
    import torch

    present = available_devices()
    if name == "auto":
        return torch.device(present[0])
    if name not in present:
        raise ValueError(f"device {name!r} is not available here; available: {', '.join(present)}")
    return torch.device(name)


def default_cpu_threads() -> int:
    """Intra-op threads for CPU training: every core but one, and at least one.

    The spare core serves the GUI thread and everything else on the machine. Measured on a
    2-core machine (docs/BENCHMARKS.md §7): as soon as anything else ran, OpenMP's spinning
    workers made 2 threads 4-25x slower than 1, while 1 thread was never far from the best.
    """
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS and Windows
        cores = os.cpu_count() or 1
    return max(1, cores - 1)
