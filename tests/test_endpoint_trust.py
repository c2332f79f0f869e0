"""Secrets never follow the shared folder: an endpoint gets a token only once approved on this machine.

A teammate can edit huddle.toml; here one adds an endpoint naming a capture
server on 127.0.0.1 and an environment variable that holds a canary secret.
"""

from __future__ import annotations

import hashlib
import json
import os
import select
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import trustme

from huddle_tui import paths
from huddle_tui.config.team import Endpoint, TeamConfig, load_team_config
from huddle_tui.config.user import Approval, UserConfig, load_user_config
from huddle_tui.errors import ConfigError
from huddle_tui.journal import open_journal
from huddle_tui.model.checkin import CheckIn
from huddle_tui.sync import trust
from huddle_tui.sync.engine import status_line, sync_once
from huddle_tui.sync.outbox import Outbox
from huddle_tui.sync.trust import (
    CA_CHANGED,
    CA_NOT_HASHED,
    http_refusal,
    is_approved,
    is_loopback,
    trusted_endpoint,
    verdict,
)
from tests.conftest import cli, run_huddle
from tests.http_helpers import Capture, LiveServer, approve_endpoints, with_endpoints

CANARY_ENV = "HUDDLE_TRUST_CANARY"
CANARY = "canary-Vq3Lx9Tz2Kp7Wm4Rb8Nd"


def teammate_adds(team: TeamConfig, url: str, *, name: str = "api", fmt: str = "records",
                  token: str = f'token_env = "{CANARY_ENV}"') -> TeamConfig:
    """Edit the shared huddle.toml by hand, as any teammate can: one more [[endpoints]] entry."""
    assert team.path is not None
    with team.path.open("a", encoding="utf-8") as f:
        f.write(f'\n[[endpoints]]\nname = "{name}"\nurl = "{url}"\nformat = "{fmt}"\n{token}\n')
    return load_team_config(team.path)


def teammate_edits(team: TeamConfig, old: str, new: str) -> TeamConfig:
    """Change one string in the shared huddle.toml."""
    assert team.path is not None
    text = team.path.read_text(encoding="utf-8")
    assert old in text
    team.path.write_text(text.replace(old, new), encoding="utf-8")
    return load_team_config(team.path)


def save_checkin(team: TeamConfig, member: str = "Ana") -> None:
    """A check-in saved as the app and `huddle checkin` save it: shared folder and outbox in one step."""
    journal = open_journal(team, durable=False)
    journal.save_checkin(CheckIn("2026-11-26", 4, member, "shipping"))


def connection_waiting(sock: socket.socket) -> bool:
    """Whether anyone has connected to a listening socket nobody accepts on yet."""
    return bool(select.select([sock], [], [], 0)[0])


def pending() -> int:
    """Items waiting in the outbox, all endpoints."""
    with Outbox() as outbox:
        return sum(s.pending for s in outbox.status())


