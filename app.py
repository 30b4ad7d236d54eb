"""Garrison — who holds which military installation, when. The Streamlit page (layout and widgets only).

Storyboard: load the data -> the view (from the permalink once, then from the widgets and the
map) -> the title -> the map, with its timeline (Date slider, previous/next change, play) ->
sidebar: search, filters, compare, basemap -> the selection's details -> compare two dates ->
installations by operator over time -> the editor (edit mode) -> problems in the data -> the
permalink and the page's language.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "src"))

from garrison import Loader, default_data_dir, heap  # noqa: E402
from garrison.dates import to_day  # noqa: E402
from garrison.edit.mode import PASSWORD_GATE, edit_mode, read_only_reason  # noqa: E402
from garrison.edit.origin import write_refusal  # noqa: E402
from garrison.i18n import LANGUAGES, messages  # noqa: E402
from garrison.loader import shared_loader  # noqa: E402
from garrison.names import country_name  # noqa: E402
from garrison.render.layers import load_layers  # noqa: E402
from garrison.render.mapstate import map_data  # noqa: E402
from garrison.render.mapview import ComponentParts, build_map, component_parts  # noqa: E402
from garrison.render.payload import build_payload, write_payload  # noqa: E402
from garrison.ui import downloads, generated_files, panels  # noqa: E402
from garrison.ui.compare import compare_panel  # noqa: E402
from garrison.ui.feed import feed_panel  # noqa: E402
from garrison.ui.map_component import chart_slot, first_paint, garrison_map  # noqa: E402
from garrison.ui.page_language import page_language  # noqa: E402
from garrison.ui.permalink import BASEMAPS  # noqa: E402
from garrison.ui.search import on_search, search_ids, search_notice  # noqa: E402
from garrison.ui.session import MAP_KEY, language, select, sync_map, sync_widget, view_of_session, write_url  # noqa: E402
from garrison.vocab import KINDS, STATUSES  # noqa: E402

st.set_page_config(page_title="Garrison", page_icon="🗺", layout="wide")
GENERATED = generated_files.place(ROOT)  # the cache folder under serve.py, else static/generated/


# --- data (cached here only) ---------------------------------------------------------------
def loader_for(data_dir: str) -> Loader:
    """The server's one loader for the folder; not a Streamlit cache, so "Clear cache" cannot drop its last good versions."""
    return shared_loader(data_dir)


@st.cache_resource(max_entries=4)
def map_payload_url(data_dir: str, version: str, layers_version: str) -> str:
    ds = loader_for(data_dir).load()
    layers, _ = layer_definitions(layers_version)
    return GENERATED.url_of(write_payload(build_payload(ds, layers), GENERATED.folder))


@st.cache_resource(max_entries=4)
def map_parts(basemap: str, layers_version: str) -> ComponentParts:
    """The map's definition (basemap, layers, legend) as the component's HTML and JS, built once."""
    layers, _ = layer_definitions(layers_version)
    return component_parts(build_map(layers, online=None if basemap == "offline" else basemap))


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

# --- the view: from the permalink once per session, then from the widgets and the map ----------
view = view_of_session(ds)
lang = language(view)
M = messages(lang)  # the interface's words in the reader's language (garrison/locale)
mode = edit_mode(os.environ, garrison_secrets(), st.get_option("server.address"))
# Only the app's own page may write: a page from another origin could replay the editor's messages.
refusal = write_refusal(st.context.headers, st.get_option("server.port"),
                        st.get_option("server.corsAllowedOrigins")) if mode.requested else ""
read_only = read_only_reason(data_dir) if mode.requested else ""
editing = (mode.requested and not refusal and not read_only
           and mode.unlocked(st.session_state.get("edit_password"), garrison_secrets().get("edit_password"))
           and (not mode.needs_password or st.session_state.get("edit_unlocked") is True))

# --- the title and the map (its timeline, Date slider and play controls live in the map) ----
st.title("Garrison")  # drawn on the map too, with the date (static/garrison/map/title.js)
hits = search_ids(ds, view.q) if view.q.strip() else None
search_notice(ds, hits)  # above the map: a search that empties it says so, on a phone too
try:
    payload_url = map_payload_url(data_dir, ds.version, layers_now)
    if not (GENERATED.folder / payload_url.rsplit("/", 1)[-1]).exists():  # pruned by another process: write it again
        map_payload_url.clear()
        payload_url = map_payload_url(data_dir, ds.version, layers_now)
except OSError as err:  # a read-only checkout started without serve.py, or a full or read-only cache
    st.error(generated_files.cannot_write(GENERATED, err))
    st.stop()
data = map_data(ds, view, payload_url, search_ids=hits, edit=editing, layers=layers, lang=lang)
map_first = first_paint()  # a fresh page: the charts come on the run the map asks for once it has painted
garrison_map(map_parts(view.basemap, layers_now), data, key=MAP_KEY, on_change=sync_map, report_paint=map_first)
st.caption("Military installations and who holds them, over time — de facto control on the ground, every period cited.")

