"""The training worker: the engine's records as signals from a QThread, every failure as a message."""

from __future__ import annotations

from pathlib import Path

from mnist_studio.core.config import TrainingConfig
from mnist_studio.core.progress import EpochProgress, StepProgress, TrainingFinished
from mnist_studio.gui.services.training_worker import TrainingWorker, start_training

TINY = {"epochs": 1, "subset": 256, "batch_size": 64, "device": "cpu", "threads": 1}


def run_worker(qtbot, worker: TrainingWorker, right_after_start=None) -> list[object]:
    """Run ``worker`` on its thread; every signal it sent, in order ("started" for started)."""
    received: list[object] = []
    worker.started.connect(lambda: received.append("started"))
    for signal in (worker.progress, worker.finished, worker.errored):
        signal.connect(received.append)
    thread = start_training(worker)
    if right_after_start is not None:
        right_after_start(worker)
    ended = lambda: bool(received) and isinstance(received[-1], (TrainingFinished, str)) and received[-1] != "started"  # noqa: E731
    qtbot.waitUntil(ended, timeout=120_000)
    assert thread.wait(10_000)  # the thread ends by itself after the last signal
    return received


def test_records_arrive_in_order_and_end_with_one_finished(qtbot, private_folders: Path) -> None:
    received = run_worker(qtbot, TrainingWorker(TrainingConfig.for_architecture("mlp", **TINY)))
    assert received[0] == "started"
    assert any(isinstance(record, StepProgress) for record in received)
    assert isinstance(received[-2], EpochProgress)
    finished = received[-1]
    assert isinstance(finished, TrainingFinished) and finished.status == "completed"
    assert Path(finished.checkpoint_path).parent == private_folders


def test_a_stop_before_the_first_step_still_ends_cleanly(qtbot) -> None:
    received = run_worker(qtbot, TrainingWorker(TrainingConfig.for_architecture("mlp", **TINY)), TrainingWorker.stop)
    assert isinstance(received[-1], TrainingFinished) and received[-1].status == "stopped"
    assert received[-1].step == 0


def test_an_exception_becomes_one_errored_message(qtbot, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("MNIST_STUDIO_DATA", str(tmp_path))
    received = run_worker(qtbot, TrainingWorker(TrainingConfig.for_architecture("mlp", **TINY)))
    assert received[0] == "started" and isinstance(received[-1], str)
    assert received[-1].startswith("MNIST file missing")
    assert not any(isinstance(record, TrainingFinished) for record in received)
