"""The file dialogs of the app, each asked in one place: checkpoints (one filter), PNG files, images.

Every save dialog goes through :func:`ask_save_path`, which adds the chosen filter's extension to
a name typed without one ("my-lenet" -> "my-lenet.pt"), so the file shows under that filter.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

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


def ask_checkpoint_save_path(parent: QWidget, suggestion: Path) -> Path | None:
    """Where the user wants a copy of a checkpoint (``.pt`` added when no extension is typed), or None."""
    return ask_save_path(parent, _tr("Save checkpoint as"), suggestion, checkpoint_filter())


def ask_png_save_path(parent: QWidget, title: str, suggestion: Path) -> Path | None:
    """Where the user wants a PNG file (``.png`` added when no extension is typed), or None."""
    return ask_save_path(parent, title, suggestion, _tr("PNG images (*.png)"))


def filter_extensions(name_filter: str) -> list[str]:
    """The extensions a filter like ``"Images (*.png *.jpg)"`` stands for (``[".png", ".jpg"]``); none for ``(*)``."""
    return re.findall(r"\*(\.[^\s*()]+)", name_filter)


def with_extension(path: str, selected_filter: str, file_filter: str) -> Path:
    """``path`` ending in an extension of the selected filter: its first one is added when missing.

    Under "All files (*)" a name typed without any extension gets the first filter's extension;
    one with an extension of its own is left as typed.
    """
    chosen = Path(path)
    extensions = filter_extensions(selected_filter)
    if not extensions:
        if chosen.suffix:
            return chosen
        extensions = filter_extensions(file_filter.split(";;")[0])
    if not extensions or any(chosen.name.lower().endswith(extension.lower()) for extension in extensions):
        return chosen
    return chosen.with_name(chosen.name + extensions[0])


def ask_save_path(parent: QWidget, title: str, suggestion: Path, file_filter: str) -> Path | None:
    """The file the user wants to write, with the filter's extension added when none was typed; or None.

    The dialog only asked about replacing the name as typed: when the added extension names a
    file that exists, the user is asked here before it is replaced.
    """
    path, selected_filter = QFileDialog.getSaveFileName(parent, title, str(suggestion), file_filter)
    if not path:
        return None
    chosen = with_extension(path, selected_filter, file_filter)
    if str(chosen) != path and chosen.exists():
        answer = QMessageBox.question(
            parent,
            title,
            _tr("{name} already exists. Do you want to replace it?").format(name=chosen.name),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return None
    return chosen


def ask_image_to_open(parent: QWidget) -> str | None:
    """The image file (a photo or scan of a digit) the user picks, or None."""
    image_filter = _tr("Images ({patterns});;All files (*)").format(patterns=IMAGE_PATTERNS)
    path, _ = QFileDialog.getOpenFileName(parent, _tr("Open an image of a digit"), str(Path.home()), image_filter)
    return path or None
