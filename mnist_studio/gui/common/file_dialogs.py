"""The file dialogs of the app, each asked in one place: checkpoints (one filter), PNG files, images."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QFileDialog, QWidget

from mnist_studio.core import paths

IMAGE_PATTERNS = "*.png *.jpg *.jpeg *.bmp *.gif *.tif *.tiff *.webp"


def _tr(text: str) -> str:
    return QCoreApplication.translate("FileDialogs", text)


def checkpoint_filter() -> str:
    """The one file filter for checkpoints, in every dialog that opens or saves one."""
    return _tr("MNIST Studio checkpoints (*.pt);;All files (*)")


def ask_checkpoint_to_open(parent: QWidget) -> str | None:
    """The checkpoint file the user picks to open (starting in the runs folder), or None."""
    path, _ = QFileDialog.getOpenFileName(parent, _tr("Open checkpoint"), str(paths.runs_dir()), checkpoint_filter())
    return path or None


def ask_checkpoint_save_path(parent: QWidget, suggestion: Path) -> str | None:
    """Where the user wants a copy of a checkpoint, or None."""
    path, _ = QFileDialog.getSaveFileName(parent, _tr("Save checkpoint as"), str(suggestion), checkpoint_filter())
    return path or None


def ask_png_save_path(parent: QWidget, title: str, suggestion: Path) -> Path | None:
    """Where the user wants a PNG file (``.png`` added when missing), or None."""
    path, _ = QFileDialog.getSaveFileName(parent, title, str(suggestion), _tr("PNG images (*.png)"))
    if not path:
        return None
    return Path(path) if path.lower().endswith(".png") else Path(f"{path}.png")


def ask_image_to_open(parent: QWidget) -> str | None:
    """The image file (a photo or scan of a digit) the user picks, or None."""
    image_filter = _tr("Images ({patterns});;All files (*)").format(patterns=IMAGE_PATTERNS)
    path, _ = QFileDialog.getOpenFileName(parent, _tr("Open an image of a digit"), str(Path.home()), image_filter)
    return path or None
