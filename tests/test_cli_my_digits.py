"""The command line on a personal digit set: ``evaluate --data`` and ``finetune`` (JSON, exit codes, errors).

These call the CLI's ``main`` in-process (tests/test_cli.py runs the same entry point as a subprocess).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw

from mnist_studio.cli import main
from mnist_studio.core.paths import pretrained_dir

TIMEOUT = 600


def scribble(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    image = Image.new("L", (280, 280), 0)
    ImageDraw.Draw(image).line([tuple(int(v) for v in rng.integers(60, 220, 2)) for _ in range(3)], fill=255, width=18)
    return np.asarray(image)


def make_set(folder: Path, digits: range | list[int], per_digit: int) -> Path:
    from mnist_studio.core.my_digits.folder import DigitSet

    digit_set = DigitSet.open(folder, create=True)
    for digit in digits:
        for number in range(per_digit):
            digit_set.add(scribble(100 * digit + number), digit)
    return folder


def last_json(stdout: str) -> Any:
    return json.loads(stdout.strip().splitlines()[-1])


@pytest.fixture
def parent(tmp_path: Path) -> Path:
    """A copy of the shipped LeNet-5, to fine-tune from."""
    path = tmp_path / "parent.pt"
    shutil.copyfile(pretrained_dir() / "lenet5.pt", path)
    return path


def test_evaluate_on_a_personal_set_reports_count_and_leaves_missing_digits_without_accuracy(
    tmp_path: Path, parent: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = make_set(tmp_path / "set", [0, 1, 2, 3, 4, 5, 6, 7, 8], per_digit=2)
    (folder / "4" / "notes.txt").write_text("not a digit")
    assert main(["evaluate", str(parent), "--data", str(folder), "--json"]) == 0
    output = capsys.readouterr()
    values = last_json(output.out)
    assert values["count"] == values["total"] == 18 and values["data"] == str(folder)
    assert values["per_class_count"] == [2] * 9 + [0]
    assert values["per_class_accuracy"][9] is None and all(0 <= v <= 1 for v in values["per_class_accuracy"][:9])
    assert sum(map(sum, values["confusion"])) == 18
    assert [(s["path"], s["reason"]) for s in values["skipped"]] == [(str(folder / "4" / "notes.txt"), "not_an_image")]
    assert "1 file skipped" in output.err and "notes.txt: not an image" in output.err


def test_evaluate_text_names_the_set_and_marks_digits_without_images(
    tmp_path: Path, parent: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = make_set(tmp_path / "set", [3], per_digit=2)
    assert main(["evaluate", str(parent), "--data", str(folder), "--device", "cpu"]) == 0
    output = capsys.readouterr().out
    assert f"Accuracy on {folder}" in output and "of 2 images" in output
    accuracy_row = next(line for line in output.splitlines() if line.startswith("accuracy"))
    assert accuracy_row.count("—") == 9


@pytest.mark.parametrize("layout", ["missing", "empty", "other layout", "no images"])
@pytest.mark.parametrize("command", ["evaluate", "finetune"])
def test_a_folder_that_is_no_usable_set_is_one_line_and_exit_2(
    tmp_path: Path, parent: Path, capsys: pytest.CaptureFixture[str], layout: str, command: str
) -> None:
    folder = tmp_path / "digits"
    if layout == "empty":
        folder.mkdir()
    elif layout == "other layout":
        (folder / "cats").mkdir(parents=True)
        Image.fromarray(scribble(1)).save(folder / "cats" / "tom.png")
    elif layout == "no images":
        (folder / "3").mkdir(parents=True)
        (folder / "3" / "three.txt").write_text("3")
    args = ["evaluate", str(parent), "--data", str(folder)] if command == "evaluate" else ["finetune", str(parent), str(folder)]
    before = sorted(tmp_path.rglob("*"))
    assert main(args) == 2
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and error[0].startswith(f"mnist-studio {command}: error: {folder}")
    assert "Traceback" not in error[0] and sorted(tmp_path.rglob("*")) == before  # nothing made or changed


def test_finetune_json_holds_checkpoint_before_after_and_time_and_names_missing_digits(
    tmp_path: Path, parent: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = make_set(tmp_path / "set", range(9), per_digit=3)
    out = tmp_path / "tuned.pt"
    args = ["finetune", str(parent), str(folder), "--epochs", "1", "--threads", "1", "--out", str(out), "--json"]
    assert main(args) == 0
    output = capsys.readouterr()
    values = last_json(output.out)
    assert values["status"] == "completed" and values["checkpoint"] == str(out) and out.is_file()
    for key in ("before", "after"):
        assert set(values[key]) == {"personal", "mnist_test"}
        assert all(isinstance(value, float) and 0 <= value <= 1 for value in values[key].values())
    assert isinstance(values["train_seconds"], float) and values["train_seconds"] > 0
    assert values["missing_digits"] == [9] and values["personal_holdout_per_digit"] == [1] * 9 + [0]
    assert "warning: no images of 9" in output.err
    assert len(output.out.strip().splitlines()) == 1  # with --json, stdout is the result alone

    from mnist_studio.core.checkpoints import load_checkpoint

    tuned = load_checkpoint(out)
    assert tuned.metrics["parent"]["path"] == str(parent)
    assert tuned.metrics["parent"]["val_accuracy"] == values["before"]["personal"]
    assert tuned.test_accuracy == values["after"]["mnist_test"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--mnist-share", "1.5"], "MNIST share"),
        (["--holdout", "0"], "held-out share"),
        (["--epochs", "0"], "epochs"),
        (["--out", "PARENT"], "is the checkpoint being fine-tuned"),
    ],
)
def test_bad_finetune_options_are_one_line_and_keep_the_parent(
    tmp_path: Path, parent: Path, capsys: pytest.CaptureFixture[str], options: list[str], message: str
) -> None:
    folder = make_set(tmp_path / "set", [1, 2], per_digit=2)
    content = parent.read_bytes()
    options = [str(parent) if option == "PARENT" else option for option in options]
    assert main(["finetune", str(parent), str(folder), *options]) == 2
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and message in error[0]
    assert parent.read_bytes() == content and not list(tmp_path.rglob("runs/*"))


def test_finetune_help_loads_no_torch_and_shows_the_defaults(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from mnist_studio.app import main\n"
        "code = main(['finetune', '--help'])\n"
        "print(code, sorted(m for m in ('torch', 'numpy', 'PySide6') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=TIMEOUT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "0 []"
    assert "0.75)" in result.stdout and "--holdout F" in result.stdout