@pytest.fixture
def canary(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The victim's secret, in the environment every command and the app inherit."""
    monkeypatch.setenv(CANARY_ENV, CANARY)
    yield CANARY


@pytest.fixture
def capture() -> Iterator[tuple[LiveServer, Capture]]:
    """A capture server bound on 127.0.0.1 and listening, but not answering until started."""
    app = Capture()
    server = LiveServer(app)
    server.sock.listen(16)  # a connection attempt now waits in the backlog, where select() sees it
    try:
        yield server, app
    finally:
        if server.thread.is_alive():
            server.stop()
        else:
            server.sock.close()


def test_a_shared_config_gets_no_token_until_this_machine_approves_it(
        team: TeamConfig, canary: str, capture: tuple[LiveServer, Capture]) -> None:
    """`huddle sync` and the app send nothing before `huddle trust`; then the token, as a header only."""
    server, app = capture
    team = teammate_adds(team, server.url)
    save_checkin(team)
    env = {"HUDDLE_CONFIG": str(team.path)}

    synced = run_huddle("sync", env=env)
    report = sync_once(team, stop=lambda: False)  # the app's worker calls exactly this
    status = run_huddle("sync", "--status", env=env)
    status_json = json.loads(run_huddle("sync", "--status", "--json", env=env).stdout)
    asked = run_huddle("trust", env=env)  # no terminal: nothing is asked, nothing approved

    assert not connection_waiting(server.sock) and app.requests == []  # no connection at all
    assert synced.returncode == 6 and synced.stdout == ""
    (line,) = synced.stderr.splitlines()
    assert line.startswith("huddle: api: not approved on this machine") and "run `huddle trust`" in line
    assert f"${CANARY_ENV}" in line and CANARY not in line
    (blocked,) = report.endpoints
    assert blocked.blocked and "not approved on this machine" in blocked.blocked and blocked.pending == 1
    assert "huddle trust" in status_line(report)
    assert "api: 1 pending" in status.stdout and "not approved on this machine" in status.stdout
    assert status_json["endpoints"][0]["approved"] is False
    assert asked.returncode == 2 and "stdin is not a terminal" in asked.stderr
    assert "api: http://127.0.0.1" in asked.stdout and f"token from ${CANARY_ENV}" in asked.stdout
    assert pending() == 1  # kept for later, nothing lost

    approved = run_huddle("trust", "api", env=env)
    assert approved.returncode == 0 and "Approved on this machine: api" in approved.stdout
    server.start()
    after = run_huddle("sync", env=env)
    save_checkin(team, "Ben")
    app_report = sync_once(team, stop=lambda: False)
    server.stop()

    assert after.returncode == 0, after.stderr
    assert app_report.ok and app_report.endpoints[0].sent == 1
    puts = [r for r in app.requests if r.method == "PUT"]
    assert len(puts) == 2 and pending() == 0
    for r in app.requests:
        assert r.headers["authorization"] == f"Bearer {CANARY}"  # the token is here …
        elsewhere = [r.path, r.query.decode(), r.body.decode(),
                     *(v for k, v in r.headers.items() if k != "authorization")]
        assert not any(CANARY in part for part in elsewhere)  # … and nowhere else


def test_a_changed_url_or_token_source_withdraws_the_approval(
        team: TeamConfig, canary: str, capture: tuple[LiveServer, Capture], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Redirecting an approved endpoint, or pointing it at another secret, sends nothing until re-approved."""
    approved_app = Capture()
    approved_server = LiveServer(approved_app).start()
    attacker, attacker_app = capture
    try:
        team = teammate_adds(team, approved_server.url)
        assert run_huddle("trust", "--all", env={"HUDDLE_CONFIG": str(team.path)}).returncode == 0
        save_checkin(team)
        assert sync_once(team).ok and len(approved_app.requests) == 2  # the PUT and the pull

        redirected = teammate_edits(team, approved_server.url, attacker.url)
        save_checkin(redirected, "Ben")
        cli_sync = run_huddle("sync", env={"HUDDLE_CONFIG": str(team.path)})
        app_sync = sync_once(redirected)
        assert cli_sync.returncode == 6 and "not approved on this machine" in cli_sync.stderr
        assert app_sync.endpoints[0].blocked and not connection_waiting(attacker.sock)

        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "aws-" + CANARY)
        other_secret = teammate_edits(redirected, attacker.url, approved_server.url)
        other_secret = teammate_edits(other_secret, f'token_env = "{CANARY_ENV}"',
                                      'token_env = "AWS_SECRET_ACCESS_KEY"')
        assert sync_once(other_secret).endpoints[0].blocked
        credentials = tmp_path / "home" / ".git-credentials"
        credentials.parent.mkdir(parents=True, exist_ok=True)
        credentials.write_text(f"https://ana:{CANARY}@git.example\n")
        credentials.chmod(0o600)
        from_file = teammate_edits(other_secret, 'token_env = "AWS_SECRET_ACCESS_KEY"',
                                   f'token_file = "{credentials}"')
        assert sync_once(from_file).endpoints[0].blocked
        assert len(approved_app.requests) == 2  # nothing more reached even the approved host

        restored = teammate_edits(from_file, f'token_file = "{credentials}"', f'token_env = "{CANARY_ENV}"')
        assert sync_once(restored).ok  # the original binding is approved again, as it always was
    finally:
        approved_server.stop()
    assert not connection_waiting(attacker.sock) and attacker_app.requests == []
    assert all(CANARY not in r.body.decode() for r in approved_app.requests)
    assert sum(r.method == "PUT" for r in approved_app.requests) == 2


def forbid_sockets(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Make any attempt to resolve or connect fail the test (and note it)."""
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        """Record the attempt and fail loudly."""
        attempts.append(args)
        raise AssertionError(f"network used: {args!r}")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


def test_plain_http_to_a_host_that_is_not_loopback_is_refused_without_a_socket(
        team: TeamConfig, canary: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Approved or not, http://example.invalid is refused before any lookup; --allow-http lifts that."""
    team = with_endpoints(team, Endpoint(url="http://example.invalid", token_env=CANARY_ENV, name="api"))
    save_checkin(team)
    env = {"HUDDLE_CONFIG": str(team.path)}
    synced = run_huddle("sync", env=env)
    doctor = run_huddle("doctor", env=env)
    attempts = forbid_sockets(monkeypatch)
    report = sync_once(team)
    refusal = "plain http:// to example.invalid is refused"
    assert synced.returncode == 6 and refusal in synced.stderr and len(synced.stderr.splitlines()) == 1
    assert "huddle trust --allow-http example.invalid" in synced.stderr
    assert doctor.returncode == 3 and f"[FAIL] api: {refusal}" in doctor.stdout
    assert report.endpoints[0].blocked and refusal in report.endpoints[0].blocked
    assert attempts == [] and pending() == 1

    code, out, err = cli(capsys, "trust", "--allow-http", "EXAMPLE.invalid", "--config", str(team.path))
    assert code == 0 and "example.invalid" in out, err
    assert load_user_config().allow_http == ("example.invalid",)
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        """Stand in for the host: no network, just note the request."""
        seen.append(request)
        return httpx.Response(201 if request.method == "PUT" else 200,
                              json={"records": [], "cursor": None, "more": False})

    assert sync_once(team, transport=httpx.MockTransport(answer)).ok
    assert [r.url.host for r in seen] == ["example.invalid", "example.invalid"] and attempts == []
    assert seen[0].headers["authorization"] == f"Bearer {CANARY}"


def test_a_chat_webhook_read_from_the_secret_is_held_to_the_same_rule(
        team: TeamConfig, monkeypatch: pytest.MonkeyPatch) -> None:
    """The webhook URL comes from token_env: plain http to a remote host there is refused too."""
    monkeypatch.setenv("HUDDLE_HOOK", "http://hooks.example.invalid/services/T0AB12CD3/B0XY45ZZ6/k3y")
    team = with_endpoints(team, Endpoint(url="https://hooks.slack.com", format="slack",
                                         token_env="HUDDLE_HOOK", name="chat"))
    with Outbox() as outbox:
        outbox.add("chat", "summary:x", "summary 2026-11-26", "POST", "", b"{}")
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        """Note any request (none should come)."""
        seen.append(request)
        return httpx.Response(200)

    attempts = forbid_sockets(monkeypatch)
    report = sync_once(team, transport=httpx.MockTransport(answer))
    assert seen == [] and attempts == []
    assert "plain http:// to hooks.example.invalid is refused" in (report.endpoints[0].error or "")
    assert "T0AB12CD3" not in repr(report)


@pytest.mark.parametrize("host, loopback", [
    ("127.0.0.1", True), ("127.8.9.10", True), ("::1", True), ("[::1]", True), ("localhost", True),
    ("LOCALHOST.", True), ("128.0.0.1", False), ("127.0.0.1.nip.invalid", False),
    ("localhost.evil.invalid", False), ("0.0.0.0", False), ("10.0.0.1", False), ("example.invalid", False)])
def test_only_loopback_counts_as_loopback(host: str, loopback: bool) -> None:
    """127.0.0.0/8, ::1 and localhost; nothing that merely looks like them."""
    assert is_loopback(host) is loopback
    url = f"http://[{host.strip('[]')}]:8080/v1" if ":" in host else f"http://{host}:8080/v1"
    assert (http_refusal(url, ()) is None) is loopback
    assert http_refusal(url.replace("http://", "https://"), ()) is None


def test_doctor_warns_of_an_unapproved_endpoint_without_contacting_it(
        team: TeamConfig, capture: tuple[LiveServer, Capture]) -> None:
    """A warning naming `huddle trust`, with the URL's key-like parts hidden, and no connection."""
    server, _ = capture
    team = teammate_adds(team, f"{server.url}/hooks/Zq9xW2vK7pL4mN8rTok3nAbC", fmt="mattermost", token="")
    doctor = run_huddle("doctor", env={"HUDDLE_CONFIG": str(team.path)})
    as_json = json.loads(run_huddle("doctor", "--json", env={"HUDDLE_CONFIG": str(team.path)}).stdout)
    assert doctor.returncode == 0, doctor.stderr
    assert "[warn] api: not approved on this machine" in doctor.stdout and "huddle trust" in doctor.stdout
    assert "/hooks/[redacted]" in doctor.stdout and "Zq9xW2vK" not in doctor.stdout + json.dumps(as_json)
    assert not connection_waiting(server.sock)


def test_trust_lists_prompts_on_a_terminal_revokes_and_keeps_its_word_in_the_user_config(
        team: TeamConfig, canary: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The y/N prompt only on a terminal; approvals are [[trusted_endpoints]] in config.toml."""
    team = teammate_adds(team, "https://huddle.example.org", name="api")
    team = teammate_adds(team, "https://hooks.slack.com", name="chat", fmt="slack",
                         token='token_env = "HUDDLE_SLACK_HOOK"')
    config = ["--config", str(team.path)]
    code, out, _ = cli(capsys, "trust", "--list", *config)
    assert code == 0 and "api: https://huddle.example.org (records, token from $HUDDLE_TRUST_CANARY)" in out
    assert out.count("not approved on this machine") == 2

    answers = iter(["n", "y"])
    prompts: list[str] = []

    def typed(prompt: str = "") -> str:
        """A person at the terminal: no to the first endpoint, yes to the second."""
        prompts.append(prompt)
        return next(answers)

    monkeypatch.setattr("builtins.input", typed)
    monkeypatch.setattr("huddle_tui.commands.trust.stdin_is_terminal", lambda: True)
    code, out, err = cli(capsys, "trust", *config)
    assert code == 0, err
    assert prompts == ["Send the token from $HUDDLE_TRUST_CANARY to https://huddle.example.org from this "
                       "machine? [y/N] ",
                       "Send the webhook URL from $HUDDLE_SLACK_HOOK to https://hooks.slack.com from this "
                       "machine? [y/N] "]
    user = load_user_config()
    assert user.trusted == (Approval(name="chat", url="https://hooks.slack.com", format="slack",
                                     token_env="HUDDLE_SLACK_HOOK"),)
    text = paths.user_config_file().read_text(encoding="utf-8")
    assert "[[trusted_endpoints]]" in text and 'token_env = "HUDDLE_SLACK_HOOK"' in text

    monkeypatch.setattr("builtins.input", lambda prompt="": pytest.fail("prompted without a terminal"))
    monkeypatch.setattr("huddle_tui.commands.trust.stdin_is_terminal", lambda: False)
    code, _, err = cli(capsys, "trust", *config)
    assert code == 2 and "stdin is not a terminal" in err
    code, out, err = cli(capsys, "trust", "--json", *config)
    assert code == 2 and out == "" and "stdin is not a terminal" in err
    code, _, err = cli(capsys, "trust", "nope", *config)
    assert code == 2 and "no endpoint 'nope'" in err
    code, _, err = cli(capsys, "trust", "--allow-http", "http://x.example/", *config)
    assert code == 2 and "--allow-http" in err and "Traceback" not in err
    code, out, _ = cli(capsys, "trust", "huddle.example.org", "--json", *config)  # by host
    assert code == 0 and json.loads(out) == {"approved": ["api"]}
    code, out, _ = cli(capsys, "trust", "--list", "--json", *config)
    assert [e["approved"] for e in json.loads(out)["endpoints"]] == [True, True]

    team = teammate_edits(team, "https://huddle.example.org", "https://huddle.example.net")
    code, out, _ = cli(capsys, "trust", "--list", *config)
    assert "api: https://huddle.example.net (records, token from $HUDDLE_TRUST_CANARY) — not approved" in out
    assert "approval no endpoint matches now: api: https://huddle.example.org" in out
    code, out, _ = cli(capsys, "trust", "--revoke", "api", *config)
    assert code == 0 and "Revoked 1 approval(s) for api" in out
    code, _, err = cli(capsys, "trust", "--revoke", "api", *config)
    assert code == 2 and "no approval named 'api'" in err
    assert [a.name for a in load_user_config().trusted] == ["chat"]


def test_the_trust_command_loads_no_ui(team: TeamConfig) -> None:
    """Scripted like the others: no textual when listing."""
    code = ("import sys, io, contextlib\nfrom huddle_tui.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()): rc = main(['trust', '--list'])\n"
            "print(rc, [m for m in ('textual', 'rich', 'httpx') if m in sys.modules])")
    import subprocess

    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "HUDDLE_CONFIG": str(team.path)})
    assert result.stdout.strip() == "0 []", result


# ---------------------------------------------------------------- the CA bundle's contents

CA_LINE = 'ca_bundle = "company-ca.pem"'  # relative to huddle.toml: in the shared folder, as teams keep it


def tls_server(ca: trustme.CA, tmp_path: Path, app: Capture, *, port: int | None = None) -> LiveServer:
    """A TLS server on 127.0.0.1 (not started) whose certificate this CA issued."""
    pem = tmp_path / f"server-{id(ca)}.pem"
    ca.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.write_to_path(str(pem))
    return LiveServer(app, port, tls_pem=pem)


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file's bytes, as an approval keeps it."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def row(listed: dict[str, object], name: str) -> dict[str, object]:
    """One endpoint's row in `huddle trust --list --json`."""
    rows = listed["endpoints"]
    assert isinstance(rows, list)
    (found,) = [r for r in rows if r["name"] == name]
    return dict(found)


def test_a_ca_bundle_rewritten_in_the_shared_folder_withdraws_the_approval(
        team: TeamConfig, canary: str, tmp_path: Path) -> None:
    """Same URL, same path, another CA inside: no connection, no token, and every command says why.

    The teammate's server answers on the approved address with a certificate
    their own CA issued, the one now in the bundle file: with the approval
    bound to the path alone, sync would verify it and hand over the token.
    Approving again, once the person has checked the new CA, covers it.
    """
    company, theirs = trustme.CA(), trustme.CA()
    bundle = team.shared_dir / "company-ca.pem"
    company.cert_pem.write_to_path(str(bundle))
    approved_app = Capture()
    approved = tls_server(company, tmp_path, approved_app).start()
    try:
        team = teammate_adds(team, approved.url, token=f'token_env = "{CANARY_ENV}"\n{CA_LINE}')
        env = {"HUDDLE_CONFIG": str(team.path)}
        assert run_huddle("trust", "--all", env=env).returncode == 0
        (approval,) = load_user_config().trusted
        assert approval.ca_bundle == str(bundle.resolve()) and approval.ca_sha256 == sha256_of(bundle)
        save_checkin(team)
        assert sync_once(team).ok  # verified against the approved bundle's bytes
    finally:
        approved.stop()
    assert [r.method for r in approved_app.requests] == ["PUT", "GET"]

    theirs.cert_pem.write_to_path(str(bundle))
    attacker_app = Capture()
    attacker = tls_server(theirs, tmp_path, attacker_app, port=approved.port)
    attacker.sock.listen(16)
    try:
        save_checkin(team, "Ben")
        synced = run_huddle("sync", env=env)
        report = sync_once(team)
        status = json.loads(run_huddle("sync", "--status", "--json", env=env).stdout)
        listed = json.loads(run_huddle("trust", "--list", "--json", env=env).stdout)
        listed_text = run_huddle("trust", "--list", env=env).stdout
        doctor = run_huddle("doctor", env=env)
        assert not connection_waiting(attacker.sock) and attacker_app.requests == []

        assert synced.returncode == 6 and synced.stdout == ""
        assert synced.stderr.startswith(f"huddle: api: not approved on this machine: {CA_CHANGED}; ")
        assert "run `huddle trust`" in synced.stderr and CANARY not in synced.stderr
        assert report.endpoints[0].blocked and CA_CHANGED in report.endpoints[0].blocked
        assert status["endpoints"][0]["approved"] is False and CA_CHANGED in status["endpoints"][0]["blocked"]
        assert row(listed, "api") | {"url": ""} == {
            "name": "api", "label": "api", "url": "", "format": "records",
            "token_source": f"token from ${CANARY_ENV}", "ca_bundle": str(bundle), "approved": False,
            "reason": CA_CHANGED, "http_refused": None}
        assert listed["stale_approvals"] == []  # still bound to the endpoint, just not covering it
        assert f"CA bundle {bundle}) — not approved on this machine: {CA_CHANGED}" in listed_text
        assert doctor.returncode == 0, doctor.stderr
        assert f"[warn] api: not approved on this machine ({CA_CHANGED})" in doctor.stdout
        assert pending() == 1

        again = run_huddle("trust", "api", env=env)
        assert again.returncode == 0, again.stderr
        assert [a.ca_sha256 for a in load_user_config().trusted] == [sha256_of(bundle)]  # replaced
        attacker.start()
        assert sync_once(team).ok
    finally:
        if attacker.thread.is_alive():
            attacker.stop()
        else:
            attacker.sock.close()
    assert [r.method for r in attacker_app.requests] == ["PUT", "GET"]
    assert all(r.headers["authorization"] == f"Bearer {CANARY}" for r in attacker_app.requests)


def test_the_client_trusts_the_bytes_that_were_checked_not_the_file_read_again(
        team: TeamConfig, canary: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The bundle is swapped the instant after its hash is checked: TLS still uses the checked bytes.

    Had the client opened the file again (or given httpx its path), it would
    trust only the new CA and refuse the approved server's certificate.
    """
    company, theirs = trustme.CA(), trustme.CA()
    bundle = team.shared_dir / "company-ca.pem"
    company.cert_pem.write_to_path(str(bundle))
    app = Capture()
    server = tls_server(company, tmp_path, app).start()
    team = teammate_adds(team, server.url, token=f'token_env = "{CANARY_ENV}"\n{CA_LINE}')
    approve_endpoints(*team.endpoints)
    read = trust.read_ca_bundle

    def read_then_swap(path: Path) -> trust.CABundle:
        """Read the bundle as the check does, then let a teammate rewrite it at once."""
        checked = read(path)
        theirs.cert_pem.write_to_path(str(path))
        return checked

    monkeypatch.setattr(trust, "read_ca_bundle", read_then_swap)
    save_checkin(team)
    try:
        report = sync_once(team)
    finally:
        server.stop()
    assert report.ok, report
    assert bundle.read_bytes() == theirs.cert_pem.bytes()  # the swap did land before the connection
    assert [r.method for r in app.requests] == ["PUT", "GET"]
    assert verdict(team.endpoints[0], load_user_config().trusted).reason == CA_CHANGED  # next time: no


def test_an_approval_from_before_ca_hashes_must_be_given_again(
        team: TeamConfig, canary: str, capture: tuple[LiveServer, Capture]) -> None:
    """An older huddle's approval names the bundle's path only: not approved, and told to run `huddle trust`.

    An approval of an endpoint without a CA bundle, as an older huddle wrote
    it, still holds: its token reaches that server in the same sync.
    """
    server, app = capture
    bundle = team.shared_dir / "company-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(bundle))
    plain_app = Capture()
    plain = LiveServer(plain_app).start()
    try:
        team = teammate_adds(team, server.url, token=f'token_env = "{CANARY_ENV}"\n{CA_LINE}')
        team = teammate_adds(team, plain.url, name="plain")
        env = {"HUDDLE_CONFIG": str(team.path)}
        config = paths.user_config_file()  # what an older huddle wrote on `huddle trust --all`
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text("".join(
            f'[[trusted_endpoints]]\nname = "{name}"\nurl = "{url}"\nformat = "records"\n'
            f'token_env = "{CANARY_ENV}"\n{extra}\n'
            for name, url, extra in (("api", server.url, f'ca_bundle = "{bundle.resolve()}"\n'),
                                     ("plain", plain.url, ""))), encoding="utf-8")
        api, plain_endpoint = team.endpoints
        assert verdict(api, load_user_config().trusted).reason == CA_NOT_HASHED
        assert is_approved(plain_endpoint, load_user_config().trusted)

        save_checkin(team)
        synced = run_huddle("sync", env=env)
        listed = json.loads(run_huddle("trust", "--list", "--json", env=env).stdout)
        assert not connection_waiting(server.sock) and app.requests == []
        assert synced.returncode == 6, synced.stderr
        (line,) = synced.stderr.splitlines()
        assert line.startswith(f"huddle: api: not approved on this machine: {CA_NOT_HASHED}; ")
        assert line.endswith("run `huddle trust` to review it")
        assert row(listed, "api")["approved"] is False and row(listed, "api")["reason"] == CA_NOT_HASHED
        assert row(listed, "plain")["approved"] is True and row(listed, "plain")["reason"] is None
        assert [r.headers["authorization"] for r in plain_app.requests if r.method == "PUT"] == [
            f"Bearer {CANARY}"]

        assert run_huddle("trust", "api", env=env).returncode == 0
        assert [(a.name, a.ca_sha256) for a in load_user_config().trusted] == [
            ("plain", None), ("api", sha256_of(bundle))]
        assert "ca_sha256 = " in config.read_text(encoding="utf-8")
        assert is_approved(api, load_user_config().trusted)
    finally:
        plain.stop()


def test_a_ca_bundle_that_cannot_be_read_is_not_approved_and_cannot_be_approved(
        team: TeamConfig, canary: str, capture: tuple[LiveServer, Capture]) -> None:
    """Missing, a directory or a FIFO: a clear reason, nothing sent, nothing approved — and no hang."""
    server, app = capture
    bundle = team.shared_dir / "company-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(bundle))
    team = teammate_adds(team, server.url, token=f'token_env = "{CANARY_ENV}"\n{CA_LINE}')
    env = {"HUDDLE_CONFIG": str(team.path)}
    assert run_huddle("trust", "--all", env=env).returncode == 0
    before = paths.user_config_file().read_bytes()
    save_checkin(team)
    cases: list[tuple[str, str]] = [("not found", "unlink")]
    cases.append(("not a regular file", "mkdir"))
    if hasattr(os, "mkfifo"):
        cases.append(("not a regular file", "mkfifo"))  # a plain open() would wait for a writer
    for why, make in cases:
        if bundle.is_dir():
            bundle.rmdir()
        else:
            bundle.unlink(missing_ok=True)
        if make != "unlink":
            getattr(os, make)(bundle)
        reason = f"the CA bundle {bundle} cannot be read ({why})"
        synced = run_huddle("sync", env=env)
        assert synced.returncode == 6 and f"not approved on this machine: {reason}" in synced.stderr, make
        listed = json.loads(run_huddle("trust", "--list", "--json", env=env).stdout)
        assert row(listed, "api")["reason"] == reason
        refused = run_huddle("trust", "api", env=env)
        assert refused.returncode == 3 and f"huddle: api: {reason}; nothing approved" in refused.stderr
        assert paths.user_config_file().read_bytes() == before
    assert not connection_waiting(server.sock) and app.requests == [] and pending() == 1


def test_an_org_endpoints_ca_bundle_is_held_to_its_hash_too(team: TeamConfig, tmp_path: Path) -> None:
    """`huddle report --endpoint NAME --org` uses the approval itself: its bundle must match ca_sha256."""
    bundle = team.shared_dir / "org-ca.pem"
    company = trustme.CA()
    company.cert_pem.write_to_path(str(bundle))
    hq = Approval(name="hq", url="https://huddle.example.org", token_env="HUDDLE_ORG_TOKEN",
                  ca_bundle=str(bundle), ca_sha256=sha256_of(bundle))
    endpoint, pem = trusted_endpoint(UserConfig(trusted=(hq,)), "hq")
    assert endpoint.ca_bundle == bundle and pem == company.cert_pem.bytes()

    trustme.CA().cert_pem.write_to_path(str(bundle))
    with pytest.raises(ConfigError, match=CA_CHANGED):
        trusted_endpoint(UserConfig(trusted=(hq,)), "hq")
    with pytest.raises(ConfigError, match="set ca_sha256 to the SHA-256 of the bundle you trust"):
        trusted_endpoint(UserConfig(trusted=(hq._replace(ca_sha256=None),)), "hq")

    config = paths.user_config_file()  # written by hand: Get-FileHash prints upper case, sha256sum lower
    config.parent.mkdir(parents=True, exist_ok=True)
    for digest in (sha256_of(bundle).upper(), "sha256:" + sha256_of(bundle)):
        config.write_text(f'[[trusted_endpoints]]\nname = "hq"\nurl = "{hq.url}"\nca_bundle = "{bundle}"\n'
                          f'ca_sha256 = "{digest}"\n', encoding="utf-8")
        if digest.startswith("sha256:"):
            with pytest.raises(ConfigError, match=r"trusted_endpoints\[0\]\.ca_sha256 \(line 5\): expected"):
                load_user_config()
        else:
            assert trusted_endpoint(load_user_config(), "hq")[1] == bundle.read_bytes()
