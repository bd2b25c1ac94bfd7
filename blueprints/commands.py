"""`flask` command-line commands."""

import click
from flask import Flask

from signpost.demo import seed_demo


def register(app: Flask) -> None:
    """Add Signpost's commands to the app's CLI."""

    @app.cli.command("seed-demo")
    def seed_demo_command():
        """Create demo agencies and one demo user per role (safe to run again)."""
        rows = seed_demo()
        click.echo("Demo accounts (sign in at /account/sign-in):")
        width = max(len(role) for role, _, _ in rows)
        for role, email, password in rows:
            click.echo(f"  {role:<{width}}  {email:<26}  password: {password}")
