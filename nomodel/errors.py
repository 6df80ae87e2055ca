"""What can go wrong in a build, each kind with its exit code (README: "Exit codes").

``NomodelError`` is the base: the command line catches it in one place, prints its lines
and exits with its ``exit_code``. Content problems carry their file and line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
NOTHING_WRITTEN = "nothing was written"


def display_path(path: Path) -> str:
    """The path as a user would type it: relative to the working folder when inside it."""
    try:
        return str(path.absolute().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


class NomodelError(Exception):
    """A failure the user can act on: told in plain lines, never as a traceback."""

    exit_code = EXIT_PROBLEMS

    def lines(self) -> list[str]:
        """What the command line prints: the details, then the outcome if there is one."""
        outcome = self.outcome(NOTHING_WRITTEN)
        return [*self.details(), *([outcome] if outcome else [])]

    def details(self) -> list[str]:
        return [f"nomodel: {self}"]

    def outcome(self, kept: str) -> str | None:
        """The line that ends the report, ``kept`` saying what became of the outputs."""
        return None


class UsageError(NomodelError):
    """The command line names something that does not exist or asks the impossible."""

    exit_code = EXIT_USAGE

    def details(self) -> list[str]:
        return [f"nomodel: error: {self}"]


class OutputError(NomodelError):
    """An output could not be written (a full disk, a read-only folder, a file in the way);
    every previous output is left as it was."""


class ThemeError(NomodelError):
    """The project's own templates, stylesheet or fonts are broken: named with file and line."""

    def details(self) -> list[str]:
        return str(self).splitlines()

    def outcome(self, kept: str) -> str:
        return f"the booklet's own files have problems: {kept}"


@dataclass(frozen=True, order=True)
class ContentError:
    path: Path
    line: int  # 1-based; 0 when the problem is a file or folder as a whole (a missing file)
    message: str

    def __str__(self) -> str:
        where = f"{display_path(self.path)}:{self.line}" if self.line else display_path(self.path)
        return f"{where}: {self.message}"


class ContentErrors(NomodelError):
    """Every problem found in a content folder, reported together."""

    def __init__(self, errors: Iterable[ContentError]) -> None:
        self.errors = tuple(sorted(set(errors)))
        super().__init__("\n".join(map(str, self.errors)))

    def details(self) -> list[str]:
        return list(map(str, self.errors))

    def outcome(self, kept: str) -> str:
        count = len(self.errors)
        return f"{count} problem{'s' if count > 1 else ''}: {kept}"
