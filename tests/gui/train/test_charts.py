"""The live charts: records append to long-lived curves, the previous run stays as an overlay."""

from __future__ import annotations

import math

import pytest

from mnist_studio.core.progress import EpochProgress, StepProgress
from mnist_studio.gui.train.charts import TrainingCharts
from mnist_studio.gui.train.plot_parts import Series


def steps(first: int, losses: list[float], total_steps: int = 100, epochs: int = 2) -> StepProgress:
    last = first + len(losses) - 1
    return StepProgress(
        epoch=1 + (last - 1) * epochs // total_steps,
        epochs=epochs,
        step=last,
        total_steps=total_steps,
        first_step=first,
        losses=tuple(losses),
        learning_rate=1e-3,
        images_per_second=1000.0,
        eta_seconds=1.0,
        elapsed_seconds=1.0,
    )


def epoch(number: int, accuracy: float) -> EpochProgress:
    return EpochProgress(
        epoch=number, epochs=2, step=50 * number, train_loss=0.5, val_loss=0.4, val_accuracy=accuracy, seconds=1.0
    )


def points(curve) -> int:
    x, _ = curve.getData()
    return 0 if x is None else len(x)


@pytest.fixture
def charts(qtbot) -> TrainingCharts:
    widget = TrainingCharts()
    qtbot.addWidget(widget)
    return widget


def test_series_grows_past_its_buffer() -> None:
    series = Series()
    series.extend(list(range(1000)), [2.0 * value for value in range(1000)])
    series.extend([1000.0], [2000.0])
    assert len(series) == 1001 and series.x[-1] == 1000 and series.y[500] == 1000


def test_steps_and_epochs_reach_their_curves_in_epoch_units(charts: TrainingCharts) -> None:
    curves = (charts.raw_loss_curve, charts.smooth_loss_curve, charts.val_loss_curve, charts.val_accuracy_curve)
    charts.start_run(epochs=2)
    charts.add_steps(steps(1, [2.0, 1.0, 0.5]))
    charts.add_epoch(epoch(1, 0.9))
    charts.redraw()
    raw_x, raw_y = charts.raw_loss_curve.xData, charts.raw_loss_curve.yData  # as given, before the log axis
    assert raw_x.tolist() == pytest.approx([0.02, 0.04, 0.06])  # 50 steps per epoch
    assert raw_y.tolist() == [2.0, 1.0, 0.5]
    smooth_y = charts.smooth_loss_curve.yData
    assert smooth_y[0] == pytest.approx(2.0)  # bias-corrected: the first point is the first loss
    assert 0.5 < smooth_y[-1] < 2.0
    assert charts.val_accuracy_curve.getData()[1].tolist() == [pytest.approx(90.0)]
    assert all(curve in charts.loss_plot.getPlotItem().items or curve in charts.accuracy_plot.getPlotItem().items for curve in curves)


def test_redraws_are_batched_by_a_timer(qtbot, charts: TrainingCharts) -> None:
    charts.start_run(epochs=2)
    for first in range(1, 30, 3):
        charts.add_steps(steps(first, [1.0, 1.0, 1.0]))
    assert points(charts.raw_loss_curve) == 0  # nothing drawn yet: the timer will
    qtbot.waitUntil(lambda: points(charts.raw_loss_curve) == 30)


def test_a_new_run_keeps_the_previous_one_as_an_overlay(charts: TrainingCharts) -> None:
    charts.start_run(epochs=2)
    charts.add_steps(steps(1, [2.0, 1.0]))
    charts.add_epoch(epoch(1, 0.8))
    charts.start_run(epochs=2)
    charts.redraw()
    assert points(charts.raw_loss_curve) == 0
    assert points(charts.previous_loss_curve) == 2
    assert charts.previous_accuracy_curve.getData()[1].tolist() == [pytest.approx(80.0)]
    charts.set_show_previous(False)
    assert points(charts.previous_loss_curve) == 0


def shown_loss_ticks(charts: TrainingCharts) -> dict[float, str]:
    """The loss axis's labelled ticks as drawn: true value (10**position) -> its label."""
    axis = charts.loss_plot.getPlotItem().getAxis("left")
    labelled = {}
    for spacing, positions in axis.tickValues(axis.range[0], axis.range[1], 400):
        for position, label in zip(positions, axis.tickStrings(positions, axis.autoSIPrefixScale * axis.scale, spacing)):
            if label:
                labelled[10.0**position] = label
    return labelled


