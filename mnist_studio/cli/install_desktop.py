"""``mnist-studio install-desktop``: add MNIST Studio to the desktop's application menu, or remove it."""

from __future__ import annotations

import argparse
import json

from mnist_studio.cli import EXIT_OK
from mnist_studio.cli.errors import CliError
from mnist_studio.core.desktop_entry import (
    DesktopEntryConflict,
    install_desktop_entry,
    remove_desktop_entry,
    supports_desktop_entries,
)


def run(args: argparse.Namespace) -> int:
    """Write the launcher entry and icon (``--remove``: delete them) and say where."""
    if not supports_desktop_entries():
        raise CliError("launcher entries are for Linux desktops; on this system start the app with `mnist-studio`")
    try:
        if args.remove:
            removed = remove_desktop_entry()
        else:
            files = install_desktop_entry()
    except DesktopEntryConflict as conflict:
        raise CliError(f"{conflict}; move it away first if MNIST Studio may replace it") from conflict
    except OSError as error:
        where = f" {error.filename}" if error.filename else ""
        raise CliError(f"cannot write{where} ({error.strerror or error})") from error
    if args.remove:
        if args.json:
            print(json.dumps({"removed": [str(path) for path in removed]}))
        elif removed:
            print("Removed " + " and ".join(str(path) for path in removed))
        else:
            print("Nothing to remove: no launcher entry written by MNIST Studio was found.")
        return EXIT_OK
    if args.json:
        print(json.dumps({"entry": str(files.entry), "icon": str(files.icon)}))
    else:
        print(f"Wrote {files.entry}")
        print(f"  and {files.icon}")
        print("MNIST Studio now appears in your application menu (log out and in if it does not show yet).")
        print("`mnist-studio install-desktop --remove` takes it out again.")
    return EXIT_OK
