"""Anonymous access to a round: the single-use codes handed out per school (only their
hashes stored) and the drafts they hold while a respondent answers."""
