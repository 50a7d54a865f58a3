"""The bridge config a load run writes: one queue per platform, the bench's CSRs, limits lifted.

Lifted for the run: Slack's per-channel pace (`messages_per_second`; the fake Slack has no limit
either), the Matrix bot's pace (`send_per_second = 0`, the bot is exempted on Synapse), and the
widget's per-address limits (every simulated customer comes from 127.0.0.1).
"""

from pathlib import Path
from typing import Any

from bench.load.homeserver import BOT, BenchHomeserver, csr_localpart, password

SIGNING_SECRET = "bench-signing-secret-0123456789"
BOT_TOKEN = "xoxb-fake-bot"
"""The fake Slack server's bot token."""
SLACK_QUEUE, MATRIX_QUEUE = "sq", "mq"
CHANNELS = {SLACK_QUEUE: "CSQ", MATRIX_QUEUE: "CMQ"}
TOPICS = {"slack": SLACK_QUEUE, "matrix": MATRIX_QUEUE}
REPO = Path(__file__).resolve().parents[2]


def slack_user(i: int) -> str:
    return f"UBENCH{i:05d}"


def bridge_raw(data_dir: Path, port: int, redis_url: str, slack_api: str, slack_csrs: int,
               hs: BenchHomeserver | None, capacity: int, appservice: bool = False) -> dict[str, Any]:
    """`appservice`: Matrix in appservice mode with the registration the bench's Synapse loaded (no pacing set:
    the mode needs none)."""
    url = f"http://127.0.0.1:{port}"
    agents = [{"id": f"s{i:05d}", "display_name": f"Slack CSR {i}", "queues": [SLACK_QUEUE],
               "slack_user_id": slack_user(i), "capacity": capacity} for i in range(slack_csrs)]
    raw: dict[str, Any] = {
        "data_dir": str(data_dir),
        "server": {"host": "127.0.0.1", "port": port, "public_url": url, "log_level": "warning",
                   "allowed_origins": ["http://bench.example"], "shutdown_grace_seconds": 5.0},
        "redis": {"url": redis_url},
        "queues": [{"name": q, "display_name": f"Bench {p}", "offer_timeout": 600.0, "max_wait": 3600.0}
                   for p, q in TOPICS.items()],
        "slack": {"enabled": True, "mode": "http", "bot_token": BOT_TOKEN, "signing_secret": SIGNING_SECRET,
                  "api_url": slack_api, "channels": CHANNELS, "messages_per_second": 1_000_000.0, "burst": 20},
        "widget": {"signing_key": "bench-widget-signing-key-0123456789", "messages_per_minute": 1_000_000,
                   "chats_per_hour_per_address": 10_000_000, "requests_per_minute_per_address": 100_000_000,
                   "sockets_per_address": 100_000_000,
                   "topics": [{"id": t, "label": f"Via {t}", "queue": q} for t, q in TOPICS.items()]},
        "knowledge": {"articles_dir": str(REPO / "kb")},
    }
    if hs is not None:
        agents += [{"id": f"m{i:05d}", "display_name": f"Matrix CSR {i}", "queues": [MATRIX_QUEUE],
                    "matrix_user_id": hs.user_id(csr_localpart(i)), "capacity": capacity}
                   for i in range(len(hs.csrs))]
        raw["matrix"] = {"enabled": True, "homeserver": hs.url, "user_id": hs.user_id(BOT), "password": password(BOT),
                         "rooms": {q: hs.rooms[q] for q in TOPICS.values()}, "send_per_second": 0}
        if appservice and hs.appservice is not None:
            m = hs.appservice
            raw["matrix"] = {"enabled": True, "mode": "appservice", "homeserver": hs.url, "user_id": m.user_id,
                             "appservice_id": m.appservice_id, "appservice_url": m.appservice_url,
                             "as_token": m.as_token.get_secret_value(), "hs_token": m.hs_token.get_secret_value(),
                             "rooms": {q: hs.rooms[q] for q in TOPICS.values()}}
    raw["agents"] = agents
    return raw
