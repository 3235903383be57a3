"""English plurals for ``tr("%n image(s)", "", n)`` strings while no translation is loaded.

A translator gives each ``%n`` string its own plural forms; until one does, Qt returns the
source text with ``%n`` filled in, and :func:`plural` turns its ``(s)`` into the English form.
"""

from __future__ import annotations


def plural(translated: str, count: int) -> str:
    """``"1 test image(s)"`` -> ``"1 test image"``; ``"3 test image(s)"`` -> ``"3 test images"``."""
    return translated.replace("(s)", "" if count == 1 else "s")
