"""`flask content check` and `flask content import`: the course material in content/."""

import time
from pathlib import Path

import click
from flask import Flask, current_app

from signpost.content.importer import import_content
from signpost.content.loader import load
from signpost.content.problems import ContentError
from signpost.unit_of_work import unit_of_work


def _content_root(path: str | None) -> Path:
    return Path(path) if path else Path(current_app.root_path) / "content"


def _print_problems(problems) -> None:
    for problem in problems:
        click.echo(problem.format(Path.cwd()))
    click.echo(f"{len(problems)} problem(s) found.", err=True)


def register(app: Flask) -> None:
    """Add the `content` command group."""

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
