"""Demo agencies and one account per role, for trying Signpost out."""
