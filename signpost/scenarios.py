"""Branching scenarios: runs, one decision at a time, and the debrief."""

import random
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from signpost import completion
from signpost.errors import Conflict, DomainError, Invalid, NotFound
from signpost.extensions import db
from signpost.models import (
    ModuleProgress,
    Scenario,
    ScenarioChoice,
    ScenarioNode,
    ScenarioRun,
    ScenarioStep,
    utcnow,
)


class ScenarioError(DomainError):
    """A decision that cannot be recorded."""


class NotInVersion(ScenarioError, NotFound):
    """The scenario belongs to another version of the module."""


class MovedOn(ScenarioError, Conflict):
    """The run has ended, or this decision was already made (in another tab, say)."""


class NotOffered(ScenarioError, Invalid):
    """The choice sent is not one of the current node's."""


class _RunMovedOn(Exception):
    """Another request moved the run on between our check and our update."""


def node(scenario: Scenario, key: str) -> ScenarioNode:
    """A node of the scenario by its id."""
    return next(n for n in scenario.nodes if n.key == key)


def runs(progress: ModuleProgress, scenario: Scenario) -> list[ScenarioRun]:
    """Every run of this scenario in this pass, oldest first."""
    return list(
        db.session.scalars(
            select(ScenarioRun)
            .where(ScenarioRun.progress_id == progress.id, ScenarioRun.scenario_id == scenario.id)
            .order_by(ScenarioRun.number)
        )
    )


def shuffled_choices(scenario: Scenario, rng: random.Random) -> dict[str, list[int]]:
    """A fresh order of the choices at each decision, {node key: [choice ids]}."""
    order = {}
    for at in scenario.nodes:
        if at.choices:
            ids = [c.id for c in at.choices]
            rng.shuffle(ids)
            order[at.key] = ids
    return order


def choices_shown(run: ScenarioRun, at: ScenarioNode) -> list[ScenarioChoice]:
    """A node's choices in the run's stored order; content order for runs without one."""
    stored = (run.choice_order or {}).get(at.key)
    by_id = {c.id: c for c in at.choices}
    if not stored or sorted(stored) != sorted(by_id):
        return list(at.choices)
    return [by_id[cid] for cid in stored]


def start_run(
    progress: ModuleProgress, scenario: Scenario, rng: random.Random | None = None
) -> ScenarioRun:
    """Resume the unfinished run, or start a new one (a finished scenario can be replayed)."""
    if scenario.version_id != progress.version_id:
        raise NotInVersion("This scenario is not part of your version of the module.")
    history = runs(progress, scenario)
    if history and history[-1].finished_at is None:
        return history[-1]
    run = ScenarioRun(
        progress_id=progress.id,
        user_id=progress.user_id,
        scenario_id=scenario.id,
        number=len(history) + 1,
        current_key=scenario.start_key,
        choice_order=shuffled_choices(scenario, rng or random.SystemRandom()),
    )
    try:
        with db.session.begin_nested():
            db.session.add(run)
    except IntegrityError:
        return runs(progress, scenario)[-1]
    return run


def choose(run: ScenarioRun, step: int, choice_id: int) -> ScenarioStep:
    """Record a decision at the run's current node; refuse stale or foreign choices."""
    if run.finished_at is not None:
        raise MovedOn("This run has already ended. Start again to replay it.")
    if step != len(run.steps):
        raise MovedOn(
            "That decision was already made, perhaps in another tab or window. "
            "Here is where the scenario stands now."
        )
    current = node(run.scenario, run.current_key)
    choice = next((c for c in current.choices if c.id == choice_id), None)
    if choice is None:
        raise NotOffered("That choice is not offered at this point in the scenario.")
    taken = ScenarioStep(
        run_id=run.id,
        position=step,
        node_key=current.key,
        choice_id=choice.id,
        rating=choice.rating,
        target_key=choice.target_key,
    )
    try:
        with db.session.begin_nested():
            db.session.add(taken)
            # Moves only from the node we checked, so a concurrent decision cannot fork the run.
            moved = db.session.execute(
                update(ScenarioRun)
                .where(ScenarioRun.id == run.id, ScenarioRun.current_key == current.key)
                .values(current_key=choice.target_key)
            ).rowcount
            if moved != 1:
                raise _RunMovedOn
    except (IntegrityError, _RunMovedOn):
        db.session.expire(run)
        raise MovedOn(
            "That decision was already made in another tab or window. "
            "Here is where the scenario stands now."
        ) from None
    db.session.expire(run)
    if node(run.scenario, choice.target_key).ending:
        run.finished_at = utcnow()
        db.session.flush()
        completion.after_step(run.progress)
    return taken


@dataclass(frozen=True)
class DebriefRow:
    """One decision in the debrief: what the learner chose beside the recommended choice."""

    node: ScenarioNode
    chosen: ScenarioChoice
    recommended: ScenarioChoice | None


def debrief(run: ScenarioRun) -> list[DebriefRow]:
    """The learner's path, decision by decision, against the recommended choice at each node."""
    rows = []
    for taken in run.steps:
        at = node(run.scenario, taken.node_key)
        chosen = next(c for c in at.choices if c.id == taken.choice_id)
        recommended = next((c for c in at.choices if c.rating == "recommended"), None)
        rows.append(DebriefRow(at, chosen, recommended))
    return rows


def recommended_route(scenario: Scenario) -> list[ScenarioNode]:
    """The nodes along the recommended path, from the start to its ending."""
    return [node(scenario, key) for key in scenario.recommended_path]
