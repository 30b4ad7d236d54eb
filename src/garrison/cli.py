"""Command line: ``python -m garrison validate|state|changes|export|lint``.

Other programs rely on this contract: output formats, exit codes (0 ok, 1 invalid data or lint
differences, 2 usage error), ``--data DIR`` on every command, env ``GARRISON_DATA``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from . import export
from .dates import iso, parse_partial
from .i18n import DEFAULT as DEFAULT_LANG
from .i18n import LANGUAGES
from .loader import Loader, NoDataFolder, default_data_dir
from .parsecache import default_cache_dir

#: Export formats that are files, not text: written with --output only (never to a terminal).
BINARY_FORMATS = ("gpkg", "parquet")


#: `export`'s filters: the app's (ui/permalink.py LIST_KEYS), applied as the map applies them.
FILTERS = {"op": "operators", "country": "countries", "kind": "kinds", "status": "statuses"}


class UsageError(Exception):
    pass


def _date(text: str) -> str:
    try:
        parse_partial(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _ids(text: str) -> list[str]:
    return [x for x in text.split(",") if x]


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data", metavar="DIR", help="data folder (default: $GARRISON_DATA or the bundled data/)")
    p = argparse.ArgumentParser(prog="python -m garrison", description="Military installations and who holds them, over time.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    v = sub.add_parser("validate", parents=[common], help="check every data file; exit 0 valid, 1 invalid")
    v.add_argument("data_dir", nargs="?", metavar="DATA_DIR", help="data folder (same as --data)")
    v.add_argument("--quiet", action="store_true", help="print errors only, no warnings")

    s = sub.add_parser("state", parents=[common], help="every installation's state on a date")
    s.add_argument("--date", required=True, type=_date, help="YYYY-MM-DD (or YYYY / YYYY-MM: its first day)")
    s.add_argument("--format", choices=("table", "geojson", "csv"), default="table")

    c = sub.add_parser("changes", parents=[common], help="changes on days after --from up to and including --to")
    c.add_argument("--from", dest="d1", required=True, type=_date)
    c.add_argument("--to", dest="d2", required=True, type=_date)
    c.add_argument("--format", choices=("table", "json", "csv"), default="table")

    e = sub.add_parser("export", parents=[common], help="export the state on a date, or the full history")
    e.add_argument("--date", type=_date, help="export the state on this date; omit for the full history")
    e.add_argument("--format", choices=("geojson", "csv", "kml", *BINARY_FORMATS), required=True,
                   help="gpkg (GeoPackage) and parquet (GeoParquet) need --output")
    e.add_argument("--output", "-o", metavar="FILE", help="write here instead of standard output")
    e.add_argument("--lang", choices=tuple(LANGUAGES), default=DEFAULT_LANG,
                   help="names (and the KML balloons' words) in this language where the data has them; "
                        "ids, codes and column names stay the same")
    for key, what in FILTERS.items():  # the map's sidebar filters, as the permalink writes them
        e.add_argument(f"--{key}", type=_ids, default=[], metavar="A,B", help=f"only these {what} (comma-separated ids)")
    e.add_argument("--search", default="", metavar="TEXT", help="only installations whose names contain TEXT (the app's search)")

    lint = sub.add_parser("lint", parents=[common], help="check (or --fix) the formatting of data files")
    lint.add_argument("files", nargs="*", help="files to lint (default: every data file)")
    lint.add_argument("--fix", action="store_true", help="rewrite files in the normal form (comments kept)")
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return _run(args)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): nothing more to say, and no flush error at exit.
        _discard_stdout()
        return 0


def _data_dir(args) -> Path:
    given = getattr(args, "data_dir", None) or args.data
    try:
        path = Path(given) if given else default_data_dir()
    except NoDataFolder as exc:
        raise UsageError(str(exc)) from None
    if not path.is_dir():
        raise UsageError(f"data folder {path} does not exist (use --data DIR or set GARRISON_DATA)")
    return path


def _run(args) -> int:
    if args.command == "lint":
        from .lint import run_lint
        return run_lint(_data_dir(args), args.files, args.fix)
    ds = Loader(_data_dir(args), cache_dir=default_cache_dir()).load()
    if args.command == "validate":
        shown = ds.errors if args.quiet else ds.problems
        for p in shown:
            print(p)
        n_e, n_w = len(ds.errors), len(ds.warnings)
        print(f"{len(ds.records)} installations loaded; {n_e} error(s), {n_w} warning(s)", file=sys.stderr)
        return 1 if n_e else 0
    if ds.errors:
        print(f"warning: the data has {len(ds.errors)} error(s); the affected files are left out "
              f"(run: python -m garrison validate)", file=sys.stderr)
    if args.command == "changes" and parse_partial(args.d1).day > parse_partial(args.d2).day:
        raise UsageError(f"--from {args.d1} is after --to {args.d2}; swap them")
    _write(_output(ds, args), getattr(args, "output", None))
    return 0


def _write(out: str | bytes, output: str | None) -> None:
    """Write the result to `output` or standard output; a failure is a usage error (exit 2), not bad data.

    Bytes (a binary export) go to `output` as they are; _output never returns them without one.
    """
    if isinstance(out, str) and not out.endswith("\n"):
        out += "\n"
    where = output or "standard output"
    try:
        if isinstance(out, bytes):
            Path(output).write_bytes(out)
        elif output:
            Path(output).write_text(out, encoding="utf-8")
        else:
            sys.stdout.write(out)
            sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        if not output:
            _discard_stdout()
        raise UsageError(f"cannot write {where}: {exc.strerror or exc}") from None


def _discard_stdout() -> None:
    """Point standard output at /dev/null, so the exit's final flush cannot fail a second time."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _output(ds, args) -> str | bytes:
    if args.command == "state":
        if args.format == "geojson":
            return export.to_geojson(export.state_features(ds, args.date))
        if args.format == "csv":
            return export.state_csv(ds, args.date)
        frame = ds.state_at(args.date)
        cols = ["id", "name", "operator", "status", "territory", "confidence", "since"]
        return f"State on {iso(ds.periods.state_at(args.date).day)}: {len(frame)} installations\n" + (
            frame[cols].to_string(index=False) if len(frame) else "")
    if args.command == "changes":
        rows = ds.changes_between(args.d1, args.d2)
        if args.format == "json":
            return json.dumps(rows, ensure_ascii=False, indent=1)
        flat = [{"date": r["date"], "id": r["id"], "name": r["name"],
                 **{f"before_{k}": v for k, v in r["before"].items()},
                 **{f"after_{k}": v for k, v in r["after"].items()}, "sources": r["sources"]} for r in rows]
        cols = ["date", "id", "name", "before_operator", "before_status", "before_territory",
                "after_operator", "after_status", "after_territory", "sources"]
        if args.format == "csv":
            return export.to_csv(flat, cols)
        lines = [f"{len(rows)} change(s) after {args.d1} up to {args.d2}"]
        for r in rows:
            b, a = r["before"], r["after"]
            lines.append(f"{r['date']}  {r['name']}: {_triple(b)} -> {_triple(a)}")
        return "\n".join(lines)
    if args.command == "export":
        keep = _kept(ds, args)
        if args.format in BINARY_FORMATS:
            if not args.output:
                raise UsageError(f"--format {args.format} writes a binary file: give --output FILE")
            table = export.period_table(ds, args.date, keep, lang=args.lang)
            return export.to_gpkg(table) if args.format == "gpkg" else export.to_parquet(table)
        return export.export_text(ds, args.format, args.date or None, keep, lang=args.lang)
    raise UsageError(f"unknown command {args.command}")


def _kept(ds, args):
    """The period rows `export`'s filters keep (None: no filter), decided as for the map."""
    from .render.mapstate import kept_rows, masks_for
    from .ui.search import search_ids

    filters = {key: getattr(args, key) for key in FILTERS}
    return kept_rows(ds, *masks_for(ds, filters, search_ids(ds, args.search) if args.search.strip() else None))


def _triple(d: dict) -> str:
    if d["operator"] is None:
        return "(no record)"
    terr = f", territory {d['territory']}" if d["territory"] else ""
    return f"{d['operator']} {d['status']}{terr}"
