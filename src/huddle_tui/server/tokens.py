"""The bearer tokens the reference server accepts, and checking one in constant time."""

from __future__ import annotations

import hmac
import os
from collections.abc import Mapping
from pathlib import Path

from huddle_tui.errors import ConfigError
from huddle_tui.sync.credentials import check_private_file

ENV_VAR = "HUDDLE_SERVER_TOKENS"
MIN_TOKEN_LENGTH = 16


def load_tokens(tokens_file: Path | None, environ: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """Tokens from --tokens-file (one a line, # comments) or $HUDDLE_SERVER_TOKENS (comma-separated)."""
    env = os.environ if environ is None else environ
    if tokens_file is not None:
        check_private_file(tokens_file, "tokens file")
        try:
            lines = tokens_file.read_text("utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{tokens_file}: tokens file cannot be read ({type(exc).__name__})") from None
        tokens = [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
        where = str(tokens_file)
    else:
        tokens = [t.strip() for t in env.get(ENV_VAR, "").split(",") if t.strip()]
        where = f"${ENV_VAR}"
    if not tokens:
        raise ConfigError(f"no tokens in {where}: the server refuses to start without one "
                          f"(set {ENV_VAR}=token1,token2 or pass --tokens-file FILE)")
    short = [i for i, t in enumerate(tokens, 1) if len(t) < MIN_TOKEN_LENGTH]
    if short:
        raise ConfigError(f"{where}: token {short[0]} is shorter than {MIN_TOKEN_LENGTH} characters; use "
                          "a long random one: python -c 'import secrets; print(secrets.token_urlsafe())'")
    return tuple(tokens)


def token_ok(given: str, tokens: tuple[str, ...]) -> bool:
    """Compare against every token in constant time (no early exit that timing could reveal)."""
    found = False
    given_bytes = given.encode("utf-8")
    for token in tokens:
        found |= hmac.compare_digest(given_bytes, token.encode("utf-8"))
    return found
