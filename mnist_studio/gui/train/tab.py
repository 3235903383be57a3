"""The Train tab: choose a recipe, start, pause and stop a run, and watch it learn live.

The run itself belongs to the shared :class:`~mnist_studio.gui.services.training.TrainingService`;
this tab forwards the user's intent to it and shows the records it announces. Start may be
pressed while PyTorch still loads: the run then starts as soon as it has (Stop cancels that).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QScrollArea, QSplitter, QVBoxLayout, QWidget

from mnist_studio.core.config import TrainingConfig
from mnist_studio.core.progress import (
    CompilationFailed,
    EpochProgress,
    PausedProgress,
    RunStarted,
    RunStatus,
    StepProgress,
    TrainingFinished,
)
from mnist_studio.gui.common.banner import BannerKind, MessageBanner
from mnist_studio.gui.common.file_dialogs import ask_checkpoint_save_path
from mnist_studio.gui.services.checkpoint_files import copy_checkpoint
from mnist_studio.gui.services.context import AppContext
from mnist_studio.gui.services.errors import describe_error
from mnist_studio.gui.services.torch_loader import LoaderState, TorchInfo
from mnist_studio.gui.services.training import RunState
from mnist_studio.gui.train import messages
from mnist_studio.gui.train.charts import TrainingCharts
from mnist_studio.gui.train.controls import RunControls
from mnist_studio.gui.train.form import TrainingForm
from mnist_studio.gui.train.run_log import RunLog
from mnist_studio.gui.train.run_progress import RunProgress

FORM_WIDTH = 330
_BANNER_KINDS = {RunStatus.COMPLETED: BannerKind.SUCCESS, RunStatus.STOPPED: BannerKind.INFO, RunStatus.FAILED: BannerKind.ERROR}


class TrainTab(QWidget):
    """Recipe form, Start / Pause-Resume / Stop, progress, live charts and a run log."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trainTab")
        self._training = context.training
        self._notices = context.notices
        self._torch = context.torch_loader
        self._start_pending = False  # Start was pressed while PyTorch loads
        self._run: RunStarted | None = None  # the run the charts show
        self._finished: TrainingFinished | None = None
        self.last_step = 0
        self.form = TrainingForm()
        self.charts = TrainingCharts()
        self.controls = RunControls()
        self.progress = RunProgress()
        self.show_previous_check = QCheckBox(self.tr("Show previous run"), objectName="showPreviousCheck")
        self.show_previous_check.setChecked(True)
        self.show_previous_check.toggled.connect(self.charts.set_show_previous)
        self.log = RunLog()
        self.banner = _lay_out(self)

        self.controls.start_action.triggered.connect(self.start)
        self.controls.pause_action.triggered.connect(self.toggle_pause)
        self.controls.stop_action.triggered.connect(self.stop)
        self.form.device_combo.currentIndexChanged.connect(self._announce_device)
        self._training.stateChanged.connect(self._show_state)
        self._training.runStarted.connect(self._on_started)
        self._training.progress.connect(self._on_progress)
        self._training.runFinished.connect(self._on_finished)
        self._training.runFailed.connect(self._on_failed)
        self._torch.loaded.connect(self.set_torch_info)
        self._torch.failed.connect(self._on_torch_failed)
        self._show_state(self._training.state)

    @property
    def state(self) -> RunState:
        """Where the run is (the training service's state)."""
        return self._training.state

    def is_start_pending(self) -> bool:
        """True while a start waits for PyTorch to load."""
        return self._start_pending

    @Slot(object)
    def _show_state(self, state: RunState) -> None:
        self.controls.show_state(state, torch_state=self._torch.state, start_pending=self._start_pending)
        self.form.setEnabled(state is RunState.IDLE and not self._start_pending)

    @Slot(object)
    def set_torch_info(self, info: TorchInfo) -> None:
        """Torch is loaded: list the real devices, allow Start, and start a run that was asked for."""
        self.form.set_devices(info.devices)
        self._show_state(self.state)
        self._announce_device()
        if self._start_pending:
            self._start_pending = False
            self._start_now()

    @Slot(object)
    def _on_torch_failed(self, error: BaseException) -> None:
        self._start_pending = False
        self.progress.show_text(self.tr("Training is off"))
        self._show_state(self.state)
        self.banner.show_message(BannerKind.ERROR, messages.torch_failed_text(describe_error(error)))

    @Slot()
    def _announce_device(self) -> None:
        device = self.form.device_combo.currentData()
        if device is not None:
            self._training.set_chosen_device(device)

    # User intent ---------------------------------------------------------------------------

    @Slot()
    def start(self) -> None:
        """Start a run with the form's recipe; while PyTorch loads, as soon as it has."""
        if self.state is not RunState.IDLE or self._start_pending or self._torch.state is LoaderState.FAILED:
            return
        if self._torch.state is LoaderState.LOADED:
            self._start_now()
            return
        self._start_pending = True
        self.banner.dismiss()
        self.progress.start(self.tr("Starting when PyTorch has loaded…"))
        self._notices.show_status(self.tr("Starting when PyTorch has loaded… (Stop cancels)"))
        self._show_state(self.state)

    def _start_now(self) -> None:
        config = self.form.config()  # read now: the devices are listed once PyTorch has loaded
        self.banner.dismiss()
        self.charts.start_run(config.epochs, messages.run_name(config))
        self._run = self._finished = None
        self.last_step = 0
        self.progress.start(self.tr("Preparing data and model…"))
        if self._training.start(config):
            self._say_running(config)

    def _say_running(self, config: TrainingConfig) -> None:
        self._notices.show_status(self.tr("Training {arch}…").format(arch=messages.run_name(config)))

    @Slot()
    def toggle_pause(self) -> None:
        """Pause a running run, or resume a paused one."""
        if self.state is RunState.RUNNING:
            self._training.pause()
            self.progress.show_paused()
            self._notices.show_status(self.tr("Training paused; Resume continues it"))
        elif self.state is RunState.PAUSED:
            self._training.resume()
            self.log.add(messages.resumed_line())
            if self._run is not None:
                self._say_running(self._run.config)

    @Slot()
    def stop(self) -> None:
        """Ask the run to end before its next step (it saves a resumable checkpoint); or cancel a pending start."""
        if self._start_pending:
            self._start_pending = False
            self.progress.show_text(self.tr("Start canceled"))
            self._notices.show_status(self.tr("Start canceled"))
            self._show_state(self.state)
        elif self.state in (RunState.RUNNING, RunState.PAUSED):
            self._training.stop()
            self.progress.show_text(self.tr("Stopping…"), busy=True)
            self._notices.show_status(self.tr("Stopping: saving a resumable checkpoint…"))

    # Records of the run --------------------------------------------------------------------

    @Slot(object)
    def _on_started(self, record: RunStarted) -> None:
        self._run = record
        self.log.add(messages.started_line(record))

    @Slot(object)
    def _on_progress(self, record: object) -> None:
        if isinstance(record, StepProgress):
            self.charts.add_steps(record)
            self.last_step = record.step
            if self.state is not RunState.STOPPING:
                self.progress.show_step(record, paused=self.state is RunState.PAUSED)
        elif isinstance(record, EpochProgress):
            self.charts.add_epoch(record)
            self.log.add(messages.epoch_line(record))
        elif isinstance(record, PausedProgress):
            self.last_step = record.step
            self.log.add(messages.paused_line(record.step))
        elif isinstance(record, CompilationFailed):
            self.log.add(messages.compilation_failed_line(record.error))
        elif isinstance(record, CompilationFailed):
            self.log.add(messages.compilation_failed_line(record.error))

    @Slot(object)
    def _on_finished(self, record: TrainingFinished) -> None:
        self.charts.redraw()
        self._finished = record
        self.last_step = record.step
        if self._run is not None and record.checkpoint_path is not None:
            self.charts.name_run(messages.run_name(self._run.config, record.checkpoint_path))
        message = messages.finished_text(record)
        self.log.add(message)
        self.progress.show_finished(record)
        problem = messages.save_problem_text(record)
        if problem is None:
            self.banner.show_message(_BANNER_KINDS[record.status], message)
        else:  # the model was kept elsewhere (or nowhere): say so, and offer to put it where the user wants
            self.log.add(problem)
            kept = record.checkpoint_path
            offer = (self.tr("Save as…"), lambda: self._save_copy(kept)) if kept is not None else None
            self.banner.show_message(BannerKind.ERROR, problem, offer)
        self._notices.show_status(problem or message)

    def _save_copy(self, source: Path) -> None:
        target = ask_checkpoint_save_path(self, Path.home() / source.name)
        if target is None:
            return
        try:
            copy_checkpoint(source, target)
        except OSError as error:
            self._notices.show_error(self.tr("Cannot save checkpoint"), describe_error(error))
            return
        self._notices.show_status(self.tr("Checkpoint saved to {path}").format(path=target))

    @Slot(object)
    def _on_failed(self, error: BaseException) -> None:
        self.charts.redraw()
        reason = describe_error(error)
        self.progress.show_text(self.tr("Failed"))
        self.log.add(messages.error_line(reason))
        self.banner.show_message(BannerKind.ERROR, messages.failed_text(reason))
        self._notices.show_status(messages.failed_text(reason))

    def export_header(self) -> list[str]:
        """The lines above exported charts: a title, the model (and its result), the recipe."""
        return messages.charts_header(self._run, self._finished)


