"""Small-sample statistics for comparing assistants, in the standard library only.

Why hand-written: the report must start fast (``sandbox report`` on 200,000 events in under 2 s as
a whole process) and install anywhere, so numpy/scipy are out. Every function is pure and is tested
against values computed by hand or by a reference implementation.

What is here and why it was chosen for a team that casts tens, not thousands, of votes:

- ``wilson``: the Wilson score interval for a win rate. Unlike the textbook ``p ± 1.96·se`` it
  stays inside [0, 1] and keeps its coverage at 5 of 7 votes.
- ``sign_test``: the exact two-sided binomial test of "wins vs losses" against a coin flip. Ties and
  both-bad votes carry no preference and are left out, as the sign test prescribes.
- ``bradley_terry``: strengths from all pairwise votes at once (ties as half a win each way), by
  Hunter's (2004) MM algorithm, which always converges and needs no step size.
- ``bootstrap_bradley_terry``: percentile intervals for those strengths, with a seeded RNG so the same
  ledgers give the same report. Votes are resampled through their outcome counts (a multinomial
  draw), which is the same distribution as resampling single votes but costs nothing per vote.
- ``mean_ci``: mean of 1-5 ratings with a Student-t 95% interval (exact t quantiles).
- ``votes_needed``: how many decisive votes it takes to tell a 60/40 preference from 50/50 at
  alpha .05 and power .8, so the report can say in words when the data cannot decide yet.
"""

from __future__ import annotations

import math
import random
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Generic, TypeVar

_NORMAL = NormalDist()


def z_for(confidence: float = 0.95) -> float:
    """The two-sided normal quantile: 1.95996... for 95%."""
    return _NORMAL.inv_cdf(0.5 + confidence / 2)


