"""What the app remembers between sessions (QSettings, INI format everywhere).

The window keeps its geometry and current tab here; each feature keeps its own keys (the Train
feature its last recipe) through :meth:`AppSettings.read` and :meth:`AppSettings.set_value`.
A saved value that cannot be used (a number too large, a value nested too deeply, the wrong
type: a hand-edited or damaged file) is dropped and the default used instead; the window says
so once, and the next save writes good values over it.
"""

from __future__ import annotations

from typing import Any, Callable, TypeVar

from PySide6.QtCore import QByteArray, QCoreApplication, QSettings
from PySide6.QtWidgets import QWidget

ORGANISATION = "MNIST Studio"
APPLICATION = "MNIST Studio"
_GEOMETRY_KEY = "window/geometry"
_TAB_KEY = "window/tab"
MAX_TAB_INDEX = 99
# What parsing a damaged value can raise: bad text or types, numbers beyond a float or a C int,
# nesting deeper than Python's recursion limit, a value too large to hold.
UNUSABLE_VALUE_ERRORS = (ValueError, TypeError, KeyError, AttributeError, OverflowError, RecursionError, MemoryError)

T = TypeVar("T")


class AppSettings:
    """The app's QSettings (INI format everywhere, so values read back with the same types)."""

    def __init__(self) -> None:
        organisation = QCoreApplication.organizationName() or ORGANISATION
        self._settings = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, organisation, APPLICATION)
        self._rejected: list[str] = []

    @property
    def path(self) -> str:
        """The settings file."""
        return self._settings.fileName()

    def read(self, key: str, parse: Callable[[Any], T]) -> T | None:
        """``parse(value)`` of the value stored under ``key``; None when there is none or it is unusable.

        ``parse`` raises (ValueError, TypeError, OverflowError, ...) for a value it cannot use:
        the key is then removed and listed by :meth:`rejected_keys`.
        """
        try:
            raw = self._settings.value(key)
            return None if raw is None else parse(raw)
        except UNUSABLE_VALUE_ERRORS:
            self._rejected.append(key)
            self._settings.remove(key)
            return None

    def rejected_keys(self) -> list[str]:
        """The keys whose saved values could not be used (and were dropped) since this object was made."""
        return list(self._rejected)

    def set_value(self, key: str, value: Any) -> None:
        """Store ``value`` under ``key``."""
        self._settings.setValue(key, value)

    def restore_geometry(self, window: QWidget) -> bool:
        """Give ``window`` its remembered geometry; False when there is none."""
        geometry = self.read(_GEOMETRY_KEY, _byte_array)
        return geometry is not None and window.restoreGeometry(geometry)

    def save_geometry(self, window: QWidget) -> None:
        """Remember ``window``'s geometry."""
        self._settings.setValue(_GEOMETRY_KEY, window.saveGeometry())

    def tab_index(self) -> int:
        """The tab that was current when the window closed (0 when unknown)."""
        return self.read(_TAB_KEY, _tab_index) or 0

    def save_tab_index(self, index: int) -> None:
        """Remember the current tab."""
        self._settings.setValue(_TAB_KEY, index)

    def sync(self) -> None:
        """Write pending changes to disk now."""
        self._settings.sync()


def _byte_array(value: Any) -> QByteArray:
    if not isinstance(value, QByteArray):
        raise TypeError(f"expected bytes, not {type(value).__name__}")
    return value


def _tab_index(value: Any) -> int:
    index = int(value)
    if not 0 <= index <= MAX_TAB_INDEX:
        raise ValueError(f"no tab {index}")
    return index
