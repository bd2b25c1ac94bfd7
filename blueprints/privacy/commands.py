"""`flask privacy ...`: removing personal details after the retention period (for cron)."""

import click
from flask import Flask

from signpost import privacy
from signpost.config import retention_days
from signpost.unit_of_work import unit_of_work


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
