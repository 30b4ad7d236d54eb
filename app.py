"""Garrison — who holds which military installation, when. The Streamlit page (layout and widgets only).

Storyboard: load the data -> read the permalink -> the title and the date -> the map (built once;
each rerun sends only a tiny state message; a fresh page's first run stops here, so the map is
drawn first) -> the Date slider and the timeline's buttons (in their slot above the map) ->
sidebar filters -> selection details -> compare two dates -> installations by operator over
time -> problems in the data.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "src"))

from streamlit_folium import st_folium  # noqa: E402

from garrison import Loader, default_data_dir, heap  # noqa: E402
from garrison.dates import from_day, to_day  # noqa: E402
from garrison.edit.mode import PASSWORD_GATE, edit_mode, read_only_reason  # noqa: E402
from garrison.edit.origin import write_refusal  # noqa: E402
from garrison.loader import shared_loader  # noqa: E402
from garrison.render.layers import load_layers  # noqa: E402
from garrison.render.mapview import build_map, state_message  # noqa: E402
from garrison.render.payload import COORD_DECIMALS, build_payload, write_payload  # noqa: E402
from garrison.ui import panels  # noqa: E402
from garrison.ui.permalink import View, parse_view, to_params  # noqa: E402
from garrison.ui.search import search_ids  # noqa: E402
from garrison.vocab import KINDS, STATUSES  # noqa: E402

st.set_page_config(page_title="Garrison", page_icon="🗺", layout="wide")
GENERATED = ROOT / "static" / "generated"
SPEEDS = {"slow (1 s)": 1.0, "normal (0.5 s)": 0.5, "fast (0.25 s)": 0.25}
STEPS = ("day", "month", "change")
TIMELINE_PX = 124  # height of the Date slider and the buttons' row, kept free on a fresh page's first run


# --- data (cached here only) ---------------------------------------------------------------
def loader_for(data_dir: str) -> Loader:
    """The server's one loader for the folder; not a Streamlit cache, so "Clear cache" cannot drop its last good versions."""
    return shared_loader(data_dir)


@st.cache_resource(max_entries=4)
def map_payload_url(data_dir: str, version: str, layers_version: str) -> str:
    ds = loader_for(data_dir).load()
    layers, _ = layer_definitions(layers_version)
    name = write_payload(build_payload(ds, layers), GENERATED)
    return f"/app/static/generated/{name}"


@st.cache_data(max_entries=8)
def operator_chart_spec(data_dir: str, version: str, start: dt.date, end: dt.date) -> dict:
    """The operator chart as a Vega-Lite spec, built once per dataset (the date rule moves per step)."""
    ds = loader_for(data_dir).load()
    counts = ds.periods.counts_by_operator(panels.sample_days(ds.periods.change_days(), to_day(start), to_day(end)))
    return panels.frozen_datasets(panels.operator_chart(counts, ds, start).to_dict())


@st.cache_data(max_entries=64)
def history_chart_spec(data_dir: str, version: str, inst_id: str) -> dict:
    """One installation's strip chart as a Vega-Lite spec, built once per dataset (the date rule moves per step)."""
    ds = loader_for(data_dir).load()
    return panels.frozen_datasets(panels.history_chart(ds, inst_id, ds.span()[1]).to_dict())


@st.cache_resource(max_entries=1)
def settle_heap(version: str) -> None:
    """Once per dataset version: keep the dataset out of full garbage collections (see heap.py)."""
    heap.settle()


def garrison_secrets() -> dict:
    """The [garrison] section of .streamlit/secrets.toml, or {} when there is none."""
    try:
        return dict(st.secrets.get("garrison", {}))
    except (FileNotFoundError, KeyError, AttributeError):
        return {}
    except Exception:  # Streamlit raises its own error type for a missing secrets file
        return {}


def check_edit_password() -> None:
    """The password field's callback: one attempt against the server's back-off gate."""
    client = getattr(st.context, "ip_address", None) or "unknown client"
    ok, msg = PASSWORD_GATE.check(client, st.session_state.get("edit_password"), garrison_secrets().get("edit_password"))
    st.session_state.edit_unlocked, st.session_state.edit_password_msg = ok, msg


def layers_version() -> str:
    return "|".join(f"{p.name}:{p.stat().st_mtime_ns}" for p in sorted((ROOT / "layers").glob("*.yaml")))


@st.cache_resource(max_entries=2)
def layer_definitions(version: str) -> tuple:
    """The map's layer definitions and their problems, parsed once per version of layers/."""
    return load_layers(ROOT / "layers")


