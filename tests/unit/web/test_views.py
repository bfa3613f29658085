"""The page's view rules: ticked facets, shareable URLs, the day grid's cells."""

from __future__ import annotations

from datetime import date

from query_service.read_store.port import FacetCount, TalkQuery
from query_service.views.schedule import ScheduleDay, ScheduleSlot, ScheduleStage
from query_service.web.views import day_grid, day_label, facet_groups, search_url


def test_facets_mark_ticked_values_and_keep_ones_the_results_lost() -> None:
    query = TalkQuery(tags=("python", "gone"), levels=("advanced",))
    groups = {
        g.field: g
        for g in facet_groups(
            {"tag": [FacetCount("python", 3), FacetCount("rust", 1)], "level": []}, query
        )
    }
    tags = [(v.value, v.count, v.selected) for v in groups["tag"].values]
    assert tags == [("python", 3, True), ("rust", 1, False), ("gone", 0, True)]
    assert [(v.value, v.count, v.selected) for v in groups["level"].values] == [
        ("advanced", 0, True)
    ]
    assert "format" not in groups


def test_the_url_holds_every_filter_and_the_cursor_last() -> None:
    query = TalkQuery(text="a b", tags=("x",), days=(date(2025, 5, 2),), cursor="ignored")
    assert search_url(query) == "/?q=a+b&tag=x&day=2025-05-02"
    assert search_url(query, "next") == "/?q=a+b&tag=x&day=2025-05-02&cursor=next"
    assert search_url(TalkQuery()) == "/"


def _slot(talk_id: str, starts: str, ends: str) -> ScheduleSlot:
    return ScheduleSlot(
        talk_id, talk_id, (), f"2025-05-02T{starts}:00+02:00", f"2025-05-02T{ends}:00+02:00"
    )


def test_the_grid_has_a_row_per_start_and_a_cell_per_stage() -> None:
    day = ScheduleDay(
        "2025-05-02",
        (
            ScheduleStage("Main", (_slot("a", "09:00", "09:40"), _slot("c", "10:00", "10:40"))),
            ScheduleStage("Side", (_slot("b", "09:00", "09:20"),)),
            ScheduleStage("Empty", ()),
        ),
    )
    grid = day_grid(day, {})
    assert grid.stages == ("Main", "Side", "Empty")
    rows = [
        (r.starts, r.ends, [[g.slot.talk_id for g in cell] for cell in r.cells]) for r in grid.rows
    ]
    assert rows == [
        ("09:00", "09:40", [["a"], ["b"], []]),
        ("10:00", "10:40", [["c"], [], []]),
    ]


def test_day_labels_number_and_name_the_day() -> None:
    assert day_label(2, "2025-05-02") == "Day 2 · Fri 2 May"
