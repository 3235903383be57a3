"""The training engine: learning, records, stop/pause/resume, divergence, reproducibility, exact resume."""

from __future__ import annotations

import queue
import threading
from pathlib import Path
from typing import Callable, Iterable

import pytest
import torch

from mnist_studio.core.checkpoints import load_checkpoint
from mnist_studio.core.config import TrainingConfig
from mnist_studio.core.devices import available_devices
from mnist_studio.core.progress import (
    DivergenceReason,
    EpochProgress,
    PausedProgress,
    Progress,
    RunStarted,
    RunStatus,
    StepProgress,
    TrainingFinished,
)
from mnist_studio.core.training import Trainer, TrainingError, TrainingProblem

ConfigFactory = Callable[..., TrainingConfig]


def run_all(trainer: Trainer, on_step: Callable[[StepProgress], None] | None = None) -> list[Progress]:
    """Drive ``trainer`` to its end, calling ``on_step`` while the generator waits at each step record."""
    records = []
    for record in trainer.run():
        records.append(record)
        if on_step is not None and isinstance(record, StepProgress):
            on_step(record)
    return records


def weights(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {name: tensor.detach().clone() for name, tensor in model.state_dict().items()}


def assert_same_weights(first: dict[str, torch.Tensor], second: dict[str, torch.Tensor]) -> None:
    assert first.keys() == second.keys()
    for name in first:
        assert torch.equal(first[name], second[name]), f"{name} differs"


def steps_of(records: Iterable[Progress]) -> list[int]:
    """Global step numbers of every loss the step records carry, in order."""
    return [
        record.first_step + offset
        for record in records
        if isinstance(record, StepProgress)
        for offset in range(len(record.losses))
    ]


def test_loss_falls_and_the_run_completes_with_a_checkpoint(tiny_config: ConfigFactory, tmp_path: Path) -> None:
    config = tiny_config(subset=2000)
    trainer = Trainer(config, checkpoint_path=tmp_path / "run.pt", report_interval=0)
    records = run_all(trainer)
    losses = [loss for record in records if isinstance(record, StepProgress) for loss in record.losses]
    assert len(losses) == 32  # 2000 images in batches of 64
    assert sum(losses[-5:]) / 5 < 0.6 * sum(losses[:5]) / 5
    finished = records[-1]
    assert isinstance(finished, TrainingFinished) and finished.status == "completed", finished
    assert finished.test_accuracy is not None and finished.test_accuracy > 0.5
    assert finished.checkpoint_path == tmp_path / "run.pt"
    checkpoint = load_checkpoint(tmp_path / "run.pt")
    assert checkpoint.status == "completed" and checkpoint.step == 32 and checkpoint.epoch == 1
    assert checkpoint.test_accuracy == finished.test_accuracy
    assert len(checkpoint.metrics["per_class_accuracy"]) == 10
    assert_same_weights(checkpoint.model_state, weights(trainer.model))


def test_records_cover_every_step_once_and_end_with_one_finished_record(tiny_config: ConfigFactory) -> None:
    trainer = Trainer(tiny_config(epochs=2), report_interval=3600)  # one step record per epoch end
    records = run_all(trainer)
    assert steps_of(records) == list(range(1, 17))
    kinds = [type(record).__name__ for record in records]
    assert kinds == ["RunStarted"] + ["StepProgress", "EpochProgress"] * 2 + ["TrainingFinished"]
    started = records[0]
    assert isinstance(started, RunStarted)
    assert (started.device, started.threads, started.train_images, started.steps_per_epoch) == ("cpu", 1, 512, 8)
    assert (started.total_steps, started.resumed_at_step, started.data_name) == (16, None, "mnist")
    epochs = [record for record in records if isinstance(record, EpochProgress)]
    assert [(record.epoch, record.step) for record in epochs] == [(1, 8), (2, 16)]
    assert all(0 <= record.val_accuracy <= 1 and record.val_loss > 0 for record in epochs)
    step_record = records[1]
    assert isinstance(step_record, StepProgress)
    assert (step_record.epoch, step_record.epochs, step_record.total_steps) == (1, 2, 16)
    assert step_record.images_per_second > 0 and step_record.eta_seconds >= 0


def test_stop_ends_the_run_within_one_step_and_writes_a_resumable_checkpoint(
    tiny_config: ConfigFactory, tmp_path: Path
) -> None:
    trainer = Trainer(tiny_config(), checkpoint_path=tmp_path / "stopped.pt", report_interval=0)
    records = run_all(trainer, on_step=lambda record: trainer.stop() if record.step == 3 else None)
    assert steps_of(records) == [1, 2, 3]
    finished = records[-1]
    assert isinstance(finished, TrainingFinished)
    assert (finished.status, finished.step, finished.test_accuracy) == ("stopped", 3, None)
    checkpoint = load_checkpoint(finished.checkpoint_path)
    assert (checkpoint.status, checkpoint.step, checkpoint.epoch) == ("stopped", 3, 0)
    assert {"optimizer", "schedule", "data_rng", "torch_rng", "step_in_epoch"} <= checkpoint.training_state.keys()


def start_consumer(trainer: Trainer, on_step: Callable[[StepProgress], None]) -> tuple[threading.Thread, queue.Queue]:
    """Drive the generator from a thread (as the GUI does); records and errors arrive on the queue."""
    records: queue.Queue = queue.Queue()

    def consume() -> None:
        try:
            for record in trainer.run():
                if isinstance(record, StepProgress):
                    on_step(record)
                records.put(record)
        except BaseException as error:  # surfaced by the test thread
            records.put(error)

    thread = threading.Thread(target=consume, daemon=True)
    thread.start()
    return thread, records


def drain(records: queue.Queue) -> list[Progress]:
    found = []
    while not records.empty():
        item = records.get_nowait()
        if isinstance(item, BaseException):
            raise item
        found.append(item)
    return found


def watch_pause(trainer: Trainer, monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """An event set once the run blocks in its pause, so tests need no sleeps to know it is held."""
    blocked = threading.Event()
    original_wait = trainer._unpaused.wait

    def wait(timeout: float | None = None) -> bool:
        blocked.set()
        return original_wait(timeout)

    monkeypatch.setattr(trainer._unpaused, "wait", wait)
    return blocked


def test_pause_holds_the_step_count_and_resume_continues(
    tiny_config: ConfigFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    trainer = Trainer(tiny_config(), report_interval=0)
    blocked = watch_pause(trainer, monkeypatch)
    at_pause: dict[str, torch.Tensor] = {}

    def pause_at_step_3(record: StepProgress) -> None:
        if record.step == 3:
            trainer.pause()
            at_pause.update(weights(trainer.model))

    thread, records = start_consumer(trainer, pause_at_step_3)
    assert blocked.wait(timeout=300), "the run never reached its pause"
    assert trainer.paused
    held = drain(records)
    assert steps_of(held) == [1, 2, 3]
    assert isinstance(held[-1], PausedProgress) and held[-1].step == 3  # reported when the hold took effect
    assert_same_weights(weights(trainer.model), at_pause)  # no step ran while paused
    trainer.resume()
    thread.join(timeout=300)
    assert not thread.is_alive()
    rest = drain(records)
    assert steps_of(rest) == list(range(4, 9))
    assert isinstance(rest[-1], TrainingFinished) and rest[-1].status == "completed"


def test_stop_while_paused_stops_at_the_held_step(
    tiny_config: ConfigFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    trainer = Trainer(tiny_config(), report_interval=0)
    blocked = watch_pause(trainer, monkeypatch)
    thread, records = start_consumer(trainer, lambda record: trainer.pause() if record.step == 2 else None)
    assert blocked.wait(timeout=300), "the run never reached its pause"
    trainer.stop()
    thread.join(timeout=300)
    assert not thread.is_alive()
    received = drain(records)
    assert steps_of(received) == [1, 2]
    assert isinstance(received[-1], TrainingFinished)
    assert (received[-1].status, received[-1].step) == ("stopped", 2)


# ResNet's weights themselves overflow at this rate, so it shows the last good weights coming back.
@pytest.mark.parametrize("report_interval", [0, 3600], ids=["report every step", "report per epoch"])
@pytest.mark.parametrize("arch", ["lenet5", "resnet"])
def test_a_non_finite_loss_fails_the_run_and_keeps_finite_weights(
    tiny_config: ConfigFactory, tmp_path: Path, arch: str, report_interval: float
) -> None:
    config = tiny_config(arch, learning_rate=1e6, optimizer="sgd", schedule="constant")
    trainer = Trainer(config, checkpoint_path=tmp_path / "never.pt", report_interval=report_interval)
    records = run_all(trainer)
    finished = records[-1]
    assert isinstance(finished, TrainingFinished)
    assert finished.status is RunStatus.FAILED and finished.checkpoint_path is None
    divergence = finished.divergence
    assert divergence is not None and divergence.reason is DivergenceReason.NON_FINITE
    assert not torch.isfinite(torch.tensor(divergence.loss))
    assert divergence.configured_learning_rate == 1e6
    # The charts never receive the non-finite loss: steps before it only.
    assert steps_of(records) == list(range(1, divergence.step))
    assert not (tmp_path / "never.pt").exists()
    assert not list(tmp_path.rglob("*.pt")) and not list(tmp_path.rglob("*.tmp"))
    assert all(torch.isfinite(tensor).all() for tensor in trainer.model.state_dict().values())


def test_a_finite_but_exploding_loss_fails_the_run_with_the_weights_from_before(
    tiny_config: ConfigFactory, tmp_path: Path
) -> None:
    # Adam at rate 100 never produces NaN here: the loss climbs to ~1e8 and stays there (it was "Done").
    config = tiny_config("mlp", subset=4096, learning_rate=100.0, optimizer="adam", schedule="constant")
    trainer = Trainer(config, checkpoint_path=tmp_path / "never.pt", report_interval=0)
    records = run_all(trainer)
    finished = records[-1]
    assert isinstance(finished, TrainingFinished) and finished.status is RunStatus.FAILED
    assert finished.divergence is not None and finished.divergence.reason is DivergenceReason.EXPLODED
    assert finished.divergence.loss > 100 and finished.step < 64  # it ended early, not after the epoch
    assert not list(tmp_path.rglob("*.pt"))
    # The weights given back read digits better than the exploded ones would (they are the pre-explosion ones).
    first_loss = next(record for record in records if isinstance(record, StepProgress)).losses[0]
    from mnist_studio.core.data import load_mnist, normalise

    arrays = load_mnist()
    images, labels = normalise(arrays.test_images[:500]), arrays.test_labels[:500]
    with torch.no_grad():
        loss = torch.nn.functional.cross_entropy(trainer.model.eval()(images), labels).item()
    assert loss < 10 * first_loss


def test_a_run_that_learns_nothing_in_a_long_epoch_fails(tiny_config: ConfigFactory, tmp_path: Path) -> None:
    # SGD at a rate of 0 cannot learn: after an epoch of 100+ steps the model is still at chance.
    config = tiny_config("mlp", subset=6400, learning_rate=1e-6, optimizer="sgd", schedule="constant")
    finished = run_all(Trainer(config, checkpoint_path=tmp_path / "never.pt", report_interval=3600))[-1]
    assert isinstance(finished, TrainingFinished) and finished.status is RunStatus.FAILED
    assert finished.divergence is not None and finished.divergence.reason is DivergenceReason.NO_PROGRESS
    assert finished.epochs_completed == 1 and not (tmp_path / "never.pt").exists()


def test_ordinary_short_runs_are_never_judged_diverged(tiny_config: ConfigFactory) -> None:
    for arch in ("mlp", "gru"):
        finished = run_all(Trainer(tiny_config(arch, subset=256), report_interval=0))[-1]
        assert isinstance(finished, TrainingFinished) and finished.status is RunStatus.COMPLETED, finished


def test_same_seed_and_config_give_identical_weights(tiny_config: ConfigFactory) -> None:
    config = tiny_config(augment=True)
    first, second = Trainer(config), Trainer(config)
    assert run_all(first)[-1].status == "completed"
    assert run_all(second)[-1].status == "completed"
    assert_same_weights(weights(first.model), weights(second.model))


@pytest.mark.parametrize("stop_after", [5, 8], ids=["mid-epoch", "epoch-boundary"])
def test_resumed_run_ends_exactly_like_an_uninterrupted_one(
    tiny_config: ConfigFactory, tmp_path: Path, stop_after: int
) -> None:
    config = tiny_config(epochs=2, augment=True)  # OneCycle, AdamW and augmentation: all the state there is
    uninterrupted = Trainer(config, checkpoint_path=tmp_path / "whole.pt", report_interval=0)
    whole_records = run_all(uninterrupted)

    interrupted = Trainer(config, checkpoint_path=tmp_path / "part.pt", report_interval=0)
    stop = lambda record: interrupted.stop() if record.step >= stop_after else None  # noqa: E731
    assert run_all(interrupted, on_step=stop)[-1].status == "stopped"
    resumed = Trainer.resuming(load_checkpoint(tmp_path / "part.pt"), report_interval=0)
    resumed_records = run_all(resumed)
    started = resumed_records[0]
    assert isinstance(started, RunStarted) and started.resumed_at_step == stop_after

    assert resumed_records[-1].status == "completed"
    assert steps_of(resumed_records) == list(range(stop_after + 1, 17))
    assert_same_weights(weights(resumed.model), weights(uninterrupted.model))
    whole, part = load_checkpoint(tmp_path / "whole.pt"), load_checkpoint(tmp_path / "part.pt")
    assert part.step == 16 and part.test_accuracy == whole.test_accuracy
    for whole_epoch, part_epoch in zip(whole.metrics["history"], part.metrics["history"], strict=True):
        assert whole_epoch["train_loss"] == pytest.approx(part_epoch["train_loss"], rel=1e-12)
        assert whole_epoch["val_accuracy"] == part_epoch["val_accuracy"]


def test_a_finished_run_cannot_be_resumed(tiny_config: ConfigFactory, tmp_path: Path) -> None:
    run_all(Trainer(tiny_config(subset=64), checkpoint_path=tmp_path / "done.pt"))
    trainer = Trainer.resuming(load_checkpoint(tmp_path / "done.pt"))
    with pytest.raises(TrainingError, match="nothing to resume") as raised:
        next(trainer.run())
    assert raised.value.reason is TrainingProblem.NOTHING_TO_RESUME


def test_an_absent_device_is_a_training_error(tiny_config: ConfigFactory) -> None:
    if "mps" in available_devices():
        pytest.skip("this machine has an MPS device")
    with pytest.raises(TrainingError, match="not available") as raised:
        next(Trainer(tiny_config(device="mps")).run())
    assert raised.value.reason is TrainingProblem.DEVICE_UNAVAILABLE


def test_an_unwritable_checkpoint_path_fails_before_training(tiny_config: ConfigFactory, tmp_path: Path) -> None:
    trainer = Trainer(tiny_config(), checkpoint_path=tmp_path)
    with pytest.raises(TrainingError, match="is a folder"):
        next(trainer.run())
    assert trainer.model is None


@pytest.mark.parametrize("subset", [64, 256], ids=["1 step", "4 steps"])
def test_one_cycle_copes_with_runs_of_a_few_steps(tiny_config: ConfigFactory, subset: int) -> None:
    # OneCycleLR divided by zero for a run of exactly 4 steps.
    finished = run_all(Trainer(tiny_config("mlp", subset=subset, schedule="onecycle")))[-1]
    assert isinstance(finished, TrainingFinished) and finished.status == "completed"
