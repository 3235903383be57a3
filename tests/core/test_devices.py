"""Device discovery and the CPU thread default."""

from __future__ import annotations

import os

import pytest

from mnist_studio.core import devices


def test_cpu_is_always_available_and_last() -> None:
    present = devices.available_devices()
    assert present[-1] == "cpu"
    assert devices.resolve_device("cpu").type == "cpu"
    assert devices.resolve_device("auto").type == present[0]


def test_an_absent_device_is_refused_with_the_available_ones() -> None:
    absent = next(name for name in ("cuda", "mps") if name not in devices.available_devices())
    with pytest.raises(ValueError, match="not available here; available: .*cpu"):
        devices.resolve_device(absent)


@pytest.mark.parametrize(("cores", "threads"), [(1, 1), (2, 1), (4, 3), (16, 15)])
def test_default_threads_leave_one_core_free(monkeypatch: pytest.MonkeyPatch, cores: int, threads: int) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: set(range(cores)), raising=False)
    assert devices.default_cpu_threads() == threads
