"""Modules due for an accuracy review."""
