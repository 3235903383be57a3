"""A training recipe in one line, as the Train tab's log and every exported image write it."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from mnist_studio.core.config import TrainingConfig
from mnist_studio.gui.common.plurals import plural


def _tr(text: str, count: int = -1) -> str:
    return QCoreApplication.translate("RecipeText", text, None, count)


def recipe_text(config: TrainingConfig) -> str:
    """"3 epochs, batch 128, adamw lr 0.01 (onecycle), weight decay 0.0001, augment off, seed 0"."""
    return _tr(
        "{epochs}, batch {batch}, {optimizer} lr {rate} ({schedule}), weight decay {decay}, augment {augment}, seed {seed}"
    ).format(
        epochs=plural(_tr("%n epoch(s)", config.epochs), config.epochs),
        batch=config.batch_size,
        optimizer=config.optimizer,
        rate=f"{config.learning_rate:g}",
        schedule=config.schedule,
        decay=f"{config.weight_decay:g}",
        augment=_tr("on") if config.augment else _tr("off"),
        seed=config.seed,
    )
