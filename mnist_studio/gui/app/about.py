"""Help > About: versions of the app, PyTorch and Qt, and the MNIST credit and licence."""

from __future__ import annotations

import sys

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import QMessageBox, QWidget

from mnist_studio import __version__


def about_text(torch_version: str | None) -> str:
    """The About box's rich text; ``torch_version`` is None while PyTorch is still loading."""
    torch_text = torch_version or "not loaded yet"
    python = ".".join(str(part) for part in sys.version_info[:3])
    return (
        f"<h3>MNIST Studio {__version__}</h3>"
        "<p>Train, test and draw handwritten digits with five classic architectures.</p>"
        f"<p>PyTorch {torch_text}<br>Qt {qVersion()} (PySide6 {pyside_version})<br>Python {python}</p>"
        "<p>The MNIST database of handwritten digits is by Yann LeCun, Corinna Cortes and "
        "Christopher J.C. Burges, and is made available under the terms of the "
        '<a href="https://creativecommons.org/licenses/by-sa/3.0/">Creative Commons '
        "Attribution-Share Alike 3.0</a> licence (CC BY-SA 3.0).</p>"
    )


def show_about(parent: QWidget, torch_version: str | None) -> QMessageBox:
    """Open the About box without blocking (window-modal) and return it."""
    box = QMessageBox(parent)
    box.setObjectName("aboutBox")
    box.setWindowTitle("About MNIST Studio")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setText(about_text(torch_version))
    box.setIconPixmap(parent.windowIcon().pixmap(64, 64))
    box.open()
    return box
