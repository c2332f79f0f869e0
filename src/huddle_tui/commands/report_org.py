"""`huddle report --endpoint NAME --org`: the org report a server gives an org token, printed like a report.

Only this path talks HTTP (through sync/), so a plain `huddle report` never
imports httpx. The server has applied the k ≥ 3 rule; what it suppressed is
printed as "fewer than 3".
"""

from __future__ import annotations

import argparse
import sys
from datetime import date

from huddle_tui.commands.common import emit_json
from huddle_tui.errors import EndpointError, UsageError

FIRST_DAY = date(1970, 1, 1)  # --since all: the first day the server accepts


def run_org(args: argparse.Namespace, since: date, until: date) -> int:
    """Check the flags, ask the endpoint for the org report, print it in the asked format."""
    from huddle_tui.config.user import load_user_config
    from huddle_tui.rules import org_report
    from huddle_tui.sync.client import EndpointClient
    from huddle_tui.sync.trust import trusted_endpoint

    if not (args.org and args.endpoint):
        raise UsageError("--org and --endpoint NAME go together: the org report comes from an endpoint")
    if args.by:
        raise UsageError("the org report covers one stretch of days: leave out --by")
    if since > until:
        raise UsageError(f"--since {since} is after --until {until}")
    user = load_user_config()
    endpoint, ca_pem = trusted_endpoint(user, args.endpoint)  # the CA bundle's bytes as checked
    with EndpointClient(endpoint, allow_http=user.allow_http, ca_pem=ca_pem) as client:
        answer = client.org_report(since.isoformat(), until.isoformat())
        label = client.label
    try:
        report = org_report.parse(answer)
    except ValueError as exc:
        raise EndpointError(f"{label}: the answer is not an org report ({exc})") from None
    if args.format == "json":
        emit_json(org_report.as_json(report, label))
    elif args.format == "csv":
        sys.stdout.write(org_report.render_csv(report))
    else:
        sys.stdout.write(org_report.render_text(report, label, markdown=args.format == "markdown"))
    return 0
