"""``mnist-studio install-desktop``: the launcher entry written where the desktop reads it, and removed again."""

from __future__ import annotations

import json
from pathlib import Path


def test_install_desktop_writes_the_entry_and_icon_under_xdg_data_home(mnist_studio, tmp_path: Path) -> None:
    data_home = tmp_path / "elsewhere"
    result = mnist_studio("install-desktop", XDG_DATA_HOME=str(data_home))
    assert result.returncode == 0, result.stderr
    entry = data_home / "applications" / "mnist-studio.desktop"
    icon = data_home / "icons" / "hicolor" / "scalable" / "apps" / "mnist-studio.svg"
    assert entry.is_file() and icon.is_file()
    assert f"Wrote {entry}" in result.stdout and "--remove" in result.stdout
    assert f"Icon={icon}" in entry.read_text()

    removed = mnist_studio("install-desktop", "--remove", "--json", XDG_DATA_HOME=str(data_home))
    assert removed.returncode == 0, removed.stderr
    assert json.loads(removed.stdout) == {"removed": [str(entry), str(icon)]}
    assert not entry.exists() and not icon.exists()


def test_a_strangers_entry_is_a_short_error(mnist_studio, tmp_path: Path) -> None:
    entry = tmp_path / "xdg-data" / "applications" / "mnist-studio.desktop"  # XDG_DATA_HOME from conftest
    entry.parent.mkdir(parents=True)
    entry.write_text("[Desktop Entry]\nName=Mine\n")
    result = mnist_studio("install-desktop")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        f"mnist-studio install-desktop: error: {entry} exists and was not written by MNIST Studio; "
        "move it away first if MNIST Studio may replace it"
    )
    assert entry.read_text() == "[Desktop Entry]\nName=Mine\n"


def test_an_unwritable_data_home_is_a_short_error(mnist_studio, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = mnist_studio("install-desktop", XDG_DATA_HOME=str(blocker))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith("mnist-studio install-desktop: error: cannot write")
