"""The programme pages in a real browser: what an attendee does, at phone and desktop size."""

from __future__ import annotations

import re
from typing import Any

import httpx
from playwright.sync_api import Page, Request, expect

from tests.browser.conftest import DESKTOP, PHONE, screenshots
from tests.browser.programme import DAYS, Seeded

TALK = "[data-talk-id]"
RESULTS = f"#results > li{TALK}"
DASH = "\N{EN DASH}"
SLOT_TIMES = [("09:00", "09:40"), ("09:50", "10:30"), ("10:40", "11:20"), ("11:30", "12:10")]


def api(base_url: str, path: str, **params: Any) -> Any:
    response = httpx.get(f"{base_url}{path}", params=params, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def result_ids(page: Page) -> list[str]:
    return [str(i) for i in page.locator(RESULTS).evaluate_all("l => l.map(e => e.dataset.talkId)")]


def test_search_as_you_type_shows_highlighted_results_debounced(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    expect(page.locator(RESULTS)).to_have_count(20)
    searches: list[str] = []

    def seen(request: Request) -> None:
        if request.resource_type == "fetch":
            searches.append(request.url)

    page.on("request", seen)
    page.locator('form[role="search"] input[name="q"]').press_sequentially("python", delay=40)
    expect(page.locator(RESULTS)).to_have_count(5)
    expected = [t["id"] for t in api(base_url, "/talks", q="python")["items"]]
    assert sorted(result_ids(page)) == sorted(expected)
    expect(page.locator(f"{RESULTS} h2 mark").first).to_have_text(re.compile("python", re.I))
    expect(page).to_have_url(re.compile(r"/\?q=python$"))
    # Six keystrokes 40 ms apart, a 250 ms debounce: one request, not one per key.
    assert len(searches) == 1, searches
    screenshots(page, "search-as-you-type")


def test_facets_combine_with_counts_and_land_in_the_url(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    advanced = page.locator('[data-facet="level"][data-value="advanced"]')
    count = int(advanced.locator(".count").inner_text())
    assert count == api(base_url, "/talks", level="advanced")["total"]
    advanced.click()
    expect(page).to_have_url(re.compile(r"level=advanced"))
    expect(page.locator(RESULTS)).to_have_count(count)
    expect(page.locator('[data-facet="level"][data-value="advanced"] input')).to_be_checked()
    tag = page.locator('[data-facet="tag"][data-value="talk-tag"]')
    combined = int(tag.locator(".count").inner_text())
    expected = api(base_url, "/talks", level="advanced", tag="talk-tag")
    assert combined == expected["total"]
    tag.click()
    expect(page).to_have_url(re.compile(r"\?(?=.*\blevel=advanced\b)(?=.*\btag=talk-tag\b)"))
    expect(page.locator(RESULTS)).to_have_count(combined)
    assert sorted(result_ids(page)) == sorted(t["id"] for t in expected["items"])
    screenshots(page, "facets")
    # The URL is the view: opened afresh, it shows the same filtered results.
    page.goto(page.url)
    expect(page.locator(RESULTS)).to_have_count(combined)
    expect(page.locator('[data-facet="tag"][data-value="talk-tag"] input')).to_be_checked()


def test_more_appends_the_next_page_by_cursor(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    expect(page.locator(RESULTS)).to_have_count(20)
    page.get_by_role("link", name="More talks").click()
    expect(page.locator(RESULTS)).to_have_count(30)
    expect(page.get_by_role("link", name="More talks")).to_have_count(0)
    first = api(base_url, "/talks")
    rest = api(base_url, "/talks", cursor=first["next_cursor"])
    assert result_ids(page) == [t["id"] for t in first["items"] + rest["items"]]
    screenshots(page, "more")


def test_day_two_grid_shows_each_slot_on_its_stage(
    page: Page, base_url: str, seeded: Seeded
) -> None:
    page.goto(f"{base_url}/conferences/{seeded.conference_id}")
    days = page.get_by_role("navigation", name="Days")
    days.get_by_role("link", name=re.compile("Day 2")).click()
    expect(page).to_have_url(re.compile(rf"day={DAYS[1]}"))
    expect(page.get_by_role("link", name=re.compile("Day 2"))).to_have_attribute(
        "aria-current", "page"
    )
    slots = page.locator("[data-slot-stage][data-talk-id]")
    on_day_two = {t: stage for t, (day, stage) in seeded.slots.items() if day == DAYS[1]}
    expect(slots).to_have_count(len(on_day_two))
    drawn = slots.evaluate_all("l => l.map(e => [e.dataset.talkId, e.dataset.slotStage])")
    assert dict(drawn) == on_day_two
    schedule = api(base_url, f"/conferences/{seeded.conference_id}/schedule", day=DAYS[1])
    for stage in schedule["days"][0]["stages"]:
        for slot in stage["slots"]:
            cell = page.locator(f'[data-slot-stage][data-talk-id="{slot["talk_id"]}"]')
            expect(cell).to_contain_text(slot["title"])
            expect(cell).to_contain_text(slot["speakers"][0]["name"])
    rated = next(t for t in seeded.ratings if t in on_day_two)
    average = sum(seeded.ratings[rated]) / len(seeded.ratings[rated])
    expect(page.locator(f'[data-slot-stage][data-talk-id="{rated}"] .rating')).to_have_text(
        f"★ {average:.2f} ({len(seeded.ratings[rated])})"
    )
    times = page.locator("table.grid tbody th").all_inner_texts()
    assert times == [f"{a}{DASH}{b}" for a, b in SLOT_TIMES]
    screenshots(page, "day-2-grid")


def test_top_talks_of_day_two_are_one_click_from_the_search_page(
    page: Page, base_url: str, seeded: Seeded
) -> None:
    page.goto(base_url + "/")
    page.get_by_role("link", name="Top talks of day 2").click()
    expect(page).to_have_url(re.compile(rf"/conferences/{seeded.conference_id}\?day={DAYS[1]}"))
    top = api(base_url, f"/conferences/{seeded.conference_id}/top-talks", day=DAYS[1])["items"]
    assert top
    items = page.locator(f"#top-talks li{TALK}")
    expect(items).to_have_count(len(top))
    for item, talk in zip(items.all(), top, strict=True):
        assert item.get_attribute("data-talk-id") == talk["id"]
        rating = talk["rating"]
        expect(item).to_contain_text(f"★ {rating['average']:.2f}")
        expect(item).to_contain_text(f"average of {rating['count']} ratings")
    expect(page.locator("#top-talks")).to_be_in_viewport()
    screenshots(page, "top-talks-day-2")


def test_keyboard_only_from_search_to_a_talk(page: Page, base_url: str, seeded: Seeded) -> None:
    page.goto(base_url + "/")
    order = []
    for _ in range(3):
        page.keyboard.press("Tab")
        order.append(page.evaluate("(e => e.textContent || e.name)(document.activeElement)"))
    assert order == ["Skip to content", "Conference Program", "q"]
    page.keyboard.type("rust")
    expect(page.locator(RESULTS)).to_have_count(5)
    page.keyboard.press("Tab")  # the Search button
    page.keyboard.press("Tab")  # the first result's title
    focused = page.evaluate("document.activeElement.closest('[data-talk-id]').dataset.talkId")
    assert focused == result_ids(page)[0]
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/talks/{focused}$"))
    expect(page.locator("h1")).to_contain_text("Rust in practice")
    screenshots(page, "keyboard-talk-page")


def test_without_javascript_the_form_searches_filters_and_pages(
    no_js_page: Page, base_url: str
) -> None:
    page = no_js_page
    page.goto(base_url + "/")
    page.get_by_label("Search talks").fill("practice")
    page.get_by_label("Search talks").press("Enter")
    expect(page).to_have_url(re.compile(r"/\?q=practice$"))
    expect(page.locator(RESULTS)).to_have_count(20)
    expect(page.locator("#summary")).to_contain_text("30 talks")
    page.get_by_role("link", name="More talks").click()
    expect(page.locator(RESULTS)).to_have_count(10)
    expect(page.locator("#summary")).to_contain_text(f"showing 21{DASH}30")
    page.goto(base_url + "/")
    page.locator('[data-facet="tag"][data-value="security"] input').check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"tag=security"))
    expect(page.locator(RESULTS)).to_have_count(api(base_url, "/talks", tag="security")["total"])
    screenshots(page, "no-javascript")


def test_a_talk_page_shows_abstract_speakers_tags_slot_and_rating(
    page: Page, base_url: str, seeded: Seeded
) -> None:
    talk_id = next(iter(seeded.ratings))
    page.goto(f"{base_url}/talks/{talk_id}")
    talk = api(base_url, f"/talks/{talk_id}")
    expect(page.locator("h1")).to_have_text(talk["title"])
    expect(page.locator(".abstract")).to_have_text(talk["abstract"])
    expect(page.locator(".people")).to_contain_text("Speaker 1, Initech")
    expect(page.get_by_role("link", name=talk["tags"][0])).to_have_attribute(
        "href", f"/?tag={talk['tags'][0]}"
    )
    expect(page.locator("dl.facts")).to_contain_text("Main Hall")
    expect(page.locator("dl.facts")).to_contain_text(f"09:00{DASH}09:40 (Europe/Berlin)")
    expect(page.locator("dd.rating")).to_have_text(
        f"★ {talk['rating']['average']:.2f} from {talk['rating']['count']} ratings"
    )
    screenshots(page, "talk")


def test_unknown_and_malformed_addresses_get_pages_that_say_so(
    page: Page, base_url: str, seeded: Seeded
) -> None:
    answer = page.goto(f"{base_url}/conferences/no-such-conference")
    assert answer is not None
    assert answer.status == 404
    expect(page.locator("h1")).to_have_text("No such conference")
    screenshots(page, "not-found")
    answer = page.goto(f"{base_url}/?level=expert&day=tomorrow")
    assert answer is not None
    assert answer.status == 422
    expect(page.locator(".errors")).to_contain_text("level")
    expect(page.get_by_role("link", name="Go to the programme search")).to_be_visible()
    screenshots(page, "malformed")


def test_landmarks_labels_and_contrast(page: Page, base_url: str, seeded: Seeded) -> None:
    for path in ("/", f"/conferences/{seeded.conference_id}?day={DAYS[1]}"):
        page.goto(base_url + path)
        for role in ("banner", "main", "search", "contentinfo"):
            expect(page.get_by_role(role)).to_have_count(1)
        unlabelled = page.evaluate(
            "[...document.querySelectorAll('input:not([type=hidden])')]"
            ".filter(i => !i.labels.length).length"
        )
        assert unlabelled == 0
        worst = page.evaluate(CONTRAST)
        assert worst >= 4.5, f"{path}: lowest text contrast {worst:.2f} (WCAG AA needs 4.5)"


def test_phone_layout_never_scrolls_sideways(page: Page, base_url: str, seeded: Seeded) -> None:
    page.set_viewport_size(PHONE)
    for path in ("/", f"/conferences/{seeded.conference_id}?day={DAYS[1]}"):
        page.goto(base_url + path)
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= PHONE["width"], f"{path} is {wide}px wide on a {PHONE['width']}px phone"
    page.goto(base_url + "/")
    page.get_by_role("link", name="Filters and programmes").click()
    expect(page.get_by_role("link", name="Top talks of day 2")).to_be_in_viewport()
    page.set_viewport_size(DESKTOP)
    expect(page.get_by_role("link", name="Filters and programmes")).to_be_hidden()


CONTRAST = """(() => {
  const rgb = c => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = ([r, g, b]) => {
    const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = el => {
    for (; el; el = el.parentElement) {
      const c = getComputedStyle(el).backgroundColor;
      if (!c.startsWith('rgba') || !c.endsWith(', 0)')) return rgb(c);
    }
    return [255, 255, 255];
  };
  let worst = 21;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!walker.currentNode.textContent.trim() || !el.checkVisibility()) continue;
    const a = lum(rgb(getComputedStyle(el).color)), b = lum(background(el));
    worst = Math.min(worst, (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05));
  }
  return worst;
})()"""