def label_value(label: str) -> float:
    """``"0.05"`` -> 0.05, ``"10⁸"`` -> 1e8, ``"5×10⁸"`` -> 5e8."""
    mantissa, times, power = label.partition("×")
    if not times:
        mantissa, power = "1", label
    if power.startswith("10") and len(power) > 2 and not power[2:].isascii():
        return float(mantissa) * 10.0 ** int(power[2:].translate(str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")))
    return float(label)


@pytest.mark.parametrize("worst_loss", [0.3, 40.0, 5.8e8, 3e15], ids=["converging", "high", "diverged", "exploded"])
def test_loss_ticks_show_the_true_values_at_any_magnitude(qtbot, charts: TrainingCharts, worst_loss: float) -> None:
    charts.resize(900, 400)
    charts.show()
    charts.start_run(epochs=2)
    charts.add_steps(steps(1, [2.3, worst_loss, worst_loss / 2, 0.05]))
    charts.add_epoch(EpochProgress(epoch=1, epochs=2, step=50, train_loss=1.0, val_loss=75.6, val_accuracy=0.1, seconds=1.0))
    charts.redraw()
    axis = charts.loss_plot.getPlotItem().getAxis("left")
    qtbot.waitUntil(lambda: axis.range[1] >= math.log10(max(worst_loss, 75.6)))
    assert "(x" not in axis.labelString()  # no scale factor in the title: a loss has no unit to prefix
    ticks = shown_loss_ticks(charts)
    assert len(ticks) >= 2
    for value, label in ticks.items():
        assert label_value(label) == pytest.approx(value, rel=1e-6), (label, value)
    visible = [value for value in ticks if axis.range[0] <= math.log10(value) <= axis.range[1]]
    assert min(visible) <= 75.6 <= max(visible)  # the validation loss sits between true labels


def legend_labels(plot) -> list[str]:
    return [label.text for _, label in plot.getPlotItem().legend.items]


def test_the_previous_run_is_named_in_the_legend(charts: TrainingCharts) -> None:
    charts.start_run(epochs=2, name="MLP, 2 epochs")
    charts.add_steps(steps(1, [2.0, 1.0]))
    charts.add_epoch(epoch(1, 0.8))
    charts.name_run("MLP · mlp-20251128-140312")  # once its checkpoint is written
    charts.start_run(epochs=2, name="LeNet-5, 2 epochs")
    assert "previous: MLP · mlp-20251128-140312" in legend_labels(charts.loss_plot)
    assert "previous: MLP · mlp-20251128-140312" in legend_labels(charts.accuracy_plot)


def test_the_accuracy_axis_never_goes_past_100_percent(qtbot, charts: TrainingCharts) -> None:
    charts.resize(900, 400)
    charts.show()
    charts.start_run(epochs=3)
    charts.add_epoch(epoch(1, 0.95))  # one point: autoscaling around it alone would reach 105%
    charts.redraw()
    view = charts.accuracy_plot.getPlotItem().vb
    qtbot.waitUntil(lambda: view.viewRange()[1][0] < 95)
    assert view.viewRange()[1][1] <= 101


def test_exported_charts_carry_a_header(qtbot, charts: TrainingCharts, tmp_path) -> None:
    from PySide6.QtGui import QImage

    charts.resize(800, 300)
    charts.show()
    plain, headed = tmp_path / "plain.png", tmp_path / "headed.png"
    assert charts.save_png(str(plain)) and charts.save_png(str(headed), ["MNIST Studio · training charts", "LeNet-5", "3 epochs"])
    plain_image, headed_image = QImage(str(plain)), QImage(str(headed))
    assert headed_image.width() == plain_image.width() and headed_image.height() > plain_image.height() + 40
    header = headed_image.copy(0, 0, headed_image.width(), headed_image.height() - plain_image.height())
    assert len({header.pixel(x, y) for x in range(0, header.width(), 2) for y in range(header.height())}) > 2  # text
