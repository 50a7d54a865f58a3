"""Capacity per queue at the platforms' real limits: Slack's per-channel pace on the fake Slack, Synapse's default
`rc_message` for the Matrix bot, with the bridge's own pacing on. Run: `.venv/bin/python -m bench.paced`."""
