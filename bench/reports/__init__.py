"""Report build cost by the number of archived chats."""
