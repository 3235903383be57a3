"""The optimizer and learning-rate schedule a run's configuration names."""

from __future__ import annotations

import torch
from torch import nn

from mnist_studio.core.config import TrainingConfig


def build_optimizer(config: TrainingConfig, model: nn.Module) -> torch.optim.Optimizer:
    """The optimizer the config names, with its learning rate and weight decay."""
    parameters = model.parameters()
    if config.optimizer == "sgd":
        return torch.optim.SGD(
            parameters, lr=config.learning_rate, momentum=0.9, nesterov=True, weight_decay=config.weight_decay
        )
    optimizer_class = torch.optim.AdamW if config.optimizer == "adamw" else torch.optim.Adam
    return optimizer_class(parameters, lr=config.learning_rate, weight_decay=config.weight_decay)


def build_schedule(
    config: TrainingConfig, optimizer: torch.optim.Optimizer, total_steps: int
) -> torch.optim.lr_scheduler.LRScheduler:
    """OneCycle over the whole run (peak = the configured rate) or a constant rate."""
    if config.schedule == "onecycle":
        # OneCycleLR divides by zero when its warm-up ends at step 0 (a run of 4 steps at 0.25), so
        # very short runs warm up for a larger share; from 8 steps on the share is the usual 0.25.
        warm_up = min(0.75, max(0.25, 2 / total_steps))
        return torch.optim.lr_scheduler.OneCycleLR(
            optimizer, max_lr=config.learning_rate, total_steps=total_steps, pct_start=warm_up
        )
    return torch.optim.lr_scheduler.ConstantLR(optimizer, factor=1.0, total_iters=0)
