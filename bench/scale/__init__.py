"""Scale: memory per open chat, and throughput with several serve processes against one Redis."""
