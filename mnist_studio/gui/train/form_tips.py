"""What each setting of the Train form does and which values make sense: the form's tooltips.

Kept apart from the form's layout so the words are in one place for translators. Ranges come
from the engine's limits, never typed twice.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from mnist_studio.core.config import MAX_BATCH_SIZE, MAX_EPOCHS, TRAINING_IMAGES
from mnist_studio.core.constants import MAX_ROTATION_DEGREES, MAX_SHIFT_PIXELS, SCALE_RANGE, VALIDATION_SIZE


def _tr(text: str) -> str:
    return QCoreApplication.translate("TrainingFormTips", text)


def form_tips(max_seed: int) -> dict[str, str]:
    """Tooltip per widget object name of the Train form."""
    return {
        "architectureCombo": _tr(
            "The network to train. Each comes with its own recipe (the values below); "
            "hover over an entry to read what it is."
        ),
        "epochsSpin": _tr(
            "How many times training goes through all the training images. More epochs learn more "
            "but take longer: 3-5 is plenty for MNIST (up to 10-20 with augmentation). Range 1-{maximum}."
        ).format(maximum=MAX_EPOCHS),
        "batchSizeSpin": _tr(
            "Images per training step. Larger batches take fewer, smoother steps and run faster per "
            "image on a GPU, but need more memory and often a higher learning rate. 64-512 works well "
            "(128 is typical). Range 1-{maximum}."
        ).format(maximum=f"{MAX_BATCH_SIZE:,}"),
        "learningRateSpin": _tr(
            "How big a step the optimizer takes. Too high and the loss explodes (the run stops as "
            "diverged); too low and it learns slowly. Typical: 0.001-0.01 for Adam and AdamW, "
            "0.01-0.1 for SGD. With the one-cycle schedule this is the peak rate. Type a value such "
            "as 3e-4, or step along 1-2-5 values with the arrows."
        ),
        "optimizerCombo": _tr(
            "How the weights are changed from the gradients. AdamW (Adam with decoupled weight decay) "
            "is a robust default; Adam is the classic; SGD with Nesterov momentum wants a higher "
            "learning rate (0.01-0.1)."
        ),
        "scheduleCombo": _tr(
            "How the learning rate changes during the run. One-cycle warms up to the rate above, then "
            "anneals to nearly zero: usually the best accuracy in few epochs. Constant keeps it fixed."
        ),
        "seedSpin": _tr(
            "Starts the random numbers (first weights, order of the images, augmentation). The same "
            "seed and recipe on the same device give the same run; change it to see how much results "
            "vary from run to run. Any whole number from 0 to {maximum}."
        ).format(maximum=f"{max_seed:,}"),
        "augmentCheck": _tr(
            "Each step, shift (up to {shift} pixels), rotate (up to {rotation}°) and scale "
            "({low}-{high}x) every training image at random. The model then reads off-centre and slanted "
            "digits (such as drawings) better, but needs more epochs (5 or more) to pay off."
        ).format(
            shift=f"{MAX_SHIFT_PIXELS:g}",
            rotation=f"{MAX_ROTATION_DEGREES:g}",
            low=f"{SCALE_RANGE[0]:g}",
            high=f"{SCALE_RANGE[1]:g}",
        ),
        "deviceCombo": _tr(
            "Where training runs. Auto picks a GPU when there is one (CUDA or Apple MPS), else the CPU."
        ),
        "quickRunCheck": _tr(
            "Train on only part of the {count} training images: a run in seconds, to try a recipe. "
            "Validation still uses all {validation} validation images and the test all 10,000 test images."
        ).format(count=f"{TRAINING_IMAGES:,}", validation=f"{VALIDATION_SIZE:,}"),
        "subsetSpin": _tr(
            "How many training images a quick run uses: 1,000-5,000 train in seconds; "
            "the full {count} give the best model."
        ).format(count=f"{TRAINING_IMAGES:,}"),
        "resetDefaultsButton": _tr("Reset the hyper-parameters to this architecture's recipe"),
    }
