"""Where each kind of next step lives."""

from flask import url_for

from signpost.progress import Step


def step_url(step: Step) -> str:
    """The URL of a learner's next step in a module."""
    slug = step.module.slug
    if step.kind == "lesson":
        return url_for("learn.lesson", slug=slug, lesson_slug=step.target.slug)
    if step.kind == "scenario":
        return url_for("learn.scenario", slug=slug, scenario_slug=step.target.slug)
    if step.kind == "run":
        return url_for("learn.run", run_id=step.target.id)
    if step.kind == "quiz":
        return url_for("learn.quiz", slug=slug)
    if step.kind == "attempt":
        return url_for("learn.attempt", attempt_id=step.target.id)
    return url_for("learn.module", slug=slug)
