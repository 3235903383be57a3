"""The ``mnist-studio`` entry point: a sub-command runs the CLI, no sub-command opens the app.

This module imports neither torch nor Qt, so both paths start as fast as they can.
"""

from __future__ import annotations

import difflib
import shlex
import sys
from pathlib import Path

from mnist_studio.commands import CLI_COMMANDS
CLI_FLAGS = ("-h", "--help", "--version")
EXIT_USAGE = 2
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff")


def main(argv: list[str] | None = None) -> int:
    """Dispatch to the CLI or the desktop app; returns the process exit code."""
    arguments = sys.argv[1:] if argv is None else list(argv)
    if arguments and (arguments[0] in CLI_COMMANDS or arguments[0] in CLI_FLAGS):
        from mnist_studio.cli import main as cli_main

        return cli_main(arguments)
    if arguments and not arguments[0].startswith("-"):  # options (Qt's -style, ...) go to the app
        print(unknown_command_message(arguments[0]), file=sys.stderr)
        return EXIT_USAGE
    from mnist_studio.gui.app.launch import launch

    return launch(arguments)


def unknown_command_message(word: str) -> str:
    """Two lines for a first argument that is no command: the closest command, or what to run instead.

    A file named first is not opened in the app (it cannot open one named at start-up yet): the
    hint names the command that reads it.
    """
    path, quoted = Path(word), shlex.quote(word)
    close = difflib.get_close_matches(word, CLI_COMMANDS, n=1)
    if close:
        problem = f"unknown command {word!r} (did you mean {close[0]!r}?)"
    elif path.is_file() and path.suffix.lower() == ".pt":
        problem = f"{word!r} is a file, not a command; to test that checkpoint: mnist-studio evaluate {quoted}"
    elif path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES:
        problem = f"{word!r} is a file, not a command; to read its digit: mnist-studio predict lenet5 {quoted}"
    else:
        problem = f"unknown command {word!r}"
    return f"mnist-studio: {problem}\nTry 'mnist-studio --help' for the commands; without one, the app opens."
