"""``mnist-studio --version``: the app's, PyTorch's, Qt's and Python's versions, without loading torch or Qt."""

from __future__ import annotations

import subprocess
import sys

from mnist_studio import __version__
from mnist_studio.core.versions import installed_versions


def test_version_names_the_app_torch_qt_and_python(mnist_studio) -> None:
    result = mnist_studio("--version")
    assert result.returncode == 0 and result.stderr == ""
    versions = installed_versions()
    expected_torch = f"PyTorch {versions.torch}" + (f" (CUDA {versions.torch_cuda})" if versions.torch_cuda else "")
    assert result.stdout.splitlines() == [
        f"mnist-studio {__version__}",
        expected_torch,
        f"Qt {versions.qt} (PySide6)",
        f"Python {versions.python}",
    ]


def test_version_loads_neither_torch_nor_qt() -> None:
    script = (
        "import sys\n"
        "from mnist_studio.app import main\n"
        "code = main(['--version'])\n"
        "print(code, sorted(m for m in ('torch', 'PySide6') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "0 []"
