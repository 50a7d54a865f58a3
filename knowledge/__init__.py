"""Knowledge: common phrases, Markdown articles, their full-text index and suggested replies."""
