"""Branching scenarios: a run, one decision at a time, and its debrief."""

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user

from blueprints.access import visible_or_404
from blueprints.errors import abort_for
from blueprints.learn.blueprint import (
    bp,
    learner,
    module_or_404,
    progress_or_start_page,
    scenario_or_404,
)
from blueprints.learn.steps import step_url
from signpost import progress, scenarios
from signpost.models import ScenarioRun


@bp.get("/modules/<slug>/scenarios/<scenario_slug>")
@learner
def scenario(slug: str, scenario_slug: str):
    """A scenario's introduction and the learner's runs."""
    found = module_or_404(slug)
    mine = progress_or_start_page(found)
    if mine is None:
        return redirect(url_for("learn.module", slug=slug))
    chosen = scenario_or_404(mine, scenario_slug)
    return render_template(
        "learn/scenario.html",
        module=found,
        version=mine.version,
        scenario=chosen,
        runs=scenarios.runs(mine, chosen),
    )


@bp.post("/modules/<slug>/scenarios/<scenario_slug>/start")
@learner
def scenario_start(slug: str, scenario_slug: str):
    """Start a run (or resume the unfinished one)."""
    found = module_or_404(slug)
    mine = progress_or_start_page(found) or abort(409, description="Start the module first.")
    chosen = scenario_or_404(mine, scenario_slug)
    run = scenarios.start_run(mine, chosen)
    return redirect(url_for("learn.run", run_id=run.id))


def _own_run(run_id: int) -> ScenarioRun:
    """Someone else's run is answered as if it did not exist."""
    return visible_or_404(ScenarioRun, run_id, lambda user, r: r.user_id == user.id)


def _render_run(run: ScenarioRun, message: str | None = None, status: int = 200):
    module = run.progress.module
    context = {
        "run": run,
        "module": module,
        "version": run.progress.version,
        "scenario": run.scenario,
        "message": message,
        "next_url": step_url(progress.next_step(current_user.id, module)),
    }
    if run.finished_at is not None:
        context.update(
            ending=scenarios.node(run.scenario, run.current_key),
            rows=scenarios.debrief(run),
            route=scenarios.recommended_route(run.scenario),
        )
        return render_template("learn/run_debrief.html", **context), status
    last = run.steps[-1] if run.steps else None
    at = scenarios.node(run.scenario, run.current_key)
    context.update(
        node=at,
        choices=scenarios.choices_shown(run, at),
        last_choice=_choice(run, last) if last else None,
        step=len(run.steps),
    )
    return render_template("learn/run.html", **context), status


def _choice(run: ScenarioRun, taken):
    at = scenarios.node(run.scenario, taken.node_key)
    return next(c for c in at.choices if c.id == taken.choice_id)


@bp.get("/runs/<int:run_id>")
@learner
def run(run_id: int):
    """The current decision, or the debrief once the run has ended."""
    return _render_run(_own_run(run_id))


@bp.post("/runs/<int:run_id>")
@learner
def run_choose(run_id: int):
    """Record one decision."""
    found = _own_run(run_id)
    try:
        step = int(request.form.get("step", ""))
    except ValueError:
        abort(400, description="The decision sent was not in the right form. Nothing was saved.")
    if "choice" not in request.form:
        if found.finished_at is None and step == len(found.steps):
            return _render_run(found, "Choose what you would do, then continue.", 422)
        choice_id = -1  # a stale, empty form: let choose() explain what happened
    else:
        try:
            choice_id = int(request.form["choice"])
        except ValueError:
            abort(
                400, description="The decision sent was not in the right form. Nothing was saved."
            )
    try:
        scenarios.choose(found, step, choice_id)
    except scenarios.MovedOn as error:
        return _render_run(found, str(error), 409)
    except scenarios.ScenarioError as error:
        abort_for(error)
    return redirect(url_for("learn.run", run_id=found.id))
