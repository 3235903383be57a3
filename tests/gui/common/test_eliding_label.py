"""The eliding label shows its whole text when it fits, the start and end of it when not."""

from __future__ import annotations

from mnist_studio.gui.common.eliding_label import ElidingLabel


def test_a_long_name_keeps_its_start_and_end_and_tells_the_rest_in_a_tooltip(qtbot) -> None:
    label = ElidingLabel("Vision Transformer · vit-20251128-140312")
    qtbot.addWidget(label)
    label.show()
    label.resize(label.fontMetrics().horizontalAdvance(label.text()) + 10, 20)
    assert label.shown_text() == label.text() and label.toolTip() == ""
    label.resize(90, 20)
    shown = label.shown_text()
    assert "…" in shown and shown.startswith("Vi") and shown.endswith("2") and len(shown) < len(label.text())
    assert label.toolTip() == label.text()
    label.setText("MLP")
    assert label.shown_text() == "MLP" and label.toolTip() == ""
