"""`flask` command-line commands."""

import time
from pathlib import Path

import click
from flask import Flask, current_app

from blueprints.reports import commands as reports_commands
from signpost.content.importer import import_content
from signpost.content.loader import load
from signpost.content.problems import ContentError
from signpost.demo import seed_demo
from signpost.unit_of_work import unit_of_work


def _content_root(path: str | None) -> Path:
    return Path(path) if path else Path(current_app.root_path) / "content"


def _print_problems(problems) -> None:
    for problem in problems:
        click.echo(problem.format(Path.cwd()))
    click.echo(f"{len(problems)} problem(s) found.", err=True)


def register(app: Flask) -> None:
    """Add Signpost's commands to the app's CLI."""
    reports_commands.register(app)  # flask reports rebuild
    from blueprints.assignments.commands import register as register_reminders

    register_reminders(app)  # flask reminders send
    from blueprints.people.commands import register as register_privacy

    register_privacy(app)  # flask privacy apply-retention

    @app.cli.command("seed-demo")
    def seed_demo_command():
        """Create demo agencies and one demo user per role (safe to run again)."""
        with unit_of_work():
            rows = seed_demo()
        click.echo("Demo accounts (sign in at /account/sign-in):")
        width = max(len(role) for role, _, _ in rows)
        for role, email, password in rows:
            click.echo(f"  {role:<{width}}  {email:<26}  password: {password}")

    @app.cli.group("certificates")
    def certificates_group():
        """Certificate housekeeping."""

    @certificates_group.command("render-missing")
    def render_missing():
        """Render and store the PDF of every certificate that has none yet."""
        from blueprints.certificates.pdf import pdf_bytes
        from signpost.certificates import without_pdf

        with (
            current_app.test_request_context(base_url=current_app.config["BASE_URL"]),
            unit_of_work(),
        ):
            pending = without_pdf()
            failed = sum(pdf_bytes(cert) is None for cert in pending)
        click.echo(f"Rendered {len(pending) - failed} certificate PDFs; {failed} failed.")
        if failed:
            raise SystemExit(1)

    @app.cli.group("content")
    def content():
        """Check and import the course material in content/."""

    @content.command("check")
    @click.argument("path", required=False, type=click.Path(file_okay=False))
    def check(path):
        """Validate content; print file:line: message for each problem."""
        started = time.perf_counter()
        tree, problems = load(_content_root(path))
        if problems:
            _print_problems(problems.sorted())
            raise SystemExit(1)
        questions = sum(len(m.quiz.questions) for m in tree.modules if m.quiz)
        scenarios = sum(len(m.scenarios) for m in tree.modules)
        click.echo(
            f"OK: {len(tree.courses)} courses, {len(tree.modules)} modules, "
            f"{questions} questions, {scenarios} scenarios "
            f"({time.perf_counter() - started:.2f}s)"
        )

    @content.command("import")
    @click.argument("path", required=False, type=click.Path(file_okay=False))
    def import_command(path):
        """Import content into the database; unchanged content creates nothing."""
        started = time.perf_counter()
        try:
            with unit_of_work():
                report = import_content(_content_root(path))
        except ContentError as error:
            _print_problems(error.problems)
            click.echo("Nothing was imported.", err=True)
            raise SystemExit(1) from None
        for line in report.new_versions:
            click.echo(f"new version: {line}")
        for slug in report.courses_created:
            click.echo(f"new course: {slug}")
        for slug in report.courses_updated:
            click.echo(f"updated course: {slug}")
        click.echo(
            f"Imported in {time.perf_counter() - started:.2f}s: {len(report.new_versions)} new "
            f"module versions, {report.unchanged_modules} modules unchanged, "
            f"{len(report.courses_created) + len(report.courses_updated)} courses changed."
        )
