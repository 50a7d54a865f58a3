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
    def serve_members(self) -> str:
        """Live `serve` processes (member id -> when its heartbeat runs out), which share the chats out."""
        return f"{self.prefix}:serve:members"

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

    @property
    def offer_outcomes(self) -> str:
        """Hash "queue|outcome" -> count, the cluster-wide truth behind csr_offers_total."""
        return f"{self.prefix}:metrics:offers"

    @property
    def chats_ended(self) -> str:
        """Hash "queue|outcome" -> chats ended, counted by routing's close in Redis: csr_chats_ended_total."""
        return f"{self.prefix}:metrics:ended"

    @property
    def tag_counts(self) -> str:
        """Hash "queue|tag" -> tags added to chats (bridge/chat_tags.lua), behind csr_chat_tags_total."""
        return f"{self.prefix}:metrics:tags"

    def attachment(self, attachment_id: str) -> str:
        return f"{self.prefix}:attachment:{attachment_id}"

    # customer widget
    def widget_sockets(self, scope: str, subject: str) -> str:
        """The open WebSockets of one chat or client address ("process:n" members), counted by every process."""
        return f"{self.prefix}:widget:sockets:{scope}:{subject}"

    @property
    def widget_socket_processes(self) -> str:
        """Processes holding widget sockets -> when their heartbeat runs out; a lapsed one's sockets don't count."""
        return f"{self.prefix}:widget:socket-processes"

    def chat_posts(self, chat_id: str) -> str:
        """Hash "platform|conversation|post" -> JSON of a post the bridge made for the chat (bridge.platform_posts)."""
        return f"{self.prefix}:chat:{chat_id}:posts"

    def chat_erased(self, chat_id: str) -> str:
        """Set for a while once a chat was erased on its customer's request: its archive is not written again."""
        return f"{self.prefix}:erased:{chat_id}"

    def chat_cards(self, chat_id: str) -> str:
        """platform:thread -> the context card's post in that thread and a digest of what it shows."""
        return f"{self.prefix}:chat:{chat_id}:cards"

    def chat_typing(self, chat_id: str) -> str:
        """Side (customer, agent) -> who is typing and until when; never part of the event stream."""
        return f"{self.prefix}:chat:{chat_id}:typing"

    def chat_reads(self, chat_id: str) -> str:
        """Side (customer, agent) -> the last event id that side has read; never part of the event stream."""
        return f"{self.prefix}:chat:{chat_id}:reads"

    def channel_load(self, platform: str, conversation: str, epoch: int) -> str:
        """A CSR channel's or room's decaying count of the bridge's posts there, per epoch (bridge.channel_load)."""
        return f"{self.prefix}:load:{platform}:{conversation}:{epoch}"

    def rate(self, scope: str, subject: str) -> str:
        """A fixed-window request counter shared by every serve process (bridge.ratelimit)."""
        return f"{self.prefix}:rate:{scope}:{subject}"

    # co-browse (cobrowse/)
    def cobrowse_chat(self, chat_id: str) -> str:
        """A chat's current co-browse session: id, state (asked, active, ended, declined), CSR, times."""
        return f"{self.prefix}:cobrowse:chat:{chat_id}"

    def cobrowse_session(self, sid: str) -> str:
        """A session id -> its chat id (viewers name the session, not the chat)."""
        return f"{self.prefix}:cobrowse:session:{sid}"

    def cobrowse_dom(self, sid: str) -> str:
        """The customer's recorder messages (rrweb events) relayed to viewers, trimmed as it goes."""
        return f"{self.prefix}:cobrowse:session:{sid}:dom"

    def cobrowse_control(self, sid: str) -> str:
        """What the customer's tab is asked to do (a fresh snapshot for a viewer, stop)."""
        return f"{self.prefix}:cobrowse:session:{sid}:control"

    def cobrowse_budget(self, sid: str, what: str) -> str:
        """Bytes or frames a session sent in the current 10-second window."""
        return f"{self.prefix}:cobrowse:session:{sid}:budget:{what}"

    def cobrowse_viewers(self, sid: str, mode: str) -> str:
        """CSR id -> the one viewer (browser) bound to them in this session, live or watching its recording."""
        return f"{self.prefix}:cobrowse:session:{sid}:viewers:{mode}"

    def cobrowse_recording(self, sid: str) -> str:
        """With recording on: the whole session's batches, kept `retention_days` after it ends."""
        return f"{self.prefix}:cobrowse:recording:{sid}"

    def cobrowse_recording_info(self, sid: str) -> str:
        """A recording's chat, queue, CSR and times; expires with it."""
        return f"{self.prefix}:cobrowse:recording:{sid}:info"

    def cobrowse_link(self, token_hash: str) -> str:
        """An unused viewer link (by its token's hash) -> session and CSR; works once, expires."""
        return f"{self.prefix}:cobrowse:link:{token_hash}"

    def cobrowse_viewer(self, viewer_hash: str) -> str:
        """A viewer cookie (by its hash) -> session and CSR."""
        return f"{self.prefix}:cobrowse:viewer:{viewer_hash}"

    # matrix adapter
    def matrix_outbox(self, room_id: str, thread: str = "") -> str:
        """One lane's paced, ordered outbox (a stream of rendered posts) that the sync leader drains: a thread's,
        or with thread "" the room timeline's (the key per-room outboxes had, so an upgrade still sends them)."""
        lane = f"{room_id}:{thread}" if thread else room_id
        return f"{self.prefix}:adapter:matrix:outbox:{lane}"

    def matrix_outbox_inflight(self, room_id: str, thread: str = "") -> str:
        """A lane's batch being sent (last entry id + txn id), so a retry after a crash sends the same post."""
        return f"{self.matrix_outbox(room_id, thread)}:inflight"

    @property
    def matrix_outbox_lanes(self) -> str:
        """Lanes whose outbox holds entries, for the leader to resume after a takeover (named when lanes were
        rooms; a room's timeline lane is still its room id)."""
        return f"{self.prefix}:adapter:matrix:outbox-rooms"

    def matrix_queued(self, key: str) -> str:
        """SET NX with a TTL: each outbound post (chat event part, reply) enters an outbox once."""
        return f"{self.prefix}:adapter:matrix:queued:{key}"

    def matrix_event(self, event_id: str) -> str:
        """A Matrix event the bridge posted or took in -> JSON of its chat, thread and role (cards, edits)."""
        return f"{self.prefix}:adapter:matrix:event:{event_id}"

    def matrix_post_of(self, chat_id: str, event_id: str) -> str:
        """A chat message -> the Matrix event of the bridge's post showing it, for the customer's reactions."""
        return f"{self.prefix}:adapter:matrix:post-of:{chat_id}:{event_id}"

    def matrix_reactions(self, chat_id: str) -> str:
        """Hash "target event id|key" -> the Matrix event of the customer's reaction the bridge sent (to redact)."""
        return f"{self.prefix}:adapter:matrix:reactions:{chat_id}"

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

    def matrix_form(self, user_id: str, thread: str) -> str:
        """The answer command of the case form a CSR is filling in a chat's thread, one question at a time."""
        return f"{self.prefix}:adapter:matrix:form:{user_id}:{thread}"

    def matrix_transaction(self, digest: str) -> str:
        """An appservice transaction handled (by a digest of its id): a repeat is answered, not handled again."""
        return f"{self.prefix}:adapter:matrix:as:txn:{digest}"

    @property
    def matrix_inbox(self) -> str:
        """Room events the homeserver pushed (appservice mode), in order, until the Matrix leader has handled them."""
        return f"{self.prefix}:adapter:matrix:as:inbox"

    @property
    def matrix_signals(self) -> str:
        """Typing and receipts the homeserver pushed: capped, since a lost signal costs nothing."""
        return f"{self.prefix}:adapter:matrix:as:signals"

    def matrix_ghost(self, room_id: str) -> str:
        """Ghost users known to be in a room (registered, named, joined)."""
        return f"{self.prefix}:adapter:matrix:ghosts:{room_id}"

    def matrix_typist_chat(self, room_id: str, user_id: str) -> str:
        """The chat a CSR last posted in within a room: Matrix typing is per room, so it is shown there."""
        return f"{self.prefix}:adapter:matrix:typist:{room_id}:{user_id}"

    # slack adapter
    def slack_post(self, channel: str, ts: str) -> str:
        """A Slack message in a chat's thread (a bridge post or a CSR's reply) -> "chat_id event_id" it shows."""
        return f"{self.prefix}:adapter:slack:post:{channel}:{ts}"

    def slack_event_post(self, chat_id: str, event_id: str) -> str:
        """A chat event -> "channel ts" of the Slack message showing it, for reactions on it."""
        return f"{self.prefix}:adapter:slack:event-post:{chat_id}:{event_id}"

    def slack_offer_card(self, channel: str, ts: str) -> str:
        """An offer card (DM channel + ts) -> its offer id, so a reaction on the card answers the offer."""
        return f"{self.prefix}:adapter:slack:offer-card:{channel}:{ts}"

    def slack_form(self, form_id: str) -> str:
        """A form (a service case) waiting for its modal: its "Fill in" button and submission find it here."""
        return f"{self.prefix}:adapter:slack:form:{form_id}"

    # transcripts and service cases
    @property
    def archive_pending(self) -> str:
        """Sorted set: closed chats waiting to be written to the SQL store -> time of the last attempt."""
        return f"{self.prefix}:archive:pending"

    @property
    def archive_failures(self) -> str:
        """Hash: chat -> attempts the database refused since its last archive (bounded, then parked)."""
        return f"{self.prefix}:archive:failures"

    @property
    def archive_parked(self) -> str:
        """Hash: chat -> JSON (parked_at, attempts, error) of archives given up on until an admin retries them."""
        return f"{self.prefix}:archive:parked"

    @property
    def archive_store_down(self) -> str:
        """Set (with a TTL) while archive jobs find the SQL store unreachable: the reason, for /readyz."""
        return f"{self.prefix}:archive:store-down"

    @property
    def archive_outcomes(self) -> str:
        """Hash "error" -> failed archive attempts by kind (unreachable, refused, parked), behind a counter."""
        return f"{self.prefix}:metrics:archives"

    def chat_archived(self, chat_id: str) -> str:
        """The last event id the SQL store has of the chat; expires with the chat's live state."""
        return f"{self.prefix}:chat:{chat_id}:archived"

    def transcript_mailed(self, chat_id: str) -> str:
        return f"{self.prefix}:chat:{chat_id}:mailed"

    def mail_cursor(self, chat_id: str) -> str:
        """The last event of a claimed left message whose replies were queued for email."""
        return f"{self.prefix}:chat:{chat_id}:mail:cursor"

    def mail_sent(self, chat_id: str) -> str:
        """Hash reply event id -> when its email was accepted by the SMTP server (or why it never will be)."""
        return f"{self.prefix}:chat:{chat_id}:mail:sent"

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

    # routing (routing/lua/lib/base.lua derives the same names; tests/routing/test_keys.py checks they agree)
    def chat_routing(self, chat_id: str) -> str:
        """Routing's private fields of a chat: wait sequence, place in line, transfer note, overflow due."""
        return f"{self.prefix}:chat:{chat_id}:routing"

    def chat_offers(self, chat_id: str) -> str:
        """Pending offers of a chat (several for broadcast)."""
        return f"{self.prefix}:chat:{chat_id}:offers"

    def chat_tried(self, chat_id: str) -> str:
        """CSRs offered this chat in the current round, so the others get their turn first."""
        return f"{self.prefix}:chat:{chat_id}:tried"

    @property
    def agents(self) -> str:
        """Ids of every CSR with a routing record."""
        return f"{self.prefix}:agents"

    def agent(self, agent_id: str) -> str:
        """Presence, capacity, load, pending offers, ready-set member, last accept, missed offers."""
        return f"{self.prefix}:agent:{agent_id}"

    def agent_queues(self, agent_id: str) -> str:
        return f"{self.prefix}:agent:{agent_id}:queues"

    def agent_left(self, agent_id: str) -> str:
        """Roster queues the CSR left with `csr leave` (kept out on roster sync)."""
        return f"{self.prefix}:agent:{agent_id}:left"

    def agent_chats(self, agent_id: str) -> str:
        return f"{self.prefix}:agent:{agent_id}:chats"

    def agent_offers(self, agent_id: str) -> str:
        return f"{self.prefix}:agent:{agent_id}:offers"

    def queue(self, name: str) -> str:
        """A queue's settings as the scripts read them, plus its answer-rate statistics."""
        return f"{self.prefix}:queue:{name}"

    def queue_waiting(self, name: str) -> str:
        """Sorted set of waiting chats by (priority, time in line)."""
        return f"{self.prefix}:queue:{name}:waiting"

    def queue_ready(self, name: str) -> str:
        """Sorted set of CSRs with room, by the queue strategy's score."""
        return f"{self.prefix}:queue:{name}:ready"

    def queue_rr(self, name: str) -> str:
        return f"{self.prefix}:queue:{name}:rr"

    def queue_messages(self, name: str) -> str:
        """Chats that overflowed with nowhere to go: the customer may leave a message."""
        return f"{self.prefix}:queue:{name}:messages"

    def queue_positions(self, name: str) -> str:
        """Chat -> last announced position, so only changes are sent to the customer."""
        return f"{self.prefix}:queue:{name}:positions"

    def queue_signed_in(self, name: str) -> str:
        """CSRs who joined the queue and are signed in (available or away): someone who could come."""
        return f"{self.prefix}:queue:{name}:signed-in"

    def offer(self, offer_id: str) -> str:
        return f"{self.prefix}:offer:{offer_id}"

    def offer_cards(self, offer_id: str) -> str:
        """Platform -> card ref, and platform:state -> the final state the card shows."""
        return f"{self.prefix}:offer:{offer_id}:cards"

    @property
    def offer_seq(self) -> str:
        return f"{self.prefix}:offers:seq"

    @property
    def offers_pending(self) -> str:
        """Pending offers by deadline."""
        return f"{self.prefix}:offers:pending"

    @property
    def offer_cards_open(self) -> str:
        """Offers whose card is shown but not yet updated to a final state (resumed after a restart)."""
        return f"{self.prefix}:offers:cards-open"

    @property
    def routing_timers(self) -> str:
        """Every routing timer by due time (offer:ID, wait:CHAT:SEQ, idle:CHAT); a sweep backs up RQ."""
        return f"{self.prefix}:routing:timers"

    @property
    def routing_events(self) -> str:
        """Routing event feed (queued, offered, accepted, ...) with timestamps, for adapters and reports."""
        return f"{self.prefix}:routing:events"

    @property
    def routing_dirty(self) -> str:
        """Queues whose line changed since positions were last announced."""
        return f"{self.prefix}:routing:dirty"

    @property
    def routing_conf(self) -> str:
        """Routing settings the scripts read (missed offers before away, idle timeout)."""
        return f"{self.prefix}:routing:conf"

    # supervision and reports
    @property
    def reports_outbox(self) -> str:
        """Finished reports (tables, files) waiting for a serve process to post them (a consumer group)."""
        return f"{self.prefix}:reports:outbox"

    @property
    def dashboard_lease(self) -> str:
        """Held for a few seconds by the process that announced a dashboard refresh, to space them out."""
        return f"{self.prefix}:dashboard:lease"

    @property
    def dashboard_seq(self) -> str:
        """Counts dashboard refreshes; each is carried out by the one process that claims its number."""
        return f"{self.prefix}:dashboard:seq"

    def dashboard_claim(self, platform: str, seq: str) -> str:
        return f"{self.prefix}:dashboard:{platform}:{seq}"

    def slack_monitors(self, chat_id: str) -> str:
        """Supervisors reading along by DM: their DM channel -> JSON of the copy's root ts and first event."""
        return f"{self.prefix}:adapter:slack:monitors:{chat_id}"
