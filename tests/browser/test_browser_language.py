"""The interface's language in the browser: from ?lang=, the sidebar's menu, or the browser.

Each scenario has its "must NOT happen" check: the English slider name in Russian, the sidebar
left of the page in Arabic, a language switch that loses the date, the selection or the view.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from garrison.i18n import messages


def test_russian_link_names_the_timeline_in_russian(garrison, page):
    garrison.open("lang=ru&date=2024-12-08", date="2024-12-08")
    ru = messages("ru")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(garrison.root.get_by_role("slider", name=ru.gettext("Date"), exact=True)).to_be_visible()
    expect(garrison.root.get_by_role("button", name=re.compile(re.escape(ru.gettext("Next change"))))).to_be_visible()
    expect(garrison.root.get_by_role("combobox", name=ru.gettext("Speed"), exact=True)).to_be_visible()
    # must NOT happen: an English word left on the timeline
    expect(garrison.root.get_by_role("slider", name="Date", exact=True)).to_have_count(0)
    expect(garrison.root.get_by_role("button", name=re.compile("Next change"))).to_have_count(0)


def test_belarusian_link(garrison, page):
    garrison.open("lang=be", date=None)
    expect(garrison.root.get_by_role("slider", name="Дата", exact=True)).to_be_visible()
    expect(garrison.root.get_by_role("button", name=re.compile("Наступная змена"))).to_be_visible()
    expect(page.locator("html")).to_have_attribute("dir", "ltr")  # must NOT: right to left for Belarusian


def test_arabic_mirrors_the_page_but_not_the_map(garrison, page):
    garrison.open("lang=ar", date=None)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_test_id("stApp")).to_have_attribute("dir", "rtl")
    expect(garrison.root.get_by_role("slider", name="التاريخ", exact=True)).to_be_visible()
    sidebar = page.get_by_test_id("stSidebar").bounding_box()
    main = page.get_by_test_id("stMain").bounding_box()
    assert sidebar["x"] >= main["x"] + main["width"] - 1, (sidebar, main)  # the sidebar is on the right
    # must NOT happen: the map's own controls mirrored (zoom buttons stay top left, coordinates read left to right)
    expect(garrison.box).to_have_attribute("dir", "ltr")
    zoom = garrison.root.locator(".leaflet-control-zoom").bounding_box()
    box = garrison.box.bounding_box()
    assert zoom["x"] < box["x"] + box["width"] / 2, (zoom, box)


def test_switching_language_keeps_date_selection_and_view(garrison, page):
    garrison.open("date=2024-12-08&select=khmeimim&lat=35.4&lon=35.9&zoom=7", date="2024-12-08")
    expect(garrison.details).to_be_visible()
    # must NOT happen: the map's own starting view (before the link's was applied) reported as the reader's
    expect(page).to_have_url(re.compile(r"[?&]lat=35\.4000&lon=35\.9000&zoom=7(&|$)"))
    page.get_by_test_id("stSidebar").get_by_role("combobox", name=re.compile("Language")).click()
    page.get_by_role("option", name="Русский").click()
    expect(garrison.root.get_by_role("slider", name="Дата", exact=True)).to_be_visible()
    garrison.settle()
    expect(page).to_have_url(re.compile(r"lang=ru"))
    # must NOT happen: the switch resets what the reader was looking at
    for part in ("date=2024-12-08", "select=khmeimim", "lat=35.4000", "lon=35.9000", "zoom=7"):
        assert part in page.url, (part, page.url)
    expect(garrison.box).to_have_attribute("data-garrison-date", "2024-12-08")
    expect(garrison.details).to_be_visible()
    # the map's own words follow the switch without a reload: the legend, the on-map date
    ru = messages("ru")
    expect(garrison.root.locator(".garrison-legend-operators .garrison-legend-title")).to_have_text(ru.gettext("Operators"))
    expect(garrison.root.get_by_test_id("garrison-map-date")).to_have_text(ru.date("2024-12-08"))


def _bundled():
    from paths import BUNDLED

    from garrison import Loader

    return Loader(BUNDLED).load()


def test_russian_legend_and_tooltip_are_in_russian(garrison, page):
    ds, ru = _bundled(), messages("ru")
    garrison.open("lang=ru&date=2024-12-08&lat=35.4&lon=35.9&zoom=7", date="2024-12-08")
    legend = garrison.root.locator(".garrison-legend")
    expect(legend.locator(".garrison-legend-operators .garrison-legend-title")).to_have_text(ru.gettext("Operators"))
    expect(legend).to_contain_text(ru.term("status", "active"))
    expect(legend).to_contain_text(ru.term("kind", "air_base"))
    expect(legend).to_contain_text(ds.actor_name("ru", "ru"))  # the data's Russian name of the Russian forces
    summary = garrison.root.locator(".garrison-legend-summary")
    expect(summary).to_contain_text(re.compile(r"^" + re.escape(ru.gettext("Legend")) + r" · \d+ (сторона|стороны|сторон)$"))
    # must NOT happen: an English word left in the legend, other than a name the data gives only in
    # English (that one is marked lang="en" and "(англ.)")
    words = legend.evaluate("""el => { const c = el.cloneNode(true);
        c.querySelectorAll('[lang=en]').forEach((e) => e.remove()); return c.textContent; }""")
    assert not re.search(r"[A-Za-z]{2,}", words), words
    # the layer control names the layers from their files' words in Russian
    garrison.root.locator(".leaflet-control-layers").hover()
    overlays = garrison.root.locator(".leaflet-control-layers-overlays")
    expect(overlays).to_contain_text(ru.pgettext("layer", "Supply routes"))
    expect(overlays).not_to_contain_text("Supply routes")  # must NOT: the English layer name
    marks = legend.locator(".garrison-english-mark")
    if marks.count():
        expect(marks.first).to_have_text(" " + ru.pgettext("name", "(English)"))

    # the tooltip: the installation's Russian name, the status and the operator in Russian, the period's start
    garrison.root.locator(".garrison-legend-summary").click()  # folded, so the markers below it can be hovered
    rec = ds.records[ds.index["khmeimim"]]
    garrison.marker("khmeimim").hover()
    tip = garrison.root.locator(".leaflet-tooltip")
    expect(tip.locator("strong")).to_have_text(ds.name_of("khmeimim", "ru"))
    state = ds.state_at("2024-12-08").set_index("id").loc["khmeimim"]
    expect(tip).to_contain_text(ru.term("status", state["status"]))
    expect(tip).to_contain_text(ds.actor_name(state["operator"], "ru"))
    expect(tip).to_contain_text(ru.date(state["since"]))
    if state["territory"] and state["territory"] != state["operator"]:  # in the blockade: who holds the land around
        expect(tip).to_contain_text(ds.actor_name(state["territory"], "ru"))
    # must NOT happen: the English name, status or ISO date in the Russian tooltip
    expect(tip.locator("strong")).not_to_have_text(rec.name)
    expect(tip).not_to_contain_text(state["status"] + " \u2014")
    expect(garrison.marker("khmeimim")).to_have_attribute("aria-label", re.compile(re.escape(ds.name_of("khmeimim", "ru"))))


def test_arabic_map_date_is_written_in_arabic(garrison, page):
    ar = messages("ar")
    garrison.open("lang=ar&date=2024-12-08", date="2024-12-08")
    on_map = garrison.root.get_by_test_id("garrison-map-date")
    expect(on_map).to_have_text(ar.date("2024-12-08"))  # "8 ديسمبر 2024"
    expect(on_map).to_have_attribute("dir", "rtl")
    expect(garrison.big_date).to_have_text(ar.date("2024-12-08"))
    # must NOT happen: the ISO date or an English month on the Arabic map
    expect(on_map).not_to_have_text("2024-12-08")
    expect(on_map).not_to_contain_text("December")


def test_russian_page_names_and_charts_in_russian(garrison, page):
    ru = messages("ru")
    garrison.open("lang=ru&date=2024-12-08&select=khmeimim", date="2024-12-08")
    # the details' heading is the name the data gives in Russian; the panel's words are Russian
    expect(garrison.details.locator("h3")).to_have_text("Авиабаза Хмеймим")
    expect(garrison.details).to_contain_text(ru.term("kind", "air_base"))
    expect(page.get_by_role("heading", name=ru.gettext("Installations by operator"))).to_be_visible()
    expect(page.get_by_role("heading", name=ru.gettext("What changed"))).to_be_visible()
    chart = page.get_by_test_id("stVegaLiteChart").last
    chart.scroll_into_view_if_needed()
    expect(chart.locator(".role-axis-title text")).to_have_text(ru.pgettext("chart", "installations"))
    # must NOT happen: the English heading, axis title or kind left on the Russian page
    expect(page.get_by_role("heading", name="Installations by operator")).to_have_count(0)
    expect(chart.locator(".role-axis-title text", has_text="installations")).to_have_count(0)
    expect(garrison.details).not_to_contain_text("Syria")
