"""The feature contract: what the main window needs from each feature package, and nothing more.

A feature is built from the application context (``Feature(context)``) and gives the window
a title and a widget (its tab), the actions it adds to the File menu, its own menus, what
File > Export does while its tab is in view, and hooks to restore and save its settings and to
stop its work when the window closes. The
window lists features in ``mnist_studio.gui.app.features`` and reaches into none of them.
"""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from mnist_studio.gui.services.settings import AppSettings


class Feature:
    """Base of a feature: a titled widget with no menus, settings or work of its own unless it adds them."""

    widget: QWidget

    @property
    def title(self) -> str:
        """The tab's title, translated."""
        raise NotImplementedError

    def file_actions(self) -> list[QAction]:
        """Actions for the File menu, between Save checkpoint as… and Quit."""
        return []

    def menus(self) -> list[tuple[str, list[QAction]]]:
        """Menus (title, actions) for the menu bar, between File and Help."""
        return []

    def export_text(self) -> str | None:
        """The text of File > Export (Ctrl+E) while this tab is in view, e.g. "Export charts as PNG…".

        None (the default) when the tab has nothing to export: the item is then disabled.
        """
        return None

    def export(self) -> None:
        """Ask where, then export what the tab shows (File > Export, with this tab in view)."""

    def restore_settings(self, settings: AppSettings) -> None:
        """Read what the feature remembered (the window calls this once, after building every feature)."""

    def save_settings(self, settings: AppSettings) -> None:
        """Remember what the feature should (the window calls this when it closes)."""

    def shutdown(self) -> None:
        """Stop the feature's own background work and wait for it (the window calls this when it closes)."""
