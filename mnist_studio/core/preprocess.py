"""MNIST-style preprocessing of drawn and photographed digits.

MNIST digits are light ink on black, scaled so the longer side of the ink is 20 px and placed
in a 28x28 frame with their centre of mass at the centre. A canvas drawing or a photo must be
brought to the same form before a model can read it: resizing a whole 280x280 canvas to 28x28
reads small or off-centre drawings badly. Importing this module does not import torch.
"""

from __future__ import annotations

import functools
import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from mnist_studio.core.constants import IMAGE_SIZE

if TYPE_CHECKING:
    import torch

DIGIT_BOX = 20  # MNIST fits the ink into 20x20 and centres it in the 28x28 frame
FRAME_CENTRE = IMAGE_SIZE / 2  # where MNIST's centres of mass lie (index coordinates, measured)
# Raster formats only: Pillow's EPS and PDF readers would run Ghostscript on a stranger's file.
IMAGE_FORMATS = ("PNG", "JPEG", "BMP", "GIF", "TIFF", "WEBP", "PPM", "TGA", "ICO")  # JPEG covers MPO photos
MAX_IMAGE_PIXELS = 50_000_000  # larger decoded images are refused, not loaded
WORKING_SIDE = 1024  # larger inputs are reduced first: the result is only 20 px tall anyway
POLARITY_SIDE = 32  # the thumbnail that decides polarity and background (lighting is smooth)
MIN_INK_CONTRAST = 40.0  # ink fainter than this (of 255) above its background is noise
BACKGROUND_ROUNDS = 4  # refits of the background surface, each without the pixels that stand out
INK_THRESHOLD = 0.25  # of the ink's own level: fainter pixels away from strokes are noise
SPECK_FRACTION = 0.04  # ink spanning less than this fraction of the image is a speck
STRAY_MASS_FRACTION = 0.02  # ink islands lighter than this share of all ink are dropped
TARGET_STROKE = 2.4  # median stroke width of MNIST digits at 28x28, by stroke_width()
STROKE_RANGE = (1.3, 4.0)  # MNIST digits in this range of stroke_width() (~97% of them) are left as they are
STROKE_WORKING_SCALE = 4  # strokes are thinned or thickened at 4x the final 20 px box
MAX_THINNING = 0.3  # thinning by more than this breaks a stroke's narrower parts apart

_RGB_WEIGHTS = np.array([0.299, 0.587, 0.114], dtype=np.float32)  # ITU-R 601 luma, as Pillow's "L"


class ImageError(Exception):
    """An image file is missing, not an image, unreadable or too large; the message is one line."""


@dataclass(frozen=True)
class PreprocessedDigit:
    """A digit in MNIST form: ``image`` (28, 28) uint8 light-on-black and the model's input.

    ``tensor`` is the normalised (1, 1, 28, 28) float32 input, ``None`` when ``empty`` (nothing drawn).
    """

    image: np.ndarray
    tensor: "torch.Tensor | None"
    empty: bool


