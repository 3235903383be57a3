"""The desktop app (PySide6 + pyqtgraph).

``MainWindow`` is imported on first use, so ``mnist_studio.gui.app.launch`` can check for a display
before any Qt widget module loads. Nothing here imports torch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mnist_studio.gui.app.main_window import MainWindow

__all__ = ["MainWindow"]


def __getattr__(name: str) -> Any:
    if name == "MainWindow":
        from mnist_studio.gui.app.main_window import MainWindow

        return MainWindow
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
