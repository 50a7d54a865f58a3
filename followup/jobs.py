"""The RQ job that emails one CSR reply to the customer who left a message.

At most once per reply: the sent record (a hash per chat) is checked before and written after the SMTP server
accepted the email, and a lock keeps two workers from sending the same reply at once. The only window left (the
server accepted it, the worker died before writing the record) sends the same Message-ID again, which mail
programs show once. While the server is away the job tries again later (`email.retry_seconds`); when it refuses
the email for good, or after `email.max_attempts`, the thread says so, so the CSR knows the customer has not
read it (it stays in the chat for when they come back to the widget).
"""

import logging

from aiosmtplib import SMTPException
from redis.asyncio import Redis

from bridge.chats import ChatRepository
from bridge.clock import now
from bridge.config.root import BridgeConfig
from bridge.events.stream import ChatStream
from bridge.job_runner import run_in_app
from bridge.jobs import Enqueue
from bridge.keys import Keys
from bridge.mail import MailRefused, send_mail
from bridge.service import ChatService
from bridge.signing import signing_key
from followup.compose import BadAddress, Envelope, reply_email
from followup.links import ReplyLinks
from followup.outbox import JOB, KEEP_SECONDS, job_id

log = logging.getLogger(__name__)
LOCK_SECONDS = 300


def reply_links(config: BridgeConfig) -> ReplyLinks:
    return ReplyLinks(signing_key(config.widget.signing_key.get_secret_value(), config.data_path),
                      config.email.reply_link_days)


def envelope(config: BridgeConfig, links: ReplyLinks, chat_id: str) -> Envelope:
    mail = config.email
    sender = mail.smtp.sender or mail.smtp.username
    domain = mail.inbound.domain or sender.rpartition("@")[2] or "localhost"
    page = mail.reply_page_url or str(config.server.public_url).rstrip("/") + "/"
    reply_to = f"reply+{links.address_code(chat_id)}@{mail.inbound.domain}" if mail.inbound.enabled else ""
    return Envelope(sender=sender, sender_name=mail.sender_name, team=mail.sender_name, domain=domain,
                    reply_to=reply_to, link=f"{page}#csr-reply={links.link_token(chat_id)}",
                    link_until=now() + mail.reply_link_days * 86400, language=mail.language)


class ReplyMailer:
    def __init__(self, config: BridgeConfig, redis: Redis, keys: Keys, chats: ChatRepository, stream: ChatStream,
                 service: ChatService, enqueue: Enqueue) -> None:
        self._config = config
        self._redis = redis
        self._keys = keys
        self._chats = chats
        self._stream = stream
        self._service = service
        self._enqueue = enqueue

    async def send(self, chat_id: str, event_id: str, attempt: int) -> str:
        sent = self._keys.mail_sent(chat_id)
        if await self._redis.hexists(sent, event_id):
            return "already"
        chat, event = await self._chats.get(chat_id), await self._stream.get(chat_id, event_id)
        if chat is None or event is None:
            return "gone"
        lock = self._keys.lock(f"mail:{chat_id}:{event_id}")
        if not await self._redis.set(lock, str(attempt), nx=True, ex=LOCK_SECONDS):
            return "busy"
        try:
            agent = self._config.agent(event.author.id)
            message = reply_email(chat, event, agent.display_name if agent else event.author.name,
                                  envelope(self._config, reply_links(self._config), chat_id))
            await send_mail(self._config.email.smtp, message)
        except (BadAddress, MailRefused) as exc:
            await self._give_up(chat_id, event_id, chat.customer.name, str(exc))
            return "refused"
        except (OSError, SMTPException) as exc:
            return await self._later(chat_id, event_id, chat.customer.name, attempt, exc)
        finally:
            await self._redis.delete(lock)
        await self._sent(chat_id, event_id)
        return "sent"

    async def _sent(self, chat_id: str, event_id: str) -> None:
        sent = self._keys.mail_sent(chat_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(sent, event_id, f"sent {now():.3f}")
            pipe.expire(sent, KEEP_SECONDS)
            await pipe.execute()

    async def _later(self, chat_id: str, event_id: str, name: str, attempt: int, exc: Exception) -> str:
        mail = self._config.email
        if attempt + 1 >= mail.max_attempts:
            why = f"the mail server could not be reached ({exc.__class__.__name__})"
            await self._give_up(chat_id, event_id, name, why)
            return "failed"
        delay = mail.retry_seconds[min(attempt, len(mail.retry_seconds) - 1)]
        log.warning("email of reply %s in chat %s: attempt %d failed (%s); again in %ss", event_id, chat_id,
                    attempt + 1, exc.__class__.__name__, delay)
        await self._enqueue(JOB, chat_id, event_id, attempt + 1, delay=delay,
                            job_id=job_id(self._keys.prefix, chat_id, event_id, attempt + 1))
        return "retrying"

    async def _give_up(self, chat_id: str, event_id: str, name: str, why: str) -> None:
        sent = self._keys.mail_sent(chat_id)
        if not await self._redis.hsetnx(sent, event_id, f"failed {now():.3f}"):
            return
        await self._redis.expire(sent, KEEP_SECONDS)
        log.warning("email of reply %s in chat %s not sent: %s", event_id, chat_id, why)
        await self._service.staff_notice(
            chat_id, f"⚠️ Your reply could not be emailed to {name}: {why}. It stays in the chat, so they read it if "
                     "they come back to the widget.", data={"mail_failed": event_id})


def send_reply(config_path: str, chat_id: str, event_id: str, attempt: int) -> str:
    return run_in_app(config_path, lambda app: ReplyMailer(app.config, app.redis, app.keys, app.chats, app.stream,
                                                          app.service, app.jobs.enqueue).send(chat_id, event_id,
                                                                                               attempt))
