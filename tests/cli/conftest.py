"""Running ``mnist-studio`` as a user does: a subprocess in a folder of the test's own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest

TIMEOUT = 600  # generous: the machine running the suite may be busy; nothing here is timed


@pytest.fixture
def mnist_studio(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run ``python -m mnist_studio ARGS`` in ``tmp_path/cwd`` with the test's private folders (conftest)."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()

    def run(*args: str | Path, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "mnist_studio", *map(str, args)],
            cwd=cwd,
            env=os.environ | env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )

    return run
