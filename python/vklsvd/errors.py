"""User-facing errors of the project.

Every error a user can cause or fix (bad arguments, missing files, an unreachable hub) is raised as a
:class:`VklsvdError` whose message is one line that says what went wrong and what to do about it. The
command line prints such errors as ``error: <message>`` and exits with status 2, without a traceback.
"""

from __future__ import annotations


class VklsvdError(Exception):
    """Base class of user-facing errors: the message is one line naming the problem and the fix."""

    def __init__(self, message: str) -> None:
        # Keep the message to one line whatever the caller passed (exception texts from libraries
        # often span several lines).
        super().__init__(" ".join(message.split()))

    @property
    def message(self) -> str:
        """The one-line message."""
        return str(self.args[0]) if self.args else ""


class InvalidArgumentError(VklsvdError):
    """An argument is out of range or malformed (weeks, subsample name, generator sizes...)."""


class DownloadError(VklsvdError):
    """A file could not be fetched from the Hugging Face hub."""
