"""Load harness: simulated customers on the widget WebSocket and CSRs on a fake Slack and a real Synapse,
against a real `serve` process, with a bare-SDK baseline in the same run. Run: `.venv/bin/python -m bench.load`."""
