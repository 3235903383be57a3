"""The run log keeps its newest line in view, when lines arrive and when it shrinks, unless the user scrolled up."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractSlider, QSplitter, QVBoxLayout, QWidget

from mnist_studio.gui.train.run_log import RunLog


def make_log(qtbot) -> tuple[QWidget, RunLog, QSplitter]:
    """A log under a chart area, laid out as on the Train tab."""
    window = QWidget()
    splitter = QSplitter()
    splitter.setOrientation(splitter.orientation().Vertical)
    splitter.addWidget(QWidget())
    log = RunLog()
    splitter.addWidget(log)
    layout = QVBoxLayout(window)
    layout.addWidget(splitter, 1)
    qtbot.addWidget(window)
    window.resize(600, 500)
    window.show()
    splitter.setSizes([250, 250])
    for line in range(60):
        log.add(f"line {line}")
    return window, log, splitter


def at_end(log: RunLog) -> bool:
    bar = log.verticalScrollBar()
    return bar.maximum() > 0 and bar.value() == bar.maximum()


def test_the_newest_line_stays_in_view_when_the_log_shrinks(qtbot) -> None:
    window, log, splitter = make_log(qtbot)
    qtbot.waitUntil(lambda: at_end(log))
    height = log.height()
    splitter.setSizes([300, 120])  # the user drags the splitter, or the window gets shorter
    qtbot.waitUntil(lambda: log.height() < height)
    assert at_end(log) and log.follows_end()
    log.add("Finished: the newest line")
    assert at_end(log)


def test_a_user_who_scrolled_up_keeps_the_place(qtbot) -> None:
    window, log, splitter = make_log(qtbot)
    qtbot.waitUntil(lambda: at_end(log))
    bar = log.verticalScrollBar()
    bar.triggerAction(QAbstractSlider.SliderAction.SliderPageStepSub)  # as a click above the scroll bar's handle does
    place = bar.value()
    assert place < bar.maximum() and not log.follows_end()
    log.add("one more")
    splitter.setSizes([300, 120])
    qtbot.waitUntil(lambda: bar.maximum() > place + 1)
    assert bar.value() == place
    bar.triggerAction(QAbstractSlider.SliderAction.SliderToMaximum)
    assert log.follows_end()
    log.add("and another")
    assert at_end(log)
