"""Copying a checkpoint where the user asks (Save checkpoint as…), by the engine's file policy.

The copy replaces a regular file atomically (through a symbolic link: the file it leads to) and
refuses what the app did not create: a FIFO, a device node, a read-only file
(:mod:`mnist_studio.core.files`). Failures are ``OSError``; ``describe_error`` words them.
"""

from __future__ import annotations

from pathlib import Path

from mnist_studio.core.files import atomic_write_bytes


def copy_checkpoint(source: Path | str, target: Path | str) -> Path:
    """Write a copy of ``source`` at ``target`` (whose folder must exist); returns ``target``.

    Copying a file onto itself does nothing. Raises ``OSError`` (``OutputPathError`` for the
    target) when it cannot be read or written; the target is then as it was.
    """
    source, target = Path(source), Path(target)
    if target.resolve() == source.resolve():
        return target
    content = source.read_bytes()
    return atomic_write_bytes(target, content, create_folder=False)
