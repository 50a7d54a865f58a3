"""Block Kit from the core's neutral types, built with slack_sdk.models so Slack's limits are checked."""
