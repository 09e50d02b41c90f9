"""A plain-Python, pixel-by-pixel reference of ESTARFM steps 1–8 (Zhu et al. 2010; ubESTARFM), written
straight from the formulas of the issue and the README, for tests only. Slow on purpose: no vectorising,
float64 throughout, scipy's F distribution for the significance of the conversion coefficient."""

import math

import numpy as np
from scipy.stats import f as f_dist


def conversion_coefficient(x, y):
    """Step 4, CONVERSION=regression: the slope of fine on coarse over the similar pixels, kept when its F test
    is significant at 5 % and 0 < slope ≤ 5 (Zhu's reference code), else 1."""
    sxx = np.sum((x - x.mean()) ** 2)
    if sxx > 0:
        slope = np.sum((x - x.mean()) * (y - y.mean())) / sxx
        ssr = slope * np.sum((x - x.mean()) * (y - y.mean()))
        sse = np.sum((y - y.mean()) ** 2) - ssr
        df = x.size - 2
        p_value = 0.0 if sse <= 0 else f_dist.sf(ssr / (sse / df), 1, df)
        if p_value <= 0.05 and 0 < slope <= 5:
            return slope
    return 1.0


def sigma_thresholds(fine, coarse, block, classes):
    """2σ/m per pixel: σ = sample std of the fine values where fine and coarse are valid, per block."""
    rows, cols = fine.shape
    block = block or max(rows, cols)
    out = np.full(fine.shape, np.nan)
    for r0 in range(0, rows, block):
        for c0 in range(0, cols, block):
            f = fine[r0:r0 + block, c0:c0 + block]
            c = coarse[r0:r0 + block, c0:c0 + block]
            vals = f[np.isfinite(f) & np.isfinite(c)]
            sd = np.std(vals, ddof=1) if vals.size >= 2 else np.nan
            out[r0:r0 + block, c0:c0 + block] = sd * 2.0 / classes
    return out


def estarfm_reference(f1, c1, f2, c2, c0, window, classes=4, sigma_block=0, conversion="one",
                      method="estarfm", valid_min=None, valid_max=None):
    f1, c1, c0 = (np.asarray(a, dtype="float64") for a in (f1, c1, c0))
    rows, cols = f1.shape
    if f2 is None:
        f2 = c2 = np.full(f1.shape, np.nan)
    f2, c2 = np.asarray(f2, dtype="float64"), np.asarray(c2, dtype="float64")
    w = window // 2
    F = {1: np.where(np.isfinite(c1), f1, np.nan), 2: np.where(np.isfinite(c2), f2, np.nan)}
    C = {1: c1, 2: c2}
    valid = {k: np.isfinite(F[k]) for k in (1, 2)}
    S = {k: sigma_thresholds(F[k], C[k], sigma_block, classes) for k in (1, 2)}
    unbiased = method == "ubestarfm"
    out = np.full(f1.shape, np.nan)
    for r in range(rows):
        for c in range(cols):
            ks = [k for k in (1, 2) if valid[k][r, c]]
            if not ks or not math.isfinite(c0[r, c]):
                continue
            win = [(i, j) for i in range(max(r - w, 0), min(r + w + 1, rows))
                   for j in range(max(c - w, 0), min(c + w + 1, cols))]
            similar = [(i, j) for (i, j) in win
                       if all(valid[k][i, j] and abs(F[k][i, j] - F[k][r, c]) < S[k][r, c] for k in ks)]
            good = [(i, j) for (i, j) in win if all(valid[k][i, j] for k in ks) and math.isfinite(c0[i, j])]
            md = {k: np.mean([c0[i, j] - C[k][i, j] for (i, j) in good]) for k in ks}
            tw = {k: 1.0 / (abs(md[k]) + 1e-10) for k in ks}
            T = {k: tw[k] / sum(tw.values()) for k in ks}
            if len(similar) <= 5:                                   # step 8
                res = 0.0
                for k in ks:
                    shift = np.mean([C[k][i, j] - F[k][i, j] for (i, j) in good]) if unbiased else 0.0
                    res += T[k] * (F[k][r, c] + shift + md[k])
                out[r, c] = res
                continue
            b = {k: (np.mean([C[k][p] for p in similar]) - np.mean([F[k][p] for p in similar]))
                 if unbiased else 0.0 for k in ks}
            inv = []
            for (i, j) in similar:                                  # steps 2–3
                R = 1.0 - np.mean([abs((F[k][i, j] + b[k] - C[k][i, j]) / (F[k][i, j] + b[k] + C[k][i, j]))
                                   for k in ks])
                if not -1.0 <= R <= 1.0:
                    R = 0.5
                d = 1.0 + math.sqrt((i - r) ** 2 + (j - c) ** 2) / w
                inv.append(1.0 / ((1.0 - R) * d + 1e-7))
            V = 1.0
            if conversion == "regression":                          # step 4
                V = conversion_coefficient(np.array([C[k][p] for k in ks for p in similar]),
                                           np.array([F[k][p] + b[k] for k in ks for p in similar]))
            keep = [q for q, p in enumerate(similar) if math.isfinite(c0[p])]
            Wsum = sum(inv[q] for q in keep)
            W = {q: inv[q] / Wsum for q in keep}
            res = 0.0
            for k in ks:                                            # steps 5–6
                res += T[k] * (F[k][r, c] + b[k] + V * sum(W[q] * (c0[similar[q]] - C[k][similar[q]])
                                                           for q in keep))
            lo = -math.inf if valid_min is None else valid_min
            hi = math.inf if valid_max is None else valid_max
            if res < lo or res > hi:                                # step 7
                res = sum(T[k] * sum(W[q] * (F[k][similar[q]] + b[k]) for q in keep) for k in ks)
            out[r, c] = res
    return out


