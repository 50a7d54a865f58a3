"""Domain types: plain data the whole bridge speaks, free of any platform."""
