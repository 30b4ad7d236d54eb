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
from garrison.ui import downloads, generated_files, panels, reader  # noqa: E402
from garrison.ui.compare import compare_panel  # noqa: E402
from garrison.ui.feed import feed_panel  # noqa: E402
from garrison.ui.map_component import chart_slot, first_paint, garrison_map  # noqa: E402
from garrison.ui.page_language import page_language  # noqa: E402
from garrison.ui.permalink import BASEMAPS  # noqa: E402
from garrison.ui.search import on_search, search_ids, search_notice  # noqa: E402
from garrison.ui.session import MAP_KEY, language, select, sync_map, sync_widget, view_of_session, write_url  # noqa: E402
from garrison.ui.words import _, ngettext  # noqa: E402
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
def operator_chart_spec(data_dir: str, version: str, start: dt.date, end: dt.date, lang: str) -> dict:
    """The operator chart as a Vega-Lite spec, built once per dataset and language (the date rule moves per step)."""
    ds = loader_for(data_dir).load()
    counts = ds.periods.counts_by_operator(panels.sample_days(ds.periods.change_days(), to_day(start), to_day(end)))
    return panels.frozen_datasets(panels.operator_chart(counts, ds, start, messages(lang)).to_dict())


@st.cache_data(max_entries=64)
def history_chart_spec(data_dir: str, version: str, inst_id: str, lang: str) -> dict:
    """One installation's strip chart as a Vega-Lite spec, built once per dataset and language (the date rule moves per step)."""
    ds = loader_for(data_dir).load()
    return panels.frozen_datasets(panels.history_chart(ds, inst_id, ds.span()[1], messages(lang)).to_dict())


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
    ok, msg = PASSWORD_GATE.check(client, st.session_state.get("edit_password"), garrison_secrets().get("edit_password"), _)
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
mode = edit_mode(os.environ, garrison_secrets(), st.get_option("server.address"), _)
# Only the app's own page may write: a page from another origin could replay the editor's messages.
refusal = write_refusal(st.context.headers, st.get_option("server.port"),
                        st.get_option("server.corsAllowedOrigins"), _) if mode.requested else ""
read_only = read_only_reason(data_dir, _) if mode.requested else ""
editing = (mode.requested and not refusal and not read_only
           and mode.unlocked(st.session_state.get("edit_password"), garrison_secrets().get("edit_password"))
           and (not mode.needs_password or st.session_state.get("edit_unlocked") is True))

# --- the title and the map (its timeline, Date slider and play controls live in the map) ----
st.title("Garrison")  # the project's name, in every language; drawn on the map too, with the date (static/garrison/map/title.js)
hits = search_ids(ds, view.q) if view.q.strip() else None
search_notice(ds, hits)  # above the map: a search that empties it says so, on a phone too
try:
    payload_url = map_payload_url(data_dir, ds.version, layers_now)
    if not (GENERATED.folder / payload_url.rsplit("/", 1)[-1]).exists():  # pruned by another process: write it again
        map_payload_url.clear()
        payload_url = map_payload_url(data_dir, ds.version, layers_now)
except OSError as err:  # a read-only checkout started without serve.py, or a full or read-only cache
    st.error(generated_files.cannot_write(GENERATED, err, _))
    st.stop()
data = map_data(ds, view, payload_url, search_ids=hits, edit=editing, layers=layers, lang=lang)
map_first = first_paint()  # a fresh page: the charts come on the run the map asks for once it has painted
garrison_map(map_parts(view.basemap, layers_now), data, key=MAP_KEY, on_change=sync_map, report_paint=map_first)
st.caption(_("Military installations and who holds them, over time — de facto control on the ground, every period cited."))

