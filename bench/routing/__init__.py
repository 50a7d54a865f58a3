"""Routing benchmark: escalation-to-offer latency and offers per second on one process, at 100, 1,000
and 10,000 CSRs with a 10,000-chat backlog over 20 queues. Run: `.venv/bin/python -m bench.routing`."""
