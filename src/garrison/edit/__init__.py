"""The core of the in-app editor (no UI): open a data file as a draft, edit it, validate it the
way ``python -m garrison validate`` does, and save it atomically with conflict detection.

    draft = open_for_edit(data_dir, "khmeimim")
    rows = draft.history_rows(); rows[5]["status"] = "withdrawing"
    replace_history(draft, rows)
    problems = validate_draft(draft)          # file:line:field, nothing written
    save(draft, draft.digest)                 # Conflict if the file changed meanwhile
    merged = rebase(draft); save(merged, merged.digest)   # my edit onto the disk version, if no clash
"""

from .describe import describe_changes
from .draft import Draft, file_digest, open_for_edit, open_sources
from .edits import add_source, new_installation, replace_history, retire, set_fields
from .errors import Conflict, DiskError, EditError, ValidationFailed
from .gitaudit import GitOutcome
from .housekeeping import sweep_temp_files
from .merge import rebase
from .paths import check_id, installation_path, sources_path
from .saving import SaveResult, delete, save
from .validation import validate_draft
from .values import MAX_FILE_BYTES, MAX_STRING

__all__ = [
    "MAX_FILE_BYTES", "MAX_STRING", "Conflict", "DiskError", "Draft", "EditError", "GitOutcome", "SaveResult",
    "ValidationFailed", "add_source", "check_id", "delete", "describe_changes", "file_digest",
    "installation_path", "new_installation", "open_for_edit", "open_sources", "rebase", "replace_history",
    "retire", "save", "set_fields", "sources_path", "sweep_temp_files", "validate_draft",
]
