"""Making training steps cheaper: bfloat16 autocast where the device has it, and torch.compile.

Both are options of the run's configuration. ``auto`` precision picks bf16 only where the
device computes it natively *and* the architecture's default recipe was measured to train
faster with it (``ArchitectureSpec.bf16_pays``); elsewhere bf16 emulated in software is slower
than fp32. Compilation is tried once and falls back to the eager model if it fails.
"""

from __future__ import annotations

import logging
import os
from contextlib import AbstractContextManager, nullcontext
from typing import Callable

import torch
from torch import nn

from mnist_studio.core import paths
from mnist_studio.core.config import TrainingConfig
from mnist_studio.core.registry import get_architecture


def has_native_bf16(device: torch.device) -> bool:
    """True when ``device`` computes bfloat16 in hardware (AVX-512 BF16 / AMX on a CPU, Ampere+ GPUs)."""
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported()
    if device.type == "cpu":
        return bool(torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported())
    return False


def resolve_precision(config: TrainingConfig, device: torch.device) -> str:
    """The precision a run really uses, ``"fp32"`` or ``"bf16"``."""
    if config.precision != "auto":
        return config.precision
    pays = get_architecture(config.arch).bf16_pays
    return "bf16" if pays and has_native_bf16(device) else "fp32"


def autocast(precision: str, device: torch.device) -> AbstractContextManager[object]:
    """The context a training forward pass runs in for ``precision``."""
    if precision == "bf16":
        return torch.autocast(device_type=device.type, dtype=torch.bfloat16)
    return nullcontext()


def compiled(model: nn.Module) -> Callable[[torch.Tensor], torch.Tensor]:
    """``torch.compile(model)`` with inductor's cache in our user cache (paid once per machine)."""
    os.environ.setdefault("TORCHINDUCTOR_CACHE_DIR", str(paths.cache_dir() / "inductor"))
    # It warns that a CPU-only machine has no CUDA runtime, on every first compile: not news to a user.
    logging.getLogger("torch.utils.cpp_extension").setLevel(logging.ERROR)
    return torch.compile(model)
