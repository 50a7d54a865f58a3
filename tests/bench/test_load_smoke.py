"""The load harness at its smallest, on Slack only: a real serve process, 3 customers, 2 CSRs.

Behaviour, not time: every customer message reaches its thread once, every CSR answer reaches the
customer once, nothing is echoed back into the thread, and the bridge logged no error.
"""

from pathlib import Path

from bench.load.main import LoadPlan, run_load


async def test_every_message_arrives_exactly_once(tmp_path: Path) -> None:
    runs = await run_load(LoadPlan(slack_customers=3, slack_csrs=2, matrix_customers=0, matrix_csrs=0,
                                   rounds=2, flood=3, keep=tmp_path))
    (slack,) = runs
    assert slack.platform == "slack"
    assert slack.to_thread.sent == 3 * (1 + 2 + 3)
    assert slack.to_thread.exact, slack.to_thread
    assert slack.to_customer.sent == 3 * 2
    assert slack.to_customer.exact, slack.to_customer
    assert len(slack.escalate_ms) == 3
    assert slack.errors == []
    assert slack.baseline_messages == 3 * 3