data_dir = str(default_data_dir())
WATCHING = os.environ.get("GARRISON_WATCH", "1") == "1"
loader = loader_for(data_dir)
# The file watcher (bottom of the page) looks at the disk every 2 s; other reruns -- every slider
# step -- reuse the dataset as loaded, unless a save in the editor just changed it.
if WATCHING and loader.current() is not None and not st.session_state.pop("data_changed", False):
    ds = loader.current()
else:
    ds = loader.load()  # re-parses only files changed since the last load
settle_heap(ds.version)
layers_now = layers_version()
layers, layer_problems = layer_definitions(layers_now)
first, last = ds.span()

# --- the view from the permalink, once per session ----------------------------------------
if "view_loaded" not in st.session_state:
    view = parse_view(st.query_params.to_dict(), ds)
    st.session_state.update(
        view_loaded=True, date=min(max(view.date or last, first), last), select=view.select,
        compare_on=view.compare is not None, compare=min(max(view.compare or first, first), last),
        f_op=view.filters["op"], f_country=view.filters["country"], f_kind=view.filters["kind"],
        f_status=view.filters["status"], q=view.q, map_view=(view.lat, view.lon, view.zoom),
        url_view=(view.lat, view.lon, view.zoom),
        last_click=None, playing=False, speed="normal (0.5 s)", step="month", basemap="offline",
    )


def shift_to_change(direction: int) -> None:
    """Previous/next change date (snapping across every installation's changes)."""
    days = ds.periods.change_days()
    cur = to_day(st.session_state.date)
    cands = days[days > cur] if direction > 0 else days[days < cur]
    if len(cands):
        st.session_state.date = min(max(from_day(int(cands[0] if direction > 0 else cands[-1])), first), last)


