"""The ``mnist-studio`` entry point: a sub-command runs the CLI, no sub-command opens the app.

This module imports neither torch nor Qt, so both paths start as fast as they can.
"""

from __future__ import annotations

import sys

CLI_COMMANDS = ("train", "evaluate", "predict")
CLI_FLAGS = ("-h", "--help", "--version")


def main(argv: list[str] | None = None) -> int:
    """Dispatch to the CLI or the desktop app; returns the process exit code."""
    arguments = sys.argv[1:] if argv is None else list(argv)
    if arguments and (arguments[0] in CLI_COMMANDS or arguments[0] in CLI_FLAGS):
        from mnist_studio.cli import main as cli_main

        return cli_main(arguments)
    from mnist_studio.gui.app.launch import launch

    return launch(arguments)
