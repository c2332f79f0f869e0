"""Sync with the team's endpoints: send what the outbox holds, pull teammates' records.

`sync_once` is plain Python: `huddle sync` calls it from a shell and the app's
background worker calls it in a thread. Time, sleeping and randomness are
injected, so tests check the backoff schedule without waiting for it.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from huddle_tui.config.team import Endpoint, TeamConfig
from huddle_tui.config.user import UserConfig, load_user_config
from huddle_tui.errors import HuddleError
from huddle_tui.storage.folder import FolderStore
from huddle_tui.sync import backoff
from huddle_tui.sync.credentials import endpoint_label
from huddle_tui.sync.outbox import Outbox, endpoint_key
from huddle_tui.sync.replicate import reconcile

if TYPE_CHECKING:
    import httpx

    from huddle_tui.sync.client import EndpointClient

log = logging.getLogger("huddle_tui.sync.engine")


class EndpointReport(NamedTuple):
    """What one sync did with one endpoint, and what is left."""

    endpoint: str
    label: str
    sent: int = 0
    retried: int = 0
    dead: int = 0
    pulled: int = 0
    pending: int = 0
    dead_total: int = 0
    error: str | None = None
    next_at: float = 0.0
    blocked: str | None = None  # why this machine sent nothing at all (not approved, plain http)


class SyncReport(NamedTuple):
    """What one sync did, endpoint by endpoint."""

    endpoints: tuple[EndpointReport, ...]

    @property
    def ok(self) -> bool:
        """Nothing left pending or dead, and no endpoint failed."""
        return all(e.pending == 0 and e.dead_total == 0 and e.error is None for e in self.endpoints)


class Pass(NamedTuple):
    """The tallies of one push."""

    sent: int
    retried: int
    dead: int
    error: str | None


def status_line(report: SyncReport) -> str:
    """One calm line for the app's status bar: what is sent, waiting or refused."""
    if not report.endpoints:
        return "no endpoint"
    pending = sum(e.pending for e in report.endpoints)
    dead = sum(e.dead_total for e in report.endpoints)
    blocked = [e for e in report.endpoints if e.blocked]
    errors = [e for e in report.endpoints if e.error and not e.blocked]
    parts = []
    if pending:
        parts.append(f"{pending} waiting to send")
    if dead:
        parts.append(f"{dead} refused (see huddle sync --status)")
    if blocked:
        parts.append(f"{blocked[0].label} not sent to: see huddle trust")
    if errors:
        parts.append(f"{errors[0].label} unreachable or refusing; will retry")
    return ", ".join(parts) if parts else "all sent"


def sync_once(team: TeamConfig, *, outbox_path: Path | None = None,
              clock: Callable[[], float] = time.time, sleep: Callable[[float], None] = time.sleep,
              rng: Callable[[], float] = random.random, transport: httpx.BaseTransport | None = None,
              timeout: float | None = None, pull: bool = True, force: bool = False, wait: float = 0.0,
              stop: Callable[[], bool] = lambda: False, user: UserConfig | None = None) -> SyncReport:
    """Send what is due to every endpoint of `team`, then pull from its records endpoints.

    An endpoint in backoff is skipped until its time comes, unless `force`
    (a person typing `huddle sync` wants an attempt now). With `wait` > 0 it
    keeps retrying, sleeping through the backoff, for up to `wait` seconds.
    `stop` is polled between requests so the app can cancel on exit. It
    never raises for an endpoint's trouble: each endpoint's report says it.

    Only endpoints this person approved (their own config, `user`, read from
    disk when not given) are contacted; for any other, and for plain http to
    a host that is not loopback or allowed, no connection is made at all and
    the report says why. What waits for them stays in the outbox. A CA
    bundle is read once, for the approval's hash check, and the client
    verifies TLS against those same bytes.
    """
    from huddle_tui.sync.trust import refusal, verdict

    user = user if user is not None else load_user_config()
    reports = []
    with Outbox(outbox_path, clock=clock, durable=False) as outbox:
        reconcile(outbox, team)  # records a crash left between their file and the queue
        for endpoint in team.endpoints:
            checked = verdict(endpoint, user.trusted)
            blocked = refusal(endpoint, user, checked)
            if blocked is not None:
                reports.append(_blocked(endpoint, outbox, blocked))
                continue
            reports.append(_sync_endpoint(team, endpoint, outbox, clock=clock, sleep=sleep, rng=rng,
                                          transport=transport, timeout=timeout, pull=pull, force=force,
                                          deadline=clock() + wait, stop=stop, allow_http=user.allow_http,
                                          ca_pem=checked.ca_pem))
    return SyncReport(tuple(reports))


