"""The SVG bar chart: bars, whiskers and labels where the numbers put them, valid standalone SVG."""

from __future__ import annotations

from xml.etree import ElementTree

from sandbox.compare.report.svg import PALETTE, bar_chart_svg

SVG = "{http://www.w3.org/2000/svg}"
LABEL_WIDTH, CHART_WIDTH = 210, 420  # where the value axis starts, and how long it is


def test_bars_and_whiskers_sit_where_the_numbers_say() -> None:
    rows = [("A & <B>", 0.5, 0.25, 0.75), ("No votes", None, None, None), ("Off the scale", 1.5, None, None)]
    svg = bar_chart_svg("Win rate <95%>", rows, lo=0, hi=1, reference=0.5, percent=True)
    chart = ElementTree.fromstring(svg)  # well-formed: the names are escaped
    assert chart.tag == f"{SVG}svg" and chart.find(f"{SVG}title").text == "Win rate <95%>"  # type: ignore[union-attr]
    assert not chart.findall(f".//{SVG}script")
    bars = chart.findall(f"{SVG}rect")
    assert [float(bar.get("width", "")) for bar in bars] == [CHART_WIDTH / 2, CHART_WIDTH]  # 1.5 is drawn as 100%
    assert bars[0].get("fill") == PALETTE[0] and bars[1].get("fill") == PALETTE[2]  # colours follow the row
    whiskers = chart.findall(f"{SVG}g")
    assert len(whiskers) == 1  # only the row with both ends of its interval
    span = whiskers[0].findall(f"{SVG}line")[0]
    assert (float(span.get("x1", "")), float(span.get("x2", ""))) == (
        LABEL_WIDTH + CHART_WIDTH / 4, LABEL_WIDTH + CHART_WIDTH * 3 / 4,
    )
    texts = [t.text for t in chart.iter(f"{SVG}text")]
    assert "A & <B>" in texts and "no data" in texts and "50% [25%-75%]" in texts and "150%" in texts


def test_a_named_colour_keeps_an_assistant_recognisable_across_charts() -> None:
    svg = bar_chart_svg("Mean rating", [("Codex", 3.5, 2.0, 5.0)], lo=1, hi=5, colors={"Codex": "#123456"})
    chart = ElementTree.fromstring(svg)
    assert chart.find(f"{SVG}rect").get("fill") == "#123456"  # type: ignore[union-attr]
    assert "3.50 [2.00-5.00]" in [t.text for t in chart.iter(f"{SVG}text")]
