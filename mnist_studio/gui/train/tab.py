"""The Train tab: choose a recipe, start, pause and stop a run, and watch it learn live.

The run itself belongs to the shared :class:`~mnist_studio.gui.services.training.TrainingService`;
this tab forwards the user's intent to it and shows the records it announces.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

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
from mnist_studio.gui.services.context import AppContext
from mnist_studio.gui.services.errors import describe_error
from mnist_studio.gui.services.torch_loader import TorchInfo
from mnist_studio.gui.services.training import RunState
from mnist_studio.gui.train import messages
from mnist_studio.gui.train.charts import TrainingCharts
from mnist_studio.gui.train.controls import RunControls
from mnist_studio.gui.train.form import TrainingForm
from mnist_studio.gui.train.run_log import RunLog

FORM_WIDTH = 330
_BANNER_KINDS = {RunStatus.COMPLETED: BannerKind.SUCCESS, RunStatus.STOPPED: BannerKind.INFO, RunStatus.FAILED: BannerKind.ERROR}


class TrainTab(QWidget):
    """Recipe form, Start / Pause-Resume / Stop, progress, live charts and a run log."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trainTab")
        self._training = context.training
        self._notices = context.notices
        self._torch_ready = False
        self.last_step = 0
        self.form = TrainingForm()
        self.charts = TrainingCharts()
        self.controls = RunControls()
        self.progress_bar = QProgressBar(objectName="trainProgress")
        self.progress_bar.setAccessibleName(self.tr("Training progress"))
        self.progress_bar.setTextVisible(True)
        self.progress_bar.setFormat(self.tr("Ready"))
        self.progress_bar.setValue(0)
        self.stats_label = QLabel(objectName="trainStats")
        self.stats_label.setMinimumWidth(230)
        self.stats_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.banner = MessageBanner()
        self.banner.setObjectName("trainMessage")
        self.show_previous_check = QCheckBox(self.tr("Show previous run"), objectName="showPreviousCheck")
        self.show_previous_check.setChecked(True)
        self.show_previous_check.toggled.connect(self.charts.set_show_previous)
        self.log = RunLog()
        self._build_layout()

        self.controls.start_action.triggered.connect(self.start)
        self.controls.pause_action.triggered.connect(self.toggle_pause)
        self.controls.stop_action.triggered.connect(self.stop)
        self.form.device_combo.currentIndexChanged.connect(self._announce_device)
        self._training.stateChanged.connect(self._show_state)
        self._training.runStarted.connect(self._on_started)
        self._training.progress.connect(self._on_progress)
        self._training.runFinished.connect(self._on_finished)
        self._training.runFailed.connect(self._on_failed)
        context.torch_loader.loaded.connect(self.set_torch_info)
        context.torch_loader.failed.connect(self._on_torch_failed)
        self._show_state(self._training.state)

    def _build_layout(self) -> None:
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 6, 0)
        left_layout.addWidget(self.form)
        left_layout.addWidget(self.controls)
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

    @property
    def state(self) -> RunState:
        """Where the run is (the training service's state)."""
        return self._training.state

    @Slot(object)
    def _show_state(self, state: RunState) -> None:
        self.controls.show_state(state, torch_ready=self._torch_ready)
        self.form.setEnabled(state is RunState.IDLE)

    @Slot(object)
    def set_torch_info(self, info: TorchInfo) -> None:
        """Torch is loaded: list the real devices and allow Start."""
        self.form.set_devices(info.devices)
        self._torch_ready = True
        self._show_state(self.state)
        self._announce_device()

    @Slot(object)
    def _on_torch_failed(self, error: BaseException) -> None:
        self.banner.show_message(BannerKind.ERROR, messages.torch_failed_text(describe_error(error)))

    @Slot()
    def _announce_device(self) -> None:
        device = self.form.device_combo.currentData()
        if device is not None:
            self._training.set_chosen_device(device)

    # User intent ---------------------------------------------------------------------------

    @Slot()
    def start(self) -> None:
        """Start a run with the form's recipe (ignored unless idle and torch is loaded)."""
        if self.state is not RunState.IDLE or not self._torch_ready:
            return
        config = self.form.config()
        self.banner.dismiss()
        self.charts.start_run(config.epochs)
        self.last_step = 0
        self.progress_bar.setRange(0, 0)  # busy until the first record: data and model are being prepared
        self.progress_bar.setFormat(self.tr("Preparing data…"))
        self.stats_label.clear()
        if self._training.start(config):
            self._notices.show_status(self.tr("Training {arch}…").format(arch=config.arch))

    @Slot()
    def toggle_pause(self) -> None:
        """Pause a running run, or resume a paused one."""
        if self.state is RunState.RUNNING:
            self._training.pause()
            self.progress_bar.setFormat(messages.with_paused(self.progress_bar.format()))
        elif self.state is RunState.PAUSED:
            self._training.resume()
            self.log.add(messages.resumed_line())

    @Slot()
    def stop(self) -> None:
        """Ask the run to end before its next step; it saves a resumable checkpoint."""
        if self.state in (RunState.RUNNING, RunState.PAUSED):
            self._training.stop()
            self.progress_bar.setFormat(self.tr("Stopping…"))

    # Records of the run --------------------------------------------------------------------

    @Slot(object)
    def _on_started(self, record: RunStarted) -> None:
        self.log.add(messages.started_line(record))

    @Slot(object)
    def _on_progress(self, record: object) -> None:
        if isinstance(record, StepProgress):
            self.charts.add_steps(record)
            self.last_step = record.step
            if self.state is not RunState.STOPPING:
                self.progress_bar.setRange(0, record.total_steps)
                self.progress_bar.setValue(record.step)
                self.progress_bar.setFormat(messages.step_text(record, paused=self.state is RunState.PAUSED))
                self.stats_label.setText(messages.speed_text(record))
        elif isinstance(record, EpochProgress):
            self.charts.add_epoch(record)
            self.log.add(messages.epoch_line(record))
        elif isinstance(record, PausedProgress):
            self.last_step = record.step
            self.log.add(messages.paused_line(record.step))
        elif isinstance(record, CompilationFailed):
            self.log.add(messages.compilation_failed_line(record.error))

    def _end_run(self) -> None:
        self.charts.redraw()
        self.progress_bar.setRange(0, max(1, self.progress_bar.maximum()))

    @Slot(object)
    def _on_finished(self, record: TrainingFinished) -> None:
        self._end_run()
        self.last_step = record.step
        message = messages.finished_text(record)
        self.log.add(message)
        if record.status is RunStatus.COMPLETED:
            self.progress_bar.setValue(self.progress_bar.maximum())
            self.stats_label.setText(messages.finished_speed_text(record))
        self.progress_bar.setFormat(messages.finished_bar_text(record))
        self.banner.show_message(_BANNER_KINDS[record.status], message)
        self._notices.show_status(message)

    @Slot(object)
    def _on_failed(self, error: BaseException) -> None:
        self._end_run()
        reason = describe_error(error)
        self.progress_bar.setFormat(self.tr("Failed"))
        self.log.add(messages.error_line(reason))
        self.banner.show_message(BannerKind.ERROR, messages.failed_text(reason))
        self._notices.show_status(messages.failed_text(reason))
