"""The ASGI host: one Starlette app for health checks and every adapter's HTTP routes."""
