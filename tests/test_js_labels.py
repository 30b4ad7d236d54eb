"""The installation labels' placement (static/garrison/map/labels.js) under Node's test runner:
no placed label overlaps another, a basemap label or a marker, and none leaves the map."""

from __future__ import annotations

import shutil
import subprocess

from paths import ROOT

NODE = shutil.which("node")
TEST = ROOT / "tests" / "js" / "labels.test.mjs"


def test_label_placement_under_node():
    assert NODE, "Node.js is not installed: README's test command (scripts/test) installs it"
    run = subprocess.run([NODE, "--test", str(TEST)], env={"PATH": "/usr/bin:/bin"},
                         capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    # must not: a run that tested nothing
    assert "# pass 3" in run.stdout and "# fail 0" in run.stdout, run.stdout[-2000:]
