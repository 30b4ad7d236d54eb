"""Benchmark of an in-app save: validating and writing one edited installation, at 1k and 10k files.

Run on demand (not a pytest test):

    python benchmarks/bench_save.py [--sizes 1000,10000] [--runs 5] [--baseline REV]

For each size a synthetic data folder (``synthetic.write_dataset``) is written into a temporary
directory; then, in a child process per code version, the folder is loaded once (as the running
app has it loaded) and an installation's name is changed and saved ``--runs`` times through
``garrison.edit`` (``open_for_edit``, ``set_fields``, ``validate_draft``, ``save``), timing
``validate_draft`` and ``save`` (which validates again, then writes). The current work tree and
the project at ``--baseline`` (a temporary git worktree; default 6f9109d, the commit before
validation went through the incremental loader; ``none`` skips it) run on the same folders, one
after the other. Prints medians, baseline/current ratios and the targets (save <= 100 ms at 1k,
<= 500 ms at 10k) with PASS/FAIL; exit status 1 if a target fails.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [p for p in (str(ROOT / "src"), str(HERE)) if p not in sys.path]

from bench_load import DEFAULT_BASELINE, baseline_tree  # noqa: E402

TARGETS_MS = {1000: 100.0, 10000: 500.0}

WORKER = r"""
import json, sys, time
from pathlib import Path
import garrison
from garrison.edit import open_for_edit, save, set_fields, validate_draft
data, runs = Path(sys.argv[1]), int(sys.argv[2])
garrison.load(data)  # the app has the folder loaded before anyone saves
inst = sorted((data / "installations").glob("*.yaml"))[len(list((data / "installations").glob("*.yaml"))) // 2].stem
out = {"validate": [], "save": []}
for i in range(runs):
    draft = open_for_edit(data, inst)
    set_fields(draft, name=f"Renamed {i}")
    t = time.perf_counter(); problems = validate_draft(draft); out["validate"].append(time.perf_counter() - t)
    assert not [p for p in problems if p.severity == "error"], problems
    t = time.perf_counter(); save(draft, draft.digest); out["save"].append(time.perf_counter() - t)
print(json.dumps(out))
"""


def measure(src: Path, data: Path, runs: int) -> dict[str, float]:
    """Median milliseconds of validate_draft and save, run by the code in ``src`` on a copy of ``data``."""
    with tempfile.TemporaryDirectory(prefix="garrison-save-") as tmp:
        copy = Path(tmp) / "data"
        shutil.copytree(data, copy)
        done = subprocess.run([sys.executable, "-c", WORKER, str(copy), str(runs)], capture_output=True, text=True,
                              env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"}, timeout=3600, check=False)
    if done.returncode:
        raise RuntimeError(done.stderr[-3000:])
    samples = json.loads(done.stdout.strip().splitlines()[-1])
    return {k: 1000 * statistics.median(v) for k, v in samples.items()}


def main(argv: list[str] | None = None) -> int:
    from synthetic import write_dataset

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--baseline", default=DEFAULT_BASELINE, help="git revision to compare with, or 'none'")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    with tempfile.TemporaryDirectory(prefix="garrison-save-bench-") as tmp:
        work = Path(tmp)
        folders = {n: write_dataset(work / f"data-{n}", n) for n in sizes}
        current = {n: measure(ROOT / "src", folders[n], args.runs) for n in sizes}
        base = {}
        if args.baseline != "none":
            with baseline_tree(args.baseline, work) as tree:
                base = {n: measure(tree / "src", folders[n], args.runs) for n in sizes}
    print(f"{'size':>7} {'step':>9} {'current ms':>11} {'baseline ms':>12} {'ratio':>7}")
    ok = True
    for n in sizes:
        for step in ("validate", "save"):
            b = base.get(n, {}).get(step)
            print(f"{n:>7} {step:>9} {current[n][step]:>11.1f} {b if b is not None else float('nan'):>12.1f} "
                  f"{(b / current[n][step]) if b else float('nan'):>6.1f}x")
        if n in TARGETS_MS:
            verdict = current[n]["save"] <= TARGETS_MS[n]
            ok &= verdict
            rows.append(f"target: save <= {TARGETS_MS[n]:.0f} ms at {n}: {current[n]['save']:.1f} ms {'PASS' if verdict else 'FAIL'}")
    print("\n".join(rows))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
