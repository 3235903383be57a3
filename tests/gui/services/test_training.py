"""The training service: the engine's records as signals from a worker thread, every failure as an exception."""

from __future__ import annotations

from pathlib import Path

from mnist_studio.core.config import TrainingConfig
from mnist_studio.core.progress import EpochProgress, RunStarted, StepProgress, TrainingFinished
from mnist_studio.gui.services.errors import describe_error
from mnist_studio.gui.services.training import RunState, TrainingService

TINY = {"epochs": 1, "subset": 256, "batch_size": 64, "device": "cpu", "threads": 1}


def run_service(qtbot, right_after_start=None) -> list[object]:
    """One tiny run through a TrainingService; every signal it sent, in order ("started" for runStarted)."""
    service = TrainingService()
    received: list[object] = []
    service.stateChanged.connect(received.append)
    service.runStarted.connect(lambda record: received.append(("started", record)))
    for signal in (service.progress, service.runFinished, service.runFailed):
        signal.connect(received.append)
    with qtbot.waitSignals([service.stateChanged], timeout=120_000, check_params_cbs=[lambda state: state is RunState.IDLE]):
        assert service.start(TrainingConfig.for_architecture("mlp", **TINY))
        assert not service.start(TrainingConfig.for_architecture("mlp", **TINY))  # one run at a time
        if right_after_start is not None:
            right_after_start(service)
    qtbot.waitUntil(lambda: bool(received) and isinstance(received[-1], (TrainingFinished, Exception)))
    assert service.worker is None  # the thread has ended before the last signal
    assert received[0] is RunState.RUNNING and RunState.IDLE in received
    return [item for item in received if not isinstance(item, RunState)]


def test_records_arrive_in_order_and_end_with_one_finished(qtbot, private_folders: Path) -> None:
    received = run_service(qtbot)
    assert received[0][0] == "started" and isinstance(received[0][1], RunStarted)
    assert any(isinstance(record, StepProgress) for record in received)
    assert isinstance(received[-2], EpochProgress)
    finished = received[-1]
    assert isinstance(finished, TrainingFinished) and finished.status == "completed"
    assert Path(finished.checkpoint_path).parent == private_folders


def test_a_stop_before_the_first_step_still_ends_cleanly(qtbot) -> None:
    received = run_service(qtbot, TrainingService.stop)
    assert isinstance(received[-1], TrainingFinished) and received[-1].status == "stopped"
    assert received[-1].step == 0


def test_an_exception_becomes_one_run_failed_error(qtbot, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("MNIST_STUDIO_DATA", str(tmp_path))
    received = run_service(qtbot)  # it went from running to idle
    assert isinstance(received[-1], Exception)
    assert describe_error(received[-1]).startswith("MNIST file missing")
    assert not any(isinstance(record, TrainingFinished) for record in received)


def test_a_trainer_that_cannot_be_made_fails_the_run_without_starting_a_thread(qtbot, monkeypatch) -> None:
    from mnist_studio.core import training

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", "/runs")

    monkeypatch.setattr(training, "Trainer", refuse)
    service = TrainingService()
    with qtbot.waitSignal(service.runFailed) as failed:
        assert not service.start(TrainingConfig.for_architecture("mlp", **TINY))
    assert describe_error(failed.args[0]) == "/runs: Permission denied"
    assert service.state is RunState.IDLE and service.worker is None