# --- win rates ---------------------------------------------------------------------------------
def wilson(successes: float, trials: float, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion; (0, 1) when there are no trials (we know nothing).

    ``successes`` outside [0, trials] is a caller's bug, not data: it would give a "probability"
    interval outside [0, 1] or a square root of a negative number, so it is refused loudly.
    """
    if trials <= 0:
        return (0.0, 1.0)
    if not 0 <= successes <= trials:
        raise ValueError(f"successes must lie between 0 and trials ({trials}), not {successes}")
    z = z_for(confidence)
    p = successes / trials
    z2 = z * z
    denominator = 1 + z2 / trials
    centre = (p + z2 / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / denominator
    low = 0.0 if successes <= 0 else max(0.0, centre - half)  # exact ends, no rounding noise
    high = 1.0 if successes >= trials else min(1.0, centre + half)
    return (low, high)


EXACT_LIMIT = 300


def binomial_cdf_half(k: int, n: int) -> float:
    """P(X <= k) for X ~ Binomial(n, 1/2): exact integer arithmetic up to n = 300, beyond that the
    regularized incomplete beta (same value to ~1e-12; the big-integer sum gets slow)."""
    if k < 0:
        return 0.0
    if k >= n:
        return 1.0
    if n <= EXACT_LIMIT:
        total = sum(math.comb(n, i) for i in range(k + 1))
        return total / (1 << n)
    # P(X <= k) = I_{1/2}(n - k, k + 1): the regularized incomplete beta, accurate to float precision.
    return betainc(n - k, k + 1, 0.5)


def sign_test(wins: int, losses: int) -> float:
    """Exact two-sided sign test p-value of ``wins`` vs ``losses`` against 50/50 (1.0 with no data)."""
    n = int(wins) + int(losses)
    if n == 0:
        return 1.0
    k = min(int(wins), int(losses))
    return min(1.0, 2 * binomial_cdf_half(k, n))


def votes_needed(p1: float = 0.6, p0: float = 0.5, alpha: float = 0.05, power: float = 0.8) -> int:
    """Decisive votes needed to tell a true win rate ``p1`` from ``p0`` (two-sided test).

    The normal-approximation sample size for a one-sample proportion test:
    n = ((z_{1-alpha/2}·sqrt(p0·q0) + z_{power}·sqrt(p1·q1)) / (p1 - p0))^2, rounded up. For
    60/40 vs 50/50 at alpha .05 and power .8 this is 194.

    It is an approximation, and the report says so: the exact sign test is discrete, its power is a
    saw-tooth in n, and with 194 votes it is about 0.76; it first reaches 0.8 at 199 and stays there
    from 210 on (``sign_test_power``). The rounder "about 200" is the honest figure for the exact test.
    """
    if not 0 < p0 < 1 or not 0 < p1 < 1 or p0 == p1:
        raise ValueError("p0 and p1 must differ and lie strictly between 0 and 1")
    za = _NORMAL.inv_cdf(1 - alpha / 2)
    zb = _NORMAL.inv_cdf(power)
    n = ((za * math.sqrt(p0 * (1 - p0)) + zb * math.sqrt(p1 * (1 - p1))) / (p1 - p0)) ** 2
    return math.ceil(n - 1e-9)


def sign_test_power(n: int, p1: float = 0.6, alpha: float = 0.05) -> float:
    """Exact power of the two-sided sign test with ``n`` decisive votes when the true rate is ``p1``."""
    if n <= 0:
        return 0.0
    reject = [k for k in range(n + 1) if sign_test(k, n - k) <= alpha]
    logs = [
        math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1) + k * math.log(p1) + (n - k) * math.log(1 - p1)
        for k in reject
    ]
    return sum(math.exp(v) for v in logs)


# --- means of ratings --------------------------------------------------------------------------
def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction for the incomplete beta function (modified Lentz), as in Numerical Recipes."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 10_000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 3e-16:
            break
    return h


def betainc(a: float, b: float, x: float) -> float:
    """Regularized incomplete beta I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _betacf(a, b, x) / a
    return 1.0 - math.exp(log_front) * _betacf(b, a, 1.0 - x) / b


def t_cdf(t: float, df: float) -> float:
    """Student-t cumulative distribution function."""
    x = df / (df + t * t)
    tail = 0.5 * betainc(df / 2.0, 0.5, x)
    return 1.0 - tail if t >= 0 else tail


def t_quantile(q: float, df: float) -> float:
    """Inverse of ``t_cdf`` by bisection (exact to 1e-12; only called a few times per report)."""
    if not 0 < q < 1:
        raise ValueError("q must lie strictly between 0 and 1")
    if q == 0.5:
        return 0.0
    if q < 0.5:
        return -t_quantile(1 - q, df)
    lo, hi = 0.0, 1.0
    while t_cdf(hi, df) < q:
        hi *= 2
    for _ in range(200):
        mid = (lo + hi) / 2
        if t_cdf(mid, df) < q:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-12:
            break
    return (lo + hi) / 2


_T_CACHE: dict[tuple[int, float], float] = {}


def mean_ci(values: Sequence[float], confidence: float = 0.95) -> tuple[float | None, float | None, float | None]:
    """Mean with a Student-t interval: (mean, low, high); no interval from fewer than two values."""
    n = len(values)
    if n == 0:
        return (None, None, None)
    mean = math.fsum(values) / n
    if n < 2:
        return (mean, None, None)
    variance = math.fsum((v - mean) ** 2 for v in values) / (n - 1)
    return _t_interval(mean, variance, n, confidence)


def mean_ci_from_sums(
    n: int, total: float, total_sq: float, confidence: float = 0.95
) -> tuple[float | None, float | None, float | None]:
    """``mean_ci`` from running sums, so the report never keeps every score in memory."""
    if n == 0:
        return (None, None, None)
    mean = total / n
    if n < 2:
        return (mean, None, None)
    variance = max(0.0, (total_sq - n * mean * mean) / (n - 1))
    return _t_interval(mean, variance, n, confidence)


def _t_interval(mean: float, variance: float, n: int, confidence: float) -> tuple[float, float, float]:
    """Student-t interval around ``mean``; t quantiles are cached (the report asks for few sizes)."""
    key = (n - 1, confidence)
    t = _T_CACHE.get(key)
    if t is None:
        t = _T_CACHE[key] = t_quantile(0.5 + confidence / 2, n - 1)
    half = t * math.sqrt(variance / n)
    return (mean, mean - half, mean + half)


# --- Bradley-Terry -----------------------------------------------------------------------------
Item = TypeVar("Item", bound=Hashable)  # what is compared: assistant ids in the report


@dataclass
class BTFit(Generic[Item]):
    """Strengths that sum to 1: P(i beats j) = s_i / (s_i + s_j)."""

    strengths: dict[Item, float]
    iterations: int
    converged: bool


def win_matrix(items: Sequence[Item], outcomes: Iterable[tuple[Item, Item, float]]) -> list[list[float]]:
    """``outcomes`` of (first, second, score of first: 1 win, 0.5 tie, 0 loss) as a win matrix."""
    index = {item: i for i, item in enumerate(items)}
    wins = [[0.0] * len(items) for _ in items]
    for first, second, score in outcomes:
        i, j = index[first], index[second]
        wins[i][j] += score
        wins[j][i] += 1.0 - score
    return wins


def _bt_mm(
    wins: list[list[float]], start: list[float] | None = None, tol: float = 1e-10, max_iter: int = 10_000
) -> tuple[list[float], int, bool]:
    k = len(wins)
    games = [[wins[i][j] + wins[j][i] for j in range(k)] for i in range(k)]
    total_wins = [sum(row) for row in wins]
    p = list(start) if start else [1.0 / k] * k
    pairs = [[j for j in range(k) if j != i and games[i][j] > 0] for i in range(k)]
    for iteration in range(1, max_iter + 1):
        new = []
        for i in range(k):
            pi = p[i]
            denominator = 0.0
            row = games[i]
            for j in pairs[i]:
                denominator += row[j] / (pi + p[j])
            new.append(total_wins[i] / denominator if denominator > 0 else 0.0)
        scale = sum(new)
        if scale <= 0:
            return p, iteration, False
        new = [v / scale for v in new]
        change = max(abs(a - b) for a, b in zip(new, p, strict=True))
        p = new
        if change < tol:
            return p, iteration, True
    return p, max_iter, False


def bradley_terry(
    items: Sequence[Item],
    outcomes: Iterable[tuple[Item, Item, float]] | None = None,
    *,
    wins: list[list[float]] | None = None,
    prior: float = 0.0,
    tol: float = 1e-10,
) -> BTFit[Item]:
    """Maximum-likelihood Bradley-Terry strengths by the MM algorithm (Hunter 2004).

    Ties count as half a win for each side. ``prior`` adds that many virtual wins in each direction
    for every pair (``prior=0.5`` is one virtual tie per pair): it keeps an assistant that never won
    at a small positive strength instead of zero, and makes a fit exist when the vote graph is not
    connected. The report uses a small prior; tests check the plain MLE (``prior=0``).
    """
    items = list(items)
    matrix = [row[:] for row in wins] if wins is not None else win_matrix(items, outcomes or [])
    if prior:
        for i in range(len(items)):
            for j in range(len(items)):
                if i != j:
                    matrix[i][j] += prior
    p, iterations, converged = _bt_mm(matrix, tol=tol)
    return BTFit(dict(zip(items, p, strict=True)), iterations, converged)


class _Binomial:
    """Binomial draws for Python < 3.12 (``random.binomialvariate`` arrived in 3.12).

    A port of CPython 3.12's algorithm: geometric waiting times when n·p < 10, otherwise Hörmann's
    BTRS transformed rejection (1993), O(1) per draw.
    """

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def __call__(self, n: int, p: float) -> int:
        if n <= 0 or p <= 0.0:
            return 0
        if p >= 1.0:
            return n
        uniform = self.rng.random
        if n == 1:
            return int(uniform() < p)
        if p > 0.5:
            return n - self(n, 1.0 - p)
        if n * p < 10.0:
            x = y = 0
            c = math.log(1.0 - p)
            if not c:
                return x
            while True:
                y += math.floor(math.log(1.0 - uniform()) / c) + 1
                if y > n:
                    return x
                x += 1
        spq = math.sqrt(n * p * (1.0 - p))
        b = 1.15 + 2.53 * spq
        a = -0.0873 + 0.0248 * b + 0.01 * p
        c = n * p + 0.5
        vr = 0.92 - 4.2 / b
        setup = False
        alpha = lpq = m = h = 0.0
        while True:
            u = uniform() - 0.5
            us = 0.5 - abs(u)
            if us <= 0:
                continue
            k = math.floor((2.0 * a / us + b) * u + c)
            if k < 0 or k > n:
                continue
            v = uniform()
            if us >= 0.07 and v <= vr:
                return k
            if not setup:
                alpha = (2.83 + 5.1 / b) * spq
                lpq = math.log(p / (1.0 - p))
                m = math.floor((n + 1) * p)
                h = math.lgamma(m + 1) + math.lgamma(n - m + 1)
                setup = True
            v *= alpha / (a / (us * us) + b)
            if v > 0 and math.log(v) <= h - math.lgamma(k + 1) - math.lgamma(n - k + 1) + (k - m) * lpq:
                return k


def multinomial(rng: random.Random, n: int, weights: Sequence[float]) -> list[int]:
    """One multinomial draw of ``n`` trials by conditional binomials."""
    binomial = getattr(rng, "binomialvariate", None) or _Binomial(rng)
    counts = []
    remaining_n = n
    remaining_w = float(sum(weights))
    for w in weights[:-1]:
        if remaining_n <= 0 or remaining_w <= 0:
            counts.append(0)
            continue
        draw = binomial(remaining_n, min(1.0, w / remaining_w))
        counts.append(draw)
        remaining_n -= draw
        remaining_w -= w
    counts.append(max(0, remaining_n))
    return counts


@dataclass
class BTBootstrap(Generic[Item]):
    """Point strengths and percentile intervals."""

    strengths: dict[Item, float]
    low: dict[Item, float]
    high: dict[Item, float]
    replicates: int
    seed: int


def bootstrap_bradley_terry(
    items: Sequence[Item],
    outcome_counts: Mapping[tuple[Item, Item, float], int],
    *,
    replicates: int = 500,
    seed: int = 20240601,
    prior: float = 0.5,
    confidence: float = 0.95,
    tol: float = 1e-8,
) -> BTBootstrap[Item]:
    """Bradley-Terry strengths with bootstrap percentile intervals.

    ``outcome_counts`` maps (first, second, score of first) to how many votes had that outcome.
    Each replicate redraws the same number of votes from those outcomes (a multinomial draw, the
    same as resampling votes with replacement) and refits, warm-started from the point estimate.
    """
    items = list(items)
    keys = [key for key, count in outcome_counts.items() if count > 0]
    counts = [outcome_counts[key] for key in keys]
    total = sum(counts)
    index = {item: i for i, item in enumerate(items)}
    k = len(items)

    def matrix_for(sample: Sequence[int]) -> list[list[float]]:
        wins = [[prior if i != j else 0.0 for j in range(k)] for i in range(k)]
        for (first, second, score), count in zip(keys, sample, strict=True):
            if count:
                i, j = index[first], index[second]
                wins[i][j] += score * count
                wins[j][i] += (1.0 - score) * count
        return wins

    point, _, _ = _bt_mm(matrix_for(counts), tol=1e-10)
    rng = random.Random(seed)
    draws: list[list[float]] = [[] for _ in items]
    for _ in range(replicates if total else 0):
        sample = multinomial(rng, total, counts)
        fitted, _, _ = _bt_mm(matrix_for(sample), start=point, tol=tol)
        for i, value in enumerate(fitted):
            draws[i].append(value)
    lo_q, hi_q = (1 - confidence) / 2, 1 - (1 - confidence) / 2
    low: dict[Item, float] = {}
    high: dict[Item, float] = {}
    for i, item in enumerate(items):
        values = sorted(draws[i])
        if values:
            # The interval always holds the estimate it is printed next to. Replicates stop at a
            # looser tolerance than the point fit, so with a single vote (every replicate the same
            # data) the "interval" could otherwise sit 1e-11 beside the point; and a percentile
            # interval of a skewed statistic can miss it outright. Widening to the point is the
            # conservative repair in both cases.
            low[item] = min(percentile(values, lo_q), point[i])
            high[item] = max(percentile(values, hi_q), point[i])
        else:
            low[item], high[item] = 0.0, 1.0
    return BTBootstrap(dict(zip(items, point, strict=True)), low, high, replicates if total else 0, seed)


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Linear-interpolation percentile (numpy's default) of already sorted values."""
    if not sorted_values:
        raise ValueError("no values")
    position = (len(sorted_values) - 1) * q
    lower = math.floor(position)
    upper = min(lower + 1, len(sorted_values) - 1)
    fraction = position - lower
    return sorted_values[lower] + (sorted_values[upper] - sorted_values[lower]) * fraction


def median(values: Sequence[float]) -> float | None:
    """Median, or None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return percentile(ordered, 0.5)
