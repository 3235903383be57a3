"""The Test feature as the window lists it: the evaluation tab on the shared current model."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from mnist_studio.gui.common.feature import Feature
from mnist_studio.gui.evaluate.tab import EvaluationTab
from mnist_studio.gui.services.context import AppContext


class EvaluateFeature(Feature):
    """Test: evaluate the current model on the test set."""

    def __init__(self, context: AppContext) -> None:
        self.widget = EvaluationTab(context.library)

    @property
    def title(self) -> str:
        """The tab's title."""
        return QCoreApplication.translate("EvaluateFeature", "Test")

    def shutdown(self) -> None:
        """Wait for an evaluation in progress."""
        self.widget.shutdown()
