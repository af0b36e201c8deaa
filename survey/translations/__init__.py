"""The message catalogues: messages.pot (every text), <language>/LC_MESSAGES/messages.po and
its compiled .mo; catalogues.py keeps them current (docs/translations.md)."""
