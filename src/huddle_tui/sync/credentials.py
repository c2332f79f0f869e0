"""Endpoint secrets: where they come from, and keeping them out of every log and message.

A token comes from an environment variable (`token_env`) or a file
(`token_file`) that only its owner can read. On POSIX a group- or
world-readable token file is refused with the reason and the fix; on Windows
file modes say nothing about who can read a file (NTFS uses ACLs), so the
check is skipped there and the docs say to keep the file in the user profile.

For a chat format the secret is the webhook URL itself (Slack, Discord and
Teams put their secret in the URL), so it too comes from `token_env` or
`token_file` when given, and the URL in the shared huddle.toml can stay a
harmless placeholder.
"""

from __future__ import annotations

import logging
import os
import stat
import sys
from collections.abc import Iterable
from pathlib import Path

from huddle_tui.config.team import Endpoint
from huddle_tui.errors import ConfigError, EndpointError

REDACTED = "[redacted]"


def endpoint_label(endpoint: Endpoint) -> str:
    """How messages name an endpoint: its name, or its format and host — never a path or query."""
    if endpoint.name:
        return endpoint.name
    host = endpoint.url.split("/", 3)[2] if endpoint.url.count("/") >= 2 else endpoint.url
    return f"{endpoint.format} endpoint {host}"


def check_private_file(path: Path, what: str = "token file") -> None:
    """Refuse a secret file that others can read (POSIX only; see the module docstring)."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise ConfigError(f"{path}: {what} not found") from None
    except OSError as exc:
        raise ConfigError(f"{path}: {what} cannot be read ({exc.strerror or exc})") from None
    if sys.platform == "win32":
        return
    mode = stat.S_IMODE(st.st_mode)
    if mode & 0o077:
        raise ConfigError(f"{path}: {what} is readable by others (mode {mode:04o}); anyone on this "
                          f"machine could use it. Run `chmod 600 {path}` and try again")


def read_secret_file(path: Path, what: str = "token file") -> str:
    """The first non-empty line of an owner-only file."""
    check_private_file(path, what)
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: {what} cannot be read ({type(exc).__name__})") from None
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            return line.strip()
    raise ConfigError(f"{path}: {what} is empty")


def resolve_secret(endpoint: Endpoint) -> str | None:
    """The endpoint's secret from token_env or token_file, or None when neither is set."""
    if endpoint.token_env:
        value = os.environ.get(endpoint.token_env, "").strip()
        if not value:
            raise EndpointError(f"{endpoint_label(endpoint)}: ${endpoint.token_env} is not set "
                                f"(export {endpoint.token_env}=… before syncing)")
        return value
    if endpoint.token_file is not None:
        return read_secret_file(endpoint.token_file)
    return None


def redact(text: str, secrets: Iterable[str]) -> str:
    """Replace every secret in `text` (the longest first, so none is left half shown)."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text


class RedactingFilter(logging.Filter):
    """A log filter that removes secrets from a record before any handler sees it."""

    def __init__(self, secrets: Iterable[str]) -> None:
        """Remember the secrets to remove."""
        super().__init__()
        self.secrets = tuple(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the message once, redacted, so its arguments cannot leak later."""
        if self.secrets:
            message = record.getMessage()
            cleaned = redact(message, self.secrets)
            if cleaned != message:
                record.msg, record.args = cleaned, None
        return True
