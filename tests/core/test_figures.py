"""The exported gallery figure: nine titled images and the accuracy, as a PNG of a known size."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from mnist_studio.core.files import OutputPathError, OutputProblem
from mnist_studio.core.figures import FIGURE_PIXELS, accuracy_footer, gallery_title, save_gallery_figure


def digits(count: int) -> list[np.ndarray]:
    """Black 28x28 images with a white bar, like a drawn 1."""
    image = np.zeros((28, 28), dtype=np.uint8)
    image[4:24, 13:15] = 255
    return [image] * count


def test_titles_and_footer_read_like_the_tutorial() -> None:
    assert gallery_title(7, 7) == "Ground Truth: 7 / Predict: 7"
    assert accuracy_footer(0.9858, 9858, 10_000) == "Test accuracy: 98.58% (9,858 / 10,000 images)"


@pytest.mark.parametrize("count", [9, 4])
def test_writes_a_png_of_the_documented_size(tmp_path: Path, count: int) -> None:
    folder = tmp_path / "figures"
    folder.mkdir()
    path = save_gallery_figure(
        folder / "gallery.png", digits(count), list(range(count)), [0] * count, accuracy_footer(0.5, 5, 10)
    )
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.size == FIGURE_PIXELS
        # The grid holds dark images on a white page: plenty of both.
        grey = np.asarray(image.convert("L"))
    assert (grey > 250).mean() > 0.3 and (grey < 5).mean() > 0.1
    assert [p.name for p in folder.iterdir()] == ["gallery.png"]  # no temporary file left behind


def test_an_unwritable_place_raises_and_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "gallery.png"
    target.write_bytes(b"previous")
    with pytest.raises(OSError):
        save_gallery_figure(tmp_path / "missing" / "gallery.png", digits(9), [1] * 9, [1] * 9, "footer")
    assert target.read_bytes() == b"previous"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
def test_a_fifo_is_refused_before_it_is_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "gallery.png"
    os.mkfifo(fifo)
    with pytest.raises(OutputPathError) as raised:
        save_gallery_figure(fifo, digits(9), [1] * 9, [1] * 9, "footer")
    assert raised.value.reason is OutputProblem.NOT_REGULAR
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and [p.name for p in tmp_path.iterdir()] == ["gallery.png"]


def test_a_header_names_what_the_figure_shows_above_the_grid(tmp_path: Path) -> None:
    args = (digits(9), list(range(9)), [0] * 9, accuracy_footer(0.5, 5, 10))
    plain = save_gallery_figure(tmp_path / "plain.png", *args)
    headed = save_gallery_figure(tmp_path / "headed.png", *args, ["MNIST Studio · test images", "LeNet-5 · lenet5.pt", "3 epochs"])
    with Image.open(plain) as image:
        plain_grey = np.asarray(image.convert("L"))
    with Image.open(headed) as image:
        assert image.size == FIGURE_PIXELS  # same size: the grid makes room
        headed_grey = np.asarray(image.convert("L"))
    def grid_top(grey: np.ndarray) -> int:  # the first row through the images (a third of it dark)
        return int(np.argmax((grey < 5).mean(axis=1) > 0.3))

    assert grid_top(headed_grey) > grid_top(plain_grey) + 50  # the grid moved down, making room
    assert (headed_grey[: grid_top(headed_grey) - 30] < 128).mean() > 0.02  # for three lines of text
