"""Checks that span sections: names that must exist, credentials that must come together.

They read the raw TOML data, not the validated model, so they still run when some field is
wrong and an admin sees every problem in one pass.
"""

from typing import Any

from bridge.config.cases import case_problems
from bridge.config.knowledge import phrase_problems
from bridge.config.matrix import EMBEDDED, EMBEDDED_SERVER_NAME
from bridge.config.problems import ConfigProblem


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _table(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def cross_check(raw: dict[str, Any]) -> list[ConfigProblem]:
    queues = [_table(q) for q in _list(raw.get("queues"))]
    names = [_str(q.get("name")) for q in queues]
    problems = _duplicates("queues", "queue", names)
    agents = [_table(a) for a in _list(raw.get("agents"))]
    problems += _duplicates("agents", "agent", [_str(a.get("id")) for a in agents])
    known = set(names)

    def must_exist(path: str, name: Any) -> None:
        if isinstance(name, str) and name and name not in known:
            problems.append(ConfigProblem(path, f"names queue '{name}', which does not exist",
                                          f"use one of: {', '.join(n for n in names if n)}"))

    for i, q in enumerate(queues):
        must_exist(f"queues[{i}].overflow", q.get("overflow"))
    for i, a in enumerate(agents):
        for key in ("queues", "supervises"):
            for j, name in enumerate(_list(a.get(key))):
                must_exist(f"agents[{i}].{key}[{j}]", name)
    problems += _attachments_store(_table(raw.get("store")))
    widget = _table(raw.get("widget"))
    for i, t in enumerate(_list(widget.get("topics"))):
        must_exist(f"widget.topics[{i}].queue", _table(t).get("queue"))
    for i, p in enumerate(_list(_table(raw.get("knowledge")).get("phrases"))):
        for j, name in enumerate(_list(_table(p).get("queues"))):
            must_exist(f"knowledge.phrases[{i}].queues[{j}]", name)
    for i, rule in enumerate(_list(_table(raw.get("routing")).get("priorities"))):
        if _table(rule).get("queue"):
            must_exist(f"routing.priorities[{i}].queue", _table(rule).get("queue"))
    for platform, key in (("slack", "channels"), ("matrix", "rooms")):
        for name in _table(_table(raw.get(platform)).get(key)):
            must_exist(f"{platform}.{key}.{name}", name)
    problems += phrase_problems(_table(raw.get("knowledge")))
    problems += case_problems(_table(raw.get("cases")), known)
    problems += _overflow_cycles(names, queues)
    problems += _slack(_table(raw.get("slack")), names)
    problems += _matrix(_table(raw.get("matrix")), names, agents)
    email = _table(raw.get("email"))
    if email.get("enabled") is True and not _str(_table(email.get("smtp")).get("host")):
        problems.append(ConfigProblem("email.smtp.host", "email is enabled but no SMTP server is set",
                                      "set email.smtp.host or turn email off"))
    if email.get("enabled") is True and "@" not in _str(_table(email.get("smtp")).get("sender")):
        problems.append(ConfigProblem("email.smtp.sender", "email is enabled but has no sender address",
                                      'set email.smtp.sender = "support@example.com"'))
    inbound = _table(email.get("inbound"))
    if inbound.get("enabled") is True and not _str(inbound.get("domain")):
        problems.append(ConfigProblem("email.inbound.domain", "the inbound mailbox has no domain",
                                      'set email.inbound.domain = "reply.example.com" (its MX points here)'))
    chats = _table(raw.get("chats"))
    if chats.get("require_outcome") is True and not _list(chats.get("outcomes")):
        problems.append(ConfigProblem("chats.require_outcome", "an outcome is required but none is configured",
                                      'list them: chats.outcomes = ["resolved", "follow-up", "spam"]'))
    transcripts = _table(raw.get("transcripts"))
    if transcripts.get("email_on_close") is True and not _str(_table(transcripts.get("smtp")).get("host")):
        problems.append(ConfigProblem("transcripts.smtp.host", "email_on_close is on but no SMTP server is set",
                                      "set transcripts.smtp.host or turn email_on_close off"))
    return problems


def _duplicates(path: str, what: str, values: list[str]) -> list[ConfigProblem]:
    return [ConfigProblem(path, f"{what} '{d}' is defined twice", f"give each {what} a unique name")
            for d in sorted({v for v in values if v and values.count(v) > 1})]


def _overflow_cycles(names: list[str], queues: list[dict[str, Any]]) -> list[ConfigProblem]:
    nxt = {n: _str(q.get("overflow")) for n, q in zip(names, queues, strict=True) if n and q.get("overflow")}
    problems, reported = [], set()
    for start in nxt:
        seen, cur = [start], nxt.get(start)
        while cur and cur not in seen:
            seen.append(cur)
            cur = nxt.get(cur)
        if cur == start and start not in reported:
            reported.update(seen)
            problems.append(ConfigProblem(f"queues[{names.index(start)}].overflow",
                                          f"overflow chain loops: {' -> '.join([*seen, start])}",
                                          "end the chain with a queue whose overflow is empty"))
    return problems


def _slack(s: dict[str, Any], names: list[str]) -> list[ConfigProblem]:
    if s.get("enabled") is not True:
        return []
    problems = []
    mode = s.get("mode", "http")
    needs = [("bot_token", "Slack is enabled but has no bot token",
              "slack.bot_token or CSR_SLACK_BOT_TOKEN (xoxb-...)")]
    if mode == "http":
        needs.append(("signing_secret", "HTTP mode needs the signing secret",
                      "slack.signing_secret or CSR_SLACK_SIGNING_SECRET"))
    if mode == "socket":
        needs.append(("app_token", "Socket Mode needs an app-level token",
                      "slack.app_token or CSR_SLACK_APP_TOKEN (xapp-...)"))
    for key, what, where in needs:
        if not s.get(key):
            problems.append(ConfigProblem(f"slack.{key}", what, f"set {where}"))
    channels = _table(s.get("channels"))
    for name in names:
        if name and name not in channels:
            problems.append(ConfigProblem(f"slack.channels.{name}", f"queue '{name}' has no Slack channel",
                                          f'add {name} = "C..." under [slack.channels]'))
    return problems


def _matrix(m: dict[str, Any], names: list[str], agents: list[dict[str, Any]]) -> list[ConfigProblem]:
    if m.get("enabled") is not True:
        return []
    if m.get("homeserver") == EMBEDDED:
        return _embedded_matrix(m, agents)
    problems = []
    if m.get("mode") != "appservice" and not m.get("password") and not m.get("access_token"):
        problems.append(ConfigProblem("matrix.password", "Matrix is enabled but has neither password nor access token",
                                      "set matrix.password (CSR_MATRIX_PASSWORD) "
                                      "or matrix.access_token (CSR_MATRIX_ACCESS_TOKEN)"))
    rooms = _table(m.get("rooms"))
    for name in names:
        if name and name not in rooms:
            problems.append(ConfigProblem(f"matrix.rooms.{name}", f"queue '{name}' has no Matrix room",
                                          f'add {name} = "!room:server" under [matrix.rooms]'))
    return problems


def _embedded_matrix(m: dict[str, Any], agents: list[dict[str, Any]]) -> list[ConfigProblem]:
    """The embedded homeserver makes its own bot, rooms and passwords; settings for another server are mistakes."""
    problems = []
    if m.get("mode") == "appservice":
        problems.append(ConfigProblem("matrix.mode", "the embedded homeserver runs the bridge in bot mode",
                                      'remove matrix.mode, or set matrix.homeserver to your own server\'s URL'))
    for key in ("rooms", "supervisors_room", "password", "access_token"):
        if m.get(key):
            problems.append(ConfigProblem(f"matrix.{key}", "the embedded homeserver sets this itself",
                                          f"remove matrix.{key}, or set matrix.homeserver to your own server's URL"))
    local = f":{EMBEDDED_SERVER_NAME}"
    user_ids = [("matrix.user_id", _str(m.get("user_id")))]
    user_ids += [(f"agents[{i}].matrix_user_id", _str(a.get("matrix_user_id"))) for i, a in enumerate(agents)]
    for path, user_id in user_ids:
        if user_id and not user_id.endswith(local):
            problems.append(ConfigProblem(path, f"the embedded homeserver's users end in {local}",
                                          f"leave it empty (the agent id on {EMBEDDED_SERVER_NAME} is taken), "
                                          "or set matrix.homeserver to the server this user is on"))
    return problems


def _attachments_store(store: dict[str, Any]) -> list[ConfigProblem]:
    """Files in the database need one every host reaches: PostgreSQL, not the default SQLite file."""
    if store.get("attachments") != "database" or _str(store.get("url")).startswith("postgresql"):
        return []
    return [ConfigProblem("store.attachments", "\"database\" keeps files in PostgreSQL, but [store] url is not a "
                                               "postgresql URL",
                          "set [store] url = \"postgresql+asyncpg://...\", or attachments = \"disk\"")]
