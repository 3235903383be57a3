"""Resuming and fine-tuning: a damaged training state is refused up front, another device is allowed,
and a run can start from a completed checkpoint's weights."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Callable

import pytest
import torch

from mnist_studio.core.checkpoints import Checkpoint, load_checkpoint, save_checkpoint
from mnist_studio.core.config import TrainingConfig
from mnist_studio.core.progress import RunStarted, RunStatus, StepProgress, TrainingFinished
from mnist_studio.core.training import Trainer, TrainingError, TrainingProblem

ConfigFactory = Callable[..., TrainingConfig]


def finish(trainer: Trainer, stop_at: int | None = None) -> TrainingFinished:
    for record in trainer.run():
        if stop_at is not None and isinstance(record, StepProgress) and record.step >= stop_at:
            trainer.stop()
        if isinstance(record, TrainingFinished):
            return record
    raise AssertionError("no finished record")


@pytest.fixture
def stopped(tiny_config: ConfigFactory, tmp_path: Path) -> Path:
    """A LeNet-5 run of 2 epochs x 8 steps, stopped after step 5 (mid-epoch)."""
    path = tmp_path / "stopped.pt"
    finished = finish(Trainer(tiny_config(epochs=2), checkpoint_path=path, report_interval=0), stop_at=5)
    assert finished.status is RunStatus.STOPPED
    return path


def rewrite(path: Path, edit: Callable[[dict[str, Any]], None]) -> Path:
    """Load the raw payload, let ``edit`` damage it, save it back."""
    payload = torch.load(path, weights_only=True)
    edit(payload)
    save_checkpoint(path, payload)
    return path


def set_in(keys: tuple[str, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(payload: dict[str, Any]) -> None:
        target = payload
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value

    return edit


def shuffled_order_out_of_range(payload: dict[str, Any]) -> None:
    payload["training_state"]["epoch_order"] = payload["training_state"]["epoch_order"] + 10_000


def nan_optimizer_moment(payload: dict[str, Any]) -> None:
    state = payload["training_state"]["optimizer"]["state"]
    first = next(iter(state.values()))
    first["exp_avg"] = torch.full_like(first["exp_avg"], float("nan"))


def wrong_moment_shape(payload: dict[str, Any]) -> None:
    state = payload["training_state"]["optimizer"]["state"]
    first = next(iter(state.values()))
    first["exp_avg"] = torch.zeros(3)


CRAFTED = {
    # epochs edited to 200: the saved OneCycle schedule was made for 16 steps and failed at step 17.
    "epochs edited": set_in(("config", "epochs"), 200),
    "order out of range": shuffled_order_out_of_range,  # an IndexError steps later
    "order of another size": set_in(("training_state", "epoch_order"), torch.arange(10)),
    "order not a tensor": set_in(("training_state", "epoch_order"), [1, 2, 3]),
    "position past the epoch": set_in(("training_state", "step_in_epoch"), 99),
    "step count off": set_in(("step",), 7),
    "nan optimizer state": nan_optimizer_moment,  # a misleading "diverged" at the first step
    "optimizer state of another shape": wrong_moment_shape,
    "loss sum not a number": set_in(("training_state", "epoch_loss_sum"), "lots"),
    "data rng garbage": set_in(("training_state", "data_rng"), torch.zeros(3, dtype=torch.uint8)),
    "history too long": set_in(("metrics", "history"), [{"epoch": 1}] * 3),
}


@pytest.mark.parametrize("damage", list(CRAFTED), ids=list(CRAFTED))
def test_a_damaged_training_state_is_refused_before_any_step(stopped: Path, damage: str) -> None:
    checkpoint = load_checkpoint(rewrite(stopped, CRAFTED[damage]))
    before = stopped.read_bytes()
    trainer = Trainer.resuming(checkpoint, report_interval=0)
    with pytest.raises(TrainingError, match="cannot resume from this checkpoint") as raised:
        next(trainer.run())
    assert raised.value.reason is TrainingProblem.RESUME_STATE_INVALID
    assert "\n" not in str(raised.value)
    assert stopped.read_bytes() == before  # nothing was written over it


def test_a_run_stopped_on_an_absent_device_resumes_on_what_is_here(stopped: Path) -> None:
    rewrite(stopped, set_in(("config", "device"), "mps"))  # a Mac's run, brought to this machine
    checkpoint = load_checkpoint(stopped)
    trainer = Trainer.resuming(checkpoint, report_interval=0)
    records = list(trainer.run())
    started, finished = records[0], records[-1]
    assert isinstance(started, RunStarted) and started.device == "cpu" and started.resumed_at_step == 5
    assert isinstance(finished, TrainingFinished) and finished.status is RunStatus.COMPLETED
    assert load_checkpoint(stopped).status == "completed"


def test_resuming_on_an_explicit_device_and_thread_count(stopped: Path, tmp_path: Path) -> None:
    trainer = Trainer.resuming(load_checkpoint(stopped), device="cpu", threads=1, checkpoint_path=tmp_path / "o.pt")
    assert (trainer.config.device, trainer.config.threads) == ("cpu", 1)
    assert finish(trainer).status is RunStatus.COMPLETED
    assert (tmp_path / "o.pt").is_file()


def test_fine_tuning_starts_from_the_given_weights_and_records_its_parent(
    tiny_config: ConfigFactory, tmp_path: Path
) -> None:
    parent_path = tmp_path / "parent.pt"
    assert finish(Trainer(tiny_config(subset=2048), checkpoint_path=parent_path)).status is RunStatus.COMPLETED
    parent = load_checkpoint(parent_path)
    config = tiny_config(subset=64, seed=7, learning_rate=1e-9, schedule="constant", optimizer="sgd")
    child = Trainer(config, initial_weights=parent, checkpoint_path=tmp_path / "child.pt", report_interval=0)
    records = list(child.run())
    assert isinstance(records[0], RunStarted) and records[0].initial_weights == parent_path
    finished = records[-1]
    assert isinstance(finished, TrainingFinished) and finished.status is RunStatus.COMPLETED
    # One step at a negligible rate: the child reads as its parent does, far above a fresh 64-image run.
    assert finished.test_accuracy == pytest.approx(parent.test_accuracy, abs=0.005)
    recorded = load_checkpoint(tmp_path / "child.pt").metrics["parent"]
    before = records[0].initial_val_accuracy  # the parent on this run's validation set, measured first
    assert before == pytest.approx(finished.val_accuracy, abs=0.01)
    assert recorded == {
        "path": str(parent_path), "arch": "lenet5", "test_accuracy": parent.test_accuracy, "val_accuracy": before
    }


@pytest.mark.parametrize("problem", ["another architecture", "a stopped run"])
def test_fine_tuning_refuses_weights_that_do_not_fit(
    tiny_config: ConfigFactory, stopped: Path, tmp_path: Path, problem: str
) -> None:
    if problem == "a stopped run":
        parent: Checkpoint = load_checkpoint(stopped)
    else:
        finish(Trainer(tiny_config("mlp", subset=64), checkpoint_path=tmp_path / "mlp.pt"))
        parent = load_checkpoint(tmp_path / "mlp.pt")
    trainer = Trainer(tiny_config(), initial_weights=parent, checkpoint_path=tmp_path / "x.pt")
    with pytest.raises(TrainingError, match="cannot start from this checkpoint") as raised:
        next(trainer.run())
    assert raised.value.reason is TrainingProblem.INITIAL_WEIGHTS_UNFIT
    assert not (tmp_path / "x.pt").exists()


def test_a_config_from_the_checkpoint_is_kept_on_resume(stopped: Path) -> None:
    checkpoint = load_checkpoint(stopped)
    trainer = Trainer.resuming(checkpoint)
    assert dataclasses.replace(trainer.config, device="cpu") == dataclasses.replace(checkpoint.config, device="cpu")


# Where the checkpoint goes: checked before training, reserved, and never lost at the end. ----------


def test_an_unwritable_target_is_refused_before_any_step(tiny_config: ConfigFactory, tmp_path: Path) -> None:
    for target in ("/proc/x.pt", str(tmp_path / "no-such-folder") + "/"):
        trainer = Trainer(tiny_config(), checkpoint_path=target)
        with pytest.raises(TrainingError) as raised:
            next(trainer.run())
        assert raised.value.reason is TrainingProblem.OUTPUT_UNUSABLE, target
        assert trainer.model is None  # refused before the model was even built
    assert not (tmp_path / "no-such-folder").exists() or not any((tmp_path / "no-such-folder").iterdir())


def test_runs_started_together_never_share_a_default_name(tiny_config: ConfigFactory, private_runs: Path) -> None:
    trainers = [Trainer(tiny_config()) for _ in range(3)]
    runs = [trainer.run() for trainer in trainers]
    started = [next(run) for run in runs]  # all three started in the same second, each reserved a name
    paths = {trainer.checkpoint_path for trainer in trainers}
    assert len(paths) == 3 and all(path.parent == private_runs for path in paths)
    assert all(isinstance(record, RunStarted) for record in started)
    for run in runs:
        run.close()  # abandoned before saving: each reservation is given back
    assert not list(private_runs.glob("*.pt"))


def test_a_failed_run_gives_its_reserved_name_back(tiny_config: ConfigFactory, private_runs: Path) -> None:
    config = tiny_config(learning_rate=1e6, optimizer="sgd", schedule="constant")
    finished = list(Trainer(config, report_interval=0).run())[-1]
    assert finished.status is RunStatus.FAILED
    assert not list(private_runs.glob("*.pt"))


@pytest.fixture
def private_runs(tmp_path: Path) -> Path:
    return tmp_path / "runs"  # the runs folder the autouse fixture points MNIST_STUDIO_RUNS at


def failing_writes(monkeypatch: pytest.MonkeyPatch, failing: Callable[[Path], bool]) -> None:
    """Make checkpoint writes to paths ``failing`` selects fail as a full disk does."""
    from mnist_studio.core import checkpoints
    from mnist_studio.core.files import OutputPathError, OutputProblem
    from mnist_studio.core.training import loop

    real = checkpoints.save_checkpoint

    def save(path: Path | str, payload: dict[str, Any]) -> Path:
        if failing(Path(path)):
            raise OutputPathError(OutputProblem.NO_SPACE, path)
        return real(path, payload)

    monkeypatch.setattr(loop, "save_checkpoint", save)
    monkeypatch.setattr(checkpoints, "save_checkpoint", save)


def test_a_full_disk_at_the_end_keeps_the_trained_model_in_the_runs_folder(
    tiny_config: ConfigFactory, tmp_path: Path, private_runs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mnist_studio.core.files import OutputProblem

    asked = tmp_path / "usb" / "model.pt"
    failing_writes(monkeypatch, lambda path: path == asked)
    trainer = Trainer(tiny_config(), checkpoint_path=asked)
    finished = list(trainer.run())[-1]
    assert isinstance(finished, TrainingFinished) and finished.status is RunStatus.COMPLETED
    assert finished.save_problem is OutputProblem.NO_SPACE and finished.requested_path == asked
    assert finished.checkpoint_path is not None and finished.checkpoint_path.parent == private_runs
    kept = load_checkpoint(finished.checkpoint_path)
    assert kept.test_accuracy == finished.test_accuracy and not asked.exists()


def test_when_no_folder_can_hold_it_the_model_stays_in_memory(
    tiny_config: ConfigFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    failing_writes(monkeypatch, lambda path: True)
    trainer = Trainer(tiny_config(), checkpoint_path=tmp_path / "model.pt")
    finished = list(trainer.run())[-1]
    assert finished.status is RunStatus.COMPLETED and finished.checkpoint_path is None
    assert finished.save_problem is not None and trainer.model is not None
