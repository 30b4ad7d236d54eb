"""Exceptions of the editor core; each carries a message fit to show to the person editing."""

from __future__ import annotations

from ..problems import Problem


class EditError(ValueError):
    """An edit or save that cannot be done as asked (bad value, missing file, unconfirmed delete)."""


class DiskError(EditError):
    """The disk refused a read or write (read-only folder, disk full, permissions).

    Saves write a temporary file and rename it over the old one, so the data file is as it was.
    """

    def __init__(self, path: str, exc: OSError):
        self.path, self.errno = path, exc.errno
        why = exc.strerror or str(exc)
        super().__init__(f"not saved: the disk refused the write to {path} ({why}); "
                         "the data file is unchanged. Check the folder's permissions and free space.")


class ValidationFailed(EditError):
    """The edited file would not validate; nothing was written. ``problems`` holds every finding."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        head = "\n".join(str(p) for p in errors[:20])
        more = f"\n... and {len(errors) - 20} more" if len(errors) > 20 else ""
        super().__init__(f"not saved: {len(errors)} error(s)\n{head}{more}")


class Conflict(EditError):
    """The file changed on disk since the form loaded it; nothing was written.

    ``diff`` is a unified diff from what the form loaded to what is on disk now, so the edit can
    be redone on top of the other change; ``disk_text`` is the current text (None: file gone),
    ``draft_text`` the text this save would have written.
    """

    def __init__(self, path: str, expected: str | None, actual: str | None, diff: str,
                 disk_text: str | None, draft_text: str):
        self.path, self.expected, self.actual = path, expected, actual
        self.diff, self.disk_text, self.draft_text = diff, disk_text, draft_text
        if expected is None:
            what = "was created by someone else after the form was opened"
        elif actual is None:
            what = "was deleted after the form loaded it"
        else:
            what = "was changed on disk (a hand edit or another browser) after the form loaded it"
        super().__init__(f"not saved: {path} {what}; reload it and redo your edit. Nothing was overwritten.")
