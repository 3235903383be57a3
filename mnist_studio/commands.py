"""The CLI's sub-command names: the entry point dispatches on them, the CLI registers them."""

from __future__ import annotations

CLI_COMMANDS = ("train", "evaluate", "predict", "finetune", "models", "install-desktop")
