"""Reading preprocessed digits: predictions, empty drawings, batches, model state."""

from __future__ import annotations

import copy
import dataclasses

import numpy as np
import pytest
import torch
from PIL import Image

from mnist_studio.core import paths
from mnist_studio.core.checkpoints import load_model
from mnist_studio.core.data import load_mnist
from mnist_studio.core.inference import Prediction, predict_digit, predict_digits
from mnist_studio.core.preprocess import PreprocessedDigit, preprocess_array
from mnist_studio.core.registry import build_model


@pytest.fixture(scope="module")
def untrained() -> torch.nn.Module:
    torch.manual_seed(0)
    return build_model("lenet5")


def digit_from_test_set(index: int) -> PreprocessedDigit:
    return preprocess_array(load_mnist().test_images[index].numpy())


def test_a_prediction_holds_ten_probabilities_and_the_most_likely_digit(untrained: torch.nn.Module) -> None:
    prediction = predict_digit(untrained, digit_from_test_set(0))
    assert isinstance(prediction, Prediction)
    assert len(prediction.probabilities) == 10 and all(isinstance(p, float) for p in prediction.probabilities)
    assert sum(prediction.probabilities) == pytest.approx(1.0, abs=1e-5)
    assert prediction.digit == int(np.argmax(prediction.probabilities))
    assert prediction.confidence == max(prediction.probabilities)
    with pytest.raises(dataclasses.FrozenInstanceError):
        prediction.digit = 3  # type: ignore[misc]


def test_nothing_drawn_gives_no_prediction(untrained: torch.nn.Module) -> None:
    empty = preprocess_array(np.zeros((280, 280), dtype=np.uint8))
    assert empty.empty
    assert predict_digit(untrained, empty) is None
    assert predict_digits(untrained, [empty, empty]) == [None, None]
    assert predict_digits(untrained, []) == []


def test_a_batch_gives_the_same_predictions_as_one_at_a_time(untrained: torch.nn.Module) -> None:
    empty = preprocess_array(np.zeros((28, 28), dtype=np.uint8))
    digits = [digit_from_test_set(1), empty, digit_from_test_set(2), digit_from_test_set(3)]
    batch = predict_digits(untrained, digits)
    assert batch[1] is None
    for digit, prediction in zip(digits, batch):
        single = predict_digit(untrained, digit)
        if single is None:
            assert prediction is None
        else:
            assert prediction.digit == single.digit
            assert prediction.probabilities == pytest.approx(single.probabilities, abs=1e-6)


def test_the_model_is_read_in_eval_mode_and_left_as_it_was() -> None:
    model = build_model("resnet")  # batch norm: train mode would change its statistics
    model.train()
    before = {name: tensor.clone() for name, tensor in model.state_dict().items()}
    predict_digit(model, digit_from_test_set(4))
    assert model.training
    for name, tensor in model.state_dict().items():
        assert torch.equal(tensor, before[name]), name


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_a_model_on_the_gpu_reads_like_the_same_model_on_the_cpu(untrained: torch.nn.Module) -> None:
    digits = [digit_from_test_set(index) for index in range(5)]
    on_cpu = predict_digits(untrained, digits)
    on_gpu = predict_digits(copy.deepcopy(untrained).cuda(), digits)
    for cpu, gpu in zip(on_cpu, on_gpu):
        assert gpu.digit == cpu.digit
        assert gpu.probabilities == pytest.approx(cpu.probabilities, abs=1e-4)


def test_the_shipped_lenet5_reads_digits_drawn_anywhere_on_a_canvas() -> None:
    model, _ = load_model(paths.pretrained_dir() / "lenet5.pt")
    arrays = load_mnist()
    digits, labels = [], []
    for index in range(30):
        image = arrays.test_images[index].numpy()
        rows, columns = np.flatnonzero(image.any(1)), np.flatnonzero(image.any(0))
        crop = image[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1]
        size = 80 + 5 * index
        scale = size / max(crop.shape)
        drawn = Image.fromarray(crop).resize((round(crop.shape[1] * scale), round(crop.shape[0] * scale)))
        canvas = Image.new("L", (280, 280), 255)  # dark ink on paper, off-centre
        canvas.paste(Image.fromarray(255 - np.asarray(drawn)), (index * 3, 270 - drawn.height - index))
        digits.append(preprocess_array(np.asarray(canvas)))
        labels.append(int(arrays.test_labels[index]))
    predicted = [prediction.digit for prediction in predict_digits(model, digits)]
    assert sum(p == label for p, label in zip(predicted, labels)) >= 29
