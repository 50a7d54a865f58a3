"""Every Redis key the bridge uses, in one place, so a reader sees the whole data model at once."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Keys:
    prefix: str = "csr"

    # chats
    def chat(self, chat_id: str) -> str:
        return f"{self.prefix}:chat:{chat_id}"

    def chat_events(self, chat_id: str) -> str:
        return f"{self.prefix}:chat:{chat_id}:events"

    def chat_msgids(self, chat_id: str) -> str:
        """Client message id -> event id, so a resent message is stored once."""
        return f"{self.prefix}:chat:{chat_id}:msgids"

    def chat_cursors(self, chat_id: str) -> str:
        """Sink (platform:thread) -> last delivered event id."""
        return f"{self.prefix}:chat:{chat_id}:cursors"

    def chat_threads(self, chat_id: str) -> str:
        """platform:queue -> thread reference JSON, so a chat keeps its thread across restarts."""
        return f"{self.prefix}:chat:{chat_id}:threads"

    def thread_chat(self, platform: str, thread_id: str) -> str:
        """A platform thread -> its chat id, for inbound messages."""
        return f"{self.prefix}:thread:{platform}:{thread_id}"

    @property
    def open_chats(self) -> str:
        return f"{self.prefix}:chats:open"

    # change notifications and deliveries
    @property
    def changes(self) -> str:
        """Broadcast stream of changed entities (chat:ID, offer:ID, agent:ID) that every process reads."""
        return f"{self.prefix}:changes"

    @property
    def notices(self) -> str:
        """Work-shared stream of texts for agents (consumer group), e.g. 'set away after missed offers'."""
        return f"{self.prefix}:notices"

    def seen(self, platform: str, event_id: str) -> str:
        """SET NX with a TTL: each inbound platform event is handled once."""
        return f"{self.prefix}:seen:{platform}:{event_id}"

    def lock(self, name: str) -> str:
        return f"{self.prefix}:lock:{name}"

    def adapter_state(self, platform: str) -> str:
        """A hash an adapter keeps its own state in (sync token, device id, offer message refs)."""
        return f"{self.prefix}:adapter:{platform}"

    def platform_errors(self, platform: str) -> str:
        """Errors that need a person (revoked token, missing channel), shown on /readyz."""
        return f"{self.prefix}:adapter:{platform}:errors"

    def attachment(self, attachment_id: str) -> str:
        return f"{self.prefix}:attachment:{attachment_id}"

    # matrix adapter
    def matrix_outbox(self, room_id: str) -> str:
        """A room's paced, ordered outbox (stream of rendered posts) that the sync leader drains."""
        return f"{self.prefix}:adapter:matrix:outbox:{room_id}"

    def matrix_outbox_inflight(self, room_id: str) -> str:
        """The batch being sent (last entry id + txn id), so a retry after a crash sends the same post."""
        return f"{self.prefix}:adapter:matrix:outbox:{room_id}:inflight"

    @property
    def matrix_outbox_rooms(self) -> str:
        """Rooms whose outbox holds entries, for the leader to resume after a takeover."""
        return f"{self.prefix}:adapter:matrix:outbox-rooms"

    def matrix_queued(self, key: str) -> str:
        """SET NX with a TTL: each outbound post (chat event part, reply) enters an outbox once."""
        return f"{self.prefix}:adapter:matrix:queued:{key}"

    def matrix_event(self, event_id: str) -> str:
        """A Matrix event the bridge posted or took in -> JSON of its chat, thread and role (cards, edits)."""
        return f"{self.prefix}:adapter:matrix:event:{event_id}"

    def matrix_thread_last(self, root_id: str) -> str:
        """The latest bridge post in a thread, for the m.in_reply_to fallback of the next one."""
        return f"{self.prefix}:adapter:matrix:last:{root_id}"

    def matrix_media(self, attachment_id: str) -> str:
        """Attachment id -> mxc:// URI, so a retried post never uploads twice."""
        return f"{self.prefix}:adapter:matrix:mxc:{attachment_id}"

    def matrix_pages(self, user_id: str, room_id: str) -> str:
        """The rest of a long command reply, sent one page per `!more`."""
        return f"{self.prefix}:adapter:matrix:pages:{user_id}:{room_id}"

    def matrix_refused(self, room_id: str) -> str:
        """Set once the bot has told an encrypted room it will not work there."""
        return f"{self.prefix}:adapter:matrix:refused:{room_id}"

    # transcripts and service cases
    @property
    def archive_pending(self) -> str:
        """Sorted set: closed chats waiting to be written to the SQL store -> time of the last attempt."""
        return f"{self.prefix}:archive:pending"

    def chat_archived(self, chat_id: str) -> str:
        """Set once the chat is in the SQL store; expires with the chat's live state."""
        return f"{self.prefix}:chat:{chat_id}:archived"

    def transcript_mailed(self, chat_id: str) -> str:
        return f"{self.prefix}:chat:{chat_id}:mailed"

    @property
    def retention_scheduled(self) -> str:
        """Set while a retention run is booked, so each bridge books one."""
        return f"{self.prefix}:retention:scheduled"

    def case(self, reference: str) -> str:
        """A service case (JSON) and its webhook delivery state."""
        return f"{self.prefix}:case:{reference}"

    def case_draft(self, agent_id: str, chat_id: str) -> str:
        """A case form being filled one question at a time by one CSR for one chat."""
        return f"{self.prefix}:casedraft:{agent_id}:{chat_id}"
