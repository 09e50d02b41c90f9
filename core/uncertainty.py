"""Per-pixel, per-day intervals of the calibrated soil moisture (p10, p90), fitted on the training stations.

The calibration's leave-one-station-out residuals r = obs − calibrated (held-out stations never take part)
are modelled as r = s(x)·z, with a scale s that grows where the inputs are poor and a standard residual z
whose quantiles are taken as they are (no distribution assumed). The covariates x of a pixel-day:

- ``distance``: km to the nearest training station (for a training station: to the nearest other one);
- ``detail``: |sm − sm_coarse|, m³/m³: how far the downscaling moved from the coarse product;
- ``outside``: the share of the CNN's dynamic planes outside the range they had at the training stations;
- ``filled``: the share of the fine driver series (MODIS-like) with no observation that pixel-day, whose value
  ESTARFM filled (only where the calibration was given them: the pipeline does).

log s = β₀ + β·x is fitted to log(|r| + ε) by least squares with β ≥ 0 (a poorer input never narrows the
interval; the stations' narrow range of distances cannot tell a negative slope from noise); the interval at level L is
[calibrated + z_{(1−L)/2}·s, calibrated + z_{(1+L)/2}·s], clipped to [0, porosity]. The model's metadata
keeps β, the z quantiles, the plane ranges and the training stations' positions (``intervals``). A covariate
that the series being calibrated cannot give (``filled`` without the fine series) takes its training mean.
"""

import math

import numpy as np

FILLED = "filled"
COVARIATES = ("distance", "detail", "outside", FILLED)
EPS = 1e-3                  # m³/m³ added to |r| before the log
LEVELS = np.round(np.linspace(0.0, 1.0, 101), 2)      # the z quantiles kept, as probabilities
RANGE_PLANES = ("ndvi", "lst_day", "albedo", "lst_night", "evi", "lai")


def _stations_km(crs, lons, lats):
    """(station points (n, 2), scale (2,)): the stations in ``crs`` and the km per CRS unit along x and y
    (metres → km; degrees → local km at the stations' mean latitude)."""
    from osgeo import osr

    from .raster import transformer
    tr = transformer("EPSG:4326", crs)
    pts = np.array([tr.TransformPoint(float(lon), float(lat))[:2] for lon, lat in zip(lons, lats)])
    srs = osr.SpatialReference()
    srs.SetFromUserInput(crs)
    if srs.IsGeographic():
        lat0 = math.radians(float(np.mean(pts[:, 1])))
        return pts, np.array([111.32 * math.cos(lat0), 110.57])
    return pts, np.array([1e-3, 1e-3])


def distance_field(grid, lons, lats):
    """(rows, cols) float32 km from each pixel centre to the nearest of the stations (lon/lat)."""
    from scipy.spatial import cKDTree
    pts, scale = _stations_km(grid.crs, lons, lats)
    rows, cols = np.mgrid[0:grid.height, 0:grid.width]
    x, y = grid.xy(rows, cols)
    d, _ = cKDTree(pts * scale).query(np.column_stack([np.ravel(x), np.ravel(y)]) * scale)
    return d.reshape(grid.shape).astype("float32")


def nearest_other_km(grid_crs, lons, lats):
    """(n,) km from each station to the nearest other station."""
    from scipy.spatial import cKDTree
    pts, scale = _stations_km(grid_crs, lons, lats)
    d, _ = cKDTree(pts * scale).query(pts * scale, k=2)
    return d[:, 1]


def plane_ranges(patches_centre, names):
    """{plane: [p1, p99]} of the dynamic planes at the training stations' centre pixels (N, C)."""
    out = {}
    for k, name in enumerate(names):
        if name in RANGE_PLANES:
            v = patches_centre[:, k]
            v = v[np.isfinite(v)]
            if v.size:
                out[name] = [float(np.percentile(v, 1)), float(np.percentile(v, 99))]
    return out


def outside_share(planes_values, names, ranges):
    """The share of the ranged planes outside their training range; ``planes_values`` (C, ...) → (...)."""
    keys = [k for k, n in enumerate(names) if n in ranges]
    if not keys:
        return np.zeros(np.shape(planes_values)[1:], "float32")
    out = np.zeros(np.shape(planes_values)[1:], "float32")
    for k in keys:
        lo, hi = ranges[names[k]]
        v = planes_values[k]
        out += ((v < lo) | (v > hi)).astype("float32")
    return out / len(keys)


