"""Transcripts: rendering a chat for people, the durable SQL record, exports and retention."""
