"""`flask seed-demo`: demo agencies and one account per role (safe to run again)."""

import click
from flask import Flask

from signpost.demo import seed_demo
from signpost.unit_of_work import unit_of_work


def register(app: Flask) -> None:
    """Add `flask seed-demo`."""

    @app.cli.command("seed-demo")
    def seed_demo_command():
        """Create demo agencies and one demo user per role (safe to run again)."""
        with unit_of_work():
            rows = seed_demo()
        click.echo("Demo accounts (sign in at /account/sign-in):")
        width = max(len(role) for role, _, _ in rows)
        for role, email, password in rows:
            click.echo(f"  {role:<{width}}  {email:<26}  password: {password}")
