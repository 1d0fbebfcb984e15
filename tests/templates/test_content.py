"""Content from the idea: the built-in templates speak about the project, never about another domain.

The templates' questions used to default to an expense tool's examples; these tests create each
template from ideas in other domains and read the rendered pages for the words of those defaults,
and check the small parsers that turn a person's lists into screens, rules, fields and data.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from sandbox.make import brand, content, lists, mockup, sample_data, words
from sandbox.make.catalog import builtin_templates_dir, load_template
from sandbox.make.render import render_template, template_context
from tests.templates.test_shipped_templates import NAMES

# The words of the old defaults (expenses, SaaS pricing, revenue): none may appear for other ideas.
DEFAULT_DOMAIN_WORDS = (
    "expense", "approve", "approval", "reject", "invoice", "refund", "revenue", "churn", "eur", "pricing",
    "per person per month", "credit card", "travel", "meals", "hotel", "laptop", "conference", "billing",
    "password reset", "claim", "reimburse", "inbox", "work email", "product manager", "engineer",
)

IDEAS = {
    "dog walking": {
        "title": "Pawly walks", "slug": "pawly-walks",
        "idea": "Busy owners book a trusted dog walker nearby in two taps",
        "audience": "Dog owners in the city", "success": "A walk booked in under a minute", "category": "",
    },
    "school choir": {
        "title": "Choir rehearsal planner", "slug": "choir-rehearsal-planner",
        "idea": "Choir leaders plan rehearsals and share sheet music with singers",
        "audience": "Volunteer choir leaders", "success": "Every singer knows the next rehearsal", "category": "",
    },
}


def rendered_text(name: str, project: dict[str, str], answers: dict[str, Any] | None = None) -> str:
    template = load_template(builtin_templates_dir() / name)
    values = {**template.defaults(), **(answers or {})}
    files = render_template(template, template_context(template, project, values))
    text = "\n".join(data.decode("utf-8") for path, data in files.items() if path.endswith((".html", ".csv")))
    return re.sub(r"<!--.*?-->", "", text, flags=re.S)


@pytest.mark.parametrize("idea", sorted(IDEAS))
@pytest.mark.parametrize("name", NAMES)
def test_no_default_domain_words_for_an_idea_from_another_domain(name: str, idea: str) -> None:
    project = IDEAS[idea]
    page = rendered_text(name, project).lower()
    found = [w for w in DEFAULT_DOMAIN_WORDS if re.search(rf"\b{re.escape(w)}", page)]
    assert found == [], f"{name} for a {idea} idea still speaks of {found}"
    assert project["title"].lower() in page
    subject = words.topic(project["title"], project["idea"], project["audience"]).many_lower
    if name in ("clickable-mockup", "crud-app", "dashboard"):
        assert subject in page, f"{name} should be about {subject!r}"


def test_an_empty_answer_is_derived_but_a_written_one_wins() -> None:
    project = IDEAS["dog walking"]
    page = rendered_text("landing-page", project)
    assert "Made for dog owners in the city" in page and "A walk booked in under a minute" in page
    own = rendered_text("landing-page", project, {"value_points": ["Insured walkers: Every walker is insured."]})
    assert "Insured walkers" in own and "Made for dog owners" not in own


def test_the_product_name_defaults_to_the_title_and_can_be_set() -> None:
    project = {**IDEAS["school choir"], "title": "Choir planner waitlist"}
    page = rendered_text("landing-page", project, {"product_name": "Cantare"})
    assert "Why Cantare?" in page and "Why Choir planner waitlist?" not in page
    assert 'class="brand-mark" aria-hidden="true">C<' in page, "the logo shows the product's initials"
    assert "Why Choir planner waitlist?" in rendered_text("landing-page", project)


def test_hero_art_is_drawn_from_the_name_and_colour() -> None:
    first, again = brand.hero_art("Pawly walks", "#0f766e"), brand.hero_art("Pawly walks", "#0f766e")
    other = brand.hero_art("Choir planner", "#0f766e")
    assert first == again, "a render must be reproducible"
    assert first != other and ">PW<" in first and ">CP<" in other
    assert "#0f766e" in first and 'width="480" height="360"' in first
    assert "<script" not in brand.hero_art("<script>x</script>", "#000000")


def test_topic_comes_from_the_title_then_the_idea() -> None:
    assert words.topic("Shift swap waitlist") == words.Topic("Shift swap", "Shift swaps")
    assert words.topic("Expense approvals") == words.Topic("Expense approval", "Expense approvals")
    assert words.topic("Pawly", "Owners book dog walks nearby", "Owners").many == "Dog walks"
    assert words.topic("", "", "") == words.Topic("Item", "Items")
    assert words.plural("category") == "categories" and words.singular("classes") == "class"


def test_mockup_screens_get_content_from_their_descriptions() -> None:
    project = IDEAS["dog walking"]
    screens = mockup.parse_screens(
        [
            "Log in: with email and password",
            "Walkers: the list of people near you",
            "Details: Everything about one walker, with Book and Decline buttons",
            "Overview: numbers for today",
            "Done: Your walk is booked",
        ],
        project, "Pawly",
    )
    assert [s["kind"] for s in screens] == ["form", "list", "detail", "dashboard", "done"]
    assert [f["label"] for f in screens[0]["fields"]] == ["Email", "Password"]
    assert [f["type"] for f in screens[0]["fields"]] == ["email", "password"]
    assert screens[1]["items"][0]["title"].startswith("Walker for ")
    assert screens[2]["actions"] == ["Book", "Decline"]
    assert len(screens[3]["tiles"]) == 3 and all(t["value"] for t in screens[3]["tiles"])
    assert screens[4]["text"] == "Your walk is booked."
    other = mockup.parse_screens(["Overview: numbers"], IDEAS["school choir"], "Cantare")
    assert other[0]["tiles"] != screens[3]["tiles"], "figures differ between ideas"


def test_detail_screen_renders_the_buttons_its_description_names() -> None:
    page = rendered_text(
        "clickable-mockup", IDEAS["dog walking"],
        {"screens": ["Walk details: one walk, with Accept and Decline buttons", "Done: saved"]},
    )
    assert 'data-action="Accept">Accept</a>' in page and 'data-action="Decline">Decline</a>' in page
    assert "Continue" not in page


def test_chat_rules_parse_keywords_wildcards_and_topics() -> None:
    rules = lists.parse_rules([
        "refund*, money back -> Refunds take five days.",
        "invoice, bill => Invoices are in Settings.",
        "hello, hi -> Hello!",
        "no separator here",
    ])
    assert [r["topic"] for r in rules] == ["refund", "invoice", "hello"]
    assert rules[0]["keywords"] == ["refund*", "money back"] and rules[2]["small_talk"]
    assert lists.fallback_for(rules) == "Sorry, I did not catch that. You can ask me about refund or invoice."
    assert "ask me about" not in lists.fallback_for(rules[2:])


def test_numbers_in_project_yaml_are_read_as_written() -> None:
    assert lists.plain_number("24,000") == 24000
    assert lists.plain_number("1.234,50") == 1234.5
    assert lists.plain_number("1,234.50") == 1234.5
    assert lists.plain_number("3,5") == 3.5
    assert lists.plain_number("86.40") == 86.4
    assert lists.plain_number("lots") is None and lists.plain_number("") is None


def test_dashboard_data_has_one_column_per_metric_asked() -> None:
    metrics = lists.parse_metrics(["walks | Walks booked | bar", "wait | Waiting time | minutes | lower is better",
                                   "happy | Happy owners | %"])
    text = sample_data.dashboard_csv(metrics, "Pawly")
    rows = [line.split(",") for line in text.strip().splitlines()]
    assert rows[0] == ["month", "walks", "wait", "happy"] and len(rows) == 13
    wait = [float(r[2]) for r in rows[1:]]
    happy = [float(r[3]) for r in rows[1:]]
    assert wait[-1] < wait[0], "lower is better: the sample goes down"
    assert all(0 < v < 100 for v in happy)
    assert text == sample_data.dashboard_csv(metrics, "Pawly"), "reproducible"
    assert text != sample_data.dashboard_csv(metrics, "Other idea")


def test_form_fields_parse_types_and_unique_labels() -> None:
    fields = lists.parse_fields(["Name | text | required", "Name", "Agree | yes/no", "Score | rating(Bad/Good)"],
                                ("text", "choice", "rating"))
    assert [f["label"] for f in fields] == ["Name", "Name (2)", "Agree", "Score"]
    assert fields[0]["required"] and fields[2]["type"] == "choice" and fields[2]["options"] == ["Yes", "No"]
    assert (fields[3]["low"], fields[3]["high"]) == ("Bad", "Good")


def test_every_derived_template_answer_is_valid_for_its_question() -> None:
    from sandbox.make.catalog import validate_answer

    for name in NAMES:
        template = load_template(builtin_templates_dir() / name)
        derived = content.derived(IDEAS["school choir"], name, "Cantare")
        assert derived, name
        for key, value in derived.items():
            question = template.question(key)
            if question is not None:
                validate_answer(question, value)
