"""Signpost domain: models and rules, independent of HTTP and templates."""
