"""Small text helpers for deriving prototype content from a person's own words.

Why no language library: the derivation only needs the idea's subject ("shift swap" from "Shift
swap waitlist"), singular and plural forms, and a few joins; a rule set this size is predictable,
offline and fast, and a wrong guess is harmless (every derived text can be overridden in
project.yaml).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

WORD_RE = re.compile("[^\\W\\d_][\\w'\u2019-]*", re.UNICODE)

# Words that name the prototype's *kind*, not its subject: "Shift swap waitlist" is about shift swaps.
def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


GENERIC_TITLE_WORDS = _word_set(
    """
    app apps application tool tools platform portal prototype mockup mvp beta demo test idea ideas
    project site website page landing waitlist wait list signup sign-up survey form questionnaire
    dashboard tracker tracking manager management system hub assistant bot chatbot helper service
    services solution for the a an my our your new simple smart quick easy better online mobile web
    and of to with in on by
    """
)

STOP_WORDS = _word_set(
    """
    a an the and or but if then so of to in on at by for from with without into onto over under about
    as is are was were be been being it its this that these those there here their them they we our
    you your he she his her i me my mine who whom which what when where why how can could should would
    will shall may might must do does did doing done have has had having get gets got make makes made
    let lets help helps use uses using via each every all any some more most less least very just only
    also than too not no yes up down out off again once per one two three four five six seven eight nine ten
    """
)

PEOPLE = ("Priya Shah", "Sam Lee", "Noor Haddad", "Jonas Berg", "Ana Costa", "Kofi Mensah", "Mei Tan", "Leo Duarte")


@dataclass(frozen=True)
class Topic:
    """What one thing in the prototype is called: ``one`` "Shift swap", ``many`` "Shift swaps"."""

    one: str
    many: str

    @property
    def one_lower(self) -> str:
        return lower_first(self.one)

    @property
    def many_lower(self) -> str:
        return lower_first(self.many)


def words(text: object) -> list[str]:
    return WORD_RE.findall(str(text or ""))


def content_words(text: object) -> list[str]:
    """The words that carry meaning, lower-cased, in order (no stop words, no one-letter words)."""
    return [w.lower() for w in words(text) if len(w) > 2 and w.lower() not in STOP_WORDS]


def lower_first(text: str) -> str:
    """"Team leads" -> "team leads", but "API users" and "iOS" keep their capitals."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def singular(word: str) -> str:
    lower = word.lower()
    if len(lower) > 4 and lower.endswith("ies"):
        return word[:-3] + ("Y" if word[-1].isupper() else "y")
    if lower.endswith(("sses", "ches", "shes", "xes")):
        return word[:-2]
    if len(lower) > 3 and lower.endswith("s") and not lower.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def plural(word: str) -> str:
    lower = word.lower()
    if lower.endswith("y") and len(lower) > 1 and lower[-2] not in "aeiou":
        return word[:-1] + "ies"
    if lower.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    return word + "s"


def _phrase_topic(phrase: list[str]) -> Topic:
    last = singular(phrase[-1])
    one = " ".join([*phrase[:-1], last])
    return Topic(upper_first(one), upper_first(" ".join([*phrase[:-1], plural(last)])))


def topic(title: object, idea: object = "", audience: object = "") -> Topic:
    """What the prototype deals in, from the title first (titles are noun phrases), then the idea.

    "Shift swap waitlist" -> Shift swap(s); "Expense approvals" -> Expense approval(s); a one-word
    brand name like "Pawly" says nothing, so the idea's first plural noun that is not the audience
    is taken ("Owners book dog walks nearby" -> Dog walk(s)); failing all that, "Item".
    """
    title_words = [w for w in words(title) if w.lower() not in GENERIC_TITLE_WORDS]
    if len(title_words) >= 2 or (len(title_words) == 1 and title_words[0].lower().endswith("s")):
        return _phrase_topic([lower_first(w) for w in title_words[-3:]])
    audience_words = set(content_words(audience))
    idea_words = content_words(idea)
    candidates = [w for w in idea_words[1:] if w not in audience_words]
    for index, word in enumerate(candidates):
        if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
            before = candidates[index - 1] if index > 0 else ""
            phrase = [before, word] if before and idea_words.index(before) == idea_words.index(word) - 1 else [word]
            return _phrase_topic(phrase)
    if title_words:
        return _phrase_topic([lower_first(title_words[-1])])
    if candidates:
        return _phrase_topic([candidates[0]])
    return Topic("Item", "Items")


def join_words(items: list[str], last: str = "and") -> str:
    """["a", "b", "c"] -> "a, b and c"."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


def sentence(text: object) -> str:
    """A text as one sentence: stripped, first letter up, ending with a full stop."""
    clean = " ".join(str(text or "").split())
    if not clean:
        return ""
    clean = upper_first(clean)
    return clean if clean[-1] in ".!?" else clean + "."


def clean_choice(text: str) -> str:
    """A text that is safe inside ``choice(A/B)``: no slashes, bars or brackets."""
    return " ".join(re.sub(r"[/|()]+", " ", text).split())[:60]
