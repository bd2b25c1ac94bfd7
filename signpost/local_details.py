"""The local details content refers to: whom to call here, written once per area.

Course material names local procedures through placeholders, `{{local.KEY}}` or
`{{local.KEY|text shown when unset}}`, so that one course serves every area without
hard-coding one area's numbers. `content check` rejects a key that is not listed here.
"""

import re

# Key -> what the detail is, in words an administrator filling it in understands. Ordered
# as the settings page should show them.
KEYS: dict[str, str] = {
    "partnership_name": "Name of the local safeguarding children partnership",
    "front_door_phone": "Children's social care front door or MASH: phone number for referrals",
    "front_door_hours": "Hours the front door or MASH takes calls",
    "out_of_hours_phone": "Out-of-hours children's social care (emergency duty team): phone number",
    "police_non_emergency": "Police non-emergency contact (101) and any local exploitation team",
    "safeguarding_lead": "This agency's own safeguarding lead: name, role and how to reach them",
    "lado": "Local Authority Designated Officer (LADO): how to contact them",
    "exploitation_meeting": "How to refer to the multi-agency exploitation meeting (MACE or MASE)",
    "return_interview_provider": "Who carries out return interviews after a child has been missing",
    "screening_tool": "The local exploitation screening or risk assessment tool",
    "escalation_policy_url": (
        "Where to find the escalation policy for resolving professional disagreements"
    ),
    "nrm_referral": "Who makes National Referral Mechanism referrals for children here",
    "ictg_service": "Whether the Independent Child Trafficking Guardian service covers this area",
}

PLACEHOLDER = re.compile(r"\{\{local\.([a-z0-9_]+)(?:\|([^}]*))?\}\}")


def placeholders(text: str) -> list[tuple[str, str | None, int]]:
    """Each `{{local.KEY|fallback}}` in text as (key, fallback or None, offset)."""
    return [(m.group(1), m.group(2), m.start()) for m in PLACEHOLDER.finditer(text)]
