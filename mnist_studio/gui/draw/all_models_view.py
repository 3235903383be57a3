"""Every available model's reading of the same drawing, side by side, disagreements highlighted."""

from __future__ import annotations

import enum
from collections import Counter
from typing import TYPE_CHECKING, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from mnist_studio.gui.common.typography import scaled_font

if TYPE_CHECKING:
    from mnist_studio.core.inference import Prediction
    from mnist_studio.gui.services.model_library import LoadedModel

COLUMNS = 5
CARD_WIDTH = 92


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
    """One model: its name, the digit it reads and how sure it is."""

    def __init__(self, loaded: LoadedModel) -> None:
        super().__init__()
        self.setObjectName("modelCard")
        summary = loaded.summary
        self.setFixedWidth(CARD_WIDTH)
        self.name_label = QLabel(summary.display_name)
        self.name_label.setFont(scaled_font(self.name_label.font(), 0.9, bold=True))
        self.name_label.setText(
            self.name_label.fontMetrics().elidedText(summary.display_name, Qt.TextElideMode.ElideRight, CARD_WIDTH - 12)
        )
        self.accuracy_label = QLabel(summary.accuracy_text())
        self.accuracy_label.setEnabled(False)
        self.digit_label = QLabel("–", objectName="modelCardDigit")
        self.digit_label.setFont(scaled_font(self.digit_label.font(), 2.4, bold=True))
        self.confidence_label = QLabel(" ")
        self.setToolTip(f"{summary.describe()}\n{summary.path}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 6, 4, 6)
        layout.setSpacing(0)
        for label in (self.name_label, self.accuracy_label, self.digit_label, self.confidence_label):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(label)
        self.set_state(CardState.IDLE)

    def set_state(self, state: CardState) -> None:
        border, background = _CARD_STYLE[state]
        self.setProperty("state", state.value)
        self.setStyleSheet(
            f"#modelCard {{ border: 2px solid {border}; border-radius: 8px; background: {background}; }}"
        )

    def show_prediction(self, prediction: Prediction | None, majority: int | None) -> None:
        if prediction is None:
            self.digit_label.setText("–")
            self.confidence_label.setText(" ")
            self.set_state(CardState.IDLE)
            return
        self.digit_label.setText(str(prediction.digit))
        self.confidence_label.setText(f"{prediction.confidence:.1%}")
        self.set_state(CardState.AGREES if prediction.digit == majority else CardState.DISAGREES)


class AllModelsView(QScrollArea):
    """A row of cards, one per model; :meth:`show_predictions` fills them and flags the dissenters."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("allModelsView")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self._models: list[LoadedModel] = []
        self._cards: list[_ModelCard] = []
        self._predictions: list[Prediction | None] = []
        self._container = QWidget()
        self._grid = QGridLayout(self._container)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self._status = QLabel(self.tr("Loading every model…"))
        self._status.setEnabled(False)
        self._grid.addWidget(self._status, 0, 0, 1, COLUMNS)
        self.setWidget(self._container)
        self.viewport().setAutoFillBackground(False)
        self._container.setAutoFillBackground(False)

    def models(self) -> list[LoadedModel]:
        """The models shown, in order."""
        return list(self._models)

    def predictions(self) -> list[Prediction | None]:
        """The readings shown, one per model."""
        return list(self._predictions)

    def set_models(self, models: Sequence[LoadedModel]) -> None:
        """One card per model (replacing the previous cards)."""
        for card in self._cards:
            self._grid.removeWidget(card)
            card.deleteLater()
        self._models = list(models)
        self._cards = [_ModelCard(model) for model in self._models]
        self._predictions = [None] * len(self._models)
        for index, card in enumerate(self._cards):
            self._grid.addWidget(card, 1 + index // COLUMNS, index % COLUMNS)
        self._status.setText("" if self._models else self.tr("No models to compare yet."))
        self._status.setVisible(not self._models)

    def show_predictions(self, predictions: Sequence[Prediction | None]) -> None:
        """Each model's reading (None: nothing to read); readings other than the majority are red."""
        self._predictions = list(predictions)
        majority = majority_digit(self._predictions)
        for card, prediction in zip(self._cards, self._predictions):
            card.show_prediction(prediction, majority)

    def dissenters(self) -> list[int]:
        """Positions of the models whose reading differs from the majority."""
        majority = majority_digit(self._predictions)
        return [
            index for index, prediction in enumerate(self._predictions) if prediction and prediction.digit != majority
        ]
