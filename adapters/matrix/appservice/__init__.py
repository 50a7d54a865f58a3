"""Application-service mode: the homeserver pushes events to the bridge, and customers post as ghost users."""
