"""Adapters: each turns one outside world (a platform, the widget, HTTP) into core calls and back."""
