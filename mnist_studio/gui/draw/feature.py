"""The Draw feature as the window lists it: the canvas read live by the shared current model."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from mnist_studio.gui.common.feature import Feature
from mnist_studio.gui.draw.tab import DrawTab
from mnist_studio.gui.services.context import AppContext


class DrawFeature(Feature):
    """Draw: the canvas and the live reading."""

    def __init__(self, context: AppContext) -> None:
        self.widget = DrawTab(context.library)

    @property
    def title(self) -> str:
        """The tab's title."""
        return QCoreApplication.translate("DrawFeature", "Draw")

    def shutdown(self) -> None:
        """Stop reading and wait for readings and images in progress."""
        self.widget.shutdown()