def estarfm_reference_multiband(f1, c1, f2, c2, c0, window, classes=4, sigma_block=0, conversion="one",
                                method="estarfm", valid_min=None, valid_max=None):
    """Several bands (B, rows, cols): similar in every band; R = Pearson correlation of the fine and coarse
    vectors over bands × base dates; V, the temporal weights and the fallback per band."""
    f1, c1, c0 = (np.asarray(a, dtype="float64") for a in (f1, c1, c0))
    nb, rows, cols = f1.shape
    if f2 is None:
        f2 = c2 = np.full(f1.shape, np.nan)
    f2, c2 = np.asarray(f2, dtype="float64"), np.asarray(c2, dtype="float64")
    w = window // 2
    F = {1: np.where(np.isfinite(c1), f1, np.nan), 2: np.where(np.isfinite(c2), f2, np.nan)}
    C = {1: c1, 2: c2}
    valid = {k: np.isfinite(F[k]).all(axis=0) for k in (1, 2)}
    S = {k: np.stack([sigma_thresholds(F[k][b], C[k][b], sigma_block, classes) for b in range(nb)]) for k in (1, 2)}
    unbiased = method == "ubestarfm"
    lo = -math.inf if valid_min is None else valid_min
    hi = math.inf if valid_max is None else valid_max
    out = np.full(f1.shape, np.nan)
    for r in range(rows):
        for c in range(cols):
            ks = [k for k in (1, 2) if valid[k][r, c]]
            if not ks or not np.isfinite(c0[:, r, c]).all():
                continue
            win = [(i, j) for i in range(max(r - w, 0), min(r + w + 1, rows))
                   for j in range(max(c - w, 0), min(c + w + 1, cols))]
            similar = [(i, j) for (i, j) in win
                       if all(valid[k][i, j] and abs(F[k][b, i, j] - F[k][b, r, c]) < S[k][b, r, c]
                              for k in ks for b in range(nb))]
            good = [(i, j) for (i, j) in win if all(valid[k][i, j] for k in ks) and np.isfinite(c0[:, i, j]).all()]
            for b in range(nb):
                md = {k: np.mean([c0[b, i, j] - C[k][b, i, j] for (i, j) in good]) for k in ks}
                tw = {k: 1.0 / (abs(md[k]) + 1e-10) for k in ks}
                T = {k: tw[k] / sum(tw.values()) for k in ks}
                if len(similar) <= 5:
                    res = 0.0
                    for k in ks:
                        shift = np.mean([C[k][b, i, j] - F[k][b, i, j] for (i, j) in good]) if unbiased else 0.0
                        res += T[k] * (F[k][b, r, c] + shift + md[k])
                    out[b, r, c] = res
                    continue
                bias = {(k, q): (np.mean([C[k][q][p] for p in similar]) - np.mean([F[k][q][p] for p in similar]))
                        if unbiased else 0.0 for k in ks for q in range(nb)}
                inv = []
                for (i, j) in similar:
                    fv = [F[k][q, i, j] + bias[(k, q)] for k in ks for q in range(nb)]
                    cv = [C[k][q, i, j] for k in ks for q in range(nb)]
                    with np.errstate(invalid="ignore", divide="ignore"):
                        R = np.corrcoef(fv, cv)[0, 1] if np.std(fv) > 0 and np.std(cv) > 0 else math.nan
                    if not -1.0 <= R <= 1.0:
                        R = 0.5
                    d = 1.0 + math.sqrt((i - r) ** 2 + (j - c) ** 2) / w
                    inv.append(1.0 / ((1.0 - R) * d + 1e-7))
                V = 1.0
                if conversion == "regression":
                    V = conversion_coefficient(np.array([C[k][b][p] for k in ks for p in similar]),
                                               np.array([F[k][b][p] + bias[(k, b)] for k in ks for p in similar]))
                keep = [q for q, p in enumerate(similar) if math.isfinite(c0[b][p])]
                Wsum = sum(inv[q] for q in keep)
                W = {q: inv[q] / Wsum for q in keep}
                res = sum(T[k] * (F[k][b, r, c] + bias[(k, b)] + V * sum(
                    W[q] * (c0[b][similar[q]] - C[k][b][similar[q]]) for q in keep)) for k in ks)
                if res < lo or res > hi:
                    res = sum(T[k] * sum(W[q] * (F[k][b][similar[q]] + bias[(k, b)]) for q in keep) for k in ks)
                out[b, r, c] = res
    return out
