"""The Train feature as the window lists it: its tab, its menu, its settings."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Slot
from PySide6.QtGui import QAction

from mnist_studio.core.config import TrainingConfig
from mnist_studio.gui.common.feature import Feature
from mnist_studio.gui.common.file_dialogs import ask_png_save_path
from mnist_studio.gui.services.context import AppContext
from mnist_studio.gui.services.settings import AppSettings
from mnist_studio.gui.train.tab import TrainTab

CONFIG_KEY = "training/config"


def _tr(text: str) -> str:
    return QCoreApplication.translate("TrainFeature", text)


def parse_config(text: Any) -> TrainingConfig:
    """The recipe saved as JSON ``text``; raises ValueError (ConfigError), TypeError, OverflowError, ...

    Beyond the engine's own checks, the rates must be finite floats: the form cannot show more.
    """
    if not isinstance(text, str):
        raise TypeError(f"a saved recipe is JSON text, not {type(text).__name__}")
    config = TrainingConfig.from_dict(json.loads(text))
    if not all(math.isfinite(float(rate)) for rate in (config.learning_rate, config.weight_decay)):
        raise ValueError("the learning rate and weight decay must be finite")
    return config


def saved_config(settings: AppSettings) -> TrainingConfig | None:
    """The last recipe used, or None when there is none or it is no longer valid."""
    return settings.read(CONFIG_KEY, parse_config)


class TrainFeature(Feature):
    """Train: the recipe form and the live run; contributes the Training menu and exports the charts."""

    def __init__(self, context: AppContext) -> None:
        self.widget = TrainTab(context)
        self._notices = context.notices

    @property
    def title(self) -> str:
        """The tab's title."""
        return _tr("Train")

    def menus(self) -> list[tuple[str, list[QAction]]]:
        """The Training menu: Start, Pause / Resume, Stop."""
        return [(_tr("&Training"), self.widget.controls.actions_for_menu())]

    def export_charts(self, path: Path | str) -> bool:
        """Write the charts to a PNG file; False (with a message) when it cannot be written."""
        if not self.widget.charts.save_png(str(path), self.widget.export_header()):
            self._notices.show_error(_tr("Cannot export charts"), _tr("{path}: cannot write the PNG file").format(path=path))
            return False
        self._notices.show_status(_tr("Charts saved to {path}").format(path=path))
        return True

    def export_text(self) -> str:
        """File > Export on this tab."""
        return _tr("&Export charts as PNG…")

    @Slot()
    def export(self) -> None:
        """Ask where, then write the charts as a PNG file."""
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
