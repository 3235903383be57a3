"""Parts of the live charts: growable point buffers and a loss axis that labels true values."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg

WIDE_LOSS_DECADES = 3  # over more decades than this, only powers of ten are labelled
_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


class Series:
    """Growable x/y buffers (amortised doubling) whose views go straight to ``setData``."""

    def __init__(self) -> None:
        self._x = np.empty(256)
        self._y = np.empty(256)
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def extend(self, xs: list[float], ys: list[float]) -> None:
        """Append points."""
        end = self._size + len(xs)
        if end > len(self._x):
            capacity = max(end, 2 * len(self._x))
            self._x = np.resize(self._x, capacity)
            self._y = np.resize(self._y, capacity)
        self._x[self._size : end] = xs
        self._y[self._size : end] = ys
        self._size = end

    def clear(self) -> None:
        """Forget every point (keeps the buffers)."""
        self._size = 0

    def copy_from(self, other: "Series") -> None:
        """Replace this series' points with ``other``'s."""
        self.clear()
        self.extend(other.x.tolist(), other.y.tolist())

    @property
    def x(self) -> np.ndarray:
        return self._x[: self._size]

    @property
    def y(self) -> np.ndarray:
        return self._y[: self._size]


class LossAxis(pg.AxisItem):
    """A log-scale axis whose labels are the true losses, however large (a diverged run reaches 1e9).

    pyqtgraph's automatic SI scaling would divide every label by the largest value and add
    "(x1e+09)" to the title; a loss has no unit to prefix, so labels show the values themselves:
    at 1, 2 and 5 times a power of ten over a few decades, at powers of ten alone over more.
    """

    def __init__(self, orientation: str) -> None:
        super().__init__(orientation)
        self.enableAutoSIPrefix(False)

    def logTickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:  # noqa: N802
        decades = abs(self.range[1] - self.range[0])
        labelled = (1, 2, 5) if decades <= WIDE_LOSS_DECADES else (1,)
        labels = []
        for value in values:
            number = 10.0**value
            exponent = math.floor(math.log10(number) + 1e-9)
            mantissa = round(number / 10.0**exponent, 3)
            labels.append(loss_tick_text(mantissa, exponent) if mantissa in labelled else "")
        return labels


def loss_tick_text(mantissa: float, exponent: int) -> str:
    """``(5, -3)`` -> ``0.005``, ``(2, 3)`` -> ``2000``, ``(1, 8)`` -> ``10⁸``, ``(5, 8)`` -> ``5×10⁸``."""
    if -3 <= exponent <= 4:
        return f"{mantissa * 10.0**exponent:.{max(0, -exponent)}f}"
    power = "10" + str(exponent).translate(_SUPERSCRIPTS)
    return power if mantissa == 1 else f"{mantissa:g}×{power}"
