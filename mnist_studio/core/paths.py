"""Where MNIST Studio finds what it ships and where it keeps what the user makes.

Shipped files (MNIST, the pretrained checkpoints, the launcher entry and icon) live inside the
installed package: ``mnist_studio/resources/`` and ``mnist_studio/pretrained/`` in a wheel. A
source checkout (editable install, ``python main.py``) has them in the repository's top-level
``resources/`` and ``checkpoints/`` folders instead, which the build maps into the package.
The user's runs and caches go to the platform's user folders (``platformdirs``; on Linux
``$XDG_DATA_HOME/mnist-studio/runs`` and ``$XDG_CACHE_HOME/mnist-studio``), never into the
package. Each location can be overridden by an environment variable, so tests, packagers and
servers can point the engine elsewhere without code changes.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "mnist-studio"  # folder name under the user folders, and the launcher entry's name
PACKAGE_DIR = Path(__file__).resolve().parents[1]
_CHECKOUT_DIR = PACKAGE_DIR.parent  # the repository, when the package runs from a source checkout


def _from_env(variable: str, default: Path) -> Path:
    value = os.environ.get(variable)
    return Path(value).expanduser() if value else default


def _shipped(in_package: str, in_checkout: str) -> Path:
    """A shipped folder: inside the installed package, else in the source checkout it runs from."""
    installed = PACKAGE_DIR / in_package
    checkout = _CHECKOUT_DIR / in_checkout
    if not installed.is_dir() and (_CHECKOUT_DIR / "pyproject.toml").is_file() and checkout.is_dir():
        return checkout
    return installed


def resources_dir() -> Path:
    """Folder of the shipped resources: ``mnist/`` and ``desktop/`` (launcher entry and icon)."""
    return _shipped("resources", "resources")


def mnist_dir() -> Path:
    """Folder holding the four gzip-compressed MNIST IDX files (``MNIST_STUDIO_DATA``)."""
    return _from_env("MNIST_STUDIO_DATA", resources_dir() / "mnist")


def _shipped_checkpoints() -> Path:
    return _shipped("pretrained", "checkpoints")


def pretrained_dir() -> Path:
    """Folder of the checkpoints shipped with the app (``MNIST_STUDIO_PRETRAINED``)."""
    return _from_env("MNIST_STUDIO_PRETRAINED", _shipped_checkpoints())


def icon_file() -> Path:
    """The app icon (SVG), for the window and the launcher entry."""
    return resources_dir() / "desktop" / f"{APP_NAME}.svg"


def desktop_entry_template() -> Path:
    """The freedesktop.org launcher entry as shipped (``Exec=mnist-studio``, ``Icon=mnist-studio``)."""
    return resources_dir() / "desktop" / f"{APP_NAME}.desktop"


def runs_dir() -> Path:
    """Folder for checkpoints of runs a user trains (``MNIST_STUDIO_RUNS``; else the user-data folder)."""
    from platformdirs import user_data_path  # ~7 ms, paid only when a path is needed

    return _from_env("MNIST_STUDIO_RUNS", user_data_path(APP_NAME, appauthor=False) / "runs")


def legacy_runs_dirs() -> list[Path]:
    """Older runs folders that still hold the user's runs: ``checkpoints/runs/`` of a source checkout.

    Earlier versions wrote runs there. Empty when ``MNIST_STUDIO_RUNS`` names the runs folder.
    """
    if os.environ.get("MNIST_STUDIO_RUNS"):
        return []
    legacy = _shipped_checkpoints() / "runs"
    return [legacy] if legacy.is_dir() and legacy.resolve() != runs_dir().resolve() else []


def run_folders() -> list[Path]:
    """Every folder whose checkpoints are the user's runs: the runs folder first, then legacy ones."""
    return [runs_dir(), *legacy_runs_dirs()]


def cache_dir() -> Path:
    """Per-user cache, e.g. for checksum verdicts (``MNIST_STUDIO_CACHE``; else the user-cache folder)."""
    from platformdirs import user_cache_path

    return _from_env("MNIST_STUDIO_CACHE", user_cache_path(APP_NAME, appauthor=False))


def user_data_home() -> Path:
    """The user's data home (Linux: ``$XDG_DATA_HOME``, default ``~/.local/share``), for launcher entries."""
    from platformdirs import user_data_path

    return user_data_path()


def my_digits_dir() -> Path:
    """The default personal digit set, "My digits" in the user-data folder (``MNIST_STUDIO_MY_DIGITS``)."""
    from platformdirs import user_data_path  # paid only when the path is needed

    return _from_env("MNIST_STUDIO_MY_DIGITS", user_data_path(APP_NAME, appauthor=False) / "My digits")
