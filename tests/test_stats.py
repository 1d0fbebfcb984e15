"""Statistics against values computed by hand or by an independent reference."""

from __future__ import annotations

import math
import random
from fractions import Fraction

import pytest

from sandbox import stats


def exact_two_sided(wins: int, losses: int) -> float:
    """Reference sign test in exact rational arithmetic."""
    n, k = wins + losses, min(wins, losses)
    tail = Fraction(sum(math.comb(n, i) for i in range(k + 1)), 2**n)
    return float(min(Fraction(1), 2 * tail))


def test_wilson_hand_values() -> None:
    low, high = stats.wilson(14, 20)
    assert low == pytest.approx(0.4810, abs=5e-4) and high == pytest.approx(0.8545, abs=5e-4)  # about [0.48, 0.85]
    assert stats.wilson(5, 10) == pytest.approx((0.2366, 0.7634), abs=5e-4)
    assert stats.wilson(0, 10)[0] == 0.0 and stats.wilson(0, 10)[1] == pytest.approx(0.2775, abs=5e-4)
    assert stats.wilson(10, 10)[1] == 1.0
    assert stats.wilson(0, 0) == (0.0, 1.0)  # no votes: we know nothing


@pytest.mark.parametrize(
    ("wins", "losses", "expected"),
    [(14, 6, 0.11531829833984375), (10, 0, 2 / 1024), (9, 1, 22 / 1024), (5, 5, 1.0), (0, 0, 1.0), (1, 0, 1.0), (7, 3, 0.34375)],
)
def test_sign_test_hand_values(wins: int, losses: int, expected: float) -> None:
    assert stats.sign_test(wins, losses) == pytest.approx(expected, rel=1e-12)
    assert stats.sign_test(losses, wins) == pytest.approx(expected, rel=1e-12)  # two-sided: symmetric


@pytest.mark.parametrize(("wins", "losses"), [(140, 161), (480, 520), (990, 1010), (1200, 1300), (30, 400)])
def test_sign_test_large_samples_match_exact_arithmetic(wins: int, losses: int) -> None:
    assert stats.sign_test(wins, losses) == pytest.approx(exact_two_sided(wins, losses), rel=1e-9, abs=1e-300)


def test_votes_needed_for_60_40() -> None:
    n = stats.votes_needed()
    # ((1.95996 * 0.5 + 0.84162 * sqrt(0.24)) / 0.1)^2 = 193.8 -> 194
    assert n == 194
    assert stats.votes_needed(p1=0.7) == 47
    # the exact sign test with that many votes has roughly the planned power (it is a step function)
    assert 0.7 < stats.sign_test_power(n) < 0.85
    assert stats.sign_test_power(40) < 0.3


def test_t_quantiles_and_mean_interval() -> None:
    assert stats.t_quantile(0.975, 1) == pytest.approx(12.7062, abs=1e-4)
    assert stats.t_quantile(0.975, 4) == pytest.approx(2.7764, abs=1e-4)
    assert stats.t_quantile(0.975, 10) == pytest.approx(2.2281, abs=1e-4)
    assert stats.t_quantile(0.975, 30) == pytest.approx(2.0423, abs=1e-4)
    assert stats.t_quantile(0.025, 10) == pytest.approx(-2.2281, abs=1e-4)
    mean, low, high = stats.mean_ci([1, 2, 3, 4, 5])
    # sd = sqrt(2.5), se = 0.7071, half width = 2.7764 * 0.7071 = 1.9632
    assert (mean, low, high) == pytest.approx((3.0, 1.0368, 4.9632), abs=1e-4)
    assert stats.mean_ci([4]) == (4.0, None, None)
    assert stats.mean_ci([]) == (None, None, None)
    values = [3, 4, 4, 5, 2, 4]
    sums = stats.mean_ci_from_sums(len(values), sum(values), sum(v * v for v in values))
    assert sums == pytest.approx(stats.mean_ci(values))


def test_bradley_terry_two_items_closed_form() -> None:
    fit = stats.bradley_terry(["a", "b"], [("a", "b", 1.0)] * 3 + [("a", "b", 0.0)])
    assert fit.strengths == pytest.approx({"a": 0.75, "b": 0.25})
    # ties count half a win each way: 2 wins + 2 ties = 3 of 4
    fit = stats.bradley_terry(["a", "b"], [("a", "b", 1.0)] * 2 + [("a", "b", 0.5)] * 2)
    assert fit.strengths == pytest.approx({"a": 0.75, "b": 0.25})


