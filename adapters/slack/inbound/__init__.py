"""Slack payloads in (events, actions, commands, views) turned into calls on the core."""
