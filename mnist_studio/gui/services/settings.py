"""What the app remembers between sessions (QSettings, INI format everywhere).

The window keeps its geometry and current tab here; each feature keeps its own keys (the Train
feature its last recipe) through :meth:`AppSettings.value` and :meth:`AppSettings.set_value`.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QByteArray, QCoreApplication, QSettings
from PySide6.QtWidgets import QWidget

ORGANISATION = "MNIST Studio"
APPLICATION = "MNIST Studio"
_GEOMETRY_KEY = "window/geometry"
_TAB_KEY = "window/tab"


class AppSettings:
    """The app's QSettings (INI format everywhere, so values read back with the same types)."""

    def __init__(self) -> None:
        organisation = QCoreApplication.organizationName() or ORGANISATION
        self._settings = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, organisation, APPLICATION)

    @property
    def path(self) -> str:
        """The settings file."""
        return self._settings.fileName()

    def value(self, key: str) -> Any:
        """The value stored under ``key``, or None."""
        return self._settings.value(key)

    def set_value(self, key: str, value: Any) -> None:
        """Store ``value`` under ``key``."""
        self._settings.setValue(key, value)

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

    def sync(self) -> None:
        """Write pending changes to disk now."""
        self._settings.sync()