def test_bradley_terry_known_data_set() -> None:
    # Data that fit the model exactly with strengths 4:2:1, so the MLE is (4/7, 2/7, 1/7):
    # A-B 20:10 (4/6 of 30), B-C 20:10 (2/3 of 30), A-C 40:10 (4/5 of 50).
    outcomes = (
        [("A", "B", 1.0)] * 20 + [("A", "B", 0.0)] * 10
        + [("B", "C", 1.0)] * 20 + [("B", "C", 0.0)] * 10
        + [("A", "C", 1.0)] * 40 + [("A", "C", 0.0)] * 10
    )
    fit = stats.bradley_terry(["A", "B", "C"], outcomes)
    assert fit.converged
    assert fit.strengths == pytest.approx({"A": 4 / 7, "B": 2 / 7, "C": 1 / 7}, abs=1e-8)
    # a rock-paper-scissors cycle has no favourite
    cycle = [("r", "s", 1.0), ("s", "p", 1.0), ("p", "r", 1.0)] * 3
    assert stats.bradley_terry(["r", "p", "s"], cycle).strengths == pytest.approx({"r": 1 / 3, "p": 1 / 3, "s": 1 / 3})


def test_bradley_terry_satisfies_likelihood_equations() -> None:
    """The MLE makes each item's expected wins equal its observed wins (Zermelo's equations)."""
    items = ["w", "x", "y", "z"]
    wins = [[0, 7, 5, 9], [3, 0, 6, 4], [5, 4, 0, 8], [1, 6, 2, 0]]
    fit = stats.bradley_terry(items, wins=[[float(v) for v in row] for row in wins])
    p = [fit.strengths[i] for i in items]
    for i in range(4):
        expected = sum((wins[i][j] + wins[j][i]) * p[i] / (p[i] + p[j]) for j in range(4) if j != i)
        assert expected == pytest.approx(sum(wins[i]), abs=1e-6)

    def loglik(q: list[float]) -> float:
        return sum(wins[i][j] * math.log(q[i] / (q[i] + q[j])) for i in range(4) for j in range(4) if i != j)

    best = loglik(p)
    for i in range(4):
        for factor in (0.9, 1.1):
            q = list(p)
            q[i] *= factor
            assert loglik(q) < best
    assert sum(p) == pytest.approx(1.0)


def test_bradley_terry_prior_keeps_a_winless_item_positive() -> None:
    outcomes = [("a", "b", 1.0)] * 5 + [("b", "c", 1.0)] * 5 + [("a", "c", 1.0)] * 5
    plain = stats.bradley_terry(["a", "b", "c"], outcomes)
    assert plain.strengths["c"] < 1e-6
    shrunk = stats.bradley_terry(["a", "b", "c"], outcomes, prior=0.5)
    assert 0 < shrunk.strengths["c"] < shrunk.strengths["b"] < shrunk.strengths["a"]


def test_bootstrap_is_seeded_and_narrows_with_data() -> None:
    items = ["A", "B", "C"]
    small = {("A", "B", 1.0): 6, ("A", "B", 0.0): 3, ("B", "C", 1.0): 5, ("B", "C", 0.0): 4, ("A", "C", 1.0): 7,
             ("A", "C", 0.0): 2, ("A", "B", 0.5): 2}
    first = stats.bootstrap_bradley_terry(items, small, replicates=300, seed=3)
    again = stats.bootstrap_bradley_terry(items, small, replicates=300, seed=3)
    assert first == again
    for item in items:
        assert first.low[item] <= first.strengths[item] <= first.high[item]
    big = {key: count * 25 for key, count in small.items()}
    wide = stats.bootstrap_bradley_terry(items, big, replicates=300, seed=3)
    for item in items:
        assert (wide.high[item] - wide.low[item]) < (first.high[item] - first.low[item]) / 2
    assert stats.bootstrap_bradley_terry(items, {}, replicates=10).replicates == 0


def test_multinomial_and_binomial_sampler() -> None:
    rng = random.Random(5)
    for _ in range(50):
        draw = stats.multinomial(rng, 1000, [5, 3, 2])
        assert sum(draw) == 1000 and all(c >= 0 for c in draw)
    binomial = stats._Binomial(random.Random(11))  # the port used before Python 3.12
    for n, p in ((1000, 0.3), (20, 0.2), (500, 0.9)):
        xs = [binomial(n, p) for _ in range(4000)]
        mean = sum(xs) / len(xs)
        variance = sum((x - mean) ** 2 for x in xs) / len(xs)
        assert mean == pytest.approx(n * p, rel=0.02)
        assert variance == pytest.approx(n * p * (1 - p), rel=0.12)
        assert all(0 <= x <= n for x in xs)


def test_percentile_and_median() -> None:
    assert stats.percentile([1, 2, 3, 4], 0.5) == 2.5
    assert stats.percentile([1, 2, 3, 4], 0.0) == 1 and stats.percentile([1, 2, 3, 4], 1.0) == 4
    assert stats.median([5, 1, 3]) == 3
    assert stats.median([]) is None


def test_stats_is_pure_stdlib() -> None:
    import subprocess
    import sys

    code = "import sys, sandbox.stats, sandbox.feedback, sandbox.report; bad = [m for m in ('textual', 'numpy', 'scipy', 'jinja2') if m in sys.modules]; print(bad)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"
