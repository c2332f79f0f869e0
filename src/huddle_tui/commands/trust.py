"""`huddle trust`: approve, on this machine, sending each team endpoint its token.

huddle.toml is in a folder every teammate can edit, so its endpoints are used
only once you have approved them here. Approvals are kept in your own user
config and bound to each endpoint's URL, format, token source and CA bundle,
the bundle by its path and the SHA-256 of its contents (it usually sits in
the shared folder too); a change to any of them withdraws the approval until
you give it again. On a terminal you are asked endpoint by endpoint; without
one you name what you approve (or pass --all), and nothing ever prompts.
"""

from __future__ import annotations

import argparse
from typing import Any

from huddle_tui.commands.common import add_json_flag, emit_json, stdin_is_terminal
from huddle_tui.config.team import Endpoint, TeamConfig, write_toml
from huddle_tui.config.user import UserConfig, load_team, load_user_config, user_config_to_toml
from huddle_tui.errors import UsageError
from huddle_tui.sync.credentials import endpoint_label, redact_url
from huddle_tui.sync.trust import (
    NOT_APPROVED,
    bound_to,
    describe,
    endpoint_name,
    http_refusal,
    is_approved,
    matches,
    token_source,
    verdict,
    with_approved,
)
from huddle_tui.text import printable


def configure(p: argparse.ArgumentParser) -> None:
    """Flags of `huddle trust`."""
    p.add_argument("names", nargs="*", metavar="NAME",
                   help="approve these endpoints (by name or host) without asking")
    p.add_argument("--all", action="store_true", help="approve every endpoint in huddle.toml without asking")
    p.add_argument("--list", action="store_true", help="only show the endpoints and what is approved")
    p.add_argument("--revoke", metavar="NAME", help="withdraw the approval of an endpoint (by name or host)")
    p.add_argument("--allow-http", metavar="HOST",
                   help="allow plain http:// to HOST (only loopback is allowed by default)")
    add_json_flag(p)


def run(args: argparse.Namespace) -> int:
    """List, revoke, allow http, or approve (by name, --all, or asking on a terminal)."""
    user = load_user_config()
    team = load_team(getattr(args, "config", None), user)
    if args.list:
        return _list(team, user, args.json)
    if args.revoke is not None:
        return _revoke(team, user, args.revoke, args.json)
    if args.allow_http is not None:
        return _allow_http(user, args.allow_http, args.json)
    if not team.endpoints:
        return _say(args.json, {"approved": []}, ["No endpoints in huddle.toml: nothing to approve."])
    pending = [e for e in team.endpoints if not is_approved(e, user.trusted)]
    if args.all or args.names:
        chosen = _chosen(team, args.names) if args.names else list(team.endpoints)
    elif not pending:
        return _say(args.json, {"approved": []},
                    ["Every endpoint in huddle.toml is approved on this machine."])
    elif stdin_is_terminal() and not args.json:
        chosen = [e for e in pending if _ask(e, user)]
    else:
        if not args.json:  # the list helps a person choose; a script reading JSON gets only the error
            for e in pending:
                print(printable(describe(e)))
        raise UsageError("not approved: stdin is not a terminal, so nothing is asked; approve by name "
                         "(`huddle trust NAME`) or all of the above (`huddle trust --all`)")
    _save(with_approved(user, chosen))
    names = [endpoint_name(e) for e in chosen]
    lines = [f"Approved on this machine: {describe(e)}" for e in chosen] or ["Nothing approved."]
    lines += [f"  note: {why}" for e in chosen if (why := http_refusal(e.url, user.allow_http))]
    return _say(args.json, {"approved": names}, lines)


def _chosen(team: TeamConfig, names: list[str]) -> list[Endpoint]:
    """The endpoints NAMEs mean; a name that means none is a usage error."""
    chosen = []
    for name in names:
        found = [e for e in team.endpoints if matches(e, name)]
        if not found:
            known = ", ".join(endpoint_name(e) for e in team.endpoints)
            raise UsageError(f"no endpoint {name!r} in huddle.toml (endpoints: {known})")
        chosen += [e for e in found if e not in chosen]
    return chosen


