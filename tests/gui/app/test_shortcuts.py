"""Every shortcut of the window belongs to one action, and File > Export acts on the tab in view."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractButton, QFileDialog, QWidget

from mnist_studio.gui.draw.tab import DrawTab
from mnist_studio.gui.evaluate.tab import EvaluationTab
from mnist_studio.gui.train.tab import TrainTab


def scope(window, widgets: list) -> str:
    """Where a binding holds: on one tab when all its widgets are in that tab (it holds while the tab is in
    view), else in the whole window (menus)."""
    pages = {window.tabs.widget(index): index for index in range(window.tabs.count())}
    tabs = set()
    for widget in widgets:
        while widget is not None and widget not in pages:
            widget = widget.parentWidget()
        tabs.add(pages.get(widget))
    return f"tab {tabs.pop()}" if len(tabs) == 1 and None not in tabs else "window"


def bound_shortcuts(window) -> dict[str, list[tuple[str, str]]]:
    """Each key sequence bound anywhere in the window -> (where it holds, what it runs) for every binding."""
    bound: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for action in window.findChildren(QAction):
        widgets = [owner for owner in action.associatedObjects() if isinstance(owner, QWidget)]
        where = "window" if action.shortcutContext() == Qt.ShortcutContext.ApplicationShortcut else scope(window, widgets)
        for sequence in action.shortcuts():
            bound[sequence.toString()].append((where, f"action {action.text()!r}"))
    for button in window.findChildren(QAbstractButton):
        if not button.shortcut().isEmpty():
            bound[button.shortcut().toString()].append((scope(window, [button]), f"button {button.text()!r}"))
    for shortcut in window.findChildren(QShortcut):
        for sequence in shortcut.keys():
            bound[sequence.toString()].append((scope(window, [shortcut.parent()]), f"shortcut of {shortcut.parent()!r}"))
    return bound


def ambiguous(bindings: list[tuple[str, str]]) -> bool:
    """Two bindings of one key clash when they can hold at once: either is window-wide, or both are on one tab."""
    places = [where for where, _ in bindings]
    return len(places) > 1 and ("window" in places or len(set(places)) < len(places))


def test_no_key_is_bound_to_two_things_at_once(main_window) -> None:
    bound = bound_shortcuts(main_window)
    assert {"Ctrl+E", "Ctrl+R", "Ctrl+T", "Ctrl+Z", "Esc"} <= set(bound)  # the walk sees menus, tabs and widgets
    assert bound["Ctrl+Z"][0][0].startswith("tab ") and bound["Ctrl+E"][0][0] == "window"
    clashes = {key: owners for key, owners in bound.items() if ambiguous(owners)}
    assert clashes == {}


def test_the_walk_finds_a_clash(main_window, tab_of) -> None:
    extra = QAction("Another export", tab_of(main_window, DrawTab))
    extra.setShortcut(QKeySequence("Ctrl+E"))
    tab_of(main_window, DrawTab).addAction(extra)  # on one tab, against File > Export (window-wide)
    assert ambiguous(bound_shortcuts(main_window)["Ctrl+E"])


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
