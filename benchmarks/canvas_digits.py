"""How well a model reads digits drawn on a 280x280 canvas: plain resize vs MNIST-style preprocessing.

Builds canvas-style drawings from MNIST *test* digits (random size 40-95% of the canvas, random
place, strokes thickened by a random pen width, half dark ink on noisy paper, some RGB/RGBA),
then reads them with a LeNet5 through (a) the tutorial's resize of the whole canvas to 28x28 and
(b) ``preprocess_array``. Trains the LeNet5 first (3 epochs on the CPU) unless --checkpoint is given.

    python benchmarks/canvas_digits.py [--count 400] [--seed 0] [--checkpoint FILE] [--save-examples DIR]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageFilter

from mnist_studio.core.checkpoints import load_model
from mnist_studio.core.config import TrainingConfig
from mnist_studio.core.data import load_mnist, normalise
from mnist_studio.core.evaluation import evaluate, model_logits
from mnist_studio.core.preprocess import preprocess_array, rank_filter
from mnist_studio.core.progress import TrainingFinished
from mnist_studio.core.training import Trainer

CANVAS = 280
SIZE_RANGE = (0.40, 0.95)  # longer side of the drawn digit, as a fraction of the canvas
PEN_RANGE = (1, 25)  # extra stroke width in canvas px added by dilation
_ANTI_ALIAS = ImageFilter.GaussianBlur(0.8)  # a pen's soft edge


def draw_on_canvas(digit: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One MNIST digit (28, 28) redrawn as a canvas image: grey (H, W), RGB or RGBA uint8."""
    rows, columns = np.flatnonzero(digit.any(1)), np.flatnonzero(digit.any(0))
    crop = digit[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1]
    scale = rng.uniform(*SIZE_RANGE) * CANVAS / max(crop.shape)
    width, height = max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale))
    stroke = np.asarray(Image.fromarray(crop).resize((width, height), Image.Resampling.BILINEAR)) >= 128
    top, left = rng.integers(0, CANVAS - height + 1), rng.integers(0, CANVAS - width + 1)
    ink = np.zeros((CANVAS, CANVAS), dtype=np.float32)
    ink[top : top + height, left : left + width] = stroke
    ink = rank_filter(ink, int(rng.integers(PEN_RANGE[0], PEN_RANGE[1] + 1)), largest=True)
    ink = Image.fromarray(ink * 255.0).convert("L").filter(_ANTI_ALIAS)
    ink = np.asarray(ink, dtype=np.float32) / 255.0

    paper = rng.random() < 0.5
    style = rng.choice(["grey", "rgb", "rgba"], p=[0.5, 0.3, 0.2])
    if style == "rgba":
        colour = np.array([20, 30, 90] if paper else [255, 255, 255], dtype=np.float32)
        rgba = np.zeros((CANVAS, CANVAS, 4), dtype=np.float32)
        rgba[:, :, :3] = colour
        rgba[:, :, 3] = ink * 255.0
        return rgba.astype(np.uint8)
    if paper:
        shade = rng.uniform(190, 250) - rng.uniform(0, 40) * np.linspace(0, 1, CANVAS)[None, :]
        pen = rng.uniform(0, 70)
        grey = shade + (pen - shade) * ink + rng.normal(0, 6, (CANVAS, CANVAS))
    else:
        grey = ink * 255.0
    grey = np.clip(grey, 0, 255)
    if style == "rgb":
        tint = np.array([1.0, 0.97, 0.9] if paper else [1.0, 1.0, 1.0], dtype=np.float32)
        return np.clip(grey[:, :, None] * tint, 0, 255).astype(np.uint8)
    return grey.astype(np.uint8)


def plain_resize(pixels: np.ndarray) -> np.ndarray:
    """The tutorial's canvas path: the whole image to grey, resized to 28x28, nothing else."""
    return np.asarray(Image.fromarray(pixels).convert("L").resize((28, 28)))


def trained_lenet5(checkpoint: Path | None) -> torch.nn.Module:
    """The model from ``checkpoint``, or a LeNet5 trained now for 3 epochs on the CPU."""
    if checkpoint is not None:
        return load_model(checkpoint)[0]
    with tempfile.TemporaryDirectory() as folder:
        config = TrainingConfig.for_architecture("lenet5", epochs=3, device="cpu")
        trainer = Trainer(config, checkpoint_path=Path(folder) / "lenet5.pt")
        print("training LeNet5 for 3 epochs on the CPU ...", file=sys.stderr)
        for record in trainer.run():
            if isinstance(record, TrainingFinished) and not record.succeeded:
                raise SystemExit(f"training failed: {record.divergence}")
        return trainer.model.eval()


def accuracy(model: torch.nn.Module, images: list[np.ndarray], labels: np.ndarray) -> float:
    """Fraction of 28x28 uint8 images the model reads as their label."""
    logits = model_logits(model, normalise(torch.from_numpy(np.stack(images))))
    return float((logits.argmax(1).numpy() == labels).mean())


def main(argv: list[str] | None = None) -> int:
    """Build the drawings, read them both ways and print accuracies and preprocessing times."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=400, help="number of canvas drawings (default 400)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--checkpoint", type=Path, help="a trained checkpoint (default: train a LeNet5 now)")
    parser.add_argument("--save-examples", type=Path, metavar="DIR", help="write the first 20 drawings as PNG")
    args = parser.parse_args(argv)

    torch.set_num_threads(1)
    model = trained_lenet5(args.checkpoint)
    arrays = load_mnist()
    test = evaluate(model, normalise(arrays.test_images), arrays.test_labels)
    rng = np.random.default_rng(args.seed)
    picks = rng.choice(len(arrays.test_labels), size=args.count, replace=False)
    labels = arrays.test_labels[picks].numpy()
    canvases = [draw_on_canvas(arrays.test_images[index].numpy(), rng) for index in picks]

    seconds, processed = [], []
    for pixels in canvases:
        started = time.perf_counter()
        digit = preprocess_array(pixels)
        seconds.append(time.perf_counter() - started)
        processed.append(digit.image)
    if args.save_examples:
        args.save_examples.mkdir(parents=True, exist_ok=True)
        for number, (pixels, digit) in enumerate(zip(canvases[:20], processed)):
            Image.fromarray(pixels).save(args.save_examples / f"{number:02d}-canvas.png")
            Image.fromarray(digit).resize((112, 112), Image.Resampling.NEAREST).save(
                args.save_examples / f"{number:02d}-mnist.png"
            )

    as_mnist = accuracy(model, list(arrays.test_images[picks].numpy()), labels)
    plain = accuracy(model, [plain_resize(pixels) for pixels in canvases], labels)
    mnist_style = accuracy(model, processed, labels)
    milliseconds = sorted(1000 * value for value in seconds)
    p95 = milliseconds[min(len(milliseconds) - 1, round(0.95 * len(milliseconds)))]
    print(f"model: {test.accuracy:.2%} on the 10,000 MNIST test images")
    print(f"canvas drawings: {args.count} (seed {args.seed}); the same digits as MNIST images: {as_mnist:.2%}")
    print(f"plain resize to 28x28:    {plain:.2%}")
    print(f"MNIST-style preprocessing: {mnist_style:.2%}  ({mnist_style / max(plain, 1e-9):.1f}x)")
    print(f"preprocessing time per image: p50 {statistics.median(milliseconds):.2f} ms, p95 {p95:.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
