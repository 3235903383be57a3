"""The version facts: the same numbers torch and PySide6 report once imported, read without importing them."""

from __future__ import annotations

import platform
import subprocess
import sys
from pathlib import Path

from mnist_studio import __version__
from mnist_studio.core import versions


def test_versions_match_what_the_imported_packages_say() -> None:
    import PySide6
    import torch

    found = versions.installed_versions()
    assert found.app == __version__
    assert found.torch == torch.__version__
    assert found.torch_cuda == torch.version.cuda
    assert found.qt == PySide6.__version__
    assert found.python == platform.python_version()


def test_reading_the_versions_imports_neither_torch_nor_qt() -> None:
    script = (
        "import sys\n"
        "from mnist_studio.core.versions import installed_versions\n"
        "assert installed_versions().torch\n"
        "print(sorted(m for m in ('torch', 'PySide6') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_assignments_are_read_as_literals_without_running_the_file(tmp_path: Path) -> None:
    source = tmp_path / "version.py"
    source.write_text(
        "from typing import Optional\n"
        "__version__ = '2.0.0+cpu'\n"
        "cuda: Optional[str] = None\n"
        "git_version = compute()\n"  # not a literal: skipped, never called
    )
    assert versions._literal_assignments(source) == {"__version__": "2.0.0+cpu", "cuda": None}
