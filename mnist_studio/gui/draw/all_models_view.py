"""Several models' readings of the same drawing side by side, the ones that disagree marked.

The shipped models (and the current one) are compared by default, the user's runs on demand;
each card names its model in full (elided in the middle where narrow) and a legend says what
the colours mean. Cards sit in one row that scrolls sideways, never up and down.
"""

from __future__ import annotations

import enum
from collections import Counter
from typing import TYPE_CHECKING, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QFrame, QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from mnist_studio.gui.common.eliding_label import ElidingLabel
from mnist_studio.gui.common.numbers import accuracy, percent
from mnist_studio.gui.common.typography import mute, scaled_font

if TYPE_CHECKING:
    from mnist_studio.core.inference import Prediction
    from mnist_studio.gui.services.model_library import LoadedModel

CARD_WIDTH = 150


class CardState(enum.Enum):
    """What a model's card shows: nothing read yet, the majority's digit, or another one."""

    IDLE = "idle"
    AGREES = "agrees"
    DISAGREES = "disagrees"


_CARD_STYLE = {  # state -> (border, background)
    CardState.IDLE: ("#cfd8dc", "transparent"),
    CardState.AGREES: ("#66bb6a", "rgba(102, 187, 106, 0.10)"),
    CardState.DISAGREES: ("#e53935", "rgba(229, 57, 53, 0.12)"),
}


def majority_digit(predictions: Sequence[Prediction | None]) -> int | None:
    """The digit most models read (ties: the lowest digit), or None when none read anything."""
    votes = Counter(prediction.digit for prediction in predictions if prediction is not None)
    if not votes:
        return None
    best = max(votes.values())
    return min(digit for digit, count in votes.items() if count == best)


class _ModelCard(QFrame):
    """One model: its full name, where it comes from and its accuracy, the digit it reads and how sure it is."""

    def __init__(self, loaded: LoadedModel, *, shipped: bool, current: bool) -> None:
        super().__init__()
        self.setObjectName("modelCard")
        self.setFixedWidth(CARD_WIDTH)
        summary = loaded.summary
        name = summary.display_name if shipped else self.tr("{arch} · {run}").format(arch=summary.display_name, run=summary.path.stem)
        self.name_label = ElidingLabel(name)
        self.name_label.setFont(scaled_font(self.name_label.font(), 0.95, bold=True))
        source = self.tr("shipped") if shipped else (summary.created_local or self.tr("your file"))
        if current:
            source = self.tr("{source} · current").format(source=source)
        recorded = summary.test_accuracy if summary.test_accuracy is not None else summary.val_accuracy
        self.detail_label = ElidingLabel(
            self.tr("{source} · {accuracy}").format(source=source, accuracy=accuracy(recorded)) if recorded is not None else source
        )
        mute(self.detail_label)
        self.digit_label = QLabel("–", objectName="modelCardDigit")
        self.digit_label.setFont(scaled_font(self.digit_label.font(), 2.4, bold=True))
        self.confidence_label = QLabel(" ")
        self.setToolTip(f"{name}\n{summary.path}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(0)
        for label in (self.name_label, self.detail_label, self.digit_label, self.confidence_label):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(label)
        self.set_state(CardState.IDLE)

    def set_state(self, state: CardState) -> None:
        border, background = _CARD_STYLE[state]
        self.setProperty("state", state.value)
        self.setStyleSheet(f"#modelCard {{ border: 2px solid {border}; border-radius: 8px; background: {background}; }}")

    def show_prediction(self, prediction: Prediction | None, majority: int | None) -> None:
        if prediction is None:
            self.digit_label.setText("–")
            self.confidence_label.setText(" ")
            self.set_state(CardState.IDLE)
            return
        self.digit_label.setText(str(prediction.digit))
        self.confidence_label.setText(percent(prediction.confidence))
        self.set_state(CardState.AGREES if prediction.digit == majority else CardState.DISAGREES)


def _swatch(state: CardState, text: str) -> QLabel:
    border, _ = _CARD_STYLE[state]
    label = QLabel(f"<span style='color:{border}'>■</span> {text}")
    label.setTextFormat(Qt.TextFormat.RichText)
    return label


class AllModelsView(QWidget):
    """A legend, "Include my runs", and a sideways-scrolling row of cards, one per model.

    :meth:`show_predictions` fills the cards and flags the dissenters; ``includeRunsChanged``
    tells the tab to load the user's runs too (or no longer).
    """

    includeRunsChanged = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("allModelsView")
        self._models: list[LoadedModel] = []
        self._cards: list[_ModelCard] = []
        self._predictions: list[Prediction | None] = []
        self.include_runs_check = QCheckBox(self.tr("Include my runs"), objectName="includeRunsCheck")
        self.include_runs_check.setToolTip(self.tr("Compare every run you trained or opened too, not only the shipped models"))
        self.include_runs_check.toggled.connect(self.includeRunsChanged)
        self._status = mute(QLabel(self.tr("Loading the models…")))
        self._row = QHBoxLayout()
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.addWidget(self._status)
        self._row.addStretch(1)
        row_widget = QWidget()
        row_widget.setLayout(self._row)
        self.scroll = QScrollArea()
        self.scroll.setWidget(row_widget)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        legend = QHBoxLayout()
        legend.addWidget(_swatch(CardState.AGREES, self.tr("reads what most models read")))
        legend.addWidget(_swatch(CardState.DISAGREES, self.tr("reads another digit")))
        legend.addStretch(1)
        legend.addWidget(self.include_runs_check)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(legend)
        layout.addWidget(self.scroll)

    def models(self) -> list[LoadedModel]:
        """The models shown, in order."""
        return list(self._models)

    def predictions(self) -> list[Prediction | None]:
        """The readings shown, one per model."""
        return list(self._predictions)

    def cards(self) -> list[_ModelCard]:
        """The cards shown, in order."""
        return list(self._cards)

    def set_models(self, models: Sequence[LoadedModel], shipped: Sequence[bool], current: LoadedModel | None) -> None:
        """One card per model (replacing the previous cards); ``shipped[i]`` tells where model ``i`` comes from."""
        for card in self._cards:
            self._row.removeWidget(card)
            card.deleteLater()
        self._models = list(models)
        self._cards = [
            _ModelCard(model, shipped=is_shipped, current=current is not None and model.summary.path == current.summary.path)
            for model, is_shipped in zip(self._models, shipped)
        ]
        self._predictions = [None] * len(self._models)
        for index, card in enumerate(self._cards):
            self._row.insertWidget(index, card)
        self._status.setText(self.tr("No models to compare yet."))
        self._status.setVisible(not self._models)
        card_height = self._cards[0].sizeHint().height() if self._cards else self._status.sizeHint().height()
        self.scroll.setFixedHeight(card_height + self.scroll.horizontalScrollBar().sizeHint().height() + 2)

    def show_predictions(self, predictions: Sequence[Prediction | None]) -> None:
        """Each model's reading (None: nothing to read); readings other than the majority are red."""
        self._predictions = list(predictions)
        majority = majority_digit(self._predictions)
        for card, prediction in zip(self._cards, self._predictions):
            card.show_prediction(prediction, majority)

    def dissenters(self) -> list[int]:
        """Positions of the models whose reading differs from the majority."""
        majority = majority_digit(self._predictions)
        return [index for index, prediction in enumerate(self._predictions) if prediction and prediction.digit != majority]
