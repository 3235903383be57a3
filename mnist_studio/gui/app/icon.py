"""The app icon: the same SVG the launcher entry installs (``resources/desktop/mnist-studio.svg``)."""

from __future__ import annotations

from PySide6.QtGui import QIcon

from mnist_studio.core import paths


def app_icon() -> QIcon:
    """A handwritten white 7 on a rounded dark-blue tile, scalable to any size."""
    return QIcon(str(paths.icon_file()))
