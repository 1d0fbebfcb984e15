"""The report across every project: the same tables as ``sandbox report``, with terminal bar charts.

The report is built in a ``@work(thread=True)`` worker (it reads every ledger) and posted back as a
message; switching between "all projects", a category or a template only re-draws from the data
already built. Bars show the value, and the 95% interval as a line with end marks, so a bar with a
wide line reads as "not sure yet" at a glance.

The source picker (``o``) opens an organisation source instead of the workspace: a folder of
exports or teams' workspaces, an archive, a glob, or the shared database (``postgresql://...``),
exactly what ``sandbox report --from`` takes; an empty source goes back to the workspace.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.markup import escape
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable, Footer, Header, Input, Label, Select, Static

from sandbox.compare.report import build_report, write
from sandbox.compare.report.plain import plain_tables
from sandbox.compare.report.tables import rating_cell, tables
from sandbox.core.errors import SandboxError
from sandbox.core.text import plural

if TYPE_CHECKING:
    from sandbox.compare.report import Report
    from sandbox.workspace import Workspace

COLORS = ("dodger_blue2", "dark_orange", "green3", "medium_orchid", "indian_red", "grey62", "gold3", "cyan3")
CHART_WIDTH = 40


def bar_line(label: str, value: float | None, low: float | None, high: float | None, *, lo: float, hi: float,
             color: str, percent: bool = False, label_width: int = 18, width: int = CHART_WIDTH) -> Text:
    """One chart row: ``label  ████▓▓▓──┤··· 70% [48%-85%]``.

    The bar ends at the value; its shaded part and the line after it span the 95% interval, so a
    long shaded-and-line stretch reads as "not sure yet" at a glance.
    """
    text = Text(f"{label[:label_width]:<{label_width}} ")
    if value is None:
        text.append("no data yet", style="dim")
        return text

    def pos(v: float) -> int:
        return round((min(max(v, lo), hi) - lo) / (hi - lo) * (width - 1))

    end = pos(value)
    lpos = pos(low) if low is not None else None
    hpos = pos(high) if high is not None else None
    has_interval = lpos is not None and hpos is not None
    for i in range(width):
        if i <= end:
            # solid up to the interval's low end, shaded across the uncertain part of the bar
            shaded = has_interval and lpos is not None and i >= lpos and lpos != hpos
            text.append("▓" if shaded else "█", style=color)
        elif has_interval and i == hpos:
            text.append("┤", style="bold")
        elif has_interval and hpos is not None and i < hpos:
            text.append("─", style="bold")
        else:
            text.append("·", style="grey30")

    def fmt(v: float) -> str:
        return f"{v:.0%}" if percent else f"{v:.2f}"

    text.append(f" {fmt(value)}")
    if low is not None and high is not None:
        text.append(f" [{fmt(low)}-{fmt(high)}]", style="dim")
    return text


def charts_text(section: dict[str, Any]) -> Text:
    """Terminal charts for one section of the report: win rates, mean ratings, Bradley-Terry."""
    out = Text()
    assistants = section.get("assistants", [])
    colors = {a["id"]: COLORS[i % len(COLORS)] for i, a in enumerate(assistants)}
    voted = [a for a in assistants if a["votes"]["decisive"]]
    if voted:
        out.append("Blind-vote win rate (decisive votes; line = 95% Wilson interval; 50% = coin flip)\n", style="bold")
        for a in voted:
            v = a["votes"]
            out.append(bar_line(a["name"], v["win_rate"], v["low"], v["high"], lo=0, hi=1, color=colors[a["id"]],
                                percent=True))
            out.append("\n")
        out.append("\n")
    rated = [a for a in assistants if a["ratings"]]
    if rated:
        out.append("Mean rating 1-5, all criteria (line = 95% interval)\n", style="bold")
        for a in rated:
            mean, low, high = rating_cell(a["overall"])  # the t interval clipped to the 1-5 scale
            out.append(bar_line(a["name"], mean, low, high, lo=1, hi=5, color=colors[a["id"]]))
            out.append("\n")
        out.append("\n")
    bt = section.get("bradley_terry")
    if bt:
        out.append("Bradley-Terry strength (sums to 1; line = 95% bootstrap interval)\n", style="bold")
        for s in bt["strengths"]:
            out.append(bar_line(s["name"], s["strength"], s["low"], s["high"], lo=0, hi=1,
                                color=colors.get(s["id"], "white")))
            out.append("\n")
    if not out.plain:
        out.append("No ratings or votes yet. Rate prototypes on a project, or press c on a project to compare "
                   "two blind.", style="dim")
    return out


class ReportScreen(Screen[None]):
    """``ReportScreen(workspace)``: which assistant does best, and how sure we can be."""

    @dataclass
    class Built(Message):
        """The report was built in a worker (``data``), or could not be (``error``)."""

        data: dict[str, Any] | None
        error: str | None = None

    CSS_PATH = "report.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("r", "refresh_report", "Refresh"),
        Binding("h", "export_html", "Save HTML"),
        Binding("o", "open_source", "Open source"),
    ]

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace
        self.data: dict[str, Any] | None = None
        self.group = "all"
        self.sources: list[str] = []  # an organisation source instead of the workspace, when chosen

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="report-body"):
            yield Static("Reading every project's history...", id="summary")
            yield Select([("All projects", "all")], value="all", allow_blank=False, id="group")
            yield Input(
                placeholder="Organisation source (o): exports folder, workspaces, archive or postgresql://... "
                "(empty: this workspace)", id="source",
            )
            # the findings in words come first: a reader who stops after one paragraph should have
            # read what the numbers can and cannot say, not only a chart
            yield Static("", id="headlines")  # the report in plain words (compare.report.headlines)
            yield Static("", id="notes")
            yield Static("", id="charts")
            yield VerticalScroll(id="tables")
            yield Static("", id="position")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Report"
        self.build()

    @work(thread=True, exclusive=True, group="report-build")
    def build(self) -> None:
        try:
            report = self._build()
        except SandboxError as exc:
            self.post_message(self.Built(None, str(exc)))
            return
        self.post_message(self.Built(report.data))

    def _build(self) -> Report:
        """The workspace's report, or the chosen organisation source's (privacy rules apply)."""
        return build_report(self.workspace, keep_events=False, sources=self.sources,
                            include_workspace=not self.sources)

    @on(Built)
    async def show_report(self, message: ReportScreen.Built) -> None:
        if message.error or message.data is None:
            self.query_one("#summary", Static).update(
                f"[b red]Cannot build the report:[/b red] {escape(str(message.error))}"
            )
            return
        self.data = message.data
        d = message.data
        t = d["totals"]
        origin = f"From {escape(', '.join(self.sources))}: " if self.sources else ""
        privacy = f" {escape(d['privacy']['note'])}" if d.get("privacy") else ""
        self.query_one("#summary", Static).update(
            f"{origin}{plural(t['projects'], 'project')}, {plural(t['events'], 'event')}, "
            f"{plural(d['comparisons'], 'blind comparison')}. "
            f"{d['votes_needed_explained']}{privacy}"
        )
        options = [("All projects", "all")]
        options += [(f"Category: {g['group']} ({g['projects']})", f"category:{g['group']}") for g in d["by_category"]]
        options += [(f"Template: {g['group']} ({g['projects']})", f"template:{g['group']}") for g in d["by_template"]]
        select = self.query_one("#group", Select)
        if self.group not in {value for _, value in options}:
            self.group = "all"
        with select.prevent(Select.Changed):
            select.set_options(options)
            select.value = self.group
        await self.draw()

    def section(self) -> dict[str, Any]:
        """The data of the chosen group (all projects, one category or one template)."""
        assert self.data is not None
        if self.group == "all":
            return self.data
        kind, _, name = self.group.partition(":")
        groups: list[dict[str, Any]] = self.data["by_category" if kind == "category" else "by_template"]
        for group in groups:
            if group["group"] == name:
                return group
        return self.data

    async def draw(self) -> None:
        if self.data is None:
            return
        section = self.section()
        self.query_one("#charts", Static).update(charts_text(section))
        container = self.query_one("#tables", VerticalScroll)
        await container.remove_children()
        widgets: list[Widget] = []
        for title, header, rows in plain_tables(section) + tables(section, self.data["criteria"], full=True):
            # markup off: "[95% interval]" in a title is text, not a (silently dropped) style tag
            widgets.append(Label(title, classes="table-title", markup=False))
            if not rows:
                widgets.append(Static("none yet", classes="empty"))
                continue
            table: DataTable[str] = DataTable(zebra_stripes=True, cursor_type="row", classes="report-table")
            table.add_columns(*header)
            table.add_rows(rows)
            widgets.append(table)
        await container.mount_all(widgets)
        self.query_one("#position", Static).update(section["position"]["text"])
        notes = section.get("notes") or []
        # notes carry assistant names from sandbox.yaml: escaped, so "[beta]" is text, not markup
        findings = "[b]What the numbers can and cannot say[/b]\n" + "\n".join(f"• {escape(n)}" for n in notes)
        self.query_one("#notes", Static).update(findings if notes else "")
        lines = self.headlines()
        said = "[b]In plain words[/b]\n" + "\n".join(f"• {escape(text)}" for text in lines)
        self.query_one("#headlines", Static).update(said if lines else "")

    def headlines(self) -> list[str]:
        """The headlines of the chosen group: all of them for the whole report, a category's own."""
        assert self.data is not None
        every = self.data.get("headlines") or []
        if self.group == "all":
            return [h["text"] for h in every]
        kind, _, name = self.group.partition(":")
        return [h["text"] for h in every if kind == "category" and h["category"] == name]

    @on(Select.Changed, "#group")
    async def group_changed(self, event: Select.Changed) -> None:
        if event.value is Select.BLANK or event.value == self.group:
            return
        self.group = str(event.value)
        await self.draw()

    def action_open_source(self) -> None:
        self.query_one("#source", Input).focus()

    @on(Input.Submitted, "#source")
    def source_chosen(self, event: Input.Submitted) -> None:
        self.sources = [event.value.strip()] if event.value.strip() else []
        self.group = "all"
        self.action_refresh_report()

    def action_refresh_report(self) -> None:
        self.query_one("#summary", Static).update("Reading every project's history...")
        self.build()

    @work(thread=True, exclusive=True, group="report-export")
    def action_export_html(self) -> None:
        target = self.workspace.root / "report.html"
        try:
            write(self._build(), "html", target)
        except SandboxError as exc:
            self.notify(str(exc), severity="error", title="Report")  # posts a message: safe from a worker
            return
        self.notify(f"Saved {target}; open it in any browser, even offline.", title="Report")

    def action_back(self) -> None:
        self.app.pop_screen()
