"""Password hashing (argon2id) and the password policy."""

import contextlib
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from signpost.password_policy import policy_problems

# OWASP Password Storage Cheat Sheet: argon2id, 19 MiB memory, 2 iterations, 1 lane.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)

MAX_LENGTH = 256


def hash_password(password: str) -> str:
    """Hash a password for storage."""
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True if the password matches the stored hash."""
    if not stored_hash:
        # Spend the same time as a real check, so that timing does not reveal the account.
        _burn(password)
        return False
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True if the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(stored_hash)


@cache
def _dummy_hash() -> str:
    return _hasher.hash("signpost-timing-equaliser")


def _burn(password: str) -> None:
    with contextlib.suppress(VerificationError, InvalidHashError):
        _hasher.verify(_dummy_hash(), password)


def password_problems(password: str, min_length: int, personal: tuple[str, ...] = ()) -> list[str]:
    """Reasons a new password is not acceptable; empty when it is fine."""
    problems = []
    if len(password) < min_length:
        problems.append(f"Password must be at least {min_length} characters long.")
    if len(password) > MAX_LENGTH:
        problems.append(f"Password must be no more than {MAX_LENGTH} characters long.")
    return problems + policy_problems(password, personal)