# --- sidebar: search, filters, basemap, edit password --------------------------------------
with st.sidebar:
    st.header("Filter")
    st.text_input("Search names (any language)", key="q", placeholder="Tartus, Хмеймим, حميميم …",
                  on_change=on_search, args=(ds,), help="Names and spellings in any script, or a nearby city; Enter opens the best match.")
    search_notice(ds, hits, st.sidebar)
    st.multiselect("Operator", list(ds.actors), key="op", format_func=lambda a: ds.actors[a].short,
                   on_change=sync_widget, args=("op",))
    st.multiselect("Country", sorted({r.country for r in ds.records}, key=country_name), key="country", format_func=country_name,
                   on_change=sync_widget, args=("country",))
    st.multiselect("Kind", list(KINDS), key="kind", format_func=lambda k: k.replace("_", " "),
                   on_change=sync_widget, args=("kind",))
    st.multiselect("Status", list(STATUSES), key="status", on_change=sync_widget, args=("status",))
    st.header("Compare")
    st.toggle("Compare with a second date", key="compare_on", on_change=sync_widget, args=("compare_on",))
    if view.compare is not None:
        st.session_state.setdefault("compare", view.compare)
        st.date_input("Compare with", key="compare", min_value=first, max_value=last, on_change=sync_widget, args=("compare",))
    st.selectbox("🌐 Language", list(LANGUAGES), key="lang", format_func=LANGUAGES.get,
                 on_change=sync_widget, args=("lang",))
    st.header("Basemap")
    st.radio("Basemap", list(BASEMAPS), key="basemap", label_visibility="collapsed", on_change=sync_widget, args=("basemap",),
             format_func=lambda b: {"offline": "Natural Earth (offline)", "osm": "OpenStreetMap (online)",
                                    "satellite": "Satellite imagery (online)"}[b],
             help="Online basemaps load tiles from the internet; the offline one needs no network.")
    if mode.requested and mode.needs_password and mode.password_configured and not refusal and not read_only:
        st.text_input("Edit password", type="password", key="edit_password", on_change=check_edit_password)
        if st.session_state.get("edit_password_msg"):
            st.error(st.session_state.edit_password_msg)
    if read_only:
        st.warning(read_only)
    st.caption(f"Data: {len(ds.records)} installations, {len(ds.sources)} sources · {panels.md_escape(Path(ds.data_dir).name)}")  # the folder's name: its path on the server is nobody's business

# --- take it away: the shown map's files (sidebar) -------------------------------------------
with st.sidebar:
    st.header("Download")
    downloads.download_buttons(ds, view, hits)

# --- the selection --------------------------------------------------------------------------
sel, date = view.select, view.date
left, right = st.columns([3, 2])
with left:
    if sel:
        st.html(panels.details_html(ds, sel))
        if map_first:
            chart_slot(80)
        else:
            st.vega_lite_chart(panels.move_date_rule(history_chart_spec(data_dir, ds.version, sel), date), width="stretch")
        st.html(panels.history_html(ds, sel))
        rings = [g for rec, g in ds.ranges_at(date) if rec.id == sel]
        if rings:
            st.caption("Ranges deployed at this date: " + ", ".join(panels.md_escape(f"{g.name} ({g.km:g} km)") for g in rings))
        st.button("Clear selection", on_click=select, args=(None,))
    else:
        st.info("Click an installation on the map (or search in the sidebar) to see its history and sources.")
with right:
    compare_panel(ds, view, hits)
    st.subheader("Installations by operator")
    recent = panels.recent_window(ds.periods.change_days(), first, last)
    whole = st.toggle(f"All years, from {first.year}", key="op_whole", help=f"The chart starts in {recent.year}, where most changes are; "
                      f"this shows the whole record, from {first.isoformat()}.") or date < recent
    since = first if whole else recent
    if map_first:
        chart_slot(300)
    else:
        spec = operator_chart_spec(data_dir, ds.version, since, last)
        st.vega_lite_chart(panels.move_date_rule(spec, panels.rule_date(date, since, last)), width="stretch")
    if whole and not st.session_state.op_whole:
        st.caption(f"The date is before {recent.year}: the chart shows the whole record.")

# --- what changed: the event feed around the map's date (a click moves the map to a change) ----
with right:
    feed_panel(ds, view, hits)

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
    counts = M.gettext("{errors}, {warnings} in the data files").format(
        errors=M.ngettext("{n} error", "{n} errors", len(errors)),
        warnings=M.ngettext("{n} warning", "{n} warnings", len(problems) - len(errors)))
    with st.expander(f"⚠ {counts}", expanded=False):
        st.caption("The map shows every valid installation; fix these files and the map updates.")
        st.code("\n".join(str(p) for p in problems), language=None)

# --- the page's language and direction (<html lang dir>), and the permalink ---------------------
page_language(lang)
write_url(view)

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
