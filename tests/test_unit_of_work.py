"""One unit of work per request and per command: commit once at the end, or keep nothing."""

import ast
from pathlib import Path

import pytest
from flask import abort
from sqlalchemy import func, select

from signpost import unit_of_work
from signpost.extensions import db
from signpost.models import Agency, AgencyKind

ROOT = Path(__file__).resolve().parent.parent


def _agencies() -> int:
    db.session.rollback()  # read what is committed, as another process would
    return db.session.scalar(select(func.count()).select_from(Agency))


def _add(name: str) -> None:
    db.session.add(Agency(name=name, kind=AgencyKind.POLICE))
    db.session.flush()


@pytest.fixture
def probe(app):
    """Test-only views that write an agency and then end in different ways."""
    ran: list[str] = []

    def ok():
        _add("Kept")
        unit_of_work.after_commit(lambda: ran.append("after commit"))
        return "ok"

    def crash():
        _add("Crashed")
        unit_of_work.after_commit(lambda: ran.append("after a crash"))
        raise RuntimeError("boom")

    def aborted():
        _add("Aborted")
        abort(409)

    def refused():
        _add("Refused")
        return "no", 400

    def kept():
        _add("Recorded refusal")
        unit_of_work.keep_on_error()
        return "no", 401

    for view in (ok, crash, aborted, refused, kept):
        app.add_url_rule(f"/_probe/{view.__name__}", view.__name__, view)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    return ran


def test_a_view_that_returns_normally_commits_once_then_runs_after_commit_work(client, probe):
    assert client.get("/_probe/ok").status_code == 200
    assert _agencies() == 1
    assert probe == ["after commit"]


@pytest.mark.parametrize(("view", "status"), [("crash", 500), ("aborted", 409), ("refused", 400)])
def test_an_exception_an_abort_or_an_error_status_keeps_nothing(client, probe, view, status):
    assert client.get(f"/_probe/{view}").status_code == status
    assert _agencies() == 0
    assert probe == []  # what waited for a commit never runs


def test_a_refusal_that_must_be_recorded_is_kept(client, probe):
    assert client.get("/_probe/kept").status_code == 401
    assert _agencies() == 1


def test_a_command_unit_commits_at_its_end_and_rolls_back_on_error(app):
    with pytest.raises(RuntimeError), unit_of_work.unit_of_work():
        _add("Half done")
        raise RuntimeError("crash mid-command")
    assert _agencies() == 0
    with unit_of_work.unit_of_work():
        _add("Done")
    assert _agencies() == 1


def test_atomic_undoes_only_its_own_block(app):
    with unit_of_work.unit_of_work():
        _add("Before")
        with pytest.raises(ValueError), unit_of_work.atomic():
            _add("Inside")
            raise ValueError("refused")
    assert [a.name for a in db.session.scalars(select(Agency))] == ["Before"]


def _is_session(receiver: ast.expr) -> bool:
    name = receiver.attr if isinstance(receiver, ast.Attribute) else getattr(receiver, "id", "")
    return name in {"session", "connection", "conn"}


def _transaction_calls(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"commit", "rollback"}
            and _is_session(node.func.value)
        ):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.func.attr}()")
    return found


def test_nothing_but_the_unit_of_work_commits_or_rolls_back_a_session():
    allowed = {ROOT / "signpost" / "unit_of_work.py"}
    calls = [
        call
        for folder in ("signpost", "blueprints")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path not in allowed
        for call in _transaction_calls(path)
    ]
    assert calls == []


def test_domain_errors_carry_no_http_status():
    # The web layer maps kinds of domain error to statuses (blueprints/errors.py).
    found = []
    for path in sorted((ROOT / "signpost").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                values = [*node.exc.args, *(k.value for k in node.exc.keywords)]
                codes = [
                    v.value
                    for v in values
                    if isinstance(v, ast.Constant) and isinstance(v.value, int)
                ]
                if any(100 <= code <= 599 for code in codes):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []
