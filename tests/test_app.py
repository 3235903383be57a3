"""The entry point: a sub-command runs the CLI; a mistyped one is an error, never a window."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mnist_studio.commands import CLI_COMMANDS
from mnist_studio.cli import COMMAND_MODULES
from mnist_studio.cli.parser import build_parser


def run_app(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # No display and no QT_QPA_PLATFORM: were the app to start, it would say "no display found".
    env = {key: value for key, value in os.environ.items() if key not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    return subprocess.run(
        [sys.executable, "-m", "mnist_studio", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("word", "suggestion"),
    [("evalute", "evaluate"), ("trian", "train"), ("model", "models"), ("predikt", "predict"), ("install", "install-desktop")],
)
def test_a_mistyped_command_names_the_closest_one_and_exits_2(tmp_path: Path, word: str, suggestion: str) -> None:
    result = run_app(tmp_path, word, "model.pt")
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines[0] == f"mnist-studio: unknown command '{word}' (did you mean '{suggestion}'?)"
    assert len(lines) == 2 and "mnist-studio --help" in lines[1]
    assert "display" not in result.stderr and result.stdout == ""


def test_a_word_like_no_command_is_unknown(tmp_path: Path) -> None:
    result = run_app(tmp_path, "frobnicate")
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == "mnist-studio: unknown command 'frobnicate'"


def test_a_checkpoint_file_given_first_points_to_evaluate(tmp_path: Path) -> None:
    (tmp_path / "my model.pt").write_bytes(b"")
    result = run_app(tmp_path, "my model.pt")
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == (
        "mnist-studio: 'my model.pt' is a file, not a command; to test that checkpoint: "
        "mnist-studio evaluate 'my model.pt'"
    )


def test_an_image_file_given_first_points_to_predict(tmp_path: Path) -> None:
    (tmp_path / "digit.png").write_bytes(b"")
    result = run_app(tmp_path, "digit.png")
    assert result.returncode == 2
    assert "to read its digit: mnist-studio predict lenet5 digit.png" in result.stderr.splitlines()[0]


def test_every_command_the_entry_point_knows_is_a_cli_command() -> None:
    sub_commands = next(action for action in build_parser()._actions if action.dest == "command").choices
    assert list(sub_commands) == list(CLI_COMMANDS) == list(COMMAND_MODULES)
