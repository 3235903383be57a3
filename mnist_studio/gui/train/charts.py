"""Live training charts: loss per step and per epoch, validation accuracy, the previous run faded.

Each series is one long-lived pyqtgraph item. Records only append to buffers; a single-shot
timer redraws at most ``REDRAW_HZ`` times a second, so bursts of records cost one repaint.
"""

from __future__ import annotations

import math

from typing import Sequence

import pyqtgraph as pg
from PySide6.QtCore import QTimer, Slot
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QHBoxLayout, QWidget

from mnist_studio.core.progress import EpochProgress, StepProgress
from mnist_studio.gui.common.exported_image import captioned
from mnist_studio.gui.train.plot_parts import LossAxis, Series

REDRAW_HZ = 15
SMOOTHING_POINTS = 50  # the smoothed loss averages over total_steps / 50 steps (between 2 and 50)
EMPTY_LOSS_RANGE = (math.log10(0.02), math.log10(3.0))  # the loss plot's y axis is log10
EMPTY_ACCURACY_RANGE = (80.0, 100.0)
ACCURACY_MARGIN = 1.0  # room for a marker at 0% or 100%
TRAIN_COLOUR = "#1f6fd1"
VALIDATION_COLOUR = "#e8710a"
PREVIOUS_COLOUR = "#8a8f98"


def _colour(name: str, alpha: int = 255) -> QColor:
    colour = QColor(name)
    colour.setAlpha(alpha)
    return colour


def _curve(
    plot: pg.PlotWidget,
    name: str | None,
    colour: QColor,
    width: float,
    *,
    symbol: bool = False,
    dashed: bool = False,
) -> pg.PlotDataItem:
    """One long-lived series of ``plot``: a line, optionally dashed or with round markers."""
    pen = pg.mkPen(colour, width=width)
    if dashed:
        pen.setDashPattern([4, 3])
    options = {}
    if symbol:
        options = {"symbol": "o", "symbolSize": 7, "symbolBrush": colour, "symbolPen": pg.mkPen(colour)}
    curve = pg.PlotDataItem(pen=pen, name=name, antialias=width > 1, **options)
    plot.getPlotItem().addItem(curve)
    return curve


