"""The command line, run as a user runs it (a subprocess): exit codes, JSON results, short errors, Ctrl+C."""

from __future__ import annotations

import io
import json
import os
import pickle
import shlex
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

TIMEOUT = 600  # generous: the machine running the suite may be busy; nothing here is timed


class RunsCode:
    """Unpickling this runs a shell command."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (os.system, (f"touch {shlex.quote(str(self.marker))}",))


def environment(folder: Path) -> dict[str, str]:
    return os.environ | {"MNIST_STUDIO_RUNS": str(folder / "runs"), "MNIST_STUDIO_CACHE": str(folder / "cache")}


def cli(folder: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run ``python -m mnist_studio ARGS`` in ``folder``, with runs and caches kept there."""
    return subprocess.run(
        [sys.executable, "-m", "mnist_studio", *map(str, args)],
        cwd=folder,
        env=environment(folder),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


def last_json(stdout: str) -> Any:
    return json.loads(stdout.strip().splitlines()[-1])


def assert_short_error(result: subprocess.CompletedProcess[str], code: int = 2) -> None:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    assert 1 <= len(result.stderr.strip().splitlines()) <= 3, result.stderr


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli")


@pytest.fixture(scope="module")
def trained(workdir: Path) -> tuple[subprocess.CompletedProcess[str], Path]:
    """One quick LeNet5 run shared by the tests that need a real checkpoint."""
    path = workdir / "lenet5.pt"
    result = cli(workdir, "train", "--arch", "lenet5", "--subset", "1000", "--threads", "1", "--json", "--out", path)
    return result, path


def test_train_json_is_the_last_stdout_line_with_typed_fields(trained: tuple[Any, Path]) -> None:
    result, path = trained
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    values = last_json(result.stdout)
    assert values["status"] == "completed" and values["arch"] == "lenet5"
    assert values["checkpoint"] == str(path) and path.is_file()
    assert isinstance(values["epochs"], int) and isinstance(values["batch_size"], int)
    for key in ("test_accuracy", "val_accuracy"):
        assert isinstance(values[key], float) and 0 < values[key] <= 1
    for key in ("train_seconds", "images_per_second"):
        assert isinstance(values[key], float) and values[key] > 0
    assert "epoch 1/" in result.stderr and "Test accuracy" in result.stderr  # the human report moved off stdout


def test_train_reports_each_epoch_and_ends_with_accuracy_and_checkpoint(tmp_path: Path) -> None:
    out = tmp_path / "mlp.pt"
    result = cli(tmp_path, "train", "--arch", "mlp", "--subset", "256", "--epochs", "2", "--threads", "1", "--out", out)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert [line.split(":")[0] for line in lines if line.startswith("epoch")] == ["epoch 1/2", "epoch 2/2"]
    assert "val accuracy" in lines[-2]
    assert lines[-1].startswith("Test accuracy") and lines[-1].endswith(str(out))
    assert "\r" not in result.stdout  # no progress bar when stdout is not a terminal


@pytest.mark.parametrize(
    ("signal_number", "exit_code"),
    [(signal.SIGINT, 130), (signal.SIGTERM, 143), (signal.SIGHUP, 129)],
    ids=["Ctrl+C", "SIGTERM", "SIGHUP"],
)
def test_a_stop_signal_saves_a_resumable_checkpoint_and_resume_finishes_the_run(
    tmp_path: Path, signal_number: int, exit_code: int
) -> None:
    out = tmp_path / "interrupted.pt"
    args = ["train", "--arch", "lenet5", "--subset", "512", "--batch-size", "64", "--epochs", "2", "--threads", "1"]
    process = subprocess.Popen(
        [sys.executable, "-m", "mnist_studio", *args, "--out", str(out)],
        cwd=tmp_path,
        env=environment(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().startswith("Training lenet5")  # printed once Ctrl+C means "stop"
    process.send_signal(signal_number)
    stdout, stderr = process.communicate(timeout=TIMEOUT)
    assert process.returncode == exit_code, stderr
    assert "Traceback" not in stderr
    assert f"--resume {out}" in stdout

    resumed = cli(tmp_path, "train", "--resume", out, "--json")
    assert resumed.returncode == 0, resumed.stderr
    values = last_json(resumed.stdout)
    assert (values["status"], values["step"], values["checkpoint"]) == ("completed", 16, str(out))


def test_resume_refuses_changed_settings(trained: tuple[Any, Path], tmp_path: Path) -> None:
    _, path = trained
    assert_short_error(cli(tmp_path, "train", "--resume", path, "--epochs", "9"))


@pytest.mark.parametrize(
    "recipe", [("sgd", "1e6"), ("adam", "100")], ids=["loss becomes NaN", "loss explodes but stays finite"]
)
def test_a_diverging_run_exits_2_naming_the_learning_rate_and_writes_nothing(
    tmp_path: Path, recipe: tuple[str, str]
) -> None:
    optimizer, rate = recipe
    result = cli(
        tmp_path, "train", "--arch", "mlp", "--subset", "4096", "--threads", "1", "--json",
        "--lr", rate, "--optimizer", optimizer, "--schedule", "constant", "--out", tmp_path / "never.pt",
    )  # fmt: skip
    assert_short_error(result, code=2)
    assert "Training diverged" in result.stderr and f"lower learning rate (now {float(rate):g})" in result.stderr
    values = last_json(result.stdout)  # valid JSON even when the loss was NaN
    assert values["status"] == "failed" and values["checkpoint"] is None
    assert values["divergence"]["reason"] in ("non_finite", "exploded")
    assert not list(tmp_path.rglob("*.pt"))


def test_evaluate_json(trained: tuple[Any, Path], tmp_path: Path) -> None:
    _, path = trained
    result = cli(tmp_path, "evaluate", path, "--device", "cpu", "--json")
    assert result.returncode == 0, result.stderr
    values = last_json(result.stdout)
    assert values["arch"] == "lenet5" and values["total"] == 10_000
    assert isinstance(values["correct"], int) and values["accuracy"] == values["correct"] / 10_000
    assert len(values["per_class_accuracy"]) == 10 and all(0 <= v <= 1 for v in values["per_class_accuracy"])
    confusion = values["confusion"]
    assert len(confusion) == 10 and all(len(row) == 10 for row in confusion)
    assert sum(map(sum, confusion)) == 10_000 and sum(confusion[d][d] for d in range(10)) == values["correct"]
    assert isinstance(values["seconds"], float)


def test_evaluate_threads_sets_the_cpu_threads(trained: tuple[Any, Path], tmp_path: Path) -> None:
    _, path = trained
    one = cli(tmp_path, "evaluate", path, "--device", "cpu", "--threads", "1", "--json")
    assert one.returncode == 0, one.stderr
    values = last_json(one.stdout)
    assert values["threads"] == 1 and values["total"] == 10_000
    assert_short_error(cli(tmp_path, "evaluate", path, "--threads", "0"))
    assert "--threads" in cli(tmp_path, "evaluate", "--help").stdout


def test_evaluate_prints_accuracy_per_digit_and_confusion(trained: tuple[Any, Path], tmp_path: Path) -> None:
    _, path = trained
    result = cli(tmp_path, "evaluate", path, "--device", "cpu")
    assert result.returncode == 0, result.stderr
    assert "Test accuracy" in result.stdout and "Confusion matrix" in result.stdout
    assert len(result.stdout.strip().splitlines()) >= 16  # header, per-digit table, 10 matrix rows


@pytest.fixture(scope="module")
def images(workdir: Path) -> tuple[Path, Path, Path]:
    """A PNG of the first MNIST test digit (a 7), a file that is no image at all, and a blank image."""
    from PIL import Image

    from mnist_studio.core.data import load_mnist

    digit = workdir / "seven.png"
    Image.fromarray(load_mnist().test_images[0].numpy()).save(digit)
    not_an_image = workdir / "notes.png"
    not_an_image.write_text("these are not pixels\n")
    blank = workdir / "blank.png"
    Image.new("L", (64, 64), 255).save(blank)
    return digit, not_an_image, blank


@pytest.mark.parametrize("as_json", [True, False], ids=["json", "text"])
def test_predict_reports_a_bad_image_and_still_predicts_the_good_one(
    trained: tuple[Any, Path], images: tuple[Path, Path, Path], tmp_path: Path, as_json: bool
) -> None:
    _, path = trained
    digit, not_an_image, blank = images
    result = cli(tmp_path, "predict", path, not_an_image, digit, blank, *(["--json"] if as_json else []))
    assert_short_error(result)
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 3
    if as_json:
        bad, good, empty = map(json.loads, lines)
        assert good["image"] == str(digit) and good["digit"] in range(10)
        assert len(good["probabilities"]) == 10 and sum(good["probabilities"]) == pytest.approx(1, abs=1e-4)
        assert bad["image"] == str(not_an_image) and "not an image" in bad["error"]
        assert empty["image"] == str(blank) and "blank" in empty["error"]
    else:
        assert lines[0].startswith(f"{not_an_image}: error")
        assert lines[1].startswith(f"{digit}: ") and len(lines[1].split("probabilities")[1].split()) == 10
        assert lines[2].startswith(f"{blank}: error")


def write_hostile(kind: str, path: Path, marker: Path) -> None:
    import torch

    from mnist_studio.core.checkpoints import FORMAT_VERSION, build_payload, save_checkpoint
    from mnist_studio.core.config import TrainingConfig
    from mnist_studio.core.registry import build_model

    def payload(arch: str = "lenet5") -> dict[str, Any]:
        return build_payload(
            TrainingConfig.for_architecture(arch), build_model(arch), status="completed", epoch=1, step=1,
            metrics={}, training_state={},
        )  # fmt: skip

    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "random bytes":
        path.write_bytes(os.urandom(2048))
    elif kind == "truncated":
        save_checkpoint(path, payload())
        path.write_bytes(path.read_bytes()[:3000])
    elif kind == "state dict":
        torch.save(build_model("lenet5").state_dict(), path)
    elif kind == "wrong architecture":
        save_checkpoint(path, payload("mlp") | {"model_state": payload()["model_state"]})
    elif kind == "newer format":
        save_checkpoint(path, payload() | {"format_version": FORMAT_VERSION + 1})
    elif kind == "runs code":
        torch.save(payload() | {"metrics": {"note": RunsCode(marker)}}, path)
    elif kind == "runs code (plain pickle)":
        path.write_bytes(pickle.dumps(RunsCode(marker)))
    elif kind == "a folder":
        path.mkdir()


HOSTILE = [
    "empty",
    "random bytes",
    "truncated",
    "state dict",
    "wrong architecture",
    "newer format",
    "runs code",
    "runs code (plain pickle)",
    "a folder",
    "missing",
]


@pytest.mark.parametrize("kind", HOSTILE)
def test_a_broken_or_hostile_checkpoint_is_a_short_error(tmp_path: Path, kind: str) -> None:
    path, marker = tmp_path / "model.pt", tmp_path / "MARKER"
    write_hostile(kind, path, marker)
    result = cli(tmp_path, "evaluate", path)
    assert_short_error(result)
    assert result.stdout == ""
    assert not marker.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["train", "--arch", "lenet5", "--epochs", "many"],
        ["train", "--arch", "alexnet"],
        ["train", "--epochs", "1"],  # no --arch
        ["train", "--arch", "lenet5", "--epochs", "0"],
        ["train", "--arch", "lenet5", "--lr", "nan"],
        ["train", "--arch", "lenet5", "--out", "."],
        ["evaluate"],
        ["predict", "model.pt"],
        ["evaluate", "model.pt", "--frobnicate"],
    ],
    ids=lambda args: " ".join(args),
)
def test_bad_options_are_short_errors(tmp_path: Path, args: list[str]) -> None:
    result = cli(tmp_path, *args)
    assert_short_error(result)
    assert not list(tmp_path.rglob("*.pt"))


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    result = cli(tmp_path, "evaluate", tmp_path / "missing.pt", "--debug")
    assert result.returncode == 2 and "Traceback" in result.stderr and "no such checkpoint" in result.stderr


def test_version_and_help_are_quick_and_load_neither_torch_nor_qt(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from mnist_studio.app import main\n"
        "codes = [main(['--version']), main(['-h']), main(['train', '-h']), main(['evaluate', '--help'])]\n"
        "print(codes, sorted(m for m in ('torch', 'PySide6', 'pyqtgraph') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=TIMEOUT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("mnist-studio ")
    assert result.stdout.strip().splitlines()[-1] == "[0, 0, 0, 0] []"
    assert "--resume FILE" in result.stdout and "NaN" in result.stdout  # the train epilog


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def progress_records() -> list[Any]:
    from mnist_studio.core.progress import EpochProgress, StepProgress

    step = StepProgress(
        epoch=2, epochs=2, step=15, total_steps=20, first_step=14, losses=(0.5, 0.3), learning_rate=1e-3,
        images_per_second=4321.0, eta_seconds=75.0, elapsed_seconds=9.0,
    )  # fmt: skip
    epoch = EpochProgress(epoch=2, epochs=2, step=20, train_loss=0.25, val_loss=0.125, val_accuracy=0.9876, seconds=3.0)
    return [step, epoch]


def test_the_progress_bar_redraws_one_line_on_a_terminal() -> None:
    from mnist_studio.cli.progress_bar import ProgressPrinter

    terminal = Terminal()
    printer = ProgressPrinter(terminal)
    for record in progress_records():
        printer.show(record)
    bar, epoch_line = terminal.getvalue().rsplit("\r", 1)
    assert bar.startswith("\repoch 2/2 [") and "5/10" in bar and "loss 0.4000" in bar
    assert "4,321 img/s" in bar and "ETA 1:15" in bar
    assert epoch_line == "epoch 2/2: train loss 0.2500  val loss 0.1250  val accuracy 98.76%  (3.0 s)\n"


def test_without_a_terminal_only_epoch_lines_are_printed() -> None:
    from mnist_studio.cli.progress_bar import ProgressPrinter

    stream = io.StringIO()
    printer = ProgressPrinter(stream)
    for record in progress_records():
        printer.show(record)
    assert stream.getvalue() == "epoch 2/2: train loss 0.2500  val loss 0.1250  val accuracy 98.76%  (3.0 s)\n"


def test_durations_read_like_a_clock() -> None:
    from mnist_studio.core.progress import format_duration

    assert [format_duration(s) for s in (0, 59.6, 75, 3725)] == ["0:00", "1:00", "1:15", "1:02:05"]


@pytest.mark.parametrize("target", ["/proc/x.pt", "new-folder/"], ids=["unwritable folder", "a folder name"])
def test_train_refuses_an_unusable_out_before_training(tmp_path: Path, target: str) -> None:
    result = cli(tmp_path, "train", "--arch", "mlp", "--subset", "256", "--out", target)
    assert_short_error(result)
    assert "Training mlp" not in result.stdout  # refused before the run started
    assert not list(tmp_path.rglob("*.pt")) and not (tmp_path / "new-folder").is_file()
