"""The ``mnist-studio`` command line (``train``, ``evaluate``, ``predict``, ...) on the Qt-free engine.

Only argparse and the torch-free registry load at import, so ``--help`` and ``--version`` are
instant; each command imports the engine when it runs.
"""

from __future__ import annotations

import importlib
import os
import sys
import traceback

from mnist_studio.cli.errors import CliError
from mnist_studio.cli.parser import build_parser
from mnist_studio.commands import CLI_COMMANDS

EXIT_OK = 0
EXIT_FAILED = 1  # an unexpected internal error (a bug)
EXIT_USAGE = 2  # a bad option, file or checkpoint, or a diverged run: the user can fix it
EXIT_INTERRUPTED = 130  # Ctrl+C, as shells report SIGINT

COMMAND_MODULES = {command: f"mnist_studio.cli.{command.replace('-', '_')}" for command in CLI_COMMANDS}


def main(argv: list[str] | None = None) -> int:
    """Run one CLI command with ``argv`` (default: ``sys.argv[1:]``); returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    except SystemExit as exit_request:  # --help, --version and usage errors
        return exit_request.code if isinstance(exit_request.code, int) else EXIT_USAGE
    prog = f"{parser.prog} {args.command}"
    try:
        command = importlib.import_module(COMMAND_MODULES[args.command])
        return command.run(args)
    except CliError as error:
        _report(prog, str(error), args.debug)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"\n{prog}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): silence the final flush instead of a second error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILED
    except Exception as error:  # noqa: BLE001 - a bug must still end in a short message, not a traceback
        _report(prog, f"unexpected error: {type(error).__name__}: {error}", args.debug, hint=True)
        return EXIT_FAILED


def _report(prog: str, message: str, debug: bool, *, hint: bool = False) -> None:
    if debug:
        traceback.print_exc()
    print(f"{prog}: error: {message}", file=sys.stderr)
    if hint and not debug:
        print("Run again with --debug for the full traceback, and please report it.", file=sys.stderr)
