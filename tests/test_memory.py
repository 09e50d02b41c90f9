"""The temporal memory of the detail and the correction (core/memory.py): its formula, its prior, and the
checks of its parameter."""

import datetime as dt
import math

import numpy as np
import pytest
from smfusion.core import memory
from smfusion.core.errors import SMFusionError


def _direct(dates, values, tau):
    """M(t) straight from the module docstring's formula, per pixel."""
    warm = [v for d, v in zip(dates, values) if (d - dates[0]).days < tau]
    with np.errstate(invalid="ignore"):
        prior = np.nanmean(np.stack(warm), axis=0)
    out = []
    for k, t in enumerate(dates):
        num = np.where(np.isfinite(prior), prior * tau * math.exp(-(t - dates[0]).days / tau), 0.0)
        den = np.where(np.isfinite(prior), tau * math.exp(-(t - dates[0]).days / tau), 0.0)
        for d, v in zip(dates[:k + 1], values[:k + 1]):
            w = math.exp(-(t - d).days / tau)
            num = num + np.where(np.isfinite(v), w * v, 0.0)
            den = den + np.where(np.isfinite(v), w, 0.0)
        out.append(np.where(den > 0, num / np.where(den > 0, den, 1), np.nan))
    return out


def test_the_recursion_equals_the_formula_with_gaps_and_nan():
    rng = np.random.default_rng(0)
    start = dt.date(2021, 4, 1)
    dates = sorted({start + dt.timedelta(days=int(k)) for k in rng.choice(60, 35, replace=False)} | {start})
    values = [rng.normal(size=(3, 4)) for _ in dates]
    for v in values:
        v[rng.random(v.shape) < 0.2] = np.nan
    values[0][:, 0] = np.nan
    for tau in (2.0, 10.0, 45.0):
        prior = memory.Mean()
        for d, v in zip(dates, values):
            if d in memory.warm_dates(dates, tau):
                prior.add(v)
        mem = memory.Memory(tau, dates[0], prior.value)
        got = [mem.update(d, v) for d, v in zip(dates, values)]
        for g, want in zip(got, _direct(dates, values, tau)):
            np.testing.assert_allclose(g, want, rtol=1e-12, equal_nan=True)


def test_a_steady_field_stays_and_zero_days_is_no_memory():
    d0 = dt.date(2021, 1, 1)
    field = np.array([[0.1, 0.3], [np.nan, 0.2]])
    mem = memory.Memory(30, d0, field)
    for k in range(40):
        np.testing.assert_allclose(mem.update(d0 + dt.timedelta(days=k), field), field, equal_nan=True)
    off = memory.Memory(0, d0, field)
    noisy = field + 1.0
    np.testing.assert_array_equal(off.update(d0, noisy), noisy)


def test_the_memory_damps_noise_and_follows_a_step():
    """Day-to-day noise of sd 1 around a level that steps from 0 to 1: the memory keeps about
    sqrt((1 − λ)/(1 + λ)) of the noise, and reaches the new level within a few τ."""
    rng = np.random.default_rng(1)
    d0, tau = dt.date(2021, 1, 1), 10.0
    dates = [d0 + dt.timedelta(days=k) for k in range(200)]
    level = np.repeat([0.0, 1.0], 100)[:, None]
    x = level + rng.normal(size=(200, 500))                   # 500 pixels
    prior = memory.Mean()
    for d, v in zip(dates, x):
        if d in memory.warm_dates(dates, tau):
            prior.add(v)
    mem = memory.Memory(tau, d0, prior.value)
    m = np.array([mem.update(d, v) for d, v in zip(dates, x)])
    lam = math.exp(-1 / tau)
    assert np.sqrt(np.mean(m[40:100] ** 2)) == pytest.approx(math.sqrt((1 - lam) / (1 + lam)), rel=0.1)
    assert abs(np.mean(m[150:200]) - 1.0) < 0.02
    assert np.mean(m[100 + int(2 * tau)]) > 0.8                 # 2τ after the step: most of the way there


def test_dates_out_of_order_and_bad_days_are_named():
    d0 = dt.date(2021, 1, 5)
    mem = memory.Memory(5, d0)
    mem.update(d0, np.zeros(2))
    with pytest.raises(SMFusionError, match="2021-01-04: dates must come in order"):
        mem.update(dt.date(2021, 1, 4), np.zeros(2))
    for bad in (-1, 400, "x"):
        with pytest.raises(SMFusionError, match=r"MEMORY must be a number of days in \[0, 365\]"):
            memory.check_days(bad)
    assert memory.check_days("30") == 30.0
