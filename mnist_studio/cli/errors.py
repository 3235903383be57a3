"""The one exception the CLI's commands raise for problems the user can fix."""

from __future__ import annotations


class CliError(Exception):
    """A bad file, option or state; ``main()`` prints its message in one line and exits with code 2."""
