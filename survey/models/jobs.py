"""Background jobs as the console sees them (reserved for issue 13's job queue)."""
