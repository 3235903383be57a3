"""Training inside the app vs headless, event-loop stalls while training, chart redraw cost.

The real ``MainWindow`` runs offscreen; the benchmark sets the Train tab's widgets by object
name and clicks Start, then waits for the run to finish. Rounds alternate an in-app run and a
headless ``Trainer`` run of the same config in the same process. Meanwhile a 10 ms precise
QTimer records the gaps between its ticks (an idle loop shows ~10 ms; a stall, more).
Chart redraw cost is measured apart on a ``TrainingCharts`` of the in-app size holding N points.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import _common
import _gui

GOAL_RELATIVE_SPEED = 0.90
GOAL_P99_MS = 50.0
REDRAW_POINTS = (430, 4_300, 43_000)  # one, ten and a hundred LeNet5 epochs at batch 128


def configure_form(window: object, arch: str, images: int) -> None:
    """Pick ``arch`` with its default recipe, one epoch, a quick run on ``images`` images, CPU."""
    from PySide6.QtWidgets import QCheckBox, QComboBox, QSpinBox

    _gui.select_data(_gui.child(window, QComboBox, "architectureCombo"), arch)
    _gui.child(window, QSpinBox, "epochsSpin").setValue(1)
    _gui.child(window, QCheckBox, "quickRunCheck").setChecked(True)
    _gui.child(window, QSpinBox, "subsetSpin").setValue(images)
    _gui.select_data(_gui.child(window, QComboBox, "deviceCombo"), "cpu")


class PaintCounter:
    """Counts paint events of a widget (frames the chart actually drew)."""

    def __init__(self, widget: object) -> None:
        from PySide6.QtCore import QEvent, QObject

        counter = self

        class Filter(QObject):
            def eventFilter(self, _watched: object, event: QEvent) -> bool:  # noqa: N802 - Qt override
                if event.type() == QEvent.Type.Paint:
                    counter.count += 1
                return False

        self.count = 0
        self._filter = Filter()
        widget.installEventFilter(self._filter)


def gui_run(window: object, gaps: _gui.TimerGaps, all_gaps: list[float], frames: PaintCounter,
            frame_rates: list[float]) -> float:
    """Click Start and wait for the run's end; returns its training images/s."""
    from PySide6.QtWidgets import QPushButton

    frames.count = 0
    gaps.start()
    started = time.perf_counter()
    _gui.child(window, QPushButton, "startButton").click()
    (record,) = _gui.wait_for(window.context.training.runFinished, timeout_seconds=600)
    wall = time.perf_counter() - started
    all_gaps.extend(gaps.stop())
    frame_rates.append(frames.count / wall)
    if record.status != "completed":
        raise RuntimeError(f"in-app run did not complete: {record.status.value} {record.divergence}")
    _gui.run_event_loop(0.2)  # let the thread wind down before the next round
    return record.images_per_second


def headless_run(config: object, folder: Path) -> float:
    """The same config through the engine with no event loop; returns training images/s."""
    return _common.run_to_completion(config, folder / "headless.pt").images_per_second


