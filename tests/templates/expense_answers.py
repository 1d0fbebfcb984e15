"""An expense tool's answers: the domain the built-in templates used to default to.

Why keep them: the tests that script each template through its interactions use these answers, so
they exercise the same questions, records and rules as before the defaults became derived; and
they are the "other domain" the cross-domain test looks for.
"""

# ruff: noqa: E501  # the answers are long lines, as a person types them into project.yaml
from __future__ import annotations

from typing import Any

EXPENSE_ANSWERS: dict[str, dict[str, Any]] = {
    "form-survey": {
        "fields": [
            "Your name | text",
            "Work email | email | required",
            "Your role | choice(Designer/Product manager/Engineer/Other) | required",
            "How often do you do this task? | choice(Every day/Every week/Every month/Rarely)",
            "How easy is it today? | rating(Very hard/Very easy) | required",
            "How many people are in your team? | number",
            "When did you last do it? | date",
            "What would make it easier? | textarea | optional | A sentence or two is plenty."
        ]
    },
    "chat-assistant": {
        "greeting": "Hi there! I can help with pricing, getting started and your account. What would you like to know?",
        "replies": [
            "price, pricing, cost, plan, plans -> Plans start at 9 EUR per person per month, and the first 30 days are free. No credit card needed to try it.",
            "start, started, setup, set up, sign up, begin -> Getting started takes about five minutes: create an account, invite your team, and you are ready to go.",
            "password, log in, login, sign in -> No problem. Choose 'Forgot password' on the sign-in page and we will email you a reset link within a minute.",
            "cancel, refund, stop -> You can cancel any time in Settings, then Billing. Unused days are refunded automatically.",
            "human, person, agent, talk, call -> I will pass this to someone on our team. They usually reply within one working day.",
            "hello, hi, hey -> Hello! What can I help you with today?",
            "thanks, thank you, great -> You are welcome! Anything else I can help with?"
        ],
        "fallback": "Sorry, I did not catch that. Try asking about pricing, getting started or your account, or type 'talk to a person'.",
        "suggestions": [
            "How much does it cost?",
            "How do I get started?",
            "I forgot my password",
            "Talk to a person"
        ]
    },
    "crud-app": {
        "item_name": "Expense",
        "items_name": "Expenses",
        "fields": [
            "Title | text | required",
            "Amount | number | required",
            "Date | date",
            "Category | choice(Travel/Meals/Equipment/Software/Other)",
            "Status | choice(Open/Approved/Rejected)",
            "Notes | textarea"
        ],
        "records": [
            "Train to client workshop; 86.40; 2025-03-03; Travel; Approved; Return ticket, second class",
            "Team lunch after launch; 142.00; 2025-03-07; Meals; Open; Six people",
            "Laptop stand; 39.99; 2025-03-10; Equipment; Open;",
            "Design tool licence; 144.00; 2025-03-12; Software; Approved; Annual plan",
            "Hotel in Berlin; 238.50; 2025-03-18; Travel; Rejected; Over the nightly limit, please rebook",
            "Conference ticket; 399.00; 2025-03-21; Other; Open; Early-bird price until Friday"
        ]
    }
}
