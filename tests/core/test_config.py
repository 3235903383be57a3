"""The run configuration: registry defaults, overrides, validation messages, and the dictionary round trip."""

from __future__ import annotations

import dataclasses
import math

import pytest

from mnist_studio.core.config import ConfigError, TrainingConfig
from mnist_studio.core.registry import ARCHITECTURES


@pytest.mark.parametrize("arch", list(ARCHITECTURES))
def test_defaults_come_from_the_registry(arch: str) -> None:
    spec = ARCHITECTURES[arch]
    config = TrainingConfig.for_architecture(arch)
    assert (config.arch, config.epochs, config.batch_size, config.learning_rate) == (
        arch,
        spec.epochs,
        spec.batch_size,
        spec.learning_rate,
    )
    assert (config.optimizer, config.schedule, config.weight_decay) == (spec.optimizer, spec.schedule, spec.weight_decay)
    assert (config.augment, config.device, config.threads, config.subset) == (False, "auto", None, None)


def test_overrides_apply_and_none_keeps_the_default() -> None:
    config = TrainingConfig.for_architecture("mlp", epochs=7, learning_rate=None, augment=True, subset=100)
    assert (config.epochs, config.augment, config.subset) == (7, True, 100)
    assert config.learning_rate == ARCHITECTURES["mlp"].learning_rate


def test_an_unknown_architecture_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError, match="unknown architecture 'alexnet'.*lenet5"):
        TrainingConfig.for_architecture("alexnet")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("arch", "alexnet", "arch must be one of mlp, lenet5"),
        ("arch", ["lenet5"], "arch must be one of"),
        ("epochs", 0, "epochs must be a whole number from 1 to 200"),
        ("epochs", 2.5, "epochs must be a whole number"),
        ("epochs", True, "epochs must be a whole number"),
        ("epochs", "3", "epochs must be a whole number"),
        ("batch_size", 0, "batch size must be a whole number from 1 to 8192"),
        ("batch_size", 10_000, "batch size"),
        ("learning_rate", 0, "learning rate must be a number above 0"),
        ("learning_rate", -1e-3, "learning rate"),
        ("learning_rate", math.nan, "learning rate"),
        ("learning_rate", math.inf, "learning rate"),
        ("learning_rate", "fast", "learning rate"),
        ("optimizer", "rmsprop", "optimizer must be one of adam, adamw, sgd"),
        ("schedule", "cosine", "schedule must be one of constant, onecycle"),
        ("weight_decay", -0.1, "weight decay must be at least 0 and below 1"),
        ("weight_decay", 1.0, "weight decay"),
        ("augment", "yes", "augment must be true or false"),
        ("device", "tpu", "device must be one of auto, cpu, cuda, mps"),
        ("seed", -1, "seed must be a non-negative whole number"),
        ("threads", 0, "threads must be a whole number from 1 to 256"),
        ("subset", 0, "subset must be a whole number of images from 1 to 55000"),
        ("subset", 55_001, "subset"),
    ],
)
def test_invalid_values_name_the_field_and_the_valid_range(field: str, value: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        TrainingConfig(**{field: value})


def test_absurd_but_positive_learning_rates_are_left_to_the_nan_stop() -> None:
    assert TrainingConfig(learning_rate=1e6).learning_rate == 1e6


def test_config_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        TrainingConfig().epochs = 5  # type: ignore[misc]


def test_dictionary_round_trip_ignores_unknown_keys() -> None:
    config = TrainingConfig.for_architecture("gru", seed=7, threads=2, subset=1000, augment=True)
    values = config.to_dict()
    assert TrainingConfig.from_dict(values) == config
    assert TrainingConfig.from_dict(values | {"from_a_later_version": 1}) == config


def test_from_dict_rejects_what_is_not_a_mapping() -> None:
    with pytest.raises(ConfigError, match="mapping"):
        TrainingConfig.from_dict(["lenet5"])  # type: ignore[arg-type]
