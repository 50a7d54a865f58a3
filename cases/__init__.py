"""Service cases: guided, typed forms a CSR files from a chat, delivered to the CRM by signed webhook."""
