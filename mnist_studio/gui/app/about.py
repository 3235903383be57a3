"""Help > About: versions of the app, PyTorch and Qt (as ``mnist-studio --version``), and the MNIST credit."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from mnist_studio.core.versions import Versions, installed_versions

_CONTEXT = "About"


def _tr(text: str) -> str:
    return QCoreApplication.translate(_CONTEXT, text)


def about_text(versions: Versions) -> str:
    """The About box's rich text."""
    if versions.torch is None:
        torch = _tr("PyTorch not installed")
    elif versions.torch_cuda:
        torch = _tr("PyTorch {version} (CUDA {cuda})").format(version=versions.torch, cuda=versions.torch_cuda)
    else:
        torch = _tr("PyTorch {version}").format(version=versions.torch)
    qt = _tr("Qt {version} (PySide6)").format(version=versions.qt) if versions.qt else _tr("Qt (PySide6)")
    python = _tr("Python {version}").format(version=versions.python)
    return (
        "<h3>" + _tr("MNIST Studio {version}").format(version=versions.app) + "</h3>"
        "<p>" + _tr("Train, test and draw handwritten digits with five classic architectures.") + "</p>"
        f"<p>{torch}<br>{qt}<br>{python}</p>"
        "<p>"
        + _tr(
            "The MNIST database of handwritten digits is by Yann LeCun, Corinna Cortes and "
            "Christopher J.C. Burges, and is made available under the terms of the "
            '<a href="https://creativecommons.org/licenses/by-sa/3.0/">Creative Commons '
            "Attribution-Share Alike 3.0</a> licence (CC BY-SA 3.0)."
        )
        + "</p>"
    )


def show_about(parent: QWidget) -> QMessageBox:
    """Open the About box without blocking (window-modal) and return it."""
    box = QMessageBox(parent)
    box.setObjectName("aboutBox")
    box.setWindowTitle(_tr("About MNIST Studio"))
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setText(about_text(installed_versions()))
    box.setIconPixmap(parent.windowIcon().pixmap(64, 64))
    box.open()
    return box
