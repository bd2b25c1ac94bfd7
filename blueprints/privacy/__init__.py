"""A person's own copy of the personal data Signpost holds about them."""
