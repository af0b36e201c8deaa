"""A round's planned steps: opening, closing and reminders (reserved for issue 13)."""