class TrainingCharts(QWidget):
    """The Train tab's two plots: ``lossPlot`` (per step and per epoch) and ``accuracyPlot``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trainingCharts")
        self.loss_plot = self._make_plot("lossPlot", self.tr("Loss"), self.tr("loss (log scale)"), LossAxis("left"))
        self.loss_plot.getPlotItem().setLogMode(y=True)
        self.accuracy_plot = self._make_plot("accuracyPlot", self.tr("Validation accuracy"), self.tr("accuracy (%)"))
        # No accuracy is above 100%: autoscaling around one point (95%) would otherwise show up to 105%.
        self.accuracy_plot.getPlotItem().vb.setLimits(yMin=-ACCURACY_MARGIN, yMax=100 + ACCURACY_MARGIN)
        self._loss_legend = self._legend(self.loss_plot, offset=(-8, 8))
        self._accuracy_legend = self._legend(self.accuracy_plot, offset=(-8, -8))

        self.raw_loss_curve = _curve(self.loss_plot, self.tr("training, per step"), _colour(TRAIN_COLOUR, 60), 1)
        self.raw_loss_curve.setDownsampling(auto=True, method="peak")
        self.raw_loss_curve.setClipToView(True)
        self.smooth_loss_curve = _curve(self.loss_plot, self.tr("training, smoothed"), _colour(TRAIN_COLOUR), 2)
        self.val_loss_curve = _curve(self.loss_plot, self.tr("validation"), _colour(VALIDATION_COLOUR), 2, symbol=True)
        self.val_accuracy_curve = _curve(
            self.accuracy_plot, self.tr("validation"), _colour(VALIDATION_COLOUR), 2, symbol=True
        )
        self.previous_loss_curve = _curve(self.loss_plot, None, _colour(PREVIOUS_COLOUR, 170), 2, dashed=True)
        self.previous_accuracy_curve = _curve(
            self.accuracy_plot, None, _colour(PREVIOUS_COLOUR, 170), 2, dashed=True, symbol=True
        )
        # Per-step lines grow with the run: an unreduced antialiased 40k-point line costs ~65 ms a
        # frame (docs/BENCHMARKS.md §3); subsampling to the view's width keeps it near 10 ms.
        for curve in (self.smooth_loss_curve, self.previous_loss_curve):
            curve.setDownsampling(auto=True, method="subsample")
            curve.setClipToView(True)

        self._raw = Series()
        self._smooth = Series()
        self._val_loss = Series()
        self._val_accuracy = Series()
        self._previous_loss = Series()
        self._previous_accuracy = Series()
        self._average = 0.0
        self._averaged_steps = 0
        self._smoothing = 0.0
        self._steps_changed = self._epochs_changed = False
        self._show_previous = True
        self._run_name = self._previous_name = ""

        self._redraw_timer = QTimer(self)
        self._redraw_timer.setSingleShot(True)
        self._redraw_timer.setInterval(1000 // REDRAW_HZ)
        self._redraw_timer.timeout.connect(self.redraw)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.loss_plot, 3)
        layout.addWidget(self.accuracy_plot, 2)
        self.set_epochs(1)

    def _make_plot(self, name: str, title: str, y_label: str, y_axis: pg.AxisItem | None = None) -> pg.PlotWidget:
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        axes = {"left": y_axis} if y_axis is not None else {}
        plot = pg.PlotWidget(background=palette.color(QPalette.ColorRole.Base), axisItems=axes, enableMenu=False)
        plot.setObjectName(name)
        plot.setAccessibleName(title)
        plot.setMinimumSize(240, 200)
        item = plot.getPlotItem()
        item.setTitle(title, color=text.name(), size="10pt")
        item.setLabel("bottom", self.tr("epoch"), color=text.name())
        item.setLabel("left", y_label, color=text.name())
        item.showGrid(x=True, y=True, alpha=0.12)
        item.hideButtons()
        for axis in ("left", "bottom"):
            item.getAxis(axis).setPen(pg.mkPen(_colour(text.name(), 110)))
            item.getAxis(axis).setTextPen(pg.mkPen(text))
        item.vb.setMouseEnabled(x=False, y=False)
        return plot

    def _legend(self, plot: pg.PlotWidget, offset: tuple[int, int]) -> pg.LegendItem:
        palette = self.palette()
        background = QColor(palette.color(QPalette.ColorRole.Base))
        background.setAlpha(215)
        text = palette.color(QPalette.ColorRole.WindowText)
        return plot.getPlotItem().addLegend(
            offset=offset,
            labelTextSize="8pt",
            labelTextColor=text,
            brush=pg.mkBrush(background),
            pen=pg.mkPen(_colour(text.name(), 40)),
        )

    def set_epochs(self, epochs: int) -> None:
        """Fix the x axes to ``0..epochs`` so a run fills the plots from left to right."""
        step = max(1, math.ceil(epochs / 10))  # whole epochs, at most about ten labels
        # Until data arrives the y axes show typical MNIST ranges; then they follow the data.
        for plot, minor, empty_y in (
            (self.loss_plot, step / 2, EMPTY_LOSS_RANGE),
            (self.accuracy_plot, step, EMPTY_ACCURACY_RANGE),
        ):
            item = plot.getPlotItem()
            item.getAxis("bottom").setTickSpacing(major=step, minor=minor)
            item.setXRange(0, max(1, epochs), padding=0.04)
            item.setYRange(*empty_y, padding=0)
            item.enableAutoRange(y=True)

    def start_run(self, epochs: int, name: str = "") -> None:
        """Begin a new run called ``name``: the current one (if any) becomes the faded previous run."""
        if len(self._smooth):
            self._previous_loss.copy_from(self._smooth)
            self._previous_accuracy.copy_from(self._val_accuracy)
            self._previous_name = self._run_name
        self._run_name = name
        for series in (self._raw, self._smooth, self._val_loss, self._val_accuracy):
            series.clear()
        self._average, self._averaged_steps = 0.0, 0
        self._steps_changed = self._epochs_changed = True
        self.set_epochs(epochs)
        self.redraw()
        self._draw_previous()

    def name_run(self, name: str) -> None:
        """Rename the current run (e.g. once its checkpoint has a name); the legend uses it once it is the previous run."""
        self._run_name = name

    def previous_name(self) -> str:
        """What the legend calls the previous run."""
        return self._previous_name

    def set_show_previous(self, show: bool) -> None:
        """Show or hide the previous run's overlay."""
        self._show_previous = show
        self._draw_previous()

    def add_steps(self, record: StepProgress) -> None:
        """Append a step record's losses (x in epochs)."""
        steps_per_epoch = record.total_steps / record.epochs
        xs = [(record.first_step + offset) / steps_per_epoch for offset in range(len(record.losses))]
        if self._averaged_steps == 0:
            window = min(50.0, max(2.0, record.total_steps / SMOOTHING_POINTS))
            self._smoothing = 1 - 1 / window
        smoothed = []
        for loss in record.losses:  # exponential moving average, bias-corrected for the first steps
            self._averaged_steps += 1
            self._average = self._smoothing * self._average + (1 - self._smoothing) * loss
            smoothed.append(self._average / (1 - self._smoothing**self._averaged_steps))
        self._raw.extend(xs, list(record.losses))
        self._smooth.extend(xs, smoothed)
        self._steps_changed = True
        self._schedule_redraw()

    def add_epoch(self, record: EpochProgress) -> None:
        """Append an epoch's validation loss and accuracy."""
        self._val_loss.extend([record.epoch], [record.val_loss])
        self._val_accuracy.extend([record.epoch], [100 * record.val_accuracy])
        self._epochs_changed = True
        self._schedule_redraw()

    def _schedule_redraw(self) -> None:
        if not self._redraw_timer.isActive():
            self._redraw_timer.start()

    @Slot()
    def redraw(self) -> None:
        """Push changed buffers to their curves now (the timer calls this; exports may too).

        Only what changed is set: the accuracy plot repaints once per epoch, not per step record.
        """
        self._redraw_timer.stop()
        if self._steps_changed:
            self.raw_loss_curve.setData(self._raw.x, self._raw.y)
            self.smooth_loss_curve.setData(self._smooth.x, self._smooth.y)
        if self._epochs_changed:
            self.val_loss_curve.setData(self._val_loss.x, self._val_loss.y)
            self.val_accuracy_curve.setData(self._val_accuracy.x, self._val_accuracy.y)
        self._steps_changed = self._epochs_changed = False

    def _draw_previous(self) -> None:
        shown = self._show_previous and len(self._previous_loss) > 0
        for curve, series, legend in (
            (self.previous_loss_curve, self._previous_loss, self._loss_legend),
            (self.previous_accuracy_curve, self._previous_accuracy, self._accuracy_legend),
        ):
            if shown:
                curve.setData(series.x, series.y)
            else:
                curve.setData([], [])
            legend.removeItem(curve)
            if shown:
                label = self.tr("previous: {name}").format(name=self._previous_name) if self._previous_name else self.tr("previous run")
                legend.addItem(curve, label)

    def save_png(self, path: str, header: list[str] = ()) -> bool:
        """Write both plots, as shown, under the lines of ``header`` (title first, in bold) to a PNG file.

        False when it cannot be written.
        """
        self.redraw()
        return captioned(self.grab().toImage(), header, self.palette()).save(path, "PNG")

