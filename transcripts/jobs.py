"""RQ jobs of the transcripts area: archive a closed chat, post a transcript to its thread, retention.

Each takes the config path and Redis URL first (see bridge.jobs) and runs in its own process.
"""

import logging
import random
from collections.abc import Awaitable
from datetime import timedelta

from aiosmtplib import SMTPException
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq import get_current_job

from bridge.attachments import AttachmentStore
from bridge.chats import ChatRepository
from bridge.clock import now
from bridge.config.agents import AgentConfig
from bridge.config.transcripts import TranscriptsConfig
from bridge.domain.agent import Role
from bridge.domain.ids import new_id
from bridge.events.notices import Notices
from bridge.events.threads import ThreadStore
from bridge.job_runner import run_in_app
from bridge.jobs import Jobs
from bridge.keys import Keys
from bridge.mail import MailRefused
from bridge.roster import Roster
from bridge.service import ChatService
from transcripts.archive import ArchiveOutcome
from transcripts.mail import build_message, send
from transcripts.render import Format, render_transcript, transcript_filename
from transcripts.service import ARCHIVE, Transcripts
from transcripts.store import RecordRefused, StoreUnavailable, TranscriptStore

log = logging.getLogger(__name__)
ALERT_EVERY = 3600
"""Seconds between notices about parked archives: a refusing database parks many at once."""
RETENTION = "transcripts.jobs.retention"


def archive_chat(config_path: str, chat_id: str, attempt: int = 0) -> str:
    return run_in_app(config_path, lambda app: _closing(app.transcripts.store, Archiving(
        app.config.transcripts, app.config.agents, app.transcripts, app.redis, app.keys, app.jobs, app.notices,
        app.config.languages.default,
    ).archive(chat_id, attempt)))


async def _closing(store: TranscriptStore, work: Awaitable[str]) -> str:
    """Disposes the job's database engine before its event loop ends."""
    try:
        return await work
    finally:
        await store.close()


async def schedule_archive(jobs: Jobs, chat_id: str, attempt: int = 0, delay: float = 0) -> None:
    await jobs.enqueue(ARCHIVE, chat_id, attempt, delay=delay)


class Archiving:
    """The archive and retention jobs. `agents`: the roster, whose admins hear of parked archives."""

    def __init__(self, config: TranscriptsConfig, agents: list[AgentConfig], transcripts: Transcripts,
                 redis: Redis, keys: Keys, jobs: Jobs, notices: Notices, default_language: str = "en") -> None:
        self._config = config
        self._default_language = default_language
        self._agents = agents
        self._transcripts = transcripts
        self._redis = redis
        self._keys = keys
        self._jobs = jobs
        self._notices = notices

    async def archive(self, chat_id: str, attempt: int) -> str:
        """Archives a closed chat. An unreachable store is waited out (it is everyone's problem, shown on /readyz);
        a record the database refuses, or one that can't be built, is tried `archive_max_attempts` times, then
        parked for an admin."""
        archiver = self._transcripts.archiver
        try:
            outcome = await archiver.archive(chat_id)
        except RecordRefused as exc:
            return await self._refused(chat_id, attempt, str(exc))
        except StoreUnavailable as exc:
            await archiver.parked.count_failure(chat_id, "unreachable")
            await archiver.store_down(str(exc), for_seconds=2 * max(self._config.archive_retry_seconds) + 60)
            log.warning("archive of chat %s failed (store unavailable: %s)", chat_id, exc)
            await self._again(chat_id, attempt)
            return "retrying"
        except (RedisConnectionError, RedisTimeoutError) as exc:  # a Redis blip is not the record's fault
            log.warning("archive of chat %s failed (Redis: %s)", chat_id, exc)
            await self._again(chat_id, attempt)
            return "retrying"
        except Exception as exc:  # a record that cannot be built must not be retried silently forever either
            log.exception("archive of chat %s failed", chat_id)
            return await self._refused(chat_id, attempt, f"{type(exc).__name__}: {_first_line(exc)}")
        if outcome is ArchiveOutcome.ARCHIVED:
            await self._mail_customer(chat_id)
            await self.ensure_retention()
        return outcome.value

    async def _refused(self, chat_id: str, attempt: int, error: str) -> str:
        parked = self._transcripts.archiver.parked
        refusals = await parked.count_failure(chat_id, "refused")
        limit = self._config.archive_max_attempts
        if refusals < limit:
            log.warning("archive of chat %s refused (%d of %d attempts): %s", chat_id, refusals, limit, error)
            await self._again(chat_id, attempt)
            return "retrying"
        await parked.park(chat_id, refusals, error)
        log.error("archive of chat %s parked after %d refused attempts: %s", chat_id, refusals, error)
        if await self._redis.set(self._keys.lock("archive-parked-alert"), chat_id, nx=True, ex=ALERT_EVERY):
            text = (f"Chat {chat_id} could not be archived ({refusals} attempts: {error}); {await parked.count()} "
                    "chat(s) are parked in Redis now. `csr-bridge transcripts parked` lists them, `csr-bridge "
                    "transcripts retry` archives them again once the cause is fixed.")
            for agent_id in _admins(self._agents):
                await self._notices.send(agent_id, text)
        return "parked"

    async def _again(self, chat_id: str, attempt: int) -> None:
        waits = self._config.archive_retry_seconds
        delay = waits[min(attempt, len(waits) - 1)] * random.uniform(1.0, 1.2)
        log.info("archive of chat %s: attempt %d in %.0fs", chat_id, attempt + 2, delay)
        await self._transcripts.archiver.touch(chat_id)
        await schedule_archive(self._jobs, chat_id, attempt + 1, delay)

    async def _mail_customer(self, chat_id: str) -> None:
        cfg = self._config
        if not (cfg.email_on_close and cfg.smtp.host):
            return
        record = await self._transcripts.record(chat_id)
        if record is None or not record[0].customer.email:
            return
        if not await self._redis.set(self._keys.transcript_mailed(chat_id), now(), nx=True, ex=90 * 86400):
            return
        chat, events = record
        try:
            await send(cfg.smtp, build_message(cfg.smtp, chat, events, cfg.mail_subject, self._default_language))
        except (OSError, SMTPException, MailRefused):
            await self._redis.delete(self._keys.transcript_mailed(chat_id))
            log.exception("mailing the transcript of chat %s failed", chat_id)

    async def retention(self, job_id: str) -> str:
        """Deletes records past the configured age, re-schedules stuck archives, and books its next run.

        Only the booked run books the next one, so a run started by hand never starts a second chain.
        """
        cfg = self._config
        cutoff = now() - cfg.retention_days * 86400
        deleted = await self._transcripts.store.delete_closed_before(cutoff)
        swept = await self._transcripts.archiver.sweep(stale_seconds=max(3600, 3 * max(cfg.archive_retry_seconds)))
        if await self._redis.get(self._keys.retention_scheduled) in (None, job_id):
            await self._redis.delete(self._keys.retention_scheduled)
            await self.ensure_retention()
        log.info("retention: %d archived chats deleted, %d archives re-scheduled", deleted, swept)
        return f"deleted {deleted}, swept {swept}"

    async def ensure_retention(self) -> None:
        """Books the next retention run unless one is booked (one per bridge, across processes)."""
        every = timedelta(hours=self._config.retention_every_hours).total_seconds()
        job_id = f"{self._keys.prefix}-retention-{new_id()}"
        if await self._redis.set(self._keys.retention_scheduled, job_id, nx=True, ex=int(every * 10)):
            await self._jobs.enqueue(RETENTION, job_id=job_id, delay=every)