def _ask(endpoint: Endpoint, user: UserConfig) -> bool:
    """Show one endpoint, and why an earlier approval no longer holds, then ask y/N (on a terminal only)."""
    print(printable(describe(endpoint)))
    withdrawn = verdict(endpoint, user.trusted).reason
    if withdrawn:
        print(printable(f"  note: {NOT_APPROVED}: {withdrawn}"))
    refused = http_refusal(endpoint.url, user.allow_http)
    if refused:
        print(printable(f"  note: even approved, {refused}"))
    try:
        answer = input(printable(f"Send the {token_source(endpoint)} to {redact_url(endpoint.url)} "
                                 f"from this machine? [y/N] "))
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


def _list(team: TeamConfig, user: UserConfig, as_json: bool) -> int:
    """Each team endpoint, whether it is approved here and why not; approvals no endpoint uses any more.

    An approval still bound to an endpoint whose CA bundle changed is not
    stale: the endpoint's row says why it no longer holds.
    """
    rows: list[dict[str, Any]] = []
    for e in team.endpoints:
        checked = verdict(e, user.trusted)
        rows.append({"name": endpoint_name(e), "label": endpoint_label(e), "url": redact_url(e.url),
                     "format": e.format, "token_source": token_source(e),
                     "ca_bundle": str(e.ca_bundle) if e.ca_bundle is not None else None,
                     "approved": checked.approved, "reason": checked.reason,
                     "http_refused": http_refusal(e.url, user.allow_http)})
    stale = [{"name": a.name, "url": redact_url(a.url), "format": a.format}
             for a in user.trusted if not any(bound_to(e, a) for e in team.endpoints)]
    if as_json:
        emit_json({"endpoints": rows, "stale_approvals": stale, "allow_http": list(user.allow_http)})
        return 0
    if not rows:
        print("No endpoints in huddle.toml.")
    for row in rows:
        state = "approved on this machine" if row["approved"] else NOT_APPROVED
        state += f": {row['reason']}" if row["reason"] else ""
        ca = f", CA bundle {row['ca_bundle']}" if row["ca_bundle"] else ""
        what = f"{row['format']}, {row['token_source']}{ca}"
        print(printable(f"{row['label']}: {row['url']} ({what}) — {state}"))
        if row["http_refused"]:
            print(printable(f"  {row['http_refused']}"))
    for a in stale:
        print(printable(f"approval no endpoint matches now: {a['name']}: {a['url']} ({a['format']}) "
                        f"— `huddle trust --revoke {a['name']}` removes it"))
    if user.allow_http:
        print(printable("plain http allowed to: " + ", ".join(user.allow_http)))
    return 0


def _revoke(team: TeamConfig, user: UserConfig, name: str, as_json: bool) -> int:
    """Drop every approval NAME means: by its own name, or the team endpoint NAME names."""
    endpoints = [e for e in team.endpoints if matches(e, name)]
    kept = tuple(a for a in user.trusted
                 if a.name != name and not any(bound_to(e, a) for e in endpoints))
    if len(kept) == len(user.trusted):
        raise UsageError(f"--revoke: no approval named {name!r} on this machine (see `huddle trust --list`)")
    _save(user._replace(trusted=kept))
    return _say(as_json, {"revoked": len(user.trusted) - len(kept)},
                [f"Revoked {len(user.trusted) - len(kept)} approval(s) for {name}: nothing is sent there "
                 "from this machine until you approve it again."])


def _allow_http(user: UserConfig, host: str, as_json: bool) -> int:
    """Allow plain http to one host, which must be a bare host name or IP address (no scheme, no port)."""
    import ipaddress

    wanted = host.strip().strip("[]").lower().rstrip(".")
    bad = not wanted or any(c in wanted for c in "/@?# \t")
    if ":" in wanted:
        try:
            ipaddress.IPv6Address(wanted)
        except ValueError:
            bad = True
    if bad:
        raise UsageError(f"--allow-http: expected a host name like intranet.example, got {host!r}")
    if wanted not in user.allow_http:
        _save(user._replace(allow_http=(*user.allow_http, wanted)))
    return _say(as_json, {"allow_http": wanted},
                [f"Plain http:// to {wanted} is allowed from this machine "
                 "(tokens and check-ins cross that network unencrypted)."])


def _save(user: UserConfig) -> None:
    """Write the user config back, with its approvals."""
    from huddle_tui import paths

    write_toml(user.path or paths.user_config_file(), user_config_to_toml(user), private=True)


def _say(as_json: bool, data: dict[str, Any], lines: list[str]) -> int:
    """Print the outcome for people or for scripts; exit 0."""
    if as_json:
        emit_json(data)
    else:
        for line in lines:
            print(printable(line))
    return 0
