"""Fixtures for the personal digit set tests: small sets on disk."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest
from digit_drawings import drawing

from mnist_studio.core.my_digits.folder import DigitSet


@pytest.fixture
def make_set(tmp_path: Path) -> Callable[..., DigitSet]:
    """``make_set(per_digit=3, digits=range(10))``: a new set in tmp_path with that many drawings of each digit."""

    def make(per_digit: int = 3, digits: range | list[int] = range(10), name: str = "set") -> DigitSet:
        digit_set = DigitSet.open(tmp_path / name, create=True)
        for digit in digits:
            for number in range(per_digit):
                digit_set.add(drawing(1000 * digit + number), digit)
        return digit_set

    return make
