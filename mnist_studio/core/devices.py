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
    """Intra-op threads for CPU training: every core the process may use (see docs/BENCHMARKS.md)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS and Windows
        return max(1, os.cpu_count() or 1)
