"""Supervisor views and reports: live state read from Redis, figures from the archive and routing events."""