def _admins(agents: list[AgentConfig]) -> list[str]:
    """Who hears of a parked archive: the roster's admins, else its supervisors."""
    for role in (Role.ADMIN, Role.SUPERVISOR):
        found = [a.id for a in agents if Role(a.role) == role]
        if found:
            return found
    return []


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return (lines[0] if lines else "")[:300]


def post_transcript(config_path: str, chat_id: str, fmt: Format, agent_id: str, of_chat: str = "") -> str:
    """`of_chat`: an earlier chat of the same customer (`csr history transcript`), else this chat's own."""
    return run_in_app(config_path, lambda app: _closing(app.transcripts.store, _post(
        app.transcripts, app.chats, app.attachments, app.roster, app.threads, app.service, chat_id, fmt, agent_id,
        of_chat)))


async def _post(transcripts: Transcripts, chats: ChatRepository, attachments: AttachmentStore, roster: Roster,
                threads: ThreadStore, service: ChatService, chat_id: str, fmt: Format, agent_id: str,
                of_chat: str = "") -> str:
    """Renders the staff transcript and asks the serve processes to post it into the chat's thread."""
    record = await transcripts.record(of_chat or chat_id)
    chat = await chats.get(chat_id)
    if record is None or chat is None:
        return "gone"
    body, content_type = render_transcript(record[0], record[1], fmt, "staff")
    attachment = await attachments.save(chat_id, transcript_filename(record[0], fmt), content_type.split(";")[0],
                                        body)
    agent = roster.by_id(agent_id)
    thread = await threads.get(chat)
    where = f"{thread.platform} thread {thread.conversation}/{thread.thread_id}" if thread else "the chat's thread"
    who = agent.display_name if agent else agent_id
    which = f"of the customer's earlier chat {of_chat}" if of_chat else "of this chat"
    event = await service.staff_notice(
        chat_id, f"Transcript ({fmt}) {which}, requested by {who}, posted to this thread.",
        data={"transcript_format": fmt, "requested_by": agent_id, "sent_to": where,
              **({"of_chat": of_chat} if of_chat else {})}, attachments=[attachment],
    )
    return event.id


def retention(config_path: str) -> str:
    job = get_current_job()
    return run_in_app(config_path, lambda app: _closing(app.transcripts.store, Archiving(
        app.config.transcripts, app.config.agents, app.transcripts, app.redis, app.keys, app.jobs, app.notices,
        app.config.languages.default,
    ).retention(job.id if job else "")))
