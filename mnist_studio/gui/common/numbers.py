"""Numbers as the GUI writes them: one percentage formatter, in the user's locale.

Accuracies carry two decimals (98.58%), a model's confidence and per-digit values one (97.3%),
axis ticks none (50%). The number follows ``QLocale()`` (the decimal mark) and the sign's place
is a translatable pattern, so a translation can write "98,58 %" where that is the custom.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLocale

ACCURACY_DECIMALS = 2
CONFIDENCE_DECIMALS = 1


def percent(fraction: float, decimals: int = CONFIDENCE_DECIMALS) -> str:
    """``0.98576`` -> ``"98.58%"`` (decimals=2); the one way the GUI writes a percentage."""
    number = QLocale().toString(100.0 * fraction, "f", decimals)
    return QCoreApplication.translate("numbers", "{number}%").format(number=number)


def accuracy(fraction: float) -> str:
    """An accuracy (test, validation, per checkpoint): ``"98.58%"``."""
    return percent(fraction, ACCURACY_DECIMALS)

