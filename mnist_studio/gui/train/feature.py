"""The Train feature as the window lists it: its tab, its menu, its settings."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, Slot
from PySide6.QtGui import QAction

from mnist_studio.core.config import ConfigError, TrainingConfig
from mnist_studio.gui.common.feature import Feature
from mnist_studio.gui.common.file_dialogs import ask_png_save_path
from mnist_studio.gui.services.context import AppContext
from mnist_studio.gui.services.settings import AppSettings
from mnist_studio.gui.train.tab import TrainTab

CONFIG_KEY = "training/config"


def _tr(text: str) -> str:
    return QCoreApplication.translate("TrainFeature", text)


def saved_config(settings: AppSettings) -> TrainingConfig | None:
    """The last recipe used, or None when there is none or it is no longer valid."""
    text = settings.value(CONFIG_KEY)
    if not isinstance(text, str):
        return None
    try:
        return TrainingConfig.from_dict(json.loads(text))
    except (ValueError, TypeError, AttributeError, ConfigError):
        return None


class TrainFeature(Feature):
    """Train: the recipe form and the live run; contributes the Training menu and Export charts."""

    def __init__(self, context: AppContext) -> None:
        self.widget = TrainTab(context)
        self._notices = context.notices
        self._export_action = QAction(_tr("&Export charts as PNG…"), self.widget)
        self._export_action.setShortcut("Ctrl+E")
        # Ctrl+E exports on the Train tab only: on the Test tab the same keys run Evaluate (a
        # window-wide shortcut made both ambiguous there, and neither ran).
        self._export_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.widget.addAction(self._export_action)
        self._export_action.triggered.connect(self._ask_export_charts)

    @property
    def title(self) -> str:
        """The tab's title."""
        return _tr("Train")

    def file_actions(self) -> list[QAction]:
        """Export charts as PNG…, for the File menu."""
        return [self._export_action]

    def menus(self) -> list[tuple[str, list[QAction]]]:
        """The Training menu: Start, Pause / Resume, Stop."""
        return [(_tr("&Training"), self.widget.controls.actions_for_menu())]

    def export_charts(self, path: Path | str) -> bool:
        """Write the charts to a PNG file; False (with a message) when it cannot be written."""
        if not self.widget.charts.save_png(str(path)):
            self._notices.show_error(_tr("Cannot export charts"), _tr("{path}: cannot write the PNG file").format(path=path))
            return False
        self._notices.show_status(_tr("Charts saved to {path}").format(path=path))
        return True

    @Slot()
    def _ask_export_charts(self) -> None:
        path = ask_png_save_path(self.widget, _tr("Export charts as PNG"), Path.home() / "mnist-studio-charts.png")
        if path is not None:
            self.export_charts(path)

    def restore_settings(self, settings: AppSettings) -> None:
        """Fill the form with the last recipe used."""
        config = saved_config(settings)
        if config is not None:
            self.widget.form.apply_config(config)

    def save_settings(self, settings: AppSettings) -> None:
        """Remember the form's recipe (architecture and every hyper-parameter)."""
        settings.set_value(CONFIG_KEY, json.dumps(self.widget.form.config().to_dict()))
