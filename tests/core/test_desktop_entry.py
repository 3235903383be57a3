"""The launcher entry: a valid freedesktop.org file naming this installation, never replacing a stranger's file."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mnist_studio import __version__
from mnist_studio.core import desktop_entry, paths
from mnist_studio.core.desktop_entry import DesktopEntryConflict, install_desktop_entry, remove_desktop_entry


def read_entry(path: Path) -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keys are case-sensitive
    parser.read(path, encoding="utf-8")
    return dict(parser["Desktop Entry"])


def test_install_writes_a_valid_entry_and_the_icon_into_xdg_data_home(tmp_path: Path) -> None:
    files = install_desktop_entry()
    data_home = Path(os.environ["XDG_DATA_HOME"])  # set per test by tests/conftest.py
    assert files.entry == data_home / "applications" / "mnist-studio.desktop"
    assert files.icon == data_home / "icons" / "hicolor" / "scalable" / "apps" / "mnist-studio.svg"
    entry = read_entry(files.entry)
    assert entry["Type"] == "Application" and entry["Name"] == "MNIST Studio"
    assert entry["Terminal"] == "false" and entry["Categories"].endswith(";")
    program = Path(entry["TryExec"])
    assert program.is_absolute() and os.access(program, os.X_OK)
    assert entry["Exec"].startswith(str(program))
    assert Path(entry["Icon"]) == files.icon and files.icon.read_bytes() == paths.icon_file().read_bytes()
    assert entry[desktop_entry.MARKER_KEY] == __version__
    validator = shutil.which("desktop-file-validate")  # desktop-file-utils, where installed
    if validator:
        result = subprocess.run([validator, str(files.entry)], capture_output=True, text=True)
        assert result.returncode == 0 and "error" not in result.stdout, result.stdout


def test_the_entry_starts_this_installation() -> None:
    command = desktop_entry.launcher_command()
    script = Path(sys.executable).with_name("mnist-studio")
    if script.is_file():
        assert command == [str(script.absolute())]
    else:
        assert command == [str(Path(sys.executable).absolute()), "-m", "mnist_studio"]


def test_installing_again_updates_the_entry_in_place() -> None:
    files = install_desktop_entry()
    files.entry.write_text(files.entry.read_text().replace("Name=MNIST Studio", "Name=Old"))
    install_desktop_entry()
    assert read_entry(files.entry)["Name"] == "MNIST Studio"
    assert [path.name for path in files.entry.parent.iterdir()] == ["mnist-studio.desktop"]  # no temporary left


def test_a_strangers_entry_is_neither_replaced_nor_removed() -> None:
    files = desktop_entry.desktop_files()
    files.entry.parent.mkdir(parents=True)
    files.entry.write_text("[Desktop Entry]\nType=Application\nName=Someone else's\nExec=other\n")
    with pytest.raises(DesktopEntryConflict) as conflict:
        install_desktop_entry()
    assert conflict.value.path == files.entry
    with pytest.raises(DesktopEntryConflict):
        remove_desktop_entry()
    assert "Someone else's" in files.entry.read_text() and not files.icon.exists()


def test_a_strangers_icon_is_not_replaced() -> None:
    files = desktop_entry.desktop_files()
    files.icon.parent.mkdir(parents=True)
    files.icon.write_text("<svg/>")
    with pytest.raises(DesktopEntryConflict):
        install_desktop_entry()
    assert files.icon.read_text() == "<svg/>" and not files.entry.exists()


def test_remove_deletes_what_install_wrote_and_only_that() -> None:
    files = install_desktop_entry()
    neighbour = files.entry.with_name("other.desktop")
    neighbour.write_text("[Desktop Entry]\n")
    assert remove_desktop_entry() == [files.entry, files.icon]
    assert not files.entry.exists() and not files.icon.exists() and neighbour.exists()
    assert remove_desktop_entry() == []


@pytest.mark.parametrize(
    ("argument", "written"),
    [
        ("/opt/venv/bin/mnist-studio", "/opt/venv/bin/mnist-studio"),
        ("/home/a b/bin/mnist-studio", '"/home/a b/bin/mnist-studio"'),
        ("/tmp/100%/x", "/tmp/100%%/x"),
        ('/tmp/say "hi"/x', r'"/tmp/say \\"hi\\"/x"'),  # quoted for Exec, then backslashes doubled for the file
        ("/tmp/$HOME/x", r'"/tmp/\\$HOME/x"'),
    ],
)
def test_exec_arguments_are_quoted_as_the_specification_asks(argument: str, written: str) -> None:
    assert desktop_entry.exec_argument(argument) == written


def test_an_executable_path_with_a_space_gives_a_valid_entry(tmp_path: Path) -> None:
    template = paths.desktop_entry_template().read_text()
    text = desktop_entry.render_entry(template, ["/home/a b/bin/mnist-studio"], tmp_path / "icon.svg")
    entry = tmp_path / "mnist-studio.desktop"
    entry.write_text(text)
    assert read_entry(entry)["Exec"] == '"/home/a b/bin/mnist-studio"'
    validator = shutil.which("desktop-file-validate")
    if validator:
        result = subprocess.run([validator, str(entry)], capture_output=True, text=True)
        assert result.returncode == 0 and "error" not in result.stdout, result.stdout
