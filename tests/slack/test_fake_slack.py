"""The fake Slack refuses what Slack refuses, so the adapter's tests can fail for the right reasons."""

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from testkit.fake_slack import FakeSlack


def client(fake: FakeSlack, token: str | None = None) -> AsyncWebClient:
    return AsyncWebClient(token=fake.bot_token if token is None else token, base_url=fake.api_url)


async def error_of(call: object) -> tuple[int, str]:
    with pytest.raises(SlackApiError) as raised:
        await call  # type: ignore[misc]
    return raised.value.response.status_code, raised.value.response["error"]


async def test_tokens_are_checked(fake_slack: FakeSlack) -> None:
    assert await error_of(client(fake_slack, "xoxb-wrong").auth_test()) == (200, "invalid_auth")
    assert await error_of(client(fake_slack, "").auth_test()) == (200, "not_authed")


async def test_block_kit_limits_are_enforced(fake_slack: FakeSlack) -> None:
    web = client(fake_slack)
    section = {"type": "section", "text": {"type": "mrkdwn", "text": "x"}}
    too_many = [section] * 51
    too_long = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]
    long_button = [{"type": "actions", "elements": [{"type": "button", "action_id": "a", "value": "v",
                                                      "text": {"type": "plain_text", "text": "b" * 76}}]}]
    for blocks in (too_many, too_long, long_button):
        assert await error_of(web.chat_postMessage(channel="CGENERAL", text="t", blocks=blocks)) == \
            (200, "invalid_blocks")
    assert await error_of(web.chat_postMessage(channel="CGENERAL", text="")) == (200, "no_text")
    assert await error_of(web.chat_postMessage(channel="CNOPE", text="t")) == (200, "channel_not_found")
    assert (await web.chat_postMessage(channel="CGENERAL", text="t", blocks=[section] * 50))["ok"]


async def test_posting_faster_than_slack_allows_gets_429_with_retry_after(fake_slack: FakeSlack) -> None:
    web = client(fake_slack)
    for n in range(fake_slack.post_burst):
        await web.chat_postMessage(channel="CGENERAL", text=str(n))
    with pytest.raises(SlackApiError) as raised:
        await web.chat_postMessage(channel="CGENERAL", text="one too many")
    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["Retry-After"] == "1"
    assert (raised.value.response["ok"], raised.value.response["error"]) == (False, "ratelimited")
    assert (await web.chat_postMessage(channel="CBILLING", text="other channels are not limited"))["ok"]


async def test_retry_after_says_when_the_next_post_fits() -> None:
    async with FakeSlack(channels=("CSLOW",), post_rate=0.25, post_burst=1) as fake:
        web = client(fake)
        await web.chat_postMessage(channel="CSLOW", text="first")
        with pytest.raises(SlackApiError) as raised:
            await web.chat_postMessage(channel="CSLOW", text="too soon")
    assert raised.value.response.headers["Retry-After"] == "4"


async def test_files_upload_v2_round_trip(fake_slack: FakeSlack) -> None:
    root = (await client(fake_slack).chat_postMessage(channel="CGENERAL", text="root"))["ts"]
    done = await client(fake_slack).files_upload_v2(channel="CGENERAL", thread_ts=root, file=b"bytes!",
                                                    filename="a.txt", title="a.txt", initial_comment="here")
    upload = fake_slack.uploads[done["file"]["id"]]
    assert (upload["data"], upload["thread_ts"]) == (b"bytes!", root)
    assert [c.method for c in fake_slack.calls][-2:] == ["files.getUploadURLExternal", "files.completeUploadExternal"]