def redraw_cost(window: object, repeats: int) -> list[list[str]]:
    """Median ms per frame for a TrainingCharts of the window's size holding N noisy loss points.

    Each frame first receives one step record of 10 new losses, as during training, so the
    redraw pushes changed data (setData) and the plots repaint (paint).
    """
    import numpy as np

    from mnist_studio.core.progress import StepProgress
    from mnist_studio.gui.train.charts import TrainingCharts

    size = _gui.train_tab(window).charts.size()
    rng = np.random.default_rng(0)
    rows = []
    for points in REDRAW_POINTS:
        per_frame = 10
        total_steps = points + repeats * per_frame
        epochs = max(1, points // 430)
        losses = (2.0 / (1 + 0.01 * np.arange(1, total_steps + 1))) * rng.lognormal(0, 0.3, total_steps)

        def record(first: int, count: int) -> StepProgress:
            return StepProgress(
                epoch=1, epochs=epochs, step=first + count - 1, total_steps=total_steps, first_step=first,
                losses=tuple(losses[first - 1 : first - 1 + count].tolist()), learning_rate=1e-3,
                images_per_second=0.0, eta_seconds=0.0, elapsed_seconds=0.0,
            )

        charts = TrainingCharts()
        charts.resize(size)
        charts.show()
        charts.start_run(epochs=epochs)
        for first in range(1, points + 1, 100):
            charts.add_steps(record(first, min(100, points - first + 1)))
        _gui.run_event_loop(0.1)
        set_data, paint = [], []
        for frame in range(repeats):
            charts.add_steps(record(points + 1 + frame * per_frame, per_frame))
            started = time.perf_counter()
            charts.redraw()
            drawn = time.perf_counter()
            for plot in (charts.loss_plot, charts.accuracy_plot):
                plot.viewport().repaint()
            set_data.append((drawn - started) * 1000)
            paint.append((time.perf_counter() - drawn) * 1000)
        charts.close()
        charts.deleteLater()
        total = [a + b for a, b in zip(set_data, paint)]
        rows.append(
            [f"{points:,}", f"{size.width()}x{size.height()}", f"{_common.median(set_data):.1f}",
             f"{_common.median(paint):.1f}", f"{_common.median(total):.1f}", f"{_common.percentile(total, 95):.1f}"]
        )
    return rows


def main() -> None:
    """Drive the window, alternate in-app and headless runs; print the three tables."""
    parser = _common.parser(__doc__.splitlines()[0], repeats=3)
    parser.add_argument("--arch", nargs="+", default=["lenet5", "mlp"], help="architectures (default lenet5 mlp)")
    parser.add_argument("--images", type=int, default=12_800, help="training images per run (default 12,800)")
    parser.add_argument(
        "--threads", type=int, nargs="+", default=None,
        help="CPU thread counts to compare (default: the engine's default only); other counts replace the "
        "engine's default for the in-app run",
    )
    parser.add_argument("--redraw-repeats", type=int, default=20, help="frames per chart size (default 20)")
    arguments = parser.parse_args()
    _gui.isolate_environment()
    _common.print_header("Training in the app vs headless; event-loop stalls; chart redraws", arguments)
    window = _gui.main_window()

    from mnist_studio.core import training
    from mnist_studio.core.devices import default_cpu_threads

    engine_default = default_cpu_threads()
    gaps = _gui.TimerGaps()
    gaps.start()
    _gui.run_event_loop(1.0)
    idle_gaps = gaps.stop()
    frames = PaintCounter(_gui.train_tab(window).charts.loss_plot.viewport())
    speed_rows, stall_rows = [], []
    with tempfile.TemporaryDirectory() as folder:
        for threads in arguments.threads or [engine_default]:
            training.default_cpu_threads = lambda threads=threads: threads  # what the in-app run will use
            for arch in arguments.arch:
                configure_form(window, arch, arguments.images)
                config = _gui.train_tab(window).form.config()
                headless_config = type(config).from_dict(config.to_dict() | {"threads": threads})
                run_gaps: list[float] = []
                frame_rates: list[float] = []
                print(f"{arch}, {threads} threads:", file=sys.stderr)
                results = _common.interleaved(
                    {
                        "in app": lambda: gui_run(window, gaps, run_gaps, frames, frame_rates),
                        "headless": lambda: headless_run(headless_config, Path(folder)),
                    },
                    arguments.repeats,
                )
                in_app, headless = _common.median(results["in app"]), _common.median(results["headless"])
                ratio = in_app / headless
                speed_rows.append(
                    [arch, threads, config.batch_size, f"{in_app:,.0f}", f"{headless:,.0f}", f"{ratio:.0%}",
                     "met" if ratio >= GOAL_RELATIVE_SPEED else "MISSED"]
                )
                p99 = _common.percentile(run_gaps, 99)
                stall_rows.append(
                    [f"training {arch}, {threads} threads", len(run_gaps), f"{_common.median(run_gaps):.1f}",
                     f"{p99:.1f}", f"{max(run_gaps):.0f}", f"{_common.median(frame_rates):.1f}",
                     "met" if p99 < GOAL_P99_MS else "MISSED"]
                )
    training.default_cpu_threads = default_cpu_threads
    stall_rows.insert(
        0,
        ["idle window", len(idle_gaps), f"{_common.median(idle_gaps):.1f}", f"{_common.percentile(idle_gaps, 99):.1f}",
         f"{max(idle_gaps):.0f}", "-", "-"],
    )
    redraw_rows = redraw_cost(window, arguments.redraw_repeats)
    window.close()
    print()
    _common.print_table(
        ["arch", "threads", "batch", "in app images/s", "headless images/s", "in app / headless", "goal >= 90%"],
        speed_rows,
    )
    print()
    _common.print_table(
        ["10 ms timer while", "ticks", "gap p50 ms", "gap p99 ms", "gap max ms", "chart frames/s", "goal p99 < 50 ms"],
        stall_rows,
    )
    print()
    _common.print_table(
        ["loss points", "chart size", "setData ms", "paint ms", "frame ms (median)", "frame ms p95"], redraw_rows
    )
    print(
        f"\n{arguments.images:,} training images per run, 1 epoch, default recipe; images/s = training steps only "
        "(TrainingFinished.images_per_second); medians of interleaved rounds."
    )


if __name__ == "__main__":
    main()
