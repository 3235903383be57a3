"""Every shortcut of the window belongs to one action, and File > Export acts on the tab in view."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractButton, QFileDialog

from mnist_studio.gui.draw.tab import DrawTab
from mnist_studio.gui.evaluate.tab import EvaluationTab
from mnist_studio.gui.train.tab import TrainTab


def bound_shortcuts(window) -> dict[str, list[str]]:
    """Each key sequence bound anywhere in the window -> what it is bound to (actions, buttons, shortcuts)."""
    bound: dict[str, list[str]] = defaultdict(list)
    for action in window.findChildren(QAction):
        for sequence in action.shortcuts():
            bound[sequence.toString()].append(f"action {action.text()!r}")
    for button in window.findChildren(QAbstractButton):
        if not button.shortcut().isEmpty():
            bound[button.shortcut().toString()].append(f"button {button.text()!r}")
    for shortcut in window.findChildren(QShortcut):
        for sequence in shortcut.keys():
            bound[sequence.toString()].append(f"shortcut of {shortcut.parent().objectName()!r}")
    return bound


def test_no_key_is_bound_to_two_things(main_window) -> None:
    bound = bound_shortcuts(main_window)
    assert "Ctrl+E" in bound and "Ctrl+R" in bound and "Ctrl+Z" in bound  # the walk sees menus, tabs and widgets
    duplicates = {key: owners for key, owners in bound.items() if len(owners) > 1}
    assert duplicates == {}


def test_ctrl_e_exports_what_the_tab_in_view_shows(qtbot, main_window, tab_of, monkeypatch, tmp_path: Path) -> None:
    asked: list[str] = []

    def save_dialog(parent, title, *args, **kwargs):
        asked.append(title)
        return "", ""  # the user cancels

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_dialog)
    main_window.activateWindow()
    qtbot.waitUntil(main_window.isActiveWindow)
    expected_titles = {TrainTab: "Export charts as PNG", EvaluationTab: "Export figure"}
    for kind, title in expected_titles.items():
        tab = tab_of(main_window, kind)
        main_window.tabs.setCurrentWidget(tab)
        if kind is EvaluationTab:
            with qtbot.waitSignal(tab.evaluationFinished, timeout=120_000):
                qtbot.keyClick(tab, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)  # Evaluate has its own key
        qtbot.keyClick(tab, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
        assert asked[-1] == title
    assert len(asked) == 2
    main_window.tabs.setCurrentWidget(tab_of(main_window, DrawTab))
    assert not main_window.export_action.isEnabled()  # the Draw tab exports nothing
    assert main_window.export_action.shortcut() == QKeySequence("Ctrl+E")
