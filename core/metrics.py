"""Accuracy metrics, the one module that computes them (DESIGN.md).

PCC (Pearson r), RMSE, ubRMSE = sqrt(RMSE² − bias²), bias = mean(pred − obs), and N, over the pairs where
both values are finite. Units are those of the inputs (m³/m³ for soil moisture). A constant series has no
correlation: PCC is NaN (no warning, no crash). Fewer than 2 pairs give NaN PCC; no pair gives NaN for all.
"""

import math
from dataclasses import asdict, dataclass

import numpy as np

# The seed paper's figures (Korean Peninsula study), the reference row of every report.
PAPER = {
    "downscaled": {"pcc": (0.699, 0.754), "rmse": (0.053, 0.055)},
    "calibrated": {"pcc": (0.792, 0.860), "rmse": (0.028, 0.031)},
}


@dataclass(frozen=True)
class Scores:
    n: int
    pcc: float
    rmse: float
    ubrmse: float
    bias: float

    def as_dict(self):
        return asdict(self)


def scores(pred, obs):
    """:class:`Scores` of ``pred`` against ``obs`` (same-shape arrays, NaN = missing)."""
    pred = np.asarray(pred, dtype="float64").ravel()
    obs = np.asarray(obs, dtype="float64").ravel()
    if pred.shape != obs.shape:
        raise ValueError(f"pred and obs differ in size ({pred.size} vs {obs.size})")
    ok = np.isfinite(pred) & np.isfinite(obs)
    p, o = pred[ok], obs[ok]
    n = int(p.size)
    if n == 0:
        return Scores(0, math.nan, math.nan, math.nan, math.nan)
    d = p - o
    bias = float(d.mean())
    rmse = float(math.sqrt(np.mean(d * d)))
    ubrmse = float(math.sqrt(max(rmse * rmse - bias * bias, 0.0)))
    pcc = math.nan
    if n >= 2:
        pa, oa = p - p.mean(), o - o.mean()
        den = math.sqrt(float(np.sum(pa * pa)) * float(np.sum(oa * oa)))
        if den > 0:
            pcc = float(np.clip(np.sum(pa * oa) / den, -1.0, 1.0))
    return Scores(n, pcc, rmse, ubrmse, bias)


def median_scores(per_station):
    """Median over stations of each metric (NaN-aware); n is the total of the pairs."""
    items = list(per_station)
    if not items:
        return Scores(0, math.nan, math.nan, math.nan, math.nan)

    def med(name):
        vals = np.array([getattr(s, name) for s in items], dtype="float64")
        vals = vals[np.isfinite(vals)]
        return float(np.median(vals)) if vals.size else math.nan

    return Scores(int(sum(s.n for s in items)), med("pcc"), med("rmse"), med("ubrmse"), med("bias"))
