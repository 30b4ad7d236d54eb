"""Optional audit trail: commit each editor save to the git repository holding the data folder.

On when the environment has ``GARRISON_GIT_COMMIT=1`` and the data folder is inside a git work
tree. git runs as a subprocess with an argument list (never a shell), explicit paths after
``--``, and no prompts. A failure never undoes the save: the error text is returned instead.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

ENV = "GARRISON_GIT_COMMIT"
TIMEOUT = 60


@dataclass(frozen=True)
class GitOutcome:
    """``commit`` is the new commit's hash (None: nothing committed); ``error`` says why git failed."""

    commit: str | None = None
    error: str | None = None


def enabled() -> bool:
    return os.environ.get(ENV) == "1"


#: set by git while it runs hooks; they would point our commands at another repository or index
_GIT_CONTEXT = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
                "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_PREFIX", "GIT_COMMON_DIR")


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in _GIT_CONTEXT}
    env.update(GIT_TERMINAL_PROMPT="0", LC_ALL="C")
    return subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, text=True, env=env,
                          timeout=TIMEOUT, stdin=subprocess.DEVNULL, check=False)


def repo_root(folder: Path) -> Path | None:
    """The top of the git work tree containing ``folder``, or None."""
    try:
        res = _git(folder, "rev-parse", "--show-toplevel")
    except (OSError, subprocess.SubprocessError):
        return None
    return Path(res.stdout.strip()) if res.returncode == 0 and res.stdout.strip() else None


def commit_paths(folder: Path, paths: list[Path], subject: str, body: str = "") -> GitOutcome | None:
    """Commit exactly ``paths`` (added, changed or deleted) with the message; None when disabled."""
    if not enabled():
        return None
    root = repo_root(folder)
    if root is None:
        return None
    try:
        real_root = root.resolve()
        rels = []
        for p in paths:
            absolute = Path(os.path.abspath(p))
            real = absolute.parent.resolve() / absolute.name  # the file itself may be gone (a delete)
            rels.append(str(real.relative_to(real_root)))
    except ValueError as exc:
        return GitOutcome(error=f"git: file is outside the repository {root}: {exc}")
    try:
        recovered = _clear_stale_lock(root)
        if recovered:
            leftover = _commit_leftovers(root, folder, rels)
            if leftover.error:
                return leftover
        res = _git(root, "add", "-A", "--", *rels)  # -A: a deleted file is staged as a deletion
        if res.returncode != 0:
            return GitOutcome(error=f"git add failed: {(res.stderr or res.stdout).strip()}")
        if _git(root, "diff", "--cached", "--quiet", "--", *rels).returncode == 0:
            return GitOutcome()  # the saved text equals the committed one: nothing to record
        message = ["-m", subject] + (["-m", body] if body else [])
        res = _git(root, "commit", "-q", *message, "--", *rels)
        if res.returncode != 0:
            return GitOutcome(error=f"git commit failed: {(res.stderr or res.stdout).strip()}")
        head = _git(root, "rev-parse", "HEAD")
        return GitOutcome(commit=head.stdout.strip() or None)
    except (OSError, subprocess.SubprocessError) as exc:
        return GitOutcome(error=f"git failed: {exc}")


# --- recovering from a git step that was killed ----------------------------------------------------

def _git_running_in(root: Path) -> bool:
    """Whether a git process is at work in this repository (its working directory inside it).

    Read from /proc (Linux); where there is none, any git process counts, so a lock is only
    taken as stale when no git runs at all.
    """
    proc = Path("/proc")
    real_root = root.resolve()
    try:
        entries = [e for e in proc.iterdir() if e.name.isdigit()]
    except OSError:
        return True
    for entry in entries:
        try:
            if (entry / "comm").read_text().strip() != "git":
                continue
            cwd = (entry / "cwd").resolve()
        except OSError:
            continue  # gone, or not ours to read
        if cwd == real_root or real_root in cwd.parents:
            return True
    return False


def _clear_stale_lock(root: Path) -> bool:
    """Remove an index.lock that no running git holds (one a killed git left); True if one was removed.

    While it exists every commit fails, and saves would pile up uncommitted.
    """
    res = _git(root, "rev-parse", "--git-path", "index.lock")
    if res.returncode != 0:
        return False
    lock = Path(res.stdout.strip())
    lock = lock if lock.is_absolute() else root / lock
    if not lock.exists() or _git_running_in(root):
        return False
    try:
        lock.unlink()
    except FileNotFoundError:
        return False
    return True


def _commit_leftovers(root: Path, folder: Path, exclude: list[str]) -> GitOutcome:
    """Commit the data folder's changes that an interrupted git step left uncommitted, saying so."""
    rel_folder = str(folder.resolve().relative_to(root.resolve())) if folder.resolve() != root.resolve() else "."
    res = _git(root, "status", "--porcelain", "-z", "--untracked-files=all", "--", rel_folder)
    if res.returncode != 0:
        return GitOutcome(error=f"git status failed: {(res.stderr or res.stdout).strip()}")
    left = sorted({item[3:] for item in res.stdout.split("\0") if len(item) > 3} - set(exclude))
    if not left:
        return GitOutcome()
    res = _git(root, "add", "-A", "--", *left)
    if res.returncode != 0:
        return GitOutcome(error=f"git add failed: {(res.stderr or res.stdout).strip()}")
    subject = f"Saves left uncommitted by an interrupted git step ({len(left)} file(s))"
    body = ("A git process was killed while recording an earlier save; its lock was removed and these "
            "files are committed together, without the per-change message each save would have had:\n"
            + "\n".join(f"- {p}" for p in left))
    res = _git(root, "commit", "-q", "-m", subject, "-m", body, "--", *left)
    if res.returncode != 0:
        return GitOutcome(error=f"git commit failed: {(res.stderr or res.stdout).strip()}")
    return GitOutcome()
