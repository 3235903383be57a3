"""The Test feature as the window lists it: the evaluation tab on the shared current model."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction

from mnist_studio.gui.common.feature import Feature
from mnist_studio.gui.evaluate.tab import EvaluationTab
from mnist_studio.gui.services.context import AppContext


def _tr(text: str) -> str:
    return QCoreApplication.translate("EvaluateFeature", text)


class EvaluateFeature(Feature):
    """Test: evaluate the current model on the test set; contributes the Test menu and exports the figure."""

    def __init__(self, context: AppContext) -> None:
        self.widget = EvaluationTab(context.library)

    @property
    def title(self) -> str:
        """The tab's title."""
        return _tr("Test")

    def menus(self) -> list[tuple[str, list[QAction]]]:
        """The Test menu: Evaluate on the test set."""
        return [(_tr("&Test"), [self.widget.evaluate_action])]

    def export_text(self) -> str:
        """File > Export on this tab."""
        return _tr("&Export test figure as PNG…")

    def export(self) -> None:
        """Ask where, then write the nine test images with their answers as a figure."""
        self.widget.ask_export()

    def shutdown(self) -> None:
        """Wait for an evaluation in progress."""
        self.widget.shutdown()