def load_image_file(path: Path | str) -> np.ndarray:
    """Read an image file (PNG, JPEG, BMP, ...) as grey uint8 (H, W); raises ``ImageError``.

    Transparent areas are composited as in :func:`preprocess_array`; EXIF rotation is applied.
    """
    path = Path(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(path, formats=IMAGE_FORMATS)
    except FileNotFoundError:
        raise ImageError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise ImageError(f"{path}: is a folder, not an image file") from None
    except PermissionError:
        raise ImageError(f"{path}: permission denied") from None
    except Image.DecompressionBombError:
        raise ImageError(f"{path}: the image is too large to open") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise ImageError(f"{path}: not an image file (PNG, JPEG, BMP, GIF, TIFF or WebP)") from None
    with image:
        # A JPEG decodes straight at 1/2, 1/4 or 1/8 scale: phone photos need no full decode.
        image.draft("L", (WORKING_SIDE, WORKING_SIDE))
        width, height = image.size
        if width * height > MAX_IMAGE_PIXELS:
            raise ImageError(
                f"{path}: the image is too large ({width}x{height} pixels; "
                f"the limit is {MAX_IMAGE_PIXELS // 1_000_000} megapixels)"
            )
        try:
            image.load()
            pixels = _image_pixels(ImageOps.exif_transpose(image))
        except Exception:  # Pillow's decoders raise many types on corrupt data
            raise ImageError(f"{path}: the image is truncated or corrupt") from None
    return np.rint(_grey(pixels)).astype(np.uint8)


def preprocess_file(path: Path | str) -> PreprocessedDigit:
    """Read an image file and preprocess it (see :func:`preprocess_array`); raises ``ImageError``."""
    return preprocess_array(load_image_file(path))


def preprocess_array(pixels: np.ndarray) -> PreprocessedDigit:
    """Turn a uint8 image (H, W), (H, W, 3) RGB or (H, W, 4) RGBA into an MNIST-style digit.

    Polarity is detected (dark ink on paper is inverted), faint noise and stray specks are
    dropped, the ink is scaled to a 20 px box with MNIST-like strokes and centred by mass.
    """
    grey = _grey(_limit_size(_check_pixels(pixels)))
    ink = _ink(grey)
    box = _ink_box(ink) if ink is not None else None
    if box is None:
        return _empty_digit()
    top, bottom, left, right = box
    image = _place(_normalise_strokes(ink[top:bottom, left:right]))
    if image is None:
        return _empty_digit()
    from mnist_studio.core.data import normalise  # imports torch: keep it off the start-up path
    import torch

    tensor = normalise(torch.from_numpy(image)[None])
    image.setflags(write=False)
    return PreprocessedDigit(image=image, tensor=tensor, empty=False)


def _empty_digit() -> PreprocessedDigit:
    image = np.zeros((IMAGE_SIZE, IMAGE_SIZE), dtype=np.uint8)
    image.setflags(write=False)
    return PreprocessedDigit(image=image, tensor=None, empty=True)


def _check_pixels(pixels: np.ndarray) -> np.ndarray:
    pixels = np.asarray(pixels)
    channels_ok = pixels.ndim == 2 or (pixels.ndim == 3 and pixels.shape[2] in (1, 2, 3, 4))
    if pixels.dtype != np.uint8 or not channels_ok or min(pixels.shape[:2], default=0) < 1:
        raise ValueError(
            f"expected a uint8 image of shape (H, W) or (H, W, 1-4), got {pixels.dtype} {pixels.shape}"
        )
    return pixels


def _image_pixels(image: Image.Image) -> np.ndarray:
    """A loaded Pillow image as a uint8 array: grey, RGB or RGBA (16-bit and float scaled)."""
    if image.mode in ("I", "F") or image.mode.startswith("I;16"):
        values = np.asarray(image, dtype=np.float32)
        peak = float(values.max(initial=0.0))
        scale = 255.0 if peak <= 1.0 else 255.0 / 65535.0 if peak <= 65535 else 255.0 / peak
        return np.clip(values * scale, 0, 255).astype(np.uint8)
    if "A" in image.mode or "a" in image.mode or "transparency" in image.info:
        return np.asarray(image.convert("RGBA"))
    return np.asarray(image if image.mode == "L" else image.convert("RGB" if image.mode != "1" else "L"))


def _limit_size(pixels: np.ndarray) -> np.ndarray:
    height, width = pixels.shape[:2]
    factor = math.ceil(max(height, width) / WORKING_SIDE)
    if factor <= 1:
        return pixels
    squeezed = pixels[:, :, 0] if pixels.ndim == 3 and pixels.shape[2] == 1 else pixels
    if squeezed.ndim == 3 and squeezed.shape[2] == 2:  # Pillow has no grey+alpha array mode
        squeezed = np.dstack([squeezed[:, :, :1].repeat(3, axis=2), squeezed[:, :, 1:]])
    return np.asarray(Image.fromarray(np.ascontiguousarray(squeezed)).reduce(factor))


def _grey(pixels: np.ndarray) -> np.ndarray:
    """Float32 grey (0-255) of a uint8 image; transparent areas take the colour opposite the ink.

    A canvas with a transparent background carries the drawing in its alpha channel, whatever
    the ink colour: composited onto a contrasting background, the ink stays visible.
    """
    if pixels.ndim == 2:
        return pixels.astype(np.float32)
    channels = pixels.shape[2]
    colour = pixels[:, :, : 3 if channels >= 3 else 1].astype(np.float32)
    grey = colour @ _RGB_WEIGHTS if colour.shape[2] == 3 else colour[:, :, 0]
    if channels not in (2, 4):
        return grey
    alpha = pixels[:, :, -1].astype(np.float32) / 255.0
    if alpha.min() >= 1.0:
        return grey
    opaque_mass = float(alpha.sum())
    ink_brightness = float((grey * alpha).sum()) / opaque_mass if opaque_mass > 0 else 0.0
    background = 0.0 if ink_brightness > 127.5 else 255.0
    return grey * alpha + background * (1.0 - alpha)


def rank_filter(values: np.ndarray, size: int, *, largest: bool) -> np.ndarray:
    """Maximum (``largest``) or minimum over each ``size`` x ``size`` square (edges repeated)."""
    if size <= 1:
        return values
    extreme = np.maximum if largest else np.minimum
    padding = ((size - 1) // 2, size // 2)
    rows = _running_extreme(np.pad(values, (padding, (0, 0)), mode="edge"), size, extreme)
    return _running_extreme(np.pad(rows.T, (padding, (0, 0)), mode="edge"), size, extreme).T


def _running_extreme(values: np.ndarray, size: int, extreme: np.ufunc) -> np.ndarray:
    """Extreme over each run of ``size`` rows, by doubling spans: O(log size) array operations."""
    count = len(values) - size + 1
    span = 1
    while span * 2 <= size:
        values = extreme(values[:-span], values[span:])
        span *= 2
    return extreme(values[:count], values[size - span : size - span + count])


def _thumbnail(grey: np.ndarray) -> np.ndarray:
    height, width = grey.shape
    scale = POLARITY_SIDE / max(height, width)
    if scale >= 1:
        return grey
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return np.asarray(Image.fromarray(grey).resize(size, Image.Resampling.BOX))


# Powers (of x, of y) of the cubic background surface's terms.
_SURFACE_POWERS = [(total - power, power) for total in range(4) for power in range(total + 1)]


def _surface_coordinates(count: int, thumbnail_count: int) -> np.ndarray:
    """Pixel centres along one axis of an image, on the thumbnail's -0.5..0.5 scale."""
    centres = (np.arange(count) + 0.5) * (thumbnail_count / count) - 0.5
    return centres / max(thumbnail_count - 1, 1) - 0.5


@functools.lru_cache(maxsize=8)
def _surface_terms(height: int, width: int) -> np.ndarray:
    """Each term of the cubic surface at each pixel of a thumbnail: (height * width, 10)."""
    ys, xs = np.meshgrid(_surface_coordinates(height, height), _surface_coordinates(width, width), indexing="ij")
    return np.stack([xs.ravel() ** x_power * ys.ravel() ** y_power for x_power, y_power in _SURFACE_POWERS], axis=1)


def _background(small: np.ndarray, shape: tuple[int, int]) -> tuple[np.ndarray, float]:
    """The paper or canvas under light ink, at ``shape``: a cubic surface fitted to ``small``.

    A smooth surface follows a lighting gradient, vignetting or a soft shadow, yet cannot bend
    around strokes however thick the pen. The fit starts from the darker half of the pixels and
    then keeps those within three noise spreads of the surface. Returns it with that bound.
    """
    design = _surface_terms(*small.shape)
    values = small.ravel().astype(np.float64)
    keep = values <= np.median(values)
    ridge = 1e-6 * np.eye(design.shape[1])  # keeps tiny or one-row images solvable
    for _ in range(BACKGROUND_ROUNDS):
        chosen = design[keep]
        # Normal equations: numpy's lstsq is needlessly slow on a busy machine for 10 unknowns.
        coefficients = np.linalg.solve(chosen.T @ chosen + ridge, chosen.T @ values[keep])
        residual = values - design @ coefficients
        bound = max(3.0 * 1.4826 * float(np.median(np.abs(residual[keep]))), 2.0)
        keep = residual < bound
    # Evaluated directly at full size: cheaper and smoother than resizing the thumbnail's surface.
    ys = _surface_coordinates(shape[0], small.shape[0])
    xs = _surface_coordinates(shape[1], small.shape[1])
    rows = np.zeros((4, shape[1]), dtype=np.float32)
    for (x_power, y_power), coefficient in zip(_SURFACE_POWERS, coefficients):
        rows[y_power] += coefficient * xs**x_power
    column = ys[:, None].astype(np.float32)
    surface = column * rows[3] + rows[2]  # Horner's rule in y, in place: no BLAS, few temporaries
    for y_power in (1, 0):
        surface *= column
        surface += rows[y_power]
    return surface, bound


def _ink(grey: np.ndarray) -> np.ndarray | None:
    """Ink strength 0-1 (light-on-dark, background and faint noise at 0), or None for no ink.

    Ink is what stands out from the background (see :func:`_background`) by a quarter of the
    ink's own level, so JPEG noise and paper texture do not, plus the pixel ring around it that
    holds a stroke's anti-aliased edge.
    """
    small = _thumbnail(grey)
    # The border, not the whole image, says what the background looks like: a thick pen may
    # cover more than half of a canvas.
    band = max(1, round(min(small.shape) * 0.06))
    border = np.concatenate(
        [small[:band].ravel(), small[-band:].ravel(), small[:, :band].ravel(), small[:, -band:].ravel()]
    )
    reference = float(np.median(border))
    if reference - float(small.min()) > float(small.max()) - reference:  # dark ink on paper
        grey, small = 255.0 - grey, 255.0 - small
    background, noise = _background(small, grey.shape)
    ink = grey - background
    peak = float(ink.max())
    if peak < MIN_INK_CONTRAST:
        return None
    level = float(np.median(ink[ink > 0.5 * peak]))
    if level < MIN_INK_CONTRAST:
        return None
    strong = rank_filter((ink >= INK_THRESHOLD * level).view(np.uint8), 3, largest=True)
    ink *= strong & (ink > noise)
    return np.clip(ink / level, 0.0, 1.0, out=ink)


def _kept_span(profile: np.ndarray) -> tuple[int, int] | None:
    """First and past-last index of the ink along one axis, ignoring light separate islands."""
    inked = profile > 0
    edges = np.flatnonzero(np.diff(np.concatenate([[False], inked, [False]]).astype(np.int8)))
    starts, ends = edges[::2], edges[1::2]
    if len(starts) == 0:
        return None
    masses = np.array([profile[start:end].sum() for start, end in zip(starts, ends)])
    kept = np.flatnonzero(masses >= STRAY_MASS_FRACTION * masses.sum())
    return int(starts[kept[0]]), int(ends[kept[-1]])


def _ink_box(ink: np.ndarray) -> tuple[int, int, int, int] | None:
    """(top, bottom, left, right) of the ink without stray specks; None when only a speck is left."""
    columns = _kept_span(ink.sum(axis=0))
    if columns is None:
        return None
    left, right = columns
    rows = _kept_span(ink[:, left:right].sum(axis=1))
    if rows is None:
        return None
    top, bottom = rows
    extent = max(bottom - top, right - left)
    if extent < max(2, SPECK_FRACTION * max(ink.shape)):
        return None
    return top, bottom, left, right


def stroke_width(ink: np.ndarray) -> float:
    """Mean stroke width in px of an ink map: area over half the perimeter of the ink >= 0.5.

    Pixel-edge counting overestimates a perimeter by 4/pi on average over directions.
    """
    inked = np.pad(ink >= 0.5, 1).astype(np.int8)
    edges = int(np.abs(np.diff(inked, axis=0)).sum() + np.abs(np.diff(inked, axis=1)).sum())
    return 8.0 * int(inked.sum()) / (math.pi * edges) if edges else 0.0


def _normalise_strokes(ink: np.ndarray) -> np.ndarray:
    """Thin or thicken the strokes so that at 20 px they are about as wide as MNIST's.

    People draw with pens of any width; scaled to 20 px a thick pen closes a digit's loops and
    a thin one fades away. Returns the re-cropped ink, at 4x the final scale when changed.
    """
    height, width = ink.shape
    projected = stroke_width(ink) * DIGIT_BOX / max(height, width)
    if STROKE_RANGE[0] <= projected <= STROKE_RANGE[1]:
        return ink
    thick = projected > STROKE_RANGE[1]
    target = max(TARGET_STROKE, projected * (1 - MAX_THINNING)) if thick else TARGET_STROKE
    change = round(abs(projected - target) * STROKE_WORKING_SCALE)
    scale = STROKE_WORKING_SCALE * DIGIT_BOX / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    resample = Image.Resampling.BOX if scale < 1 else Image.Resampling.BILINEAR
    working = np.pad(np.asarray(Image.fromarray(ink).resize(size, resample)), change + 1)
    working = rank_filter(working, change + 1, largest=not thick)
    rows, columns = np.flatnonzero(working.any(axis=1)), np.flatnonzero(working.any(axis=0))
    if len(rows) == 0:
        return ink
    return working[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1]


def _place(ink: np.ndarray) -> np.ndarray | None:
    """Scale the cropped ink so its longer side is 20 px and centre its mass in a 28x28 frame."""
    height, width = ink.shape
    scale = DIGIT_BOX / max(height, width)
    mass = float(ink.sum())
    if mass <= 0:
        return None
    top = _frame_offset(float(ink.sum(axis=1) @ np.arange(height)) / mass, height * scale, scale)
    left = _frame_offset(float(ink.sum(axis=0) @ np.arange(width)) / mass, width * scale, scale)
    # Resample onto whole output pixels: the last one reaches past the crop by under one
    # output pixel, so pad the crop with that much blank ink.
    rows, columns = math.ceil(height * scale), math.ceil(width * scale)
    margin = math.ceil(1 / scale)
    patch = Image.fromarray(np.pad(ink, ((0, margin), (0, margin)))).resize(
        (columns, rows), Image.Resampling.BOX, box=(0, 0, columns / scale, rows / scale)
    )
    frame = np.zeros((IMAGE_SIZE, IMAGE_SIZE), dtype=np.float32)
    frame[top : top + rows, left : left + columns] = np.asarray(patch)
    peak = float(frame.max())
    if peak <= 0:
        return None
    return np.rint(np.clip(frame / peak, 0.0, 1.0) * 255.0).astype(np.uint8)


def _frame_offset(centre: float, extent: float, scale: float) -> int:
    """Where the crop starts in the frame so its centre of mass (source index) lands at 14.

    Like MNIST, shift by whole pixels (a sub-pixel shift blurs thin strokes, and an MNIST image
    then stays as it is), and keep the whole scaled crop inside the frame.
    """
    offset = round(FRAME_CENTRE + 0.5 - (centre + 0.5) * scale)
    return min(max(offset, 0), math.floor(IMAGE_SIZE - extent))
