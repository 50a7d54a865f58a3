"""Shared test parts: a real Redis, configs, a booted app. No fakes of Redis or platforms here."""
