"""The customer side: the embeddable widget and its HTTP/WebSocket API."""
