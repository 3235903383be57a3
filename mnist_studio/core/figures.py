"""The tutorial's figure done properly: nine test images titled with truth and prediction.

Rendered with matplotlib's object API on the Agg canvas, so no pyplot global state and no
GUI toolkit are involved; matplotlib is imported only when a figure is made.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Sequence

import numpy as np

from mnist_studio.core.files import atomic_write_bytes

GALLERY_SIZE = 9
FIGURE_INCHES = (6.4, 7.2)
FIGURE_DPI = 100
FIGURE_PIXELS = (round(FIGURE_INCHES[0] * FIGURE_DPI), round(FIGURE_INCHES[1] * FIGURE_DPI))  # (width, height)
MISTAKE_COLOUR = "#d32f2f"
HEADER_LINE = 0.032  # a header line's height, as a fraction of the figure's


def gallery_title(label: int, prediction: int) -> str:
    """The title of one gallery image, as in the tutorial: "Ground Truth: 7 / Predict: 7"."""
    return f"Ground Truth: {label} / Predict: {prediction}"


def accuracy_footer(accuracy: float, correct: int, total: int) -> str:
    """The line under the gallery: "Test accuracy: 98.58% (9,858 / 10,000 images)"."""
    return f"Test accuracy: {accuracy:.2%} ({correct:,} / {total:,} images)"


def save_gallery_figure(
    path: Path | str,
    images: Sequence[np.ndarray],
    labels: Sequence[int],
    predictions: Sequence[int],
    footer: str,
    header: Sequence[str] = (),
) -> Path:
    """Write up to nine 28x28 images in a 3x3 grid with titles and ``footer`` as a PNG of FIGURE_PIXELS.

    ``header`` lines (a title first, in bold; then e.g. the model and its recipe) go above the
    grid. Mistakes get red titles. The file is replaced atomically (:mod:`mnist_studio.core.files`);
    raises ``OutputPathError`` (an ``OSError``) when it cannot be written.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=FIGURE_INCHES, dpi=FIGURE_DPI)
    FigureCanvasAgg(figure)
    axes = figure.subplots(3, 3)
    for index, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if index >= len(images):
            ax.set_axis_off()
            continue
        label, prediction = int(labels[index]), int(predictions[index])
        ax.imshow(images[index], cmap="gray", interpolation="none", vmin=0, vmax=255)
        colour = MISTAKE_COLOUR if label != prediction else "black"
        ax.set_title(gallery_title(label, prediction), fontsize=9.5, color=colour)
    for number, line in enumerate(header):
        figure.text(
            0.5, 1 - HEADER_LINE * (number + 0.9), line, ha="center", va="center",
            fontsize=11 if number == 0 else 8.5, fontweight="bold" if number == 0 else "normal",
        )  # fmt: skip
    top = 0.95 - HEADER_LINE * len(header)
    figure.subplots_adjust(left=0.04, right=0.96, top=top, bottom=0.1, wspace=0.15, hspace=0.3)
    figure.text(0.5, 0.035, footer, ha="center", va="center", fontsize=12)
    png = io.BytesIO()
    figure.savefig(png, format="png", dpi=FIGURE_DPI)
    return atomic_write_bytes(path, png.getvalue(), create_folder=False)  # a save dialog names an existing folder
