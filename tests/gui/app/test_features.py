"""The feature contract: the window builds every listed feature from the context and uses nothing else."""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from mnist_studio.gui.app.features import FEATURES
from mnist_studio.gui.services.context import AppContext
from mnist_studio.gui.services.settings import AppSettings


def test_every_feature_is_built_from_the_context_and_keeps_the_contract(qtbot) -> None:
    context = AppContext()
    for make_feature in FEATURES:
        feature = make_feature(context)
        qtbot.addWidget(feature.widget)
        assert isinstance(feature.widget, QWidget) and feature.title
        assert all(isinstance(action, QAction) for action in feature.file_actions())
        for title, actions in feature.menus():
            assert title and all(isinstance(action, QAction) for action in actions)
        feature.restore_settings(AppSettings())
        feature.save_settings(AppSettings())
        feature.shutdown()
    context.shutdown()


def test_the_window_has_one_tab_per_listed_feature_in_order(main_window) -> None:
    titles = [main_window.tabs.tabText(index) for index in range(main_window.tabs.count())]
    assert titles == [feature.title for feature in main_window.features]
    assert len(main_window.features) == len(FEATURES)
    assert [type(feature) for feature in main_window.features] == list(FEATURES)
