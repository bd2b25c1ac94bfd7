"""Scenario choices are shown in a fresh order per run, kept for that run."""

import random
import re

from sqlalchemy import select

from signpost import scenarios
from signpost.extensions import db
from signpost.models import ModuleProgress, Scenario, ScenarioRun, ScenarioStep
from tests.journey import location

PAGE = "/learn/modules/basics/scenarios/case"


def shown_ids(client, url) -> list[int]:
    html = client.get(url).get_data(as_text=True)
    return [int(i) for i in re.findall(r'name="choice" value="(\d+)"', html)]


def start(client) -> tuple[str, ScenarioRun]:
    url = location(client.submit(f"{PAGE}/start", page=PAGE))
    return url, db.session.scalars(select(ScenarioRun).order_by(ScenarioRun.id.desc())).first()


def test_a_run_stores_its_order_and_shows_the_same_order_on_reload(
    client, course, learner, journey
):
    journey.start("basics")
    url, run = start(client)
    first = shown_ids(client, url)
    assert first == shown_ids(client, url) == run.choice_order["first"]
    for node in run.scenario.nodes:
        if node.choices:
            assert sorted(run.choice_order[node.key]) == sorted(c.id for c in node.choices)
        else:
            assert node.key not in run.choice_order  # endings offer nothing to order


def test_over_many_runs_the_recommended_choice_is_not_always_first(course):
    scenario = db.session.scalar(select(Scenario).where(Scenario.slug == "case"))
    first_node = scenarios.node(scenario, "first")
    recommended = next(c.id for c in first_node.choices if c.rating == "recommended")
    rng = random.Random(12)  # seeded: the same orders every time, so this cannot flake
    firsts = [scenarios.shuffled_choices(scenario, rng)["first"][0] for _ in range(40)]
    assert 0 < firsts.count(recommended) < len(firsts)


def test_start_run_uses_the_rng_it_is_given(course, learner, journey, client):
    journey.start("basics")
    progress = db.session.scalar(select(ModuleProgress))
    scenario = db.session.scalar(select(Scenario).where(Scenario.slug == "case"))
    run = scenarios.start_run(progress, scenario, random.Random(3))
    assert run.choice_order == scenarios.shuffled_choices(scenario, random.Random(3))


def test_a_run_started_before_shuffling_shows_the_content_order(client, course, learner, journey):
    journey.start("basics")
    url, run = start(client)
    run.choice_order = None
    db.session.commit()
    node = scenarios.node(run.scenario, "first")
    assert shown_ids(client, url) == [c.id for c in node.choices]


def test_choosing_follows_the_shown_order_and_still_refuses_foreign_choices(
    client, course, learner, journey
):
    journey.start("basics")
    url, run = start(client)
    scenario = run.scenario
    later = [c.id for c in scenarios.node(scenario, "second").choices]
    foreign = client.submit(url, {"step": "0", "choice": str(later[0])})
    assert foreign.status_code == 400  # a choice of another decision
    picked = shown_ids(client, url)[0]
    assert client.submit(url, {"step": "0", "choice": str(picked)}).status_code == 302
    stale = client.submit(url, {"step": "0", "choice": str(picked)})
    assert stale.status_code == 409
    step = db.session.scalar(select(ScenarioStep))
    assert step.choice_id == picked
