"""Regression test for the Qt binding: PySide6 6.12.0 aborts CPython after ~570 Signal.emit() calls.

That release drops one reference to ``True`` too many per emit (``bool_dealloc`` fatal error), so
the app died within seconds of training. pyproject.toml excludes it; this test catches any other.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

EMITS = 20_000


def test_signals_can_be_emitted_many_times() -> None:
    code = textwrap.dedent(
        f"""
        from PySide6.QtCore import QCoreApplication, QObject, Signal

        class Counter(QObject):
            changed = Signal(int)

        app = QCoreApplication([])
        counter = Counter()
        received = []
        counter.changed.connect(received.append)
        for value in range({EMITS}):
            counter.changed.emit(value)
        assert len(received) == {EMITS}, len(received)
        print("ok")
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"exit {result.returncode}: {result.stderr[-2000:]}"
    assert result.stdout.strip() == "ok"
