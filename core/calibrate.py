"""Point-to-area calibration baselines, fitted on training stations: the references the CNN must beat.

- ``linear`` scaling: calibrated = a·x + b with a = σ(obs)/σ(pred), b = mean(obs) − a·mean(pred) (the
  mean and variance of the station series are matched; pooled over the training stations' pairs).
- ``cdf`` matching: quantile mapping from the pooled distribution of the series at the training stations
  onto the stations' distribution (piecewise linear between 101 quantiles, linear extrapolation).

Inputs are paired arrays (pred, obs) in m³/m³ with NaN for missing values; :meth:`apply` works on any
array shape.
"""

from dataclasses import dataclass

import numpy as np

from .errors import SMFusionError

BASELINES = ("linear", "cdf")
MIN_PAIRS = 20


def _pairs(pred, obs):
    p, o = np.asarray(pred, "float64").ravel(), np.asarray(obs, "float64").ravel()
    ok = np.isfinite(p) & np.isfinite(o)
    if ok.sum() < MIN_PAIRS:
        raise SMFusionError(f"Only {int(ok.sum())} station/series pairs to fit a baseline (at least {MIN_PAIRS})")
    return p[ok], o[ok]


@dataclass
class LinearScaling:
    a: float
    b: float

    @classmethod
    def fit(cls, pred, obs):
        p, o = _pairs(pred, obs)
        sp = float(np.std(p))
        a = float(np.std(o)) / sp if sp > 0 else 1.0
        return cls(a, float(np.mean(o) - a * np.mean(p)))

    def apply(self, x):
        return (self.a * np.asarray(x, "float64") + self.b).astype("float32")


@dataclass
class CdfMatching:
    src: np.ndarray      # quantiles of the series at the training stations
    dst: np.ndarray      # the same quantiles of the station observations

    @classmethod
    def fit(cls, pred, obs, n=101):
        p, o = _pairs(pred, obs)
        q = np.linspace(0, 100, n)
        src, dst = np.percentile(p, q), np.percentile(o, q)
        src = np.maximum.accumulate(src + np.arange(n) * 1e-12)        # strictly increasing
        return cls(src, dst)

    def apply(self, x):
        x = np.asarray(x, "float64")
        out = np.interp(x, self.src, self.dst)
        lo, hi = x < self.src[0], x > self.src[-1]                       # linear beyond the ends
        s_lo = (self.dst[1] - self.dst[0]) / max(self.src[1] - self.src[0], 1e-12)
        s_hi = (self.dst[-1] - self.dst[-2]) / max(self.src[-1] - self.src[-2], 1e-12)
        out[lo] = self.dst[0] + s_lo * (x[lo] - self.src[0])
        out[hi] = self.dst[-1] + s_hi * (x[hi] - self.src[-1])
        out[~np.isfinite(x)] = np.nan
        return out.astype("float32")


def fit_baseline(method, pred, obs):
    if method == "linear":
        return LinearScaling.fit(pred, obs)
    if method == "cdf":
        return CdfMatching.fit(pred, obs)
    raise SMFusionError(f"Baseline must be one of {', '.join(BASELINES)} (got {method!r})")
