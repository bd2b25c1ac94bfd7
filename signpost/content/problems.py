"""Problems found in content files, each with its file and line."""

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one place in one file."""

    path: Path
    line: int
    message: str

    def format(self, relative_to: Path | None = None) -> str:
        """`file:line: message`, with the path relative where possible."""
        path = self.path
        if relative_to is not None and self.path.resolve().is_relative_to(relative_to.resolve()):
            path = self.path.resolve().relative_to(relative_to.resolve())
        return f"{path}:{self.line}: {self.message}"


@dataclass
class Problems:
    """A collector that parsers and checks add to."""

    items: list[Problem] = field(default_factory=list)

    def add(self, path: Path, line: int, message: str) -> None:
        """Record a problem."""
        self.items.append(Problem(path, max(1, line), message))

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def sorted(self) -> list[Problem]:
        """Problems by file, then line."""
        return sorted(set(self.items))


class ContentError(Exception):
    """Content could not be imported; `problems` says where and why."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s) in content")
        self.problems = problems
