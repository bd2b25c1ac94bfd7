"""Assignment rules: which courses are required of whom, and by when."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from blueprints.access import client_ip, role_required, visible_or_404
from blueprints.assignments.forms import RuleForm
from blueprints.form_errors import show_error
from signpost import assignment_status, assignments, catalogue
from signpost.completion import STATUS_LABELS
from signpost.extensions import db
from signpost.models import ROLE_LABELS, Agency, AssignmentRule, Role, Team, User, utcnow

bp = Blueprint("assignments", __name__, template_folder="templates")

MANAGERS = (Role.ADMIN, Role.AGENCY_LEAD)


def _rule_or_404(rule_id: int) -> AssignmentRule:
    """A rule outside the user's scope gets the same 404 as one that does not exist."""
    return visible_or_404(AssignmentRule, rule_id, assignments.can_view)


def _names() -> dict:
    """Agency and team names for describing rules."""
    return {
        "agencies": dict(db.session.execute(select(Agency.id, Agency.name)).all()),
        "teams": dict(db.session.execute(select(Team.id, Team.name)).all()),
        "roles": ROLE_LABELS,
    }


def _choices(form: RuleForm) -> None:
    form.course.choices = [(c.id, c.title) for c in catalogue.active_courses()]
    agencies = select(Agency).order_by(Agency.name)
    teams = select(Team).join(Agency).order_by(Agency.name, Team.name)
    if current_user.has_role(Role.ADMIN):
        form.agency.choices = [("", "All agencies")]
    else:
        agencies = agencies.where(Agency.id == current_user.agency_id)
        teams = teams.where(Team.agency_id == current_user.agency_id)
        form.agency.choices = []
    form.agency.choices += [(a.id, a.name) for a in db.session.scalars(agencies)]
    form.team.choices = [("", "Any team")] + [
        (t.id, f"{t.agency.name}: {t.name}") for t in db.session.scalars(teams)
    ]
    form.role.choices = [("", "Any role")] + [(r.value, ROLE_LABELS[r]) for r in Role]


@bp.get("/")
@role_required(*MANAGERS)
def index():
    """The rules in the user's scope, with how many people each covers and has completed."""
    now, scope = utcnow(), assignments.scope_agency(current_user)
    rules = assignments.visible_rules(current_user)
    counts = {r.id: assignment_status.counts(r, now, scope) for r in rules}
    return render_template(
        "assignments/index.html", rules=rules, counts=counts, scope=scope, **_names()
    )


@bp.route("/new", methods=["GET", "POST"])
@role_required(*MANAGERS)
def new():
    """Create a rule; it applies at once to everyone it matches, and later to new people."""
    form = RuleForm()
    _choices(form)
    if form.validate_on_submit():
        try:
            rule, changed = assignments.create_rule(
                current_user,
                course_id=form.course.data,
                agency_id=form.agency.data,
                team_id=form.team.data,
                role=Role(form.role.data) if form.role.data else None,
                due_days=form.due_days.data,
                due_date=form.due_date.data,
                ip=client_ip(),
            )
        except assignments.OutOfScope:
            abort(404)  # another agency is out of scope
        except assignments.RuleError as error:
            show_error(form, error)
        else:
            flash(
                f"Rule created. The course is now assigned to {changed} "
                f"{'person' if changed == 1 else 'people'} who did not already have an earlier "
                "due date, and will be assigned to people who join later.",
                "success",
            )
            return redirect(url_for("assignments.rule", rule_id=rule.id))
    return render_template("assignments/new.html", form=form)


@bp.get("/<int:rule_id>")
@role_required(*MANAGERS)
def rule(rule_id: int):
    """Everyone the rule covers (in the user's scope), with their status and due date."""
    found = _rule_or_404(rule_id)
    people = assignment_status.covered(found, utcnow(), assignments.scope_agency(current_user))
    return render_template(
        "assignments/rule.html",
        rule=found,
        people=people,
        labels=STATUS_LABELS,
        can_manage=assignments.can_manage(current_user, found),
        creator=db.session.get(User, found.created_by_id) if found.created_by_id else None,
        **_names(),
    )


@bp.post("/<int:rule_id>/deactivate")
@role_required(*MANAGERS)
def deactivate(rule_id: int):
    """Stop a rule applying to new people; existing assignments stay."""
    found = _rule_or_404(rule_id)
    try:
        assignments.deactivate_rule(current_user, found, client_ip())
    except assignments.OutOfScope as error:
        abort(403, description=str(error))
    flash("The rule is no longer active. People it already assigned keep the course.", "success")
    return redirect(url_for("assignments.rule", rule_id=found.id))