def fit(x, residual, covariates=COVARIATES):
    """The interval model of covariates ``x`` (n, len(covariates)) and residuals (n,): a dict with
    ``beta`` (intercept first), ``z`` (quantiles at :data:`LEVELS`), ``mean``/``std`` of x, ``n``."""
    x = np.asarray(x, "float64")
    r = np.asarray(residual, "float64")
    ok = np.isfinite(r) & np.isfinite(x).all(axis=1)
    x, r = x[ok], r[ok]
    mean, std = x.mean(axis=0), x.std(axis=0)
    varies = std > 0                          # a constant covariate keeps slope 0
    std = np.where(varies, std, 1.0)
    from scipy.optimize import nnls
    xs = (x - mean) / std
    y = np.log(np.abs(r) + EPS)
    slopes = np.zeros(x.shape[1])
    if varies.any():                          # the scale never shrinks as an input gets worse
        slopes[varies] = nnls(xs[:, varies], y - y.mean(), maxiter=100 * x.shape[1])[0]
    beta = np.concatenate([[y.mean()], slopes])
    z = r / np.exp(beta[0] + xs @ slopes)
    return {"covariates": list(covariates), "beta": beta.tolist(), "mean": mean.tolist(), "std": std.tolist(),
            "levels": LEVELS.tolist(), "z": np.quantile(z, LEVELS).tolist(), "n": int(len(r))}


def design(model, fields):
    """x (..., len(model's covariates)) float64 from ``fields`` ({covariate: array (...)}); a covariate that
    ``fields`` lacks (or holds as None) takes the model's training mean."""
    known = {k: v for k, v in fields.items() if v is not None}
    shape = np.shape(next(iter(known.values())))
    return np.stack([np.asarray(known[c], "float64") if c in known else np.full(shape, mean)
                     for c, mean in zip(model["covariates"], model["mean"])], -1)


def scale(model, x):
    """s of covariates ``x`` (..., len(model's covariates)) → (...)."""
    x = np.asarray(x, "float64")
    beta = np.asarray(model["beta"])
    xs = (x - np.asarray(model["mean"])) / np.asarray(model["std"])
    return np.exp(beta[0] + xs @ beta[1:])


def z_at(model, p):
    """The standard residual's quantile at probability ``p``."""
    return float(np.interp(p, model["levels"], model["z"]))


def write_bands(folders, layer, date, grid, value, spread, model, hi):
    """Write ``<layer>_p10_<date>.tif`` and ``_p90_`` into ``folders`` (p10, p90): ``value`` (rows, cols)
    + z·``spread`` at the model's 10th and 90th percentiles, clipped to [0, ``hi``], NaN where value is."""
    from pathlib import Path

    from .raster import write_raster
    from .series import series_filename
    for folder, p, tag in ((folders[0], 0.1, "p10"), (folders[1], 0.9, "p90")):
        band = np.where(np.isfinite(value), np.clip(value + z_at(model, p) * spread, 0.0, hi), np.nan)
        write_raster(Path(folder) / series_filename(f"{layer}_{tag}", date), band.astype("float32"), grid,
                     description=f"{layer} {tag} m3/m3")


def coverage(model, z, levels=(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)):
    """Observed coverage of the central intervals at ``levels`` for standard residuals ``z`` (n,)."""
    z = np.asarray(z, "float64")
    z = z[np.isfinite(z)]
    return [float(np.mean((z >= z_at(model, (1 - lv) / 2)) & (z <= z_at(model, (1 + lv) / 2)))) if z.size
            else math.nan for lv in levels]


def score_intervals(model, calibrated, p10, p90, stations, held_ids, layer):
    """At the held-out stations: the share of observations inside [p10, p90] (``coverage80``), the
    reliability (nominal against observed coverage of the central intervals), the mean width and N, from the
    three series folders and the model's z quantiles."""
    from .evaluate import sample_series
    chosen = [s for s in stations if s.station_id in set(held_ids)]
    (dates, cal, _), (_, lo, _), (_, hi, _) = (sample_series(f, chosen) for f in (calibrated, p10, p90))
    col = {d: j for j, d in enumerate(dates)}
    obs = np.full(cal.shape, np.nan)
    for i, st in enumerate(chosen):
        for d, v in zip(st.dates, getattr(st, layer)):
            if d in col:
                obs[i, col[d]] = v
    ok = np.isfinite(obs) & np.isfinite(cal) & np.isfinite(lo) & np.isfinite(hi)
    o, c, a, b = obs[ok], cal[ok], lo[ok], hi[ok]
    span = z_at(model, 0.9) - z_at(model, 0.1)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (o - c) / ((b - a) / span)
    levels = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
    return {"n": int(ok.sum()), "coverage80": float(np.mean((o >= a) & (o <= b))) if ok.any() else math.nan,
            "width_mean": float(np.mean(b - a)) if ok.any() else math.nan,
            "reliability": [[lv, cv] for lv, cv in zip(levels, coverage(model, z, levels))]}
