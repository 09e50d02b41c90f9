"""Temporal memory of a daily field: the downscaling detail (stage 2) and the calibration correction (stage 3).

Both fields carry the day's driver noise (cloud-filled LST, sensor noise) while the truth they estimate
changes slowly; the coarse product keeps the quick changes (wetting after rain), because the memory applies
to the detail only. For dates t₀ < t₁ < … (calendar days) and decay λ = exp(−1/τ) per day, the field written
for date t is

    M(t) = [Σ_{tᵢ ≤ t} λ^(t−tᵢ) D(tᵢ) + λ^(t−t₀) · τ · P] / [Σ_{tᵢ ≤ t} λ^(t−tᵢ) + λ^(t−t₀) · τ]

per pixel over the dates where D is finite. P, the prior, is the mean of D over the first τ days of the
series: it stands for τ days of data at t₀ and fades with λ, so that the first dates are not left with one
noisy day. M(t) uses no date after t except those first τ days (a documented warm start), so a series that
grows keeps its earlier dates, and a run resumed or started later gives the same values (it replays the
dates from t₀). τ = 0 turns the memory off (M = D).
"""

import math

import numpy as np

from .errors import SMFusionError

MAX_DAYS = 365
CACHE_BYTES = 1 << 30   # the first τ days of a field are kept in memory up to this size (else read again)
DEFAULT_DAYS = 180.0    # the default τ of both stages (README: smfusion:downscale, "Why a memory")


def check_days(days, name="MEMORY"):
    """``days`` as a float in [0, MAX_DAYS]; SMFusionError naming ``name`` otherwise."""
    try:
        tau = float(days)
    except (TypeError, ValueError):
        raise SMFusionError(f"{name} must be a number of days in [0, {MAX_DAYS}] (got {days!r})") from None
    if not 0 <= tau <= MAX_DAYS:
        raise SMFusionError(f"{name} must be a number of days in [0, {MAX_DAYS}] (got {days!r})")
    return tau


def warm_dates(dates, days):
    """The dates of the prior: those within ``days`` of the first (sorted ``dates``)."""
    if not dates or days <= 0:
        return []
    return [d for d in dates if (d - dates[0]).days < days]


def replay(dates, days, todo, pixels):
    """How a run with a memory of ``days`` over ``dates`` (sorted) writes ``todo``: (sequence, warm, keep,
    order). ``sequence``: the dates to go through in order (every date up to the last of ``todo``, which the
    memory replays; ``todo`` itself without a memory); ``warm``: the prior's dates (:func:`warm_dates`);
    ``keep``: whether the prior's fields of ``pixels`` float32 values fit :data:`CACHE_BYTES`, so that they
    are computed once; ``order``: the dates in the order their daily fields are computed (the prior's, then
    the sequence's not kept)."""
    if days <= 0 or not todo:
        return list(todo), [], True, list(todo)
    sequence = [d for d in dates if d <= todo[-1]]
    warm = warm_dates(dates, days)
    keep = len(warm) * pixels * 4 <= CACHE_BYTES
    return sequence, warm, keep, warm + [d for d in sequence if not (keep and d in warm)]


class Mean:
    """A per-pixel mean over finite values, added one array at a time (the prior P)."""

    def __init__(self):
        self.total = self.count = None

    def add(self, value):
        v = np.asarray(value, "float64")
        ok = np.isfinite(v)
        if self.total is None:
            self.total, self.count = np.zeros(v.shape), np.zeros(v.shape)
        self.total += np.where(ok, v, 0.0)
        self.count += ok

    @property
    def value(self):
        if self.total is None:
            return None
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.count > 0, self.total / np.maximum(self.count, 1), np.nan)


def start(days, dates, value_of):
    """The :class:`Memory` of ``dates`` (sorted) whose prior P is the mean of ``value_of(d)`` over the warm
    dates (:func:`warm_dates`), called in date order."""
    prior = Mean()
    for d in warm_dates(dates, days):
        prior.add(value_of(d))
    return Memory(days, dates[0], prior.value)


class Memory:
    """The recursion of the module docstring: :meth:`update` (date, D) → M, in date order."""

    def __init__(self, days, first_date, prior=None):
        self.days = float(days)
        self.decay = math.exp(-1.0 / self.days) if self.days > 0 else 0.0
        self.last = first_date
        self.num = self.den = None
        if prior is not None and self.days > 0:
            p = np.asarray(prior, "float64")
            ok = np.isfinite(p)
            self.num, self.den = np.where(ok, p * self.days, 0.0), np.where(ok, self.days, 0.0)

    def update(self, date, value):
        """The remembered field of ``date`` (float64, the shape of ``value``; NaN where no date had a value)."""
        v = np.asarray(value, "float64")
        if self.days <= 0:
            return v
        gap = (date - self.last).days
        if gap < 0:
            raise SMFusionError(f"{date}: dates must come in order (after {self.last})")
        ok = np.isfinite(v)
        fade = self.decay ** gap
        if self.num is None:
            self.num, self.den = np.zeros(v.shape), np.zeros(v.shape)
        self.num = fade * self.num + np.where(ok, v, 0.0)
        self.den = fade * self.den + ok
        self.last = date
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.den > 0, self.num / np.where(self.den > 0, self.den, 1.0), np.nan)
