"""`flask privacy ...`: removing personal details after the retention period (for cron)."""

import os

import click
from flask import Flask, current_app

from signpost import privacy
from signpost.unit_of_work import unit_of_work


def retention_days() -> int:
    """RETENTION_DAYS from the app config, else the environment; 0 (off) by default."""
    value = current_app.config.get("RETENTION_DAYS", os.environ.get("RETENTION_DAYS", 0))
    try:
        return max(0, int(value or 0))
    except ValueError:
        raise click.BadParameter(f"RETENTION_DAYS must be a whole number, not {value!r}") from None


def register(app: Flask) -> None:
    """Add the privacy commands to the app's CLI."""

    @app.cli.group("privacy")
    def group():
        """Personal data: retention."""

    @group.command("apply-retention")
    @click.option("--days", type=int, help="Override RETENTION_DAYS for this run.")
    def apply_retention(days):
        """Erase the details of people with no sign-in for longer than RETENTION_DAYS."""
        days = retention_days() if days is None else days
        if days <= 0:
            click.echo("Retention is off (RETENTION_DAYS is 0): nothing was erased.")
            return
        with unit_of_work():
            erased = privacy.apply_retention(days)
        click.echo(
            f"Erased the personal details of {len(erased)} people inactive for more than "
            f"{days} days."
        )
