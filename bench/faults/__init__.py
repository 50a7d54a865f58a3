"""Fault scenarios (`make faults`): kill and restart the parts the bridge depends on while chats are busy, and
count what was sent, delivered, duplicated and lost, and whether each chat kept its order."""
