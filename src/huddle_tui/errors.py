"""Every error huddle-tui raises on purpose, in one hierarchy, each with the exit code scripts rely on.

::

    HuddleError                 a failure explained in one line (exit 1 if nothing more specific)
    ├── UsageError              bad flags or bad input: nothing was saved (exit 2)
    │   └── RefusedError        valid input the records refuse: a rule of the huddle says no (exit 2)
    ├── ConfigError             a config file that cannot be used, naming the file and key (exit 3)
    ├── StoreError              the shared folder or the local data dir cannot be written (exit 4)
    ├── EndpointError           an HTTP endpoint refused or could not be reached (exit 6)
    │   └── PullError           a pull that failed; the message is safe to show
    └── CorruptRecord           a file or payload that is not a whole, valid record (also a ValueError)

The core raises these and nothing else for a person's mistakes or the
world's failures; the CLI turns them into one line and `code`, the app into
a calm notice. Anything else escaping is a bug (exit 1).
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """The documented exit codes of every `huddle` command."""

    OK = 0
    INTERNAL = 1
    USAGE = 2
    CONFIG = 3
    STORE = 4
    PARTIAL = 5
    ENDPOINT = 6


class HuddleError(Exception):
    """A failure explained in one line; the CLI prints it and exits with `code`."""

    code: ExitCode = ExitCode.INTERNAL

    def __init__(self, message: str) -> None:
        """Keep the one-line message people see."""
        super().__init__(message)
        self.message = message


class UsageError(HuddleError):
    """Bad flags or bad input: nothing was saved."""

    code = ExitCode.USAGE


class RefusedError(UsageError):
    """Well-formed input that a rule of the huddle refuses (a handoff to someone away, …)."""


class ConfigError(HuddleError):
    """A config file that cannot be used, named with the key at fault."""

    code = ExitCode.CONFIG


class StoreError(HuddleError):
    """The shared folder or the local data dir cannot be written."""

    code = ExitCode.STORE


class EndpointError(HuddleError):
    """An HTTP endpoint refused or could not be reached."""

    code = ExitCode.ENDPOINT


class PullError(EndpointError):
    """A pull that failed; the message is safe to show (no secret in it)."""


class CorruptRecord(HuddleError, ValueError):
    """A file (or a record sent over the wire) that is not a whole, valid record; the message says why."""

    code = ExitCode.USAGE