def _lay_out(tab: TrainTab) -> MessageBanner:
    """Form and controls on the left; progress, then the charts over the log on the right. Returns the banner."""
    left = QWidget()
    left_layout = QVBoxLayout(left)
    left_layout.setContentsMargins(0, 0, 6, 0)
    left_layout.addWidget(tab.form)
    left_layout.addWidget(tab.controls)
    left_layout.addStretch(1)
    scroll = QScrollArea()
    scroll.setWidget(left)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QScrollArea.Shape.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroll.setFixedWidth(FORM_WIDTH)

    chart_panel = QWidget()
    chart_layout = QVBoxLayout(chart_panel)
    chart_layout.setContentsMargins(0, 0, 0, 0)
    chart_layout.addWidget(tab.charts, 1)
    chart_layout.addWidget(tab.show_previous_check, 0, Qt.AlignmentFlag.AlignRight)
    splitter = QSplitter(Qt.Orientation.Vertical)
    splitter.setChildrenCollapsible(False)
    splitter.addWidget(chart_panel)
    splitter.addWidget(tab.log)
    splitter.setStretchFactor(0, 3)
    splitter.setStretchFactor(1, 1)
    splitter.setSizes([520, 160])
    banner = MessageBanner(chart_panel)  # floats over the charts: a message never pushes them down
    banner.setObjectName("trainMessage")
    right = QVBoxLayout()
    right.addWidget(tab.progress)
    right.addWidget(splitter, 1)

    layout = QHBoxLayout(tab)
    layout.addWidget(scroll)
    layout.addLayout(right, 1)
    return banner
