"""Published versions of a round's reports (reserved for issue 13; filled in by that change)."""
