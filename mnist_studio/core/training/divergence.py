"""Telling a diverged run from a slow one, and keeping the weights to fall back on.

A loss that becomes NaN or infinite has diverged. So has one that stays far above where it
started: Adam at a learning rate of 100 reaches losses in the hundreds of millions while every
value stays finite. And a run that is no better than chance after a whole epoch of real
training has learned nothing. The watch judges the losses as they are reported (a few times a
second), so the training loop itself never waits on a loss value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import torch
from torch import nn

from mnist_studio.core.constants import NUM_CLASSES
from mnist_studio.core.progress import DivergenceReason

CHANCE_LOSS = math.log(NUM_CLASSES)  # cross-entropy of a uniform guess: 2.30
EXPLOSION_FACTOR = 10.0  # a loss this many times its starting value (or chance) is exploding...
EXPLOSION_STEPS = 20  # ...for this many steps in a row: an early spike that recovers is not
NO_PROGRESS_MIN_STEPS = 100  # an epoch this long must leave the model better than chance
NO_PROGRESS_ACCURACY = 0.2  # validation accuracy at or below this after such an epoch (chance: 0.1)


@dataclass(frozen=True)
class Verdict:
    """A divergence found: why, and the step and loss that showed it."""

    reason: DivergenceReason
    step: int
    loss: float


class DivergenceWatch:
    """Judges reported losses; keeps snapshots of the weights from before any trouble began.

    Two snapshots are kept, taken at the ends of windows whose losses were all healthy: if the
    very first step after the newer one is already unhealthy, the newer weights are suspect
    (the last update may have broken them) and the older snapshot is the one to restore.
    """

    def __init__(self, model: nn.Module) -> None:
        self._live = list(model.state_dict().values())
        self._snapshots: list[tuple[int, list[torch.Tensor]]] = []
        self._threshold: float | None = None
        self._streak_start: int | None = None
        self._streak = 0
        self.snapshot(0)

    def snapshot(self, step: int) -> None:
        """Remember the weights as they are after ``step`` steps."""
        copies = [tensor.detach().clone() for tensor in self._live]
        self._snapshots = (self._snapshots + [(step, copies)])[-2:]

    def check_losses(self, first_step: int, losses: Sequence[float]) -> Verdict | None:
        """Judge the losses of steps ``first_step``, ``first_step + 1``, …; snapshot if all were healthy."""
        if self._threshold is None and losses and math.isfinite(losses[0]):
            self._threshold = EXPLOSION_FACTOR * max(losses[0], CHANCE_LOSS)
        healthy = True
        for step, loss in enumerate(losses, start=first_step):
            if not math.isfinite(loss):
                return Verdict(DivergenceReason.NON_FINITE, step, loss)
            if self._threshold is not None and loss > self._threshold:
                healthy = False
                if self._streak == 0:
                    self._streak_start = step
                self._streak += 1
                if self._streak >= EXPLOSION_STEPS:
                    return Verdict(DivergenceReason.EXPLODED, step, loss)
            else:
                self._streak = 0
        if healthy and losses:
            self.snapshot(first_step + len(losses) - 1)
        return None

    def check_epoch(self, steps_in_epoch: int, step: int, val_accuracy: float, train_loss: float) -> Verdict | None:
        """After an epoch of real length, ending at ``step``: no better than chance means nothing was learned."""
        if steps_in_epoch >= NO_PROGRESS_MIN_STEPS and val_accuracy <= NO_PROGRESS_ACCURACY:
            return Verdict(DivergenceReason.NO_PROGRESS, step, train_loss)
        return None

    def restore_last_good(self, verdict: Verdict) -> None:
        """Put back the newest snapshot taken before the trouble ``verdict`` names began."""
        trouble_began = verdict.step
        if verdict.reason is DivergenceReason.EXPLODED and self._streak_start is not None:
            trouble_began = self._streak_start
        good = [copies for step, copies in self._snapshots if step < trouble_began - 1]
        copies = good[-1] if good else self._snapshots[0][1]
        with torch.no_grad():
            for live, saved in zip(self._live, copies):
                live.copy_(saved)
