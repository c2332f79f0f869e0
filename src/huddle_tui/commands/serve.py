"""`huddle serve`: the reference server for the records API (needs the `server` extra)."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable

from huddle_tui.errors import UsageError
from huddle_tui.server.limits import Limits


def _positive(kind: Callable[[str], float]) -> Callable[[str], float]:
    """An argparse type accepting only numbers above zero (argparse turns the error into one line)."""
    def parse(text: str) -> float:
        """The number, or the reason it is refused."""
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number above 0, got {text!r}") from None
        if not (value > 0 and math.isfinite(value)):
            raise argparse.ArgumentTypeError(f"expected a number above 0, got {text!r}")
        return value

    return parse


def configure(p: argparse.ArgumentParser) -> None:
    """Flags of `huddle serve`."""
    d = Limits()
    p.add_argument("action", nargs="*", metavar="ACTION",
                   help="none to serve; `tokens add --team NAME` (or --org), `tokens list`, "
                        "`tokens revoke ID` to manage the tokens in --database (or --tokens-file); "
                        "`keys list`, `keys accept --team NAME --member NAME --fingerprint DIGITS` "
                        "for the members' keys pinned for --database (or --shared); "
                        "`migrate` to update --database")
    p.add_argument("--shared", metavar="DIR", help="the folder to keep records in (the folder store)")
    p.add_argument("--database", metavar="URL",
                   help="keep records in PostgreSQL instead: postgresql://user@host/dbname "
                        "(default $HUDDLE_DATABASE_URL; run `huddle serve migrate` first)")
    p.add_argument("--team", metavar="NAME",
                   help="with `tokens add`: the team the token may reach; with `keys`: the team "
                        "(default: every team for `keys list`, the default team for `keys accept`)")
    p.add_argument("--member", metavar="NAME", help="with `keys accept`: the member whose new key it is")
    p.add_argument("--fingerprint", metavar="DIGITS",
                   help="with `keys accept`: the key's fingerprint as `huddle keys` shows it on the "
                        "team's machines (the first two groups or more)")
    p.add_argument("--org", action="store_true",
                   help="with `tokens add`: a token for the org's aggregate report only, never records")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    p.add_argument("--tokens-file", metavar="FILE",
                   help="accepted bearer tokens, one a line, mode 0600 (default: $HUDDLE_SERVER_TOKENS); "
                        "with --database the tokens are in the database instead")
    limits = p.add_argument_group("limits (see docs/http.md)")
    limits.add_argument("--limit-concurrency", type=_positive(int), default=d.concurrency, metavar="N",
                        help=f"open connections and running requests: one more closes the connection "
                             f"waiting longest for its request, or gets 503 if none waits "
                             f"(default {d.concurrency}; keep it well under `ulimit -n`)")
    limits.add_argument("--limit-per-peer", type=_positive(int), default=d.per_peer, metavar="N",
                        help=f"open connections from one address: one more closes that address's "
                             f"connection waiting longest, or gets 503 if none waits (default {d.per_peer}; "
                             f"behind a reverse proxy every client has the proxy's address)")
    limits.add_argument("--timeout-keep-alive", type=_positive(int), default=d.keep_alive, metavar="S",
                        help=f"close a connection idle this many seconds (default {d.keep_alive})")
    limits.add_argument("--timeout-request", type=_positive(float), default=d.request_timeout, metavar="S",
                        help=f"seconds a client has to send a whole request, else 408 and the "
                             f"connection is closed (default {d.request_timeout:g})")
    limits.add_argument("--timeout-header", type=_positive(float), default=d.header_timeout, metavar="S",
                        help=f"seconds a client has to send a request's line and headers, else 408 and "
                             f"the connection is closed (default {d.header_timeout:g})")
    limits.add_argument("--max-head-bytes", type=_positive(int), default=d.max_head_bytes, metavar="N",
                        help=f"request line and headers over this get 431 (default {d.max_head_bytes})")
    limits.add_argument("--backlog", type=_positive(int), default=d.backlog, metavar="N",
                        help=f"connections the OS queues before they are accepted (default {d.backlog})")
    p.add_argument("--log-format", choices=("text", "json"), default="text",
                   help="json: one JSON object a line (time, level, logger, message) for a log collector")
    p.add_argument("--access-log", action="store_true",
                   help="log every request (method, path, status) to stdout; off by default")


def run(args: argparse.Namespace) -> int:
    """Manage tokens or migrate when asked to; else check the tokens and the store, then serve."""
    if args.action:
        from huddle_tui.commands import serve_admin

        return serve_admin.run(args)
    try:
        import uvicorn

        from huddle_tui.server.app import create_app
        from huddle_tui.server.protocol import server_config
    except ImportError:
        raise UsageError("the server needs its extra: pip install 'huddle-tui[server]'") from None
    from huddle_tui.commands.serve_admin import open_store, open_tokens

    if not 0 < args.port < 65536:
        raise UsageError(f"--port must be 1 to 65535, got {args.port}")
    store, where = open_store(args)
    try:
        tokens = open_tokens(args, store)
    except BaseException:
        store.close()
        raise
    limits = Limits(concurrency=int(args.limit_concurrency), keep_alive=int(args.timeout_keep_alive),
                    request_timeout=float(args.timeout_request), max_head_bytes=int(args.max_head_bytes),
                    backlog=int(args.backlog), header_timeout=float(args.timeout_header),
                    per_peer=int(args.limit_per_peer))
    app = create_app(store, tokens)
    config = server_config(app, limits, host=args.host, port=args.port, access_log=args.access_log,
                           json_logs=args.log_format == "json")
    print(f"Serving {where} on http://{args.host}:{args.port} "
          f"(at most {limits.concurrency} connections, {limits.per_peer} from one address)", flush=True)
    try:
        uvicorn.Server(config).run()
    finally:
        tokens.close()
        store.close()
    return 0
