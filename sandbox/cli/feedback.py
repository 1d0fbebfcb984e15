"""``sandbox rate``, ``compare`` and ``vote``: what people thought of the variants.

Why its own module: ``cli.py`` stays a thin shell, and ``sandbox report`` must start fast, so this
file imports nothing at module level beyond argparse; each handler imports what it needs.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from sandbox.cli.common import add_command, print_json, user, workspace_from


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the feedback subcommands to the ``sandbox`` parser."""
    rate = add_command(sub, "rate", "rate one variant on the rubric (1-5 per criterion)", cmd_rate, listing=True)
    rate.add_argument("slug", help="the project")
    rate.add_argument(
        "--variant", "-v", required=True, metavar="ID|A|B",
        help="the variant (assistant id) you rated, or A or B: that side of the waiting blind comparison",
    )
    rate.add_argument(
        "--score", "-s", action="append", default=[], metavar="CRITERION=N",
        help="a score from 1 to 5 (repeat; criteria: matches-idea, looks-right, works, easy-to-change, show-users)",
    )
    rate.add_argument("--minutes", type=float, default=None, metavar="M", help="minutes you spent on this variant")
    rate.add_argument("--note", default=None, metavar="TEXT", help="a free note")

    compare = add_command(
        sub, "compare", "start a blind A/B comparison of two variants (names hidden until you vote)", cmd_compare,
        listing=True,
    )
    compare.add_argument("slug", help="the project")
    compare.add_argument(
        "--variants", nargs=2, metavar=("ID", "ID"), default=None,
        help="the two variants to compare (default: the pair with the fewest votes)",
    )
    compare.add_argument(
        "--no-serve", action="store_true",
        help="print file:// links and return, instead of serving both previews and asking for the vote",
    )

    vote = add_command(
        sub, "vote", "vote on the waiting blind comparison, then see who was who", cmd_vote,
        listing=True,
    )
    vote.add_argument("slug", help="the project")
    vote.add_argument("--winner", "-w", required=True, metavar="A|B|tie|both-bad", help="which one was better")
    vote.add_argument("--reason", default=None, metavar="TEXT", help="why, in a few words")
    vote.add_argument(
        "--guess", default=None, metavar="ID|unsure",
        help="blinding check: the assistant you think made A (asked before the reveal; optional)",
    )



def cmd_rate(args: argparse.Namespace) -> int:
    from sandbox.compare import blind, ratings, rubric

    ws = workspace_from(args)
    if not args.score:
        criteria = ", ".join(c.id for c in rubric.rubric(ws))
        raise rubric.FeedbackError(f"give at least one --score CRITERION=N (criteria: {criteria})")
    named = args.variant in ws.project(args.slug).variant_ids()
    side = args.variant.upper() if args.variant.upper() in ("A", "B") and not named else None
    if side is None:
        event = ratings.rate(ws, args.slug, args.variant, args.score, minutes=args.minutes, note=args.note, by=user())
        if args.json:
            print_json(event)
            return 0
        scores = ", ".join(f"{k}={v}" for k, v in event["scores"].items())
        print(f"Rated {args.slug}/{args.variant}: {scores}")
        return 0
    # Rating blind: "--variant A" scores side A of the waiting comparison, so a CLI user can score
    # before the reveal, as the Compare screen does. Nothing printed names the assistant.
    comparison = blind.pending_comparison(ws, args.slug)
    if comparison is None:
        raise rubric.FeedbackError(
            f"no blind comparison is waiting in '{args.slug}', so there is no side {side}; "
            f"name the variant, or start one with 'sandbox compare {args.slug}'"
        )
    event = ratings.rate(
        ws, args.slug, comparison.variant(side), args.score, minutes=args.minutes, note=args.note, by=user(),
        comparison=comparison,
    )
    scores = ", ".join(f"{k}={v}" for k, v in event["scores"].items())
    if args.json:
        print_json({"id": event["id"], "at": event["at"], "kind": event["kind"], "project": args.slug,
                    "comparison": comparison.id, "side": side, "scores": event["scores"]})
        return 0
    print(f"Rated side {side} of the blind comparison in {args.slug}: {scores}. Names are revealed when you vote.")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from sandbox.compare import blind, blind_preview

    ws = workspace_from(args)
    comparison = blind.pending_comparison(ws, args.slug)
    resumed = comparison is not None and not args.variants
    if not resumed:
        comparison = blind.start_comparison(ws, args.slug, args.variants)
    assert comparison is not None
    serve = not args.no_serve and not args.json and sys.stdin.isatty()
    servers: list[Any] = []
    if serve:
        urls, servers = blind_preview.serve_blind(ws, comparison)
    else:
        urls = {side: blind_preview.blind_file_url(ws, comparison, side) for side in ("A", "B")}
    warnings = [w for w in (comparison.warning, blind_preview.blinding_warning(ws, comparison)) if w]
    if args.json:
        print_json({**comparison.blind_dict(), "resumed": resumed, "urls": urls, "warnings": warnings})
        return 0
    for warning in warnings:
        print(f"sandbox: {warning}", file=sys.stderr)
    started = "Resumed the waiting" if resumed else "Started a"
    print(f"{started} blind comparison for {args.slug}. Names stay hidden until you vote.")
    print(f"  A  {urls['A']}")
    print(f"  B  {urls['B']}")
    if not servers:
        print(f"Then: sandbox vote {args.slug} --winner A|B|tie|both-bad [--reason TEXT] [--guess ID|unsure]")
    if servers:
        try:
            _vote_here(ws, comparison)
        except (KeyboardInterrupt, EOFError):
            print()
        finally:
            for server in servers:
                server.stop()
    return 0


def _vote_here(ws: Any, comparison: Any) -> None:
    """While both previews are served, take the vote at a prompt (Enter alone: vote later)."""
    from sandbox.compare import blind, rubric

    while True:
        answer = input("Your vote: A, B, tie or both-bad (Enter alone stops the previews; vote later): ").strip()
        if not answer:
            return
        try:
            winner = blind.normalise_winner(answer)
        except rubric.FeedbackError as exc:
            print(exc)
            continue
        reason = input("Why, in a few words (optional): ").strip()
        guess = _ask_guess(comparison)
        blind.record_vote(ws, comparison, winner, reason=reason or None, by=user(), guess=guess, via="cli")
        print(f"Recorded {winner}. {blind.reveal_text(ws, comparison, winner)}")
        return


def _ask_guess(comparison: Any) -> str | None:
    """The optional blinding check, before the reveal: an answer that is not a choice is asked again."""
    from sandbox.compare import blind

    choices = sorted((comparison.a_assistant, comparison.b_assistant))
    while True:
        answer = input(f"Who do you think made A? {', '.join(choices)} or {blind.UNSURE} (Enter: skip): ").strip()
        if not answer or answer in choices or answer.casefold() == blind.UNSURE:
            return answer or None
        print(f"answer {' or '.join(choices)}, {blind.UNSURE}, or Enter to skip")


def cmd_vote(args: argparse.Namespace) -> int:
    from sandbox.compare import blind

    ws = workspace_from(args)
    event = blind.vote(ws, args.slug, args.winner, reason=args.reason, by=user(), guess=args.guess, via="cli")
    reveal = blind.reveal_text(ws, event, event["winner"])
    if args.json:
        print_json({**event, "reveal": reveal})
        return 0
    print(f"Recorded {event['winner']} for {args.slug}. {reveal}")
    return 0