# --- sidebar: search, filters, basemap, edit password --------------------------------------
with st.sidebar:
    st.header(_("Filter"))
    # i18n: examples of what the box finds: one name in Latin, Cyrillic and Arabic script
    st.text_input(_("Search names (any language)"), key="q", placeholder=_("Tartus, Хмеймим, حميميم …"),
                  on_change=on_search, args=(ds,), help=_("Names and spellings in any script, or a nearby city; Enter opens the best match."))
    search_notice(ds, hits, st.sidebar)
    st.multiselect(_("Operator"), list(ds.actors), key="op", format_func=lambda a: reader.plain(reader.actor(ds, a, M, short=True), M),
                   on_change=sync_widget, args=("op",))
    st.multiselect(_("Country"), sorted({r.country for r in ds.records}, key=lambda c: country_name(c, lang)), key="country",
                   format_func=lambda c: country_name(c, lang), on_change=sync_widget, args=("country",))
    st.multiselect(_("Kind"), list(KINDS), key="kind", format_func=M.term_of("kind"),
                   on_change=sync_widget, args=("kind",))
    st.multiselect(_("Status"), list(STATUSES), key="status", format_func=M.term_of("status"), on_change=sync_widget, args=("status",))
    st.header(_("Compare"))
    st.toggle(_("Compare with a second date"), key="compare_on", on_change=sync_widget, args=("compare_on",))
    if view.compare is not None:
        st.session_state.setdefault("compare", view.compare)
        st.date_input(_("Compare with"), key="compare", min_value=first, max_value=last, on_change=sync_widget, args=("compare",))
    # the menu keeps its English name beside the reader's: a page in a language one cannot read still shows where to switch
    st.selectbox("🌐 " + _("Language") + ("" if lang == "en" else " · Language"), list(LANGUAGES), key="lang",
                 format_func=LANGUAGES.get, on_change=sync_widget, args=("lang",))
    st.header(_("Basemap"))
    basemap_names = {"offline": _("Natural Earth (offline)"), "osm": _("OpenStreetMap (online)"),
                     "satellite": _("Satellite imagery (online)")}
    st.radio(_("Basemap"), list(BASEMAPS), key="basemap", label_visibility="collapsed", on_change=sync_widget, args=("basemap",),
             format_func=basemap_names.get,
             help=_("Online basemaps load tiles from the internet; the offline one needs no network."))
    if mode.requested and mode.needs_password and mode.password_configured and not refusal and not read_only:
        st.text_input(_("Edit password"), type="password", key="edit_password", on_change=check_edit_password)
        if st.session_state.get("edit_password_msg"):
            st.error(st.session_state.edit_password_msg)
    if read_only:
        st.warning(read_only)
    st.caption(_("Data: {installations}, {sources} · {folder}").format(
        installations=ngettext("{n} installation", "{n} installations", len(ds.records)),
        sources=ngettext("{n} source", "{n} sources", len(ds.sources)), folder=panels.md_escape(Path(ds.data_dir).name)))  # the folder's name: its path on the server is nobody's business

# --- take it away: the shown map's files (sidebar) -------------------------------------------
with st.sidebar:
    st.header(_("Download"))
    downloads.download_buttons(ds, view, hits)

# --- the selection --------------------------------------------------------------------------
sel, date = view.select, view.date
left, right = st.columns([3, 2])
with left:
    if sel:
        st.html(panels.details_html(ds, sel, M))
        if map_first:
            chart_slot(80)
        else:
            st.vega_lite_chart(panels.move_date_rule(history_chart_spec(data_dir, ds.version, sel, lang), date), width="stretch")
        st.html(panels.history_html(ds, sel, M))
        rings = [g for rec, g in ds.ranges_at(date) if rec.id == sel]
        if rings:
            st.caption(_("Ranges deployed at this date: {ranges}").format(
                ranges=reader.join((panels.md_escape(_("{name} ({km} km)").format(name=g.name, km=M.number(g.km))) for g in rings), M)))
        st.button(_("Clear selection"), on_click=select, args=(None,))
    else:
        st.info(_("Click an installation on the map (or search in the sidebar) to see its history and sources."))
with right:
    compare_panel(ds, view, hits)
    st.subheader(_("Installations by operator"))
    recent = panels.recent_window(ds.periods.change_days(), first, last)
    # years as bare numbers (no thousands separator), as Messages.date writes a year
    whole = st.toggle(_("All years, from {year}").format(year=first.year), key="op_whole",
                      help=_("The chart starts in {year}, where most changes are; this shows the whole record, from {date}.").format(
                          year=recent.year, date=reader.day(first, M))) or date < recent
    since = first if whole else recent
    if map_first:
        chart_slot(300)
    else:
        spec = operator_chart_spec(data_dir, ds.version, since, last, lang)
        st.vega_lite_chart(panels.move_date_rule(spec, panels.rule_date(date, since, last)), width="stretch")
    if whole and not st.session_state.op_whole:
        st.caption(_("The date is before {year}: the chart shows the whole record.").format(year=recent.year))

# --- what changed: the event feed around the map's date (a click moves the map to a change) ----
with right:
    feed_panel(ds, view, hits)

# --- editing (only when edit mode is on) ----------------------------------------------------
if editing:
    from app_editor import editor

    with st.expander("✎ " + _("Edit data"), expanded=True):
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
        st.caption(_("The map shows every valid installation; fix these files and the map updates."))
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
