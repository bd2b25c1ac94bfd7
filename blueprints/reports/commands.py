"""`flask reports ...`: maintenance of the board reporting tables."""

import time

import click
from flask import Flask

from signpost.reports.records import rebuild_records
from signpost.unit_of_work import unit_of_work


def register(app: Flask) -> None:
    """Add the `reports` command group."""

    @app.cli.group("reports")
    def reports():
        """Board reporting."""

    @reports.command("rebuild")
    def rebuild():
        """Recompute every learner's course record from their progress (after bulk imports)."""
        started = time.perf_counter()
        with unit_of_work():
            count = rebuild_records()
        click.echo(f"Rebuilt {count} course records in {time.perf_counter() - started:.1f}s.")
