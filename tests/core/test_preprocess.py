"""MNIST-style preprocessing: polarity, noise, cropping, 20 px box, centre of mass, stroke width, files."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image, ImageDraw

from mnist_studio.core import preprocess
from mnist_studio.core.constants import IMAGE_SIZE
from mnist_studio.core.data import load_mnist, normalise
from mnist_studio.core.preprocess import (
    ImageError,
    PreprocessedDigit,
    load_image_file,
    preprocess_array,
    preprocess_file,
    rank_filter,
    stroke_width,
)

CANVAS = 280


@pytest.fixture(scope="module")
def test_digits() -> np.ndarray:
    """The first 100 MNIST test images, uint8 (100, 28, 28)."""
    return load_mnist().test_images[:100].numpy()


def draw(digit: np.ndarray, size: int, top: int, left: int, pen: int = 1) -> np.ndarray:
    """An MNIST digit redrawn on a black 280x280 canvas: white strokes, longer side ``size`` px."""
    rows, columns = np.flatnonzero(digit.any(1)), np.flatnonzero(digit.any(0))
    crop = digit[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1]
    scale = size / max(crop.shape)
    shape = (max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale)))
    strokes = np.asarray(Image.fromarray(crop).resize(shape, Image.Resampling.BILINEAR)) >= 128
    canvas = np.zeros((CANVAS, CANVAS), dtype=np.float32)
    canvas[top : top + shape[1], left : left + shape[0]] = strokes
    return (rank_filter(canvas, pen, largest=True) * 255).astype(np.uint8)


def correlation(first: np.ndarray, second: np.ndarray) -> float:
    return float(np.corrcoef(first.ravel().astype(float), second.ravel().astype(float))[0, 1])


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    ys, xs = np.mgrid[0:IMAGE_SIZE, 0:IMAGE_SIZE]
    mass = image.astype(float).sum()
    return float((ys * image).sum() / mass), float((xs * image).sum() / mass)


def test_the_result_is_a_28x28_uint8_image_and_its_normalised_tensor(test_digits: np.ndarray) -> None:
    digit = preprocess_array(draw(test_digits[0], 200, 40, 40, pen=9))
    assert isinstance(digit, PreprocessedDigit) and not digit.empty
    assert digit.image.shape == (28, 28) and digit.image.dtype == np.uint8
    assert digit.image.max() == 255 and digit.image[0].max() == 0  # light ink on a black frame
    assert not digit.image.flags.writeable  # shared across threads: nobody may change it
    assert digit.tensor.shape == (1, 1, 28, 28) and digit.tensor.dtype == torch.float32
    assert torch.equal(digit.tensor, normalise(torch.from_numpy(digit.image.copy())[None]))


def test_an_mnist_image_stays_as_it_is(test_digits: np.ndarray) -> None:
    # MNIST digits are already normalised: preprocessing must not move, rescale or restyle them.
    differences = [np.abs(preprocess_array(image).image.astype(float) - image).mean() for image in test_digits]
    assert np.median(differences) < 1.5
    assert np.mean(np.array(differences) < 5) >= 0.9


def test_a_digit_shrunk_into_a_corner_gives_the_same_image_as_the_centred_one(test_digits: np.ndarray) -> None:
    for image in test_digits[:20]:
        canvas = draw(image, 200, 40, 40, pen=9)
        shrunk = np.zeros_like(canvas)
        shrunk[5:145, 135:275] = np.asarray(Image.fromarray(canvas).resize((140, 140), Image.Resampling.BILINEAR))
        redrawn_small = draw(image, 100, 170, 5, pen=5)
        centred = preprocess_array(canvas).image
        for other in (shrunk, redrawn_small):
            # Like MNIST, digits are centred to the nearest pixel: a centre of mass near a
            # half pixel may round either way, so allow a one-pixel shift.
            assert similarity_up_to_one_pixel(preprocess_array(other).image, centred) > 0.95


def similarity_up_to_one_pixel(first: np.ndarray, second: np.ndarray) -> float:
    return max(
        correlation(np.roll(first, (dy, dx), axis=(0, 1)), second) for dy in (-1, 0, 1) for dx in (-1, 0, 1)
    )


def test_the_centre_of_mass_lies_at_the_frame_centre(test_digits: np.ndarray) -> None:
    for number, image in enumerate(test_digits[:20]):
        digit = preprocess_array(draw(image, 100 + 4 * number, 3 * number, 100 - 5 * number, pen=7))
        centre_y, centre_x = centre_of_mass(digit.image)
        assert abs(centre_y - 14) <= 1 and abs(centre_x - 14) <= 1


def test_the_longer_side_of_the_ink_is_20_pixels_and_the_aspect_ratio_is_kept() -> None:
    outline = np.zeros((CANVAS, CANVAS), dtype=np.uint8)
    outline[30:250, 100:210] = 255  # a 220 x 110 frame drawn with a 15 px pen
    outline[45:235, 115:195] = 0
    rows, columns = np.nonzero(preprocess_array(outline).image)
    assert rows.max() - rows.min() + 1 == 20
    assert columns.max() - columns.min() + 1 == 10


def test_dark_ink_on_paper_is_inverted_to_light_ink_on_black(test_digits: np.ndarray) -> None:
    canvas = draw(test_digits[3], 180, 50, 60, pen=11)
    light = preprocess_array(canvas).image
    dark = preprocess_array(255 - canvas).image
    assert dark[0].max() == 0 and dark.max() == 255
    assert correlation(light, dark) > 0.98


def test_a_photo_with_uneven_light_noise_and_jpeg_reads_like_the_clean_drawing(test_digits: np.ndarray) -> None:
    ink = draw(test_digits[5], 170, 60, 50, pen=9).astype(np.float32) / 255
    rng = np.random.default_rng(0)
    ys, xs = np.mgrid[0:CANVAS, 0:CANVAS] / CANVAS
    paper = 235 - 90 * xs - 40 * (ys - 0.5) ** 2  # lit from the left, darker to the right
    photo = paper * (1 - ink) + 40 * ink + rng.normal(0, 6, ink.shape)
    stream = io.BytesIO()
    Image.fromarray(np.clip(photo, 0, 255).astype(np.uint8)).convert("RGB").save(stream, "JPEG", quality=60)
    jpeg = np.asarray(Image.open(stream))
    clean = preprocess_array((ink * 255).astype(np.uint8)).image
    assert correlation(preprocess_array(jpeg).image, clean) > 0.9


def test_grey_rgb_and_rgba_give_the_same_digit(test_digits: np.ndarray) -> None:
    grey = draw(test_digits[7], 190, 45, 45, pen=9)
    expected = preprocess_array(grey).image
    rgb = np.dstack([grey] * 3)
    white_ink = np.dstack([np.full_like(grey, 255)] * 3 + [grey])  # transparent canvas, opaque ink
    black_ink = np.dstack([np.zeros_like(grey)] * 3 + [grey])
    opaque = np.dstack([grey] * 3 + [np.full_like(grey, 255)])
    for pixels in (rgb, white_ink, black_ink, opaque, grey[:, :, None]):
        assert correlation(preprocess_array(pixels).image, expected) > 0.98


@pytest.mark.parametrize(
    "pixels",
    [
        np.zeros((CANVAS, CANVAS), dtype=np.uint8),
        np.full((CANVAS, CANVAS), 255, dtype=np.uint8),
        np.full((CANVAS, CANVAS), 128, dtype=np.uint8),
        np.random.default_rng(1).integers(0, 25, (CANVAS, CANVAS)).astype(np.uint8),
        (255 - np.random.default_rng(2).integers(0, 25, (CANVAS, CANVAS))).astype(np.uint8),
        np.pad(np.full((4, 4), 255, dtype=np.uint8), ((100, 176), (50, 226))),  # one speck
        np.zeros((CANVAS, CANVAS, 4), dtype=np.uint8),  # fully transparent
        np.zeros((1, 1), dtype=np.uint8),
    ],
    ids=["black", "white", "grey", "faint-noise", "faint-noise-on-white", "speck", "transparent", "1x1"],
)
def test_nothing_drawn_is_empty(pixels: np.ndarray) -> None:
    digit = preprocess_array(pixels)
    assert digit.empty and digit.tensor is None
    assert digit.image.shape == (28, 28) and not digit.image.any()


def test_faint_noise_around_a_digit_is_dropped(test_digits: np.ndarray) -> None:
    canvas = draw(test_digits[9], 150, 70, 60, pen=9)
    noisy = np.clip(canvas + np.random.default_rng(3).integers(0, 30, canvas.shape), 0, 255).astype(np.uint8)
    assert correlation(preprocess_array(noisy).image, preprocess_array(canvas).image) > 0.97


def test_a_stray_speck_far_from_the_digit_does_not_shrink_it(test_digits: np.ndarray) -> None:
    canvas = draw(test_digits[11], 150, 100, 100, pen=9)
    expected = preprocess_array(canvas).image
    canvas[5:9, 5:9] = 255
    assert np.array_equal(preprocess_array(canvas).image, expected)


@pytest.mark.parametrize("pen", [3, 45], ids=["thin-pen", "thick-pen"])
def test_strokes_of_any_pen_end_up_about_as_wide_as_mnist_strokes(pen: int) -> None:
    zero, seven = Image.new("L", (CANVAS, CANVAS)), Image.new("L", (CANVAS, CANVAS))
    ImageDraw.Draw(zero).ellipse((70, 30, 210, 250), outline=255, width=pen)
    ImageDraw.Draw(seven).line([(60, 40), (220, 40), (110, 250)], fill=255, width=pen, joint="curve")
    for drawing in (zero, seven):
        projected = stroke_width(np.asarray(drawing) / 255) * 20 / 220
        width = stroke_width(preprocess_array(np.asarray(drawing)).image / 255)
        assert preprocess.STROKE_RANGE[0] <= width <= preprocess.STROKE_RANGE[1]
        assert abs(width - preprocess.TARGET_STROKE) < abs(projected - preprocess.TARGET_STROKE)


def test_an_image_of_the_wrong_type_or_shape_is_refused() -> None:
    for pixels in (np.zeros((5, 5), dtype=np.float32), np.zeros((0, 5), dtype=np.uint8), np.zeros((5, 5, 5), np.uint8)):
        with pytest.raises(ValueError, match="uint8 image"):
            preprocess_array(pixels)


def test_rank_filter_takes_the_maximum_or_minimum_over_a_square() -> None:
    values = np.zeros((9, 9), dtype=np.float32)
    values[4, 4] = 1
    assert rank_filter(values, 3, largest=True)[3:6, 3:6].all() and rank_filter(values, 3, largest=True).sum() == 9
    assert not rank_filter(values, 3, largest=False).any()


def save(pixels: np.ndarray, path: Path, **options: object) -> Path:
    Image.fromarray(pixels).save(path, **options)
    return path


def test_image_files_load_as_grey(tmp_path: Path, test_digits: np.ndarray) -> None:
    grey = draw(test_digits[13], 200, 40, 40, pen=9)
    assert np.array_equal(load_image_file(save(grey, tmp_path / "grey.png")), grey)
    assert np.array_equal(load_image_file(save(np.dstack([grey] * 3), tmp_path / "rgb.bmp")), grey)
    assert np.abs(load_image_file(save(grey, tmp_path / "grey.jpg")).astype(int) - grey).mean() < 3
    rgba = np.dstack([np.zeros_like(grey)] * 3 + [grey])  # black ink on a transparent canvas
    assert np.array_equal(load_image_file(save(rgba, tmp_path / "rgba.png")), 255 - grey)
    sixteen_bit = Image.fromarray(grey.astype(np.uint16) * 257)
    sixteen_bit.save(tmp_path / "sixteen.png")
    assert np.array_equal(load_image_file(tmp_path / "sixteen.png"), grey)


def test_a_file_gives_the_same_digit_as_its_pixels(tmp_path: Path, test_digits: np.ndarray) -> None:
    grey = draw(test_digits[15], 200, 40, 40, pen=9)
    assert np.array_equal(preprocess_file(save(grey, tmp_path / "digit.png")).image, preprocess_array(grey).image)


def test_a_photo_is_turned_upright_by_its_exif_orientation(tmp_path: Path) -> None:
    pixels = np.zeros((20, 40), dtype=np.uint8)
    pixels[:, :10] = 255
    image = Image.fromarray(pixels)
    exif = image.getexif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to view"
    image.save(tmp_path / "rotated.jpg", exif=exif, quality=95)
    loaded = load_image_file(tmp_path / "rotated.jpg")
    assert loaded.shape == (40, 20) and loaded[:10].mean() > 200 and loaded[20:].mean() < 50


def expect_image_error(path: Path, words: str) -> str:
    with pytest.raises(ImageError, match=words) as caught:
        load_image_file(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    return message


def test_unreadable_files_raise_one_line_image_errors(tmp_path: Path) -> None:
    expect_image_error(tmp_path / "missing.png", "file not found")
    expect_image_error(tmp_path, "folder")
    (tmp_path / "notes.png").write_text("this is text, not a picture\n")
    expect_image_error(tmp_path / "notes.png", "not an image")
    (tmp_path / "empty.png").write_bytes(b"")
    expect_image_error(tmp_path / "empty.png", "not an image")
    # PostScript is refused unread: Pillow would hand it to Ghostscript.
    (tmp_path / "drawing.eps").write_text("%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n")
    expect_image_error(tmp_path / "drawing.eps", "not an image")
    whole = save(np.random.default_rng(4).integers(0, 256, (64, 64), dtype=np.uint8), tmp_path / "whole.png")
    (tmp_path / "cut.png").write_bytes(whole.read_bytes()[:600])
    expect_image_error(tmp_path / "cut.png", "truncated or corrupt")
    with pytest.raises(ImageError):
        preprocess_file(tmp_path / "cut.png")


def test_an_absurdly_large_image_is_refused_before_decoding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = save(np.zeros((100, 200), dtype=np.uint8), tmp_path / "large.png")
    monkeypatch.setattr(preprocess, "MAX_IMAGE_PIXELS", 10_000)
    expect_image_error(path, r"too large \(200x100 pixels")


def test_a_large_photo_is_reduced_before_processing(test_digits: np.ndarray) -> None:
    small = draw(test_digits[17], 200, 40, 40, pen=9)
    large = np.asarray(Image.fromarray(small).resize((2800, 2800), Image.Resampling.NEAREST))
    assert correlation(preprocess_array(large).image, preprocess_array(small).image) > 0.95


def test_importing_preprocessing_does_not_import_torch() -> None:
    code = "import sys, mnist_studio.core.preprocess; print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
