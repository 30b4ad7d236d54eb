"""Problems found in data files: each names file, line, column and field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem, printed as ``path:line:column: field: message``."""

    path: str
    line: int
    column: int
    field: str
    message: str
    severity: Severity = "error"
    record: str | None = None  # installation / actor / source id, where known

    def __str__(self) -> str:
        field = self.field or "(file)"
        tag = "" if self.severity == "error" else "warning: "
        return f"{self.path}:{self.line}:{self.column}: {field}: {tag}{self.message}"


def field_name(path: tuple) -> str:
    """Render a value path as ``history[2].from``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


class StrictLoadError(ValueError):
    """Raised by strict loading when the data has errors; carries every problem."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        head = "\n".join(str(p) for p in errors[:20])
        more = f"\n... and {len(errors) - 20} more" if len(errors) > 20 else ""
        super().__init__(f"{len(errors)} error(s) in the data:\n{head}{more}")
