"""The features of the window, in tab order. Adding a feature is adding its line here."""

from __future__ import annotations

from typing import Callable

from mnist_studio.gui.common.feature import Feature
from mnist_studio.gui.draw.feature import DrawFeature
from mnist_studio.gui.evaluate.feature import EvaluateFeature
from mnist_studio.gui.services.context import AppContext
from mnist_studio.gui.train.feature import TrainFeature

FEATURES: tuple[Callable[[AppContext], Feature], ...] = (
    TrainFeature,
    EvaluateFeature,
    DrawFeature,
)
