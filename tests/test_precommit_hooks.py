"""The pre-commit hooks a data repository takes from this one, run by real pre-commit (`try-repo`).

pre-commit builds the hook's environment itself: it installs this repository as a package with the
dependencies pyproject.toml declares (from the package index, as for any user), so this also proves
that `pip install` of the project gives a working `garrison` command. The data repository is a
copy of the bundled data without its schema/ folder, in a git repository of its own.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from paths import BUNDLED, ROOT

PRE_COMMIT = [sys.executable, "-m", "pre_commit"]


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")  # hook environments, shared by this module's tests


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    folder = tmp_path / "data-repo"
    shutil.copytree(BUNDLED, folder, ignore=shutil.ignore_patterns("schema"))
    git(folder, "init", "-q")
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", "data")
    return folder


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=t@example.org", "-c", "user.name=t", *args], cwd=cwd, check=True,
                   capture_output=True, timeout=60)


def try_repo(repo: Path, home: Path, hook: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "GARRISON_DATA")}
    env["PRE_COMMIT_HOME"] = str(home)
    return subprocess.run([*PRE_COMMIT, "try-repo", str(ROOT), hook, "--all-files"], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=900)


def test_the_validate_hook_passes_good_data_and_names_the_broken_file(repo: Path, home: Path):
    done = try_repo(repo, home, "garrison-validate")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "garrison validate" in done.stdout and "Passed" in done.stdout
    path = repo / "installations" / "tartus.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("status: active", "status: activ", 1), encoding="utf-8")
    git(repo, "add", "-A")
    done = try_repo(repo, home, "garrison-validate")
    # must not: pass, or fail with a traceback instead of the file, line and field
    assert done.returncode == 1 and "Failed" in done.stdout, done.stdout
    assert "installations/tartus.yaml:" in done.stdout and "status" in done.stdout and "Traceback" not in done.stdout


def test_the_lint_hook_passes_files_in_normal_form_and_flags_others(repo: Path, home: Path):
    done = try_repo(repo, home, "garrison-lint")
    assert done.returncode == 0, done.stdout + done.stderr
    path = repo / "installations" / "khmeimim.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("\nhistory:\n", "\nhistory:   \n", 1), encoding="utf-8")
    git(repo, "add", "-A")
    done = try_repo(repo, home, "garrison-lint")
    assert done.returncode == 1 and "khmeimim.yaml" in done.stdout, done.stdout
