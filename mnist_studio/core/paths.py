"""Where MNIST Studio finds its bundled data and checkpoints and keeps its caches.

Each location can be overridden by an environment variable, so tests, packagers and servers
can point the engine elsewhere without code changes.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _from_env(variable: str, default: Path) -> Path:
    value = os.environ.get(variable)
    return Path(value).expanduser() if value else default


def mnist_dir() -> Path:
    """Folder holding the four gzip-compressed MNIST IDX files (``MNIST_STUDIO_DATA``)."""
    return _from_env("MNIST_STUDIO_DATA", PROJECT_ROOT / "resources" / "mnist")


def pretrained_dir() -> Path:
    """Folder of the checkpoints shipped with the app (``MNIST_STUDIO_PRETRAINED``)."""
    return _from_env("MNIST_STUDIO_PRETRAINED", PROJECT_ROOT / "checkpoints")


def runs_dir() -> Path:
    """Default folder for checkpoints of runs a user trains (``MNIST_STUDIO_RUNS``)."""
    return _from_env("MNIST_STUDIO_RUNS", PROJECT_ROOT / "checkpoints" / "runs")


def cache_dir() -> Path:
    """Per-user cache, e.g. for checksum verdicts (``MNIST_STUDIO_CACHE``)."""
    xdg = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return _from_env("MNIST_STUDIO_CACHE", xdg / "mnist-studio")
