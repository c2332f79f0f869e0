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

Redaction hides a secret in every spelling a log line or an error may hold:
as given, in any letter case, its first 8 or more characters, its base64 (at
any alignment, as inside Basic auth) and its percent-encoding; a URL secret
also by its path and by each key-like segment or query value.
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


# ---------------------------------------------------------------- redaction

MIN_PREFIX = 8  # a run of a secret's first 8 or more characters is as good as the secret


def looks_secret(part: str) -> bool:
    """Whether a URL path segment or query value looks like a key: long, or letters and digits mixed."""
    return len(part) >= 16 or (len(part) >= 8 and any(c.isdigit() for c in part)
                               and any(c.isalpha() for c in part))


def url_secret_parts(url: str) -> list[str]:
    """The parts of a URL that may be its secret: secret-looking path segments and query values."""
    from urllib.parse import unquote, urlsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        return []
    found = [seg for seg in parts.path.split("/") if looks_secret(seg)]
    for pair in (parts.query + "&" + parts.fragment).split("&"):
        value = pair.partition("=")[2] or pair
        if looks_secret(value):
            found += [value, unquote(value)]
    return found


def redact_url(url: str) -> str:
    """A URL fit to show: scheme, host and plain path words kept; every secret-looking part hidden."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        return REDACTED
    path = "/".join(REDACTED if looks_secret(seg) else seg for seg in parts.path.split("/"))
    query = "&".join(f"{k}={REDACTED if looks_secret(v) else v}" if sep else
                     (REDACTED if looks_secret(k) else k)
                     for k, sep, v in (pair.partition("=") for pair in parts.query.split("&") if pair))
    host = parts.netloc.rpartition("@")[2]  # never userinfo (the config refuses it anyway)
    return f"{parts.scheme}://{host}{path}" + (f"?{query}" if query else "") + (
        f"#{REDACTED}" if parts.fragment else "")


def _base64_spellings(secret: str) -> list[str]:
    """The secret's base64 (standard and URL-safe) at each of the three alignments in a longer blob.

    Base64 of "user:token" (Basic auth) holds the token's encoding shifted by the
    bytes before it, so each alignment's core — the characters that depend on
    the token's bytes alone — is a spelling of the token.
    """
    import base64

    data = secret.encode("utf-8")
    found = []
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + data).decode("ascii")
        core = encoded[-(-8 * shift // 6):(8 * (shift + len(data))) // 6]
        found += [core, core.replace("+", "-").replace("/", "_")]
    padded = base64.b64encode(data).decode("ascii")
    return [*found, padded, padded.replace("+", "-").replace("/", "_")]


def secret_forms(secret: str) -> list[str]:
    """Every spelling of a secret worth hiding; a URL's secret-looking parts are secrets of their own."""
    if "://" in secret:
        path = secret.split("://", 1)[1].partition("/")[2]
        parts = url_secret_parts(secret)
        return [secret, *(["/" + path] if len(path) >= MIN_PREFIX else []),
                *(form for part in parts for form in secret_forms(part))]
    from urllib.parse import quote

    forms = [secret, quote(secret, safe=""), *_base64_spellings(secret)]
    return [f for f in dict.fromkeys(forms) if f]


class Redactor:
    """Removes secrets in every spelling: as given, in any case, cut short, base64, percent-encoded."""

    def __init__(self, secrets: Iterable[str]) -> None:
        """Work out each secret's spellings once, longest first, so none is left half shown."""
        import re

        forms = {f for s in secrets if s for f in secret_forms(s)}
        self.patterns = []
        for form in sorted(forms, key=len, reverse=True):
            is_url = "://" in form or form.startswith("/")
            head = form if is_url or len(form) <= MIN_PREFIX else form[:MIN_PREFIX]
            self.patterns.append((re.compile(re.escape(head), re.IGNORECASE), form))

    def __bool__(self) -> bool:
        """Whether there is anything to remove."""
        return bool(self.patterns)

    def __call__(self, text: str) -> str:
        """`text` with every spelling of every secret replaced by [redacted]."""
        for pattern, form in self.patterns:
            out, pos = [], 0
            while (match := pattern.search(text, pos)) is not None:
                end = match.end()
                while end - match.start() < len(form) and end < len(text) and \
                        text[end].lower() == form[end - match.start()].lower():
                    end += 1  # a prefix longer than the head is the secret too
                out += [text[pos:match.start()], REDACTED]
                pos = end
            if out:
                text = "".join(out) + text[pos:]
        return text


def redact(text: str, secrets: Iterable[str]) -> str:
    """Replace every spelling of every secret in `text` (see Redactor)."""
    return Redactor(secrets)(text)


class RedactingFilter(logging.Filter):
    """A log filter that removes secrets from a record before any handler sees it."""

    def __init__(self, secrets: Iterable[str]) -> None:
        """Remember the secrets to remove, with every spelling worked out once."""
        super().__init__()
        self.secrets = tuple(s for s in secrets if s)
        self.redactor = Redactor(self.secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the message (and any traceback) once, redacted, so nothing can leak later."""
        if not self.redactor:
            return True
        message = record.getMessage()
        cleaned = self.redactor(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text, record.exc_info = self.redactor(record.exc_text), None
        if record.stack_info:
            record.stack_info = self.redactor(record.stack_info)
        return True