def _blocked(endpoint: Endpoint, outbox: Outbox, why: str) -> EndpointReport:
    """The report of an endpoint this machine will not contact: what waits for it, and why."""
    key, label = endpoint_key(endpoint), endpoint_label(endpoint)
    status = outbox.status([key])[0]
    return EndpointReport(key, label, pending=status.pending, dead_total=status.dead,
                          error=f"{label}: {why}", next_at=status.next_at, blocked=why)


def _sync_endpoint(team: TeamConfig, endpoint: Endpoint, outbox: Outbox, *,
                   clock: Callable[[], float], sleep: Callable[[float], None], rng: Callable[[], float],
                   transport: httpx.BaseTransport | None, timeout: float | None, pull: bool,
                   force: bool, deadline: float, stop: Callable[[], bool],
                   allow_http: tuple[str, ...], ca_pem: bytes | None) -> EndpointReport:
    """Push then pull one endpoint, turning every failure into the report's error.

    `ca_pem` is the CA bundle as the approval check hashed it, the only CA the client trusts.
    """
    from huddle_tui.errors import PullError
    from huddle_tui.sync.client import DEFAULT_TIMEOUT_S, EndpointClient

    key, label = endpoint_key(endpoint), endpoint_label(endpoint)
    pushed, pulled, error = Pass(0, 0, 0, None), 0, None
    try:
        with EndpointClient(endpoint, timeout=timeout or DEFAULT_TIMEOUT_S, transport=transport,
                            clock=clock, allow_http=allow_http, ca_pem=ca_pem) as client:
            pushed = push(outbox, key, client, clock=clock, sleep=sleep, rng=rng, force=force,
                          deadline=deadline, stop=stop)
            error = pushed.error
            if pull and endpoint.format == "records" and not stop():
                try:
                    pulled = pull_into(client, outbox, key, FolderStore(team.shared_dir))
                except PullError as exc:
                    error = str(exc)
                    outbox.note_error(key, error)
    except HuddleError as exc:
        error = exc.message
        outbox.note_error(key, error)
    status = outbox.status([key])[0]
    if error is None and (status.pending or status.dead):
        error = status.last_error  # what still holds items back, even after later successes
    return EndpointReport(key, label, pushed.sent, pushed.retried, pushed.dead, pulled, status.pending,
                          status.dead, error, status.next_at)


def push(outbox: Outbox, key: str, client: EndpointClient, *, clock: Callable[[], float],
         sleep: Callable[[float], None], rng: Callable[[], float], force: bool, deadline: float,
         stop: Callable[[], bool]) -> Pass:
    """Send an endpoint's pending items oldest first, backing off on retryable failures."""
    sent = retried = dead = 0
    error = None
    while not stop():
        failures, next_at = outbox.backoff(key)
        now = clock()
        if next_at > now and not force:
            if next_at > deadline:
                break
            sleep(next_at - now)
            continue
        force = False
        item = outbox.next_pending(key)
        if item is None:
            break
        outcome = client.send(item)
        if outcome.result == "sent":
            outbox.mark_sent(item)
            sent += 1
            error = None
            continue
        error = f"{client.label}: {outcome.error}"
        log.info("%s: %s %s", client.label, item.label, outcome.error)
        if outcome.result == "dead":
            outbox.mark_dead(item, outcome.error)
            dead += 1
            if outcome.stop:
                break
            continue
        failures += 1
        wait = backoff.delay(failures, rng, outcome.retry_after)
        outbox.mark_retry(item, outcome.error, failures, clock() + wait)
        retried += 1
        if clock() >= deadline:
            break  # no waiting asked for: one failed attempt is this pass's answer
    return Pass(sent, retried, dead, error)


def pull_into(client: EndpointClient, outbox: Outbox, key: str, store: FolderStore) -> int:
    """Bring teammates' records into the shared folder; returns how many files were new."""
    cursor = outbox.cursor(key)
    imported = 0
    while True:
        page = client.pull(cursor)
        for record, data in page.records:
            target = store.records_dir / record.kind / record.date[:7] / record.file_name()
            if not target.exists():
                # An anonymous record's time is its date alone: keep its file's time to that too.
                store.write(record, data, anonymous=record.written_at == record.date)
                imported += 1
        if page.refused:
            outbox.note_error(key, f"{client.label}: {len(page.refused)} pulled records refused "
                                   f"({page.refused[0]})")
        if page.cursor is not None:
            outbox.set_cursor(key, page.cursor)
        if not page.more or page.cursor == cursor:
            return imported
        cursor = page.cursor
