"""Routing: queues, presence, capacity, offers, timeouts and transfers, with state in Redis."""
