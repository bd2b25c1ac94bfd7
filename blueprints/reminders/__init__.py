"""Reminder emails: sending them (a command for cron) and unsubscribing."""
