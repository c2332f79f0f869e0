"""`huddle serve`: the reference server for the records API (needs the `server` extra)."""

from __future__ import annotations

import argparse
from pathlib import Path

from huddle_tui.errors import UsageError


def configure(p: argparse.ArgumentParser) -> None:
    """Flags of `huddle serve`."""
    p.add_argument("--shared", required=True, metavar="DIR", help="the folder to keep records in")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    p.add_argument("--tokens-file", metavar="FILE",
                   help="accepted bearer tokens, one a line, mode 0600 (default: $HUDDLE_SERVER_TOKENS)")


def run(args: argparse.Namespace) -> int:
    """Check the tokens and the folder, then serve until interrupted."""
    try:
        import uvicorn

        from huddle_tui.server.app import create_app
    except ImportError:
        raise UsageError("the server needs its extra: pip install 'huddle-tui[server]'") from None
    from huddle_tui.server.tokens import load_tokens

    if not 0 < args.port < 65536:
        raise UsageError(f"--port must be 1 to 65535, got {args.port}")
    tokens = load_tokens(Path(args.tokens_file).expanduser() if args.tokens_file else None)
    shared = Path(args.shared).expanduser()
    if not shared.is_dir():
        raise UsageError(f"--shared {shared}: no such folder")
    app = create_app(shared, tokens)
    print(f"Serving {shared} on http://{args.host}:{args.port} ({len(tokens)} tokens accepted)", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, server_header=False, log_level="info")
    return 0
