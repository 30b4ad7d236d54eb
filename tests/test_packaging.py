"""`pip install` gives a Garrison that runs: built as a wheel, installed into a new virtual environment.

The wheel is built from a copy of the project (pip, setuptools; no build isolation, so nothing
is downloaded), installed with pip into a fresh venv whose only other packages are this test
run's own (a .pth file adds them after the venv's site-packages, so the installed garrison, not
src/, is what runs). Then the `garrison` console command is used the way a data repository or a
pre-commit hook uses it, from a folder outside the checkout.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from paths import BUNDLED, ROOT

from garrison.schema import schema_files


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("project")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "src", src / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    out = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(src)])
    (built,) = out.glob("garrison-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(tmp_path_factory, wheel: Path) -> Path:
    home = tmp_path_factory.mktemp("venv")
    run([sys.executable, "-m", "venv", str(home)])
    python = home / "bin" / "python"
    site = Path(run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
    (site / "test-run-packages.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")  # after the venv's own
    run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)])
    return home


def run(cmd: list[str], cwd: Path | None = None, check: bool = True, env: dict | None = None) -> subprocess.CompletedProcess:
    import os

    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "GARRISON_DATA")}
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=300, env={**clean, **(env or {})})
    if check:
        assert done.returncode == 0, f"{cmd}: {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


def test_the_wheel_carries_the_schemas_and_the_command(wheel: Path):
    names = zipfile.ZipFile(wheel).namelist()
    for own in schema_files():
        assert f"garrison/schemas/{own.name}" in names
    assert "garrison/render/layer.schema.json" in names and "garrison/basemap/offline.py" in names
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "garrison = garrison.cli:main" in zipfile.ZipFile(wheel).read(entry).decode()
    # must not: a generic top-level package beside garrison
    assert {n.split("/")[0] for n in names if not n.startswith("garrison-")} == {"garrison"}


def test_the_installed_command_validates_a_data_repository_without_a_schema_folder(venv: Path, tmp_path: Path):
    repo = tmp_path / "data-repo"
    shutil.copytree(BUNDLED, repo, ignore=shutil.ignore_patterns("schema"))
    done = run([str(venv / "bin" / "garrison"), "validate", "--data", str(repo), "--quiet"], cwd=tmp_path)
    assert "installations loaded; 0 error(s)" in done.stderr
    # the installed package is what ran, not the checkout's src/
    where = run([str(venv / "bin" / "python"), "-c", "import garrison; print(garrison.__file__)"], cwd=tmp_path).stdout
    assert "site-packages" in where and str(ROOT) not in where
    # must not: a traceback (the schemas are found in the package)
    assert "Traceback" not in done.stderr


def test_the_installed_command_without_a_data_folder_says_what_to_do(venv: Path, tmp_path: Path):
    done = run([str(venv / "bin" / "garrison"), "validate"], cwd=tmp_path, check=False)
    assert done.returncode == 2, done.stderr
    assert "pass --data DIR or set GARRISON_DATA" in done.stderr and "Traceback" not in done.stderr
    done = run([str(venv / "bin" / "garrison"), "state", "--date", "2024-12-08"], cwd=tmp_path, check=False,
               env={"GARRISON_DATA": str(BUNDLED)})
    assert done.returncode == 0 and "tartus" in done.stdout, done.stderr


def test_lint_fix_gives_a_data_repository_its_schema_copies(venv: Path, tmp_path: Path):
    repo = tmp_path / "data-repo"
    shutil.copytree(BUNDLED, repo, ignore=shutil.ignore_patterns("schema"))
    garrison = str(venv / "bin" / "garrison")
    run([garrison, "lint", "--fix", "--data", str(repo)], cwd=tmp_path)
    for own in schema_files():
        assert (repo / "schema" / own.name).read_bytes() == own.read_bytes()
    (repo / "schema" / "installation.schema.json").write_text("{}\n")
    stale = run([garrison, "lint", "--data", str(repo)], cwd=tmp_path, check=False)
    assert stale.returncode == 1 and "installation.schema.json: differs" in stale.stderr
    warned = run([garrison, "validate", "--data", str(repo)], cwd=tmp_path)
    (line,) = [ln for ln in warned.stdout.splitlines() if "schema/installation.schema.json:1:1:" in ln]
    assert "differs from the schema of this Garrison version" in line and "garrison lint --fix" in line


def test_the_core_imports_without_streamlit(venv: Path, tmp_path: Path):
    code = ("import sys, garrison, garrison.cli, garrison.export, garrison.edit; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('streamlit', 'folium', 'altair')))")
    assert run([str(venv / "bin" / "python"), "-c", code], cwd=tmp_path).stdout.strip() == "[]"


def test_python_m_garrison_keeps_working(venv: Path, tmp_path: Path):
    done = run([str(venv / "bin" / "python"), "-m", "garrison", "validate", "--data", str(BUNDLED), "--quiet"], cwd=tmp_path)
    assert "0 error(s)" in done.stderr


def test_declared_dependencies_cover_the_pinned_core_packages():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {_name(d) for d in project["dependencies"]}
    app = {_name(d) for d in project["optional-dependencies"]["app"]}
    pinned = {_name(line) for line in (ROOT / "requirements.txt").read_text().splitlines()
              if line.strip() and not line.startswith("#")}
    assert pinned <= declared | app, pinned - declared - app  # every pin is declared somewhere
    assert "streamlit" not in declared  # the core runs without the app's packages


def _name(requirement: str) -> str:
    import re

    return re.split(r"[<>=!~;\[ ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")
