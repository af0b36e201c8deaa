"""Themes in the remarks: a round's codebook of themes and the remarks tagged with them."""
