"""Errors a person can act on, each with the exit code scripts rely on."""

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
        super().__init__(message)
        self.message = message


class UsageError(HuddleError):
    """Bad flags or bad input: nothing was saved."""

    code = ExitCode.USAGE


class ConfigError(HuddleError):
    """A config file that cannot be used, named with the key at fault."""

    code = ExitCode.CONFIG


class StoreError(HuddleError):
    """The shared folder or the local data dir cannot be written."""

    code = ExitCode.STORE


class EndpointError(HuddleError):
    """An HTTP endpoint refused or could not be reached."""

    code = ExitCode.ENDPOINT
