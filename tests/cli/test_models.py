"""``mnist-studio models`` and shipped models by name: ``evaluate lenet5``, ``predict vit digit.png``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PIL import Image

from mnist_studio.core import paths
from mnist_studio.core.registry import ARCHITECTURES


def last_json(stdout: str) -> Any:
    return json.loads(stdout.strip().splitlines()[-1])


def test_models_lists_every_shipped_model_with_its_accuracy_and_file(mnist_studio) -> None:
    result = mnist_studio("models", "--json")
    assert result.returncode == 0, result.stderr
    listing = last_json(result.stdout)
    assert [model["key"] for model in listing["models"]] == list(ARCHITECTURES)
    lenet5 = listing["models"][1]
    assert lenet5 == {
        "key": "lenet5", "name": "LeNet-5", "test_accuracy": 0.9936, "file": str(paths.pretrained_dir() / "lenet5.pt"),
    }  # fmt: skip
    assert listing["runs_folder"] == str(paths.runs_dir())


def test_models_as_text_is_a_table_that_says_how_to_use_a_key(mnist_studio) -> None:
    result = mnist_studio("models")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["key", "model", "test", "accuracy", "file"]
    assert lines[2].split()[:3] == ["lenet5", "LeNet-5", "99.36%"]
    assert "mnist-studio evaluate lenet5" in result.stdout and paths.runs_dir().as_posix() in result.stdout


def test_a_missing_shipped_model_is_named_not_hidden(mnist_studio, tmp_path: Path) -> None:
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    (shipped / "mlp.pt").write_bytes((paths.pretrained_dir() / "mlp.pt").read_bytes())
    listing = last_json(mnist_studio("models", "--json", MNIST_STUDIO_PRETRAINED=str(shipped)).stdout)
    assert listing["models"][0]["test_accuracy"] == 0.9893 and "error" not in listing["models"][0]
    assert "no such checkpoint file" in listing["models"][1]["error"]


def test_evaluate_takes_a_shipped_models_key(mnist_studio) -> None:
    result = mnist_studio("evaluate", "lenet5", "--json", "--device", "cpu")
    assert result.returncode == 0, result.stderr
    values = last_json(result.stdout)
    assert values["checkpoint"] == str(paths.pretrained_dir() / "lenet5.pt") and values["accuracy"] == 0.9936


def test_predict_takes_a_shipped_models_key(mnist_studio, tmp_path: Path) -> None:
    from mnist_studio.core.data import load_mnist

    arrays = load_mnist()
    image = tmp_path / "digit.png"
    Image.fromarray(arrays.test_images[0].numpy()).save(image)
    result = mnist_studio("predict", "vit", image, "--json")
    assert result.returncode == 0, result.stderr
    assert last_json(result.stdout)["digit"] == int(arrays.test_labels[0])


def test_a_file_named_like_a_key_wins_over_the_shipped_model(mnist_studio, tmp_path: Path) -> None:
    (tmp_path / "cwd" / "lenet5").write_text("not a checkpoint")
    result = mnist_studio("evaluate", "lenet5")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "lenet5" in result.stderr and str(paths.pretrained_dir()) not in result.stderr


def test_help_names_the_shipped_keys(mnist_studio) -> None:
    for command in ("evaluate", "predict"):
        result = mnist_studio(command, "--help")
        assert "shipped model: mlp, lenet5, resnet, gru, vit" in " ".join(result.stdout.split())
