"""The Train tab: choose a recipe, start, pause and stop a run, and watch it learn live."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, QThread, Signal, Slot
from PySide6.QtGui import QAction, QFontDatabase, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from mnist_studio.core.config import TrainingConfig
from mnist_studio.core.progress import (
    DivergenceReason,
    EpochProgress,
    RunStatus,
    StepProgress,
    TrainingFinished,
    format_duration,
)
from mnist_studio.gui.train.charts import TrainingCharts
from mnist_studio.gui.services.torch_loader import TorchInfo
from mnist_studio.gui.train.form import TrainingForm
from mnist_studio.gui.services.training_worker import TrainingWorker, start_training
from mnist_studio.gui.common.banner import MessageBanner

LOG_LINES = 2_000
FORM_WIDTH = 330


def describe_config(config: TrainingConfig) -> str:
    """One log line naming the recipe of a run."""
    data = f"{config.subset:,} training images" if config.subset else "all training images"
    return (
        f"{config.arch}: {config.epochs} epoch(s), batch {config.batch_size}, {config.optimizer} "
        f"lr {config.learning_rate:g} ({config.schedule}), weight decay {config.weight_decay:g}, "
        f"augment {'on' if config.augment else 'off'}, seed {config.seed}, device {config.device}, {data}"
    )


class TrainTab(QWidget):
    """Recipe form, Start / Pause-Resume / Stop, progress, live charts and a run log.

    ``runFinished(TrainingFinished)`` fires for every run that ends with a record (completed,
    stopped or failed); ``statusMessage(text)`` carries short news for the status bar.
    """

    runFinished = Signal(object)
    statusMessage = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = TrainingForm()
        self.charts = TrainingCharts()
        self._torch_ready = False
        self._state = "idle"  # idle, running, paused, stopping
        self._worker: TrainingWorker | None = None
        self._thread: QThread | None = None
        self.last_step = 0

        self.start_action = self._action("&Start training", [QKeySequence("Ctrl+R"), QKeySequence("F5")], self.start)
        self.pause_action = self._action("&Pause", [QKeySequence("Ctrl+P"), QKeySequence("F6")], self.toggle_pause)
        self.stop_action = self._action("S&top", [QKeySequence("Ctrl+."), QKeySequence("Shift+F5")], self.stop)
        self.start_button = self._button("startButton", "Start", self.start_action)
        self.start_button.setDefault(True)
        self.pause_button = self._button("pauseButton", "Pause", self.pause_action)
        self.stop_button = self._button("stopButton", "Stop", self.stop_action)
        self.shortcuts_hint = QLabel("Start Ctrl+R · Pause Ctrl+P · Stop Ctrl+.")
        self.shortcuts_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        muted = self.shortcuts_hint.palette()
        muted.setColor(QPalette.ColorRole.WindowText, muted.color(QPalette.ColorRole.PlaceholderText))
        self.shortcuts_hint.setPalette(muted)

        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("trainProgress")
        self.progress_bar.setAccessibleName("Training progress")
        self.progress_bar.setTextVisible(True)
        self.progress_bar.setFormat("Ready")
        self.progress_bar.setValue(0)
        self.stats_label = QLabel()
        self.stats_label.setObjectName("trainStats")
        self.stats_label.setMinimumWidth(230)
        self.stats_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.banner = MessageBanner()
        self.banner.setObjectName("trainMessage")
        self.show_previous_check = QCheckBox("Show previous run")
        self.show_previous_check.setObjectName("showPreviousCheck")
        self.show_previous_check.setChecked(True)
        self.show_previous_check.toggled.connect(self.charts.set_show_previous)
        self.log = QPlainTextEdit()
        self.log.setObjectName("runLog")
        self.log.setAccessibleName("Run log")
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(LOG_LINES)
        self.log.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.log.setPlaceholderText("The run log: each run's recipe, its epochs and where its checkpoint went.")
        self._build_layout()
        self._update_controls()

    def _action(self, text: str, shortcuts: list[QKeySequence], slot: object) -> QAction:
        action = QAction(text, self)
        action.setShortcuts(shortcuts)
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(slot)
        return action

    def _button(self, name: str, text: str, action: QAction) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setToolTip(f"{text} ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})")
        button.clicked.connect(action.trigger)
        return button

    def _build_layout(self) -> None:
        buttons = QHBoxLayout()
        for button in (self.start_button, self.pause_button, self.stop_button):
            buttons.addWidget(button)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 6, 0)
        left_layout.addWidget(self.form)
        left_layout.addLayout(buttons)
        left_layout.addWidget(self.shortcuts_hint)
        left_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(left)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFixedWidth(FORM_WIDTH)

        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress_bar, 1)
        progress_row.addWidget(self.stats_label)
        chart_panel = QWidget()
        chart_layout = QVBoxLayout(chart_panel)
        chart_layout.setContentsMargins(0, 0, 0, 0)
        chart_layout.addWidget(self.charts, 1)
        chart_layout.addWidget(self.show_previous_check, 0, Qt.AlignmentFlag.AlignRight)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(chart_panel)
        splitter.addWidget(self.log)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([520, 160])
        right = QVBoxLayout()
        right.addLayout(progress_row)
        right.addWidget(self.banner)
        right.addWidget(splitter, 1)

        layout = QHBoxLayout(self)
        layout.addWidget(scroll)
        layout.addLayout(right, 1)

    # State ---------------------------------------------------------------------------------

    @property
    def state(self) -> str:
        """``"idle"``, ``"running"``, ``"paused"`` or ``"stopping"``."""
        return self._state

    @property
    def is_running(self) -> bool:
        """True while a run's worker thread is alive."""
        return self._worker is not None

    def _set_state(self, state: str) -> None:
        self._state = state
        self._update_controls()

    def _update_controls(self) -> None:
        idle = self._state == "idle"
        can_start = idle and self._torch_ready
        active = self._state in ("running", "paused")
        pause_text = "Resume" if self._state == "paused" else "Pause"
        for widget in (self.start_button, self.start_action):
            widget.setEnabled(can_start)
        for widget in (self.pause_button, self.pause_action, self.stop_button, self.stop_action):
            widget.setEnabled(active)
        self.pause_button.setText(pause_text)
        self.pause_action.setText(f"&{pause_text}")
        self.form.setEnabled(idle)
        self.start_button.setToolTip("Start training (Ctrl+R)" if self._torch_ready else "Loading PyTorch…")

    def set_torch_info(self, info: TorchInfo) -> None:
        """Torch is loaded: list the real devices and allow Start."""
        self.form.set_devices(info.devices)
        self._torch_ready = True
        self._update_controls()

    # User intent ---------------------------------------------------------------------------

    @Slot()
    def start(self) -> None:
        """Start a run with the form's recipe (ignored unless idle and torch is loaded)."""
        if self._state != "idle" or not self._torch_ready:
            return
        config = self.form.config()
        self.banner.dismiss()
        self.charts.start_run(config.epochs)
        self.last_step = 0
        self.progress_bar.setRange(0, 0)  # busy until the first record: data and model are being prepared
        self.progress_bar.setFormat("Preparing data…")
        self.stats_label.clear()
        self._log(f"Start {describe_config(config)}")
        self._worker = TrainingWorker(config)
        self._worker.progress.connect(self._on_progress)
        self._worker.finished.connect(self._on_finished)
        self._worker.errored.connect(self._on_errored)
        self._set_state("running")
        self._thread = start_training(self._worker)
        self.statusMessage.emit(f"Training {config.arch}…")

    @Slot()
    def toggle_pause(self) -> None:
        """Pause a running run, or resume a paused one."""
        if self._worker is None:
            return
        if self._state == "running":
            self._worker.pause()
            self._set_state("paused")
            self._log(f"Paused at step {self.last_step}")
            self.progress_bar.setFormat(self.progress_bar.format() + " — paused")
        elif self._state == "paused":
            self._worker.resume()
            self._set_state("running")
            self._log("Resumed")

    @Slot()
    def stop(self) -> None:
        """Ask the run to end before its next step; it saves a resumable checkpoint."""
        if self._worker is None or self._state not in ("running", "paused"):
            return
        self._worker.stop()
        self._set_state("stopping")
        self.progress_bar.setFormat("Stopping…")

    def shutdown(self) -> None:
        """Stop any run and wait for its thread to end (used when the window closes)."""
        if self._worker is not None:
            self._worker.stop()
        if self._thread is not None:
            self._thread.quit()  # takes effect once the run returns; the thread runs no other work
            self._thread.wait()

    # Records from the worker ---------------------------------------------------------------

    @Slot(object)
    def _on_progress(self, record: object) -> None:
        if isinstance(record, StepProgress):
            self.charts.add_steps(record)
            self.last_step = record.step
            if self._state != "stopping":
                self._show_step(record)
        elif isinstance(record, EpochProgress):
            self.charts.add_epoch(record)
            self._log(
                f"Epoch {record.epoch}/{record.epochs}: train loss {record.train_loss:.4f}, "
                f"val loss {record.val_loss:.4f}, val accuracy {record.val_accuracy:.2%} ({record.seconds:.1f} s)"
            )

    def _show_step(self, record: StepProgress) -> None:
        self.progress_bar.setRange(0, record.total_steps)
        self.progress_bar.setValue(record.step)
        text = f"Epoch {record.epoch}/{record.epochs} · step {record.step:,}/{record.total_steps:,}"
        self.progress_bar.setFormat(text + (" — paused" if self._state == "paused" else ""))
        self.stats_label.setText(
            f"{record.images_per_second:,.0f} images/s · ETA {format_duration(record.eta_seconds)}"
        )

    def _end_run(self) -> None:
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait()  # the worker has sent its last signal; the thread is ending
        self._thread = None
        self._worker = None
        self.progress_bar.setRange(0, max(1, self.progress_bar.maximum()))
        self._set_state("idle")

    @Slot(object)
    def _on_finished(self, record: TrainingFinished) -> None:
        self._end_run()
        self.charts.redraw()
        self.last_step = record.step
        message = self._finished_text(record)
        self._log(message)
        if record.status is RunStatus.COMPLETED:
            self.progress_bar.setValue(self.progress_bar.maximum())
            self.progress_bar.setFormat(self.tr("Done · test accuracy {accuracy}").format(accuracy=f"{record.test_accuracy:.2%}"))
            self.stats_label.setText(
                f"{record.images_per_second:,.0f} images/s · {format_duration(record.train_seconds)} training"
            )
            self.banner.show_message("success", message)
        elif record.status is RunStatus.STOPPED:
            self.progress_bar.setFormat(self.tr("Stopped at step {step}").format(step=f"{record.step:,}"))
            self.banner.show_message("info", message)
        else:
            self.progress_bar.setFormat(self.tr("Diverged"))
            self.banner.show_message("error", message)
        self.statusMessage.emit(message)
        self.runFinished.emit(record)

    def _finished_text(self, record: TrainingFinished) -> str:
        if record.status is RunStatus.COMPLETED:
            return self.tr("Finished: test accuracy {accuracy}; checkpoint saved to {path}").format(
                accuracy=f"{record.test_accuracy:.2%}", path=record.checkpoint_path
            )
        if record.status is RunStatus.STOPPED:
            return self.tr("Stopped at step {step}; resumable checkpoint saved to {path}").format(
                step=f"{record.step:,}", path=record.checkpoint_path
            )
        divergence = record.divergence
        rate = f"{divergence.configured_learning_rate:g}"
        if divergence.reason is DivergenceReason.NO_PROGRESS:
            return self.tr(
                "Training learned nothing: after a whole epoch the model was no better than chance. "
                "The learning rate ({rate}) may be far too high or too low."
            ).format(rate=rate)
        return self.tr(
            "Training diverged: the loss became {loss} at step {step}. Try a lower learning rate (now {rate}). "
            "The model keeps its last good weights; no checkpoint was written."
        ).format(loss=f"{divergence.loss:,.4g}", step=f"{divergence.step:,}", rate=rate)

    @Slot(str)
    def _on_errored(self, message: str) -> None:
        self._end_run()
        self.charts.redraw()
        self.progress_bar.setFormat("Failed")
        self._log(f"Error: {message}")
        self.banner.show_message("error", f"Training failed: {message}")
        self.statusMessage.emit(f"Training failed: {message}")

    def _log(self, text: str) -> None:
        self.log.appendPlainText(f"{time.strftime('%H:%M:%S')}  {text}")
