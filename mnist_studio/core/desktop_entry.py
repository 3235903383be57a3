"""The launcher entry and icon that put MNIST Studio in a Linux desktop's application menu.

Follows the freedesktop.org Desktop Entry specification: ``mnist-studio.desktop`` goes to
``$XDG_DATA_HOME/applications`` and the SVG icon to the hicolor theme under ``$XDG_DATA_HOME/icons``.
The entry names this installation's ``mnist-studio`` by its absolute path, so the launcher finds
it whatever the desktop session's PATH is (pipx and virtual environments are often not on it).
Files this module did not write are never replaced or removed.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from mnist_studio import __version__
from mnist_studio.core import paths

MARKER_KEY = "X-MNIST-Studio-Version"  # in every entry written here: tells ours from a stranger's
_RESERVED = set(" \t\n\"'\\><~|&;$*?#`()")  # characters that force an Exec argument into quotes


@dataclass(frozen=True)
class DesktopFiles:
    """Where the launcher entry and the icon go for this user."""

    entry: Path
    icon: Path


class DesktopEntryConflict(Exception):
    """``path`` exists and was not written by MNIST Studio, so it is left alone."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path} exists and was not written by MNIST Studio")
        self.path = path


def desktop_files(data_home: Path | None = None) -> DesktopFiles:
    """The entry and icon paths under ``data_home`` (default: the user's ``$XDG_DATA_HOME``)."""
    home = data_home or paths.user_data_home()
    name = paths.APP_NAME
    return DesktopFiles(
        entry=home / "applications" / f"{name}.desktop",
        icon=home / "icons" / "hicolor" / "scalable" / "apps" / f"{name}.svg",
    )


def supports_desktop_entries() -> bool:
    """True on the systems whose desktops read freedesktop.org entries (Linux, the BSDs)."""
    return os.name == "posix" and sys.platform != "darwin"


def launcher_command() -> list[str]:
    """The command that starts this installation: its ``mnist-studio`` script, else ``python -m``."""
    script = Path(sys.executable).with_name("mnist-studio")  # not resolved: a venv's python is a link
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script.absolute())]
    return [str(Path(sys.executable).absolute()), "-m", "mnist_studio"]


def exec_argument(argument: str) -> str:
    """One argument of an ``Exec`` key, quoted and escaped as the specification asks."""
    argument = argument.replace("%", "%%")
    if any(character in _RESERVED for character in argument):
        argument = '"' + re.sub(r'(["`$\\])', r"\\\1", argument) + '"'
    return _string_value(argument)


def _string_value(text: str) -> str:
    """A value of type string: backslashes doubled (the other escapes cannot occur in a path)."""
    return text.replace("\\", "\\\\")


def render_entry(template: str, command: list[str], icon: Path) -> str:
    """The shipped entry with ``Exec``, ``TryExec`` and ``Icon`` pointing at this installation."""
    lines = []
    for line in template.splitlines():
        if line.startswith("Exec="):
            lines.append("Exec=" + " ".join(exec_argument(argument) for argument in command))
            lines.append("TryExec=" + _string_value(command[0]))  # the menu hides the entry once it is uninstalled
        elif line.startswith("Icon="):
            lines.append("Icon=" + _string_value(str(icon)))
        elif not line.startswith(("TryExec=", f"{MARKER_KEY}=")):
            lines.append(line)
    lines.append(f"{MARKER_KEY}={__version__}")
    return "\n".join(lines) + "\n"


def _is_ours(entry: Path) -> bool:
    try:
        text = entry.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return False
    return any(line.startswith(f"{MARKER_KEY}=") for line in text.splitlines())


def _icon_is_replaceable(icon: Path, entry_is_ours: bool, shipped_icon: bytes) -> bool:
    return entry_is_ours or not icon.exists() or icon.read_bytes() == shipped_icon


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def install_desktop_entry(data_home: Path | None = None) -> DesktopFiles:
    """Write (or update) the launcher entry and icon; ``DesktopEntryConflict`` if one is a stranger's."""
    files = desktop_files(data_home)
    shipped_icon = paths.icon_file().read_bytes()
    ours = _is_ours(files.entry)
    if files.entry.exists() and not ours:
        raise DesktopEntryConflict(files.entry)
    if not _icon_is_replaceable(files.icon, ours, shipped_icon):
        raise DesktopEntryConflict(files.icon)
    template = paths.desktop_entry_template().read_text(encoding="utf-8")
    _write_atomically(files.icon, shipped_icon)
    _write_atomically(files.entry, render_entry(template, launcher_command(), files.icon).encode("utf-8"))
    return files


def remove_desktop_entry(data_home: Path | None = None) -> list[Path]:
    """Remove the entry and icon written by :func:`install_desktop_entry`; returns what was removed."""
    files = desktop_files(data_home)
    ours = _is_ours(files.entry)
    if files.entry.exists() and not ours:
        raise DesktopEntryConflict(files.entry)
    removed = []
    if ours:
        files.entry.unlink()
        removed.append(files.entry)
    if files.icon.exists() and _icon_is_replaceable(files.icon, ours, paths.icon_file().read_bytes()):
        files.icon.unlink()
        removed.append(files.icon)
    return removed
