"""Parse benchmark: ``yamlsafe.parse_yaml`` on a synthetic folder's files, ruamel's C parser against its pure one.

Run on demand (not a pytest test):

    python benchmarks/bench_parse.py [--files 2000] [--rounds 5] [--seed 0]

Writes ``--files`` installation files (``synthetic.write_dataset``) into a temporary folder, reads
them into memory, then times parsing all of them (text -> values, positions, problems; no schema,
no disk) with the C parser and with the pure-Python one, interleaved round by round so that
background load hits both alike. Reports the best round's CPU time (process time) per file and
per 10k files, and checks that both parsers give the same results. This is the work a cache miss
adds per file to a cold load (``bench_core.py``'s "cold load" without the parse cache).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [p for p in (str(HERE.parent / "src"), str(HERE)) if p not in sys.path]

import synthetic  # noqa: E402

from garrison import yamlsafe  # noqa: E402


def parse_all(texts: list[tuple[str, str]], c_parser: bool) -> tuple[float, list]:
    """(CPU seconds, results) of parsing every text with the C parser or the pure one."""
    saved = yamlsafe.C_PARSER
    yamlsafe.C_PARSER = c_parser
    try:
        t = time.process_time()
        out = [yamlsafe.parse_yaml(text, name) for name, text in texts]
        return time.process_time() - t, out
    finally:
        yamlsafe.C_PARSER = saved


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="garrison-parse-") as tmp:
        folder = synthetic.write_dataset(tmp, args.files, seed=args.seed)
        texts = [(str(p), p.read_text(encoding="utf-8")) for p in sorted((folder / "installations").glob("*.yaml"))]
    size = sum(len(t) for _, t in texts)
    print(f"{len(texts):,} files, {size / len(texts):,.0f} characters each on average; "
          f"C parser installed: {yamlsafe.C_PARSER}")
    kinds = [True, False] if yamlsafe.C_PARSER else [False]
    best = {k: float("inf") for k in kinds}
    results = {}
    for _ in range(args.rounds):
        for kind in kinds:
            cpu, results[kind] = parse_all(texts, kind)
            best[kind] = min(best[kind], cpu)
    for kind in kinds:
        ms = 1000 * best[kind] / len(texts)
        print(f"  {'C parser' if kind else 'pure Python':12} {ms:7.3f} ms CPU per file, {10_000 * ms / 1000:6.2f} s per 10k files "
              f"(best of {args.rounds})")
    if len(kinds) == 2:
        print(f"  pure / C: x{best[False] / best[True]:.1f}")
        same = all((a.value, a.positions, a.key_positions, a.problems) == (b.value, b.positions, b.key_positions, b.problems)
                   for a, b in zip(results[True], results[False], strict=True))
        print(f"  both parsers give the same values, positions and problems: {same}")
        return 0 if same else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