def advance() -> None:
    """One play step; stops at the end of the span."""
    d, step = st.session_state.date, st.session_state.step
    if step == "day":
        nxt = d + dt.timedelta(days=1)
    elif step == "month":
        nxt = (d.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    else:
        before = d
        shift_to_change(+1)
        nxt = st.session_state.date if st.session_state.date != before else last + dt.timedelta(days=1)
    if nxt > last:
        st.session_state.playing = False
        nxt = last
    st.session_state.date = nxt


if st.session_state.pop("_advance", False) and st.session_state.playing:
    advance()

# --- a fresh page draws the map first -----------------------------------------------------
# The browser has one main thread for the page and the map: a fresh page's first run draws only
# the title, the date and the map, so that thread goes to the map. Everything else follows on the
# rerun the map asks for once its markers are on screen (or, should it never, on a timer); the
# slider's widgets alone cost about 0.15 s of the first paint.
first_paint = not st.session_state.get("page_complete")
st.session_state.page_complete = True
mode = edit_mode(os.environ, garrison_secrets(), st.get_option("server.address"))
# Only the app's own page may write: a page from another origin could replay the editor's messages.
refusal = write_refusal(st.context.headers, st.get_option("server.port"),
                        st.get_option("server.corsAllowedOrigins")) if mode.requested else ""
read_only = read_only_reason(data_dir) if mode.requested else ""

# --- the timeline -------------------------------------------------------------------------
title_col, date_col = st.columns([3, 2])
title_col.title("Garrison")
title_col.caption("Military installations and who holds them, over time — de facto control on the ground, every period cited.")
date_box = date_col.empty()

# The Date slider and the timeline's buttons, filled after the map (see first_paint). A container,
# not st.empty(): an empty's content is a new block on every run, which remounted the slider and
# the buttons during each rerun, so a click in that moment was lost.
timeline = st.container()
date = st.session_state.date
date_box.html(f"<div style='font-size:2.6rem;font-weight:700;text-align:right' aria-live='polite' "
              f"data-testid='garrison-date'>{date.isoformat()}</div>")

# --- the map --------------------------------------------------------------------------------
matches = set(search_ids(ds, st.session_state.q))
flt = {"operator": st.session_state.f_op, "country": st.session_state.f_country,
       "kind": st.session_state.f_kind, "status": st.session_state.f_status}
filtering = bool(st.session_state.q.strip()) or any(flt.values())
if st.session_state.q.strip():
    flt["ids"] = sorted(matches)
compare_day = to_day(st.session_state.compare) if st.session_state.compare_on else None
msg = {"day": to_day(date), "compare": compare_day, "select": st.session_state.select, "filter": flt}
if filtering:  # fit the map to the result, once per change of filter
    now = ds.state_at(date)
    hit = now[now["id"].isin(matches)] if st.session_state.q.strip() else now
    for key, col in (("operator", "operator"), ("country", "country"), ("kind", "kind"), ("status", "status")):
        if flt[key]:
            hit = hit[hit[col].isin(flt[key])]
    if len(hit):
        msg["fit"] = [[float(hit.lat.min()), float(hit.lon.min())], [float(hit.lat.max()), float(hit.lon.max())]]
        msg["fitKey"] = repr(sorted(flt.items()))
lat, lon, zoom = st.session_state.url_view  # only a view from the permalink is sent; the map's own is never echoed
if lat is not None:
    msg["view"], msg["viewKey"] = {"center": [lat, lon], "zoom": zoom}, "permalink"

payload_url = map_payload_url(data_dir, ds.version, layers_now)
if not (GENERATED / payload_url.rsplit("/", 1)[-1]).exists():  # pruned by another process: write it again
    map_payload_url.clear()
    payload_url = map_payload_url(data_dir, ds.version, layers_now)
fmap = build_map(payload_url, online=None if st.session_state.basemap == "offline" else st.session_state.basemap,
                 follow_slider="Date", bundle_dir=GENERATED)
result = st_folium(fmap, key="garrison-map", height=620, use_container_width=True,
                   feature_group_to_add=state_message(msg),
                   returned_objects=["last_clicked", "zoom", "center"], wrap_longitude=True)

if first_paint:
    timeline.html(f"<div style='height:{TIMELINE_PX}px'></div>")  # the timeline's room: the map must not jump
    st.sidebar.caption("Loading the filters…")

    @st.fragment(run_every=2.0)
    def _complete_page() -> None:
        if not st.session_state.pop("_complete_inline", False):  # not the inline call of this run
            st.rerun()
    st.session_state._complete_inline = True
    _complete_page()
    st.stop()

clicked = (result or {}).get("last_clicked")
if clicked and clicked != st.session_state.last_click:
    st.session_state.last_click = clicked
    inst = ds.installations
    # a marker click reports the marker's position as the map has it (rounded in the payload)
    near = inst[((inst.lat.round(COORD_DECIMALS) - clicked["lat"]).abs() < 1e-6)
                & ((inst.lon.round(COORD_DECIMALS) - clicked["lng"]).abs() < 1e-6)]
    if len(near) and st.session_state.select != near.iloc[0]["id"]:
        st.session_state.select = near.iloc[0]["id"]
        st.rerun()  # so this run's map message already carries the selection
    if not len(near):
        st.session_state.ed_click = clicked  # a click on empty map: the position for a new installation
if result and result.get("center") and result.get("zoom"):
    c = result["center"]
    lng = (c["lng"] + 180) % 360 - 180  # Leaflet reports lng beyond ±180 after panning round the world
    st.session_state.map_view = (c["lat"], lng, int(result["zoom"]))

# --- the timeline: the Date slider and its buttons (in their slot above the map) ----------------
with timeline:
    st.slider("Date", min_value=first, max_value=last, step=dt.timedelta(days=1), key="date", format="YYYY-MM-DD")
    b1, b2, b3, b4, b5, b6 = st.columns([1, 1, 1, 1.4, 1.4, 2])
    b1.button("◀ Previous change", on_click=shift_to_change, args=(-1,), width="stretch")
    b2.button("Next change ▶", on_click=shift_to_change, args=(+1,), width="stretch")
    b3.toggle("▶ Play", key="playing")
    b4.selectbox("Speed", list(SPEEDS), key="speed", label_visibility="collapsed")
    b5.selectbox("Step", STEPS, key="step", format_func=lambda s: f"step: {s}", label_visibility="collapsed")
    b6.toggle("Compare with a second date", key="compare_on")
    if st.session_state.compare_on:
        st.date_input("Compare with", key="compare", min_value=first, max_value=last)

if st.session_state.playing:
    @st.fragment(run_every=SPEEDS[st.session_state.speed])
    def _ticker() -> None:
        # Called inline during a full run: nothing to do. On its own timer: ask for one step,
        # taken at the top of the next full run (before the slider exists).
        if st.session_state.pop("_inline", False):
            return
        st.session_state._advance = True
        st.rerun()
    st.session_state._inline = True
    _ticker()

# --- sidebar: filters, search --------------------------------------------------------------
with st.sidebar:
    st.header("Filter")
    st.text_input("Search names (any language)", key="q", placeholder="Tartus, Хмеймим, حميميم …")
    st.multiselect("Operator", list(ds.actors), key="f_op", format_func=lambda a: ds.actors[a].short)
    st.multiselect("Country", sorted({r.country for r in ds.records}), key="f_country")
    st.multiselect("Kind", list(KINDS), key="f_kind", format_func=lambda k: k.replace("_", " "))
    st.multiselect("Status", list(STATUSES), key="f_status")
    st.header("Basemap")
    st.radio("Basemap", ["offline", "osm", "satellite"], key="basemap", label_visibility="collapsed",
             format_func=lambda b: {"offline": "Natural Earth (offline)", "osm": "OpenStreetMap (online)",
                                    "satellite": "Satellite imagery (online)"}[b],
             help="Online basemaps load tiles from the internet; the offline one needs no network.")
    if mode.requested and mode.needs_password and mode.password_configured and not refusal and not read_only:
        st.text_input("Edit password", type="password", key="edit_password", on_change=check_edit_password)
        if st.session_state.get("edit_password_msg"):
            st.error(st.session_state.edit_password_msg)
    # Off loopback a password unlocks only through the gate's check, made once per typed password.
    if read_only:
        st.warning(read_only)
    editing = (not refusal and not read_only and mode.unlocked(st.session_state.get("edit_password"), garrison_secrets().get("edit_password"))
               and (not mode.needs_password or st.session_state.get("edit_unlocked") is True))
    st.caption(f"Data: {len(ds.records)} installations, {len(ds.sources)} sources · {panels.md_escape(Path(ds.data_dir).name)}")  # the folder's name: its path on the server is nobody's business

# --- the selection --------------------------------------------------------------------------
sel = st.session_state.select if st.session_state.select in ds.index else None
left, right = st.columns([3, 2])
with left:
    if sel:
        st.html(panels.details_html(ds, sel))
        st.vega_lite_chart(panels.move_date_rule(history_chart_spec(data_dir, ds.version, sel), date), width="stretch")
        st.html(panels.history_html(ds, sel))
        rings = [g for rec, g in ds.ranges_at(date) if rec.id == sel]
        if rings:
            st.caption("Ranges deployed at this date: " + ", ".join(panels.md_escape(f"{g.name} ({g.km:g} km)") for g in rings))
        if st.button("Clear selection"):
            st.session_state.select = None
            st.rerun()
    else:
        st.info("Click an installation on the map (or search in the sidebar) to see its history and sources.")
with right:
    if st.session_state.compare_on:
        st.subheader(f"Changes between {st.session_state.compare} and {date}")
        d1, d2 = sorted([st.session_state.compare, date])
        table = panels.compare_frame(ds, d1, d2)
        st.dataframe(table.drop(columns=["id"]), hide_index=True, width="stretch")
        st.caption(f"{len(table)} installation(s) differ; highlighted on the map.")
    st.subheader("Installations by operator")
    spec = operator_chart_spec(data_dir, ds.version, first, last)
    st.vega_lite_chart(panels.move_date_rule(spec, panels.rule_date(date, first, last)), width="stretch")

# --- editing (only when edit mode is on) ----------------------------------------------------
if editing:
    from app_editor import editor

    with st.expander("✎ Edit data", expanded=True):
        editor(ds, data_dir, sel, st.session_state.get("ed_click"))
elif mode.requested and (refusal or mode.reason):
    st.caption(refusal or mode.reason)

# --- problems in the data -------------------------------------------------------------------
problems = ds.problems + layer_problems
if problems:
    errors = [p for p in problems if p.severity == "error"]
    with st.expander(f"⚠ {len(errors)} error(s), {len(problems) - len(errors)} warning(s) in the data files", expanded=False):
        st.caption("The map shows every valid installation; fix these files and the map updates.")
        st.code("\n".join(str(p) for p in problems), language=None)

# --- the permalink --------------------------------------------------------------------------
lat, lon, zoom = st.session_state.map_view
view = View(date=date, compare=st.session_state.compare if st.session_state.compare_on else None, select=sel,
            filters={"op": st.session_state.f_op, "country": st.session_state.f_country,
                     "kind": st.session_state.f_kind, "status": st.session_state.f_status},
            q=st.session_state.q, lat=lat, lon=lon, zoom=zoom)
params = to_params(view)
if params != st.query_params.to_dict():
    st.query_params.from_dict(params)

if WATCHING:
    @st.fragment(run_every=2.0)
    def _watch_files() -> None:
        """Hand edits on disk show up within 2 s: only changed files are re-parsed."""
        if st.session_state.pop("_watch_inline", False):
            return  # called by this full run, which just used the dataset as loaded: the timer looks at the disk
        if loader_for(data_dir).load().version != ds.version:
            st.rerun()
    st.session_state._watch_inline = True
    _watch_files()
