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
