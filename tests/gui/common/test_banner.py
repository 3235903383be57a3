"""Banners float over their tab (nothing moves), go when the tab is left, and an info goes by itself after a while."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from mnist_studio.gui.common import banner as banner_module
from mnist_studio.gui.common.banner import BannerKind, MessageBanner


@pytest.fixture
def tabs(qtbot) -> QTabWidget:
    widget = QTabWidget()
    qtbot.addWidget(widget)
    for name in ("first", "second"):
        page = QWidget()
        QVBoxLayout(page).addWidget(QLabel(f"content of the {name} tab", objectName="content"))
        widget.addTab(page, name)
    widget.resize(600, 400)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_a_banner_floats_over_its_host_and_moves_nothing(qtbot, tabs: QTabWidget) -> None:
    page = tabs.widget(0)
    content = page.findChild(QLabel, "content")
    before = content.geometry()
    banner = MessageBanner(page)
    banner.show_message(BannerKind.SUCCESS, "Finished: test accuracy 98.12%; checkpoint saved to a long path " * 2)
    qtbot.waitUntil(banner.isVisible)
    assert content.geometry() == before
    assert banner.y() < 20 and banner.width() > page.width() - 40 and banner.height() >= banner.heightForWidth(banner.width())
    page.resize(400, 400)
    tabs.resize(400, 400)
    qtbot.waitUntil(lambda: banner.width() < 400)


def test_leaving_the_tab_dismisses_it(qtbot, tabs: QTabWidget) -> None:
    banner = MessageBanner(tabs.widget(0))
    banner.show_message(BannerKind.ERROR, "Evaluation failed: not enough memory")
    tabs.setCurrentIndex(1)
    assert banner.kind is None and banner.text == ""
    tabs.setCurrentIndex(0)
    assert not banner.isVisible()


def test_news_for_a_hidden_tab_waits_and_then_counts_its_time_in_view(qtbot, tabs: QTabWidget, monkeypatch) -> None:
    monkeypatch.setattr(banner_module, "AUTO_DISMISS_MS", 300)
    banner = MessageBanner(tabs.widget(1))  # the run finished while another tab was in view
    banner.show_message(BannerKind.SUCCESS, "Finished")
    with qtbot.assertNotEmitted(banner._auto_dismiss.timeout, wait=500):
        pass
    assert banner.kind is BannerKind.SUCCESS
    tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: banner.kind is None, timeout=3_000)


def test_an_error_or_an_offer_stays_until_answered(qtbot, tabs: QTabWidget, monkeypatch) -> None:
    monkeypatch.setattr(banner_module, "AUTO_DISMISS_MS", 100)
    page = tabs.widget(0)
    error, offer = MessageBanner(page), MessageBanner(page)
    answered: list[bool] = []
    error.show_message(BannerKind.ERROR, "Training failed")
    offer.show_message(BannerKind.INFO, "Kept elsewhere", (("Save as…"), lambda: answered.append(True)))
    with qtbot.assertNotEmitted(error._auto_dismiss.timeout, wait=300):
        pass
    assert error.kind is BannerKind.ERROR and offer.kind is BannerKind.INFO
    offer.action_button.click()
    assert answered == [True] and offer.kind is None
