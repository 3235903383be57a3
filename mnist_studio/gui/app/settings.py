"""What the app remembers between sessions: window geometry and the last training recipe (QSettings)."""

from __future__ import annotations

import json

from PySide6.QtCore import QByteArray, QCoreApplication, QSettings
from PySide6.QtWidgets import QWidget

from mnist_studio.core.config import ConfigError, TrainingConfig

ORGANISATION = "MNIST Studio"
APPLICATION = "MNIST Studio"
_GEOMETRY_KEY = "window/geometry"
_TAB_KEY = "window/tab"
_CONFIG_KEY = "training/config"


class AppSettings:
    """The app's QSettings (INI format everywhere, so values read back with the same types)."""

    def __init__(self) -> None:
        organisation = QCoreApplication.organizationName() or ORGANISATION
        self._settings = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, organisation, APPLICATION)

    @property
    def path(self) -> str:
        """The settings file."""
        return self._settings.fileName()

    def restore_geometry(self, window: QWidget) -> bool:
        """Give ``window`` its remembered geometry; False when there is none."""
        geometry = self._settings.value(_GEOMETRY_KEY)
        return isinstance(geometry, QByteArray) and window.restoreGeometry(geometry)

    def save_geometry(self, window: QWidget) -> None:
        """Remember ``window``'s geometry."""
        self._settings.setValue(_GEOMETRY_KEY, window.saveGeometry())

    def tab_index(self) -> int:
        """The tab that was current when the window closed (0 when unknown)."""
        try:
            return int(self._settings.value(_TAB_KEY, 0))
        except (TypeError, ValueError):
            return 0

    def save_tab_index(self, index: int) -> None:
        """Remember the current tab."""
        self._settings.setValue(_TAB_KEY, index)

    def training_config(self) -> TrainingConfig | None:
        """The last recipe used, or None when there is none or it is no longer valid."""
        text = self._settings.value(_CONFIG_KEY)
        if not isinstance(text, str):
            return None
        try:
            return TrainingConfig.from_dict(json.loads(text))
        except (ValueError, TypeError, AttributeError, ConfigError):
            return None

    def save_training_config(self, config: TrainingConfig) -> None:
        """Remember ``config`` (architecture and every hyper-parameter)."""
        self._settings.setValue(_CONFIG_KEY, json.dumps(config.to_dict()))

    def sync(self) -> None:
        """Write pending changes to disk now."""
        self._settings.sync()
