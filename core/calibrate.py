"""Point-to-area calibration baselines, fitted on training stations: the references the CNN must beat.

- ``bias``: calibrated = x + mean(obs − pred) (the safe correction where few station-days are known).
- ``linear`` scaling: calibrated = a·x + b with a = σ(obs)/σ(pred), b = mean(obs) − a·mean(pred) (the
  mean and variance of the station series are matched; pooled over the training stations' pairs).
- ``cdf`` matching: quantile mapping from the pooled distribution of the series at the training stations
  onto the stations' distribution (piecewise linear between 101 quantiles, linear extrapolation).

Inputs are paired arrays (pred, obs) in m³/m³ with NaN for missing values; :meth:`apply` works on any
array shape.
"""

import math
from dataclasses import dataclass, field

import numpy as np

from .errors import SMFusionError
from .uncertainty import FILLED

BASELINES = ("bias", "linear", "cdf")
METHODS = ("cnn", *BASELINES, "auto")       # auto: the choice the model records (chosen_method)
TRAIN_MODES = ("head", "full")               # calibratetrain: refit the head (numpy) or every layer (PyTorch)
MIN_PAIRS = 20


def _pairs(pred, obs):
    p, o = np.asarray(pred, "float64").ravel(), np.asarray(obs, "float64").ravel()
    ok = np.isfinite(p) & np.isfinite(o)
    if ok.sum() < MIN_PAIRS:
        raise SMFusionError(f"Only {int(ok.sum())} station/series pairs to fit a baseline (at least {MIN_PAIRS})")
    return p[ok], o[ok]


@dataclass
class BiasCorrection:
    b: float

    @classmethod
    def fit(cls, pred, obs):
        p, o = _pairs(pred, obs)
        return cls(float(np.mean(o - p)))

    def apply(self, x):
        return (np.asarray(x, "float64") + self.b).astype("float32")


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
    if method == "bias":
        return BiasCorrection.fit(pred, obs)
    if method == "linear":
        return LinearScaling.fit(pred, obs)
    if method == "cdf":
        return CdfMatching.fit(pred, obs)
    raise SMFusionError(f"Baseline must be one of {', '.join(BASELINES)} (got {method!r})")


# ---------------------------------------------------------------------------------------------- CNN

DEFAULT_PLANES = ("sm", "sm_coarse", "ndvi", "lst_day", "albedo", "dem", "slope", "clay", "sand", "doy_sin", "doy_cos")
OPTIONAL_PLANES = ("ndvi", "lst_day", "albedo", "dem", "slope", "clay", "sand")    # a region may lack these


class Planes:
    """The CNN's input planes on the fine grid: ``sm`` (the downscaled series), ``sm_coarse`` (the coarse
    series, bilinear), every predictor of a predictor folder (dynamic and static), ``doy_sin``/``doy_cos``,
    and ``filled`` (not a CNN input: the share of the ``observed`` series with no value that day, 0–1)."""

    def __init__(self, downscaled, predictors, coarse=None, observed=()):
        """``predictors``: a predictor folder or a :class:`~.predictors.Predictors`; ``observed``: the gappy
        fine series that ESTARFM filled (e.g. MODIS NDVI, LST), on the same grid."""
        from .predictors import Predictors
        from .series import list_series
        self.sm = list_series(downscaled)
        self.preds = predictors if isinstance(predictors, Predictors) else Predictors(predictors)
        self.grid = self.sm.grid
        diff = self.grid.differences(self.preds.grid)
        if diff:
            raise SMFusionError(f"{downscaled}: not on the predictors' grid ({'; '.join(diff)})", downscaled)
        self.coarse = list_series(coarse) if coarse else None
        self.observed = [list_series(f) for f in observed]
        for series in self.observed:
            diff = self.grid.differences(series.grid)
            if diff:
                raise SMFusionError(f"{series.paths[0]}: not on the downscaled series' grid ({'; '.join(diff)})",
                                    series.paths[0])
        self.available = ({"sm", "doy_sin", "doy_cos", *self.preds.names} | ({"sm_coarse"} if coarse else set()) |
                          ({FILLED} if self.observed else set()))

    def dates(self, start=None, end=None):
        have = set(self.preds.dates() or self.sm.dates)
        if self.coarse is not None:
            have &= set(self.coarse.dates)
        return [d for d in self.sm.dates if d in have and (start is None or d >= start) and (end is None or d <= end)]

    def filled(self, date):
        """(rows, cols) float32 share of the ``observed`` series without a value on ``date`` (a missing date
        counts as a gap); None without observed series. The last date's is kept: the CNN's stack and the
        intervals read it."""
        if not self.observed:
            return None
        last = getattr(self, "_last_filled", None)
        if last is not None and last[0] == date:
            return last[1]
        gaps = np.zeros(self.grid.shape, "float32")
        for series in self.observed:
            gaps += 1.0 if date not in series.dates else ~np.isfinite(series.read(date))
        self._last_filled = (date, gaps / len(self.observed))
        return self._last_filled[1]

    def __getstate__(self):
        return {**self.__dict__, "_last": None, "_last_filled": None}

    def stack(self, date, names):
        """(len(names), rows, cols) float32 planes of ``date``: a presence plane (``has_<name>``) is 1 where
        the plane is available, else 0; a plane that is not available is NaN (the model's mean). The last
        stack is kept: the CNN task and the writer of a date read it once."""
        key = (date, tuple(names))
        last = getattr(self, "_last", None)
        if last is not None and last[0] == key:
            return last[1]
        out = self._stack(date, names)
        self._last = (key, out)
        return out

    def _stack(self, date, names):
        from .cnnmeta import PRESENCE
        from .predictors import doy_terms
        from .raster import warp
        out = []
        static = self.preds.static_arrays()
        for name in names:
            if name.startswith(PRESENCE):
                out.append(np.full(self.grid.shape, float(name[len(PRESENCE):] in self.available), "float32"))
            elif name not in self.available:
                out.append(np.full(self.grid.shape, np.nan, "float32"))
            elif name == "sm":
                out.append(self.sm.read(date))
            elif name == "sm_coarse":
                out.append(warp(self.coarse.read(date), self.coarse.grid, self.grid, "bilinear"))
            elif name == FILLED:
                out.append(self.filled(date))
            elif name in ("doy_sin", "doy_cos"):
                out.append(np.full(self.grid.shape, doy_terms(date)[0 if name == "doy_sin" else 1], "float32"))
            elif name in static:
                out.append(static[name])
            else:
                out.append(self.preds.dynamic[name].read(date))
        return np.stack(out).astype("float32")


def norm_stats(planes, names, dates, floor=1e-3):
    """Per-plane (mean, std) over ``dates`` (NaN left out); a std below ``floor`` (a constant plane, such
    as the day of year within one date) becomes 1."""
    sums = np.zeros(len(names))
    sq = np.zeros(len(names))
    n = np.zeros(len(names))
    for d in dates:
        st = planes.stack(d, names).astype("float64")
        ok = np.isfinite(st)
        sums += np.where(ok, st, 0).sum(axis=(1, 2))
        sq += np.where(ok, st * st, 0).sum(axis=(1, 2))
        n += ok.sum(axis=(1, 2))
    mean = sums / np.maximum(n, 1)
    std = np.sqrt(np.maximum(sq / np.maximum(n, 1) - mean ** 2, 0))
    return mean.tolist(), np.where(std < floor, 1.0, std).tolist()


def parse_holdout(text):
    """HOLDOUT as typed: a fraction ("0.25") or station ids separated by commas or semicolons."""
    text = str(text).strip()
    try:
        return float(text)
    except ValueError:
        return [t.strip() for t in text.replace(";", ",").split(",") if t.strip()]


def split_stations(ids, holdout, seed=0):
    """(training ids, held-out ids): ``holdout`` is a list/set of ids, or a fraction drawn with ``seed``."""
    ids = sorted(ids)
    if isinstance(holdout, (int, float)) and not isinstance(holdout, bool):
        if not 0 < holdout < 1:
            raise SMFusionError(f"HOLDOUT fraction must be in (0, 1) (got {holdout})")
        rng = np.random.default_rng(seed)
        k = max(1, int(round(holdout * len(ids))))
        held = set(rng.choice(ids, size=k, replace=False).tolist())
    else:
        held = set(holdout or ())
        unknown = held - set(ids)
        if unknown:
            raise SMFusionError(f"HOLDOUT names unknown station(s): {', '.join(sorted(unknown))}")
    return [i for i in ids if i not in held], sorted(held)


def _absent_note(absent, meta, planes):
    """A log line: the optional planes the region lacks, and its planes the CNN does not take."""
    extra = sorted(set(planes.preds.names) - set(meta["inputs"]) - {"porosity"})       # porosity: the clip
    parts = [f"the CNN runs without {', '.join(absent)} (presence 0, as in its training)" if absent else
             "the CNN has every plane it knows"]
    if extra:
        parts.append(f"not used by the CNN: {', '.join(extra)} (the downscaling uses them)")
    return "Planes: " + "; ".join(parts)


def station_samples(planes, names, stations, layer, halo, start=None, end=None, progress=None, every_date=False):
    """Patches around the station pixels: (patches (N, C, 2h+1, 2h+1), sm (N,), obs (N,), ids (N,),
    dates (N,)) for every station-day with an observation and a series value; with ``every_date``, every
    date of the series for every station on the grid (obs and sm NaN where missing)."""
    from .evaluate import sample_points
    from .progress import Progress
    prog = Progress.of(progress)
    taps = sample_points(planes.grid, [s.lon for s in stations], [s.lat for s in stations], "nearest", 1)
    obs_by = [{d: v for d, v in zip(s.dates, getattr(s, layer)) if np.isfinite(v)} for s in stations]
    patches, sm, obs, ids, days = [], [], [], [], []
    dates = planes.dates(start, end)
    k = 2 * halo + 1
    for n, d in enumerate(dates):
        prog.check()
        wanted = [i for i, s in enumerate(stations) if taps[i] and (every_date or d in obs_by[i])]
        if not wanted:
            continue
        stack = np.pad(planes.stack(d, names), ((0, 0), (halo, halo), (halo, halo)), constant_values=np.nan)
        ism = names.index("sm")
        for i in wanted:
            r, c, _ = taps[i][0]
            patch = stack[:, r:r + k, c:c + k]
            if not every_date and not np.isfinite(patch[ism, halo, halo]):
                continue
            patches.append(patch)
            sm.append(patch[ism, halo, halo])
            obs.append(obs_by[i].get(d, np.nan))
            ids.append(stations[i].station_id)
            days.append(d)
        prog.update((n + 1) / len(dates))
    if not any(np.isfinite(o) and np.isfinite(v) for o, v in zip(obs, sm)):
        raise SMFusionError("No station observation falls on a series value (check the dates and the extent)")
    return np.stack(patches), np.array(sm, "float64"), np.array(obs, "float64"), np.array(ids), days


def remembered_at_stations(values, ids, days, memory_days, dates):
    """``values`` (N, F) of station-days, each station's series replaced by its memory (core/memory.py) over
    the series ``dates``, as :func:`apply` computes it for the whole image. Needs every date of each station."""
    from . import memory
    out = np.array(values, "float64")
    days = np.array(days)
    missing = np.full(out.shape[1:], np.nan)
    for sid in np.unique(ids):
        rows = np.nonzero(ids == sid)[0]
        rows = rows[np.argsort(days[rows], kind="stable")]
        row_of = {days[r]: r for r in rows}
        mem = memory.start(memory_days, dates, lambda d, row_of=row_of: out[row_of[d]] if d in row_of else missing)
        for r in rows:
            out[r] = mem.update(days[r], out[r])
    return out


@dataclass
class FitReport:
    """What :func:`train_head` and :func:`train_full` measured: :meth:`~.metrics.Scores.as_dict` scores on the
    training stations before and after the fit, leave-one-station-out for MODE head (``training_scope``
    ``loso``) and in-sample for MODE full (``fit``), and on the held-out stations (None without any); ``extra``:
    the mode's own figures (head: alpha, gain, memory_days, and the choice of the correction)."""

    training_scope: str
    training_stations: int
    heldout_stations: int
    training_before: dict
    training_after: dict
    heldout_before: dict = None
    heldout_after: dict = None
    extra: dict = field(default_factory=dict)

    def scores(self):
        """[(label, scores dict)]: training before/after, then held-out before/after when there are any."""
        where = "training stations, leave-one-station-out" if self.training_scope == "loso" else "training stations"
        out = [(f"{where}, before", self.training_before), (f"{where}, after", self.training_after)]
        if self.heldout_after is not None:
            out += [("held-out stations, before", self.heldout_before),
                    ("held-out stations, after", self.heldout_after)]
        return out

    def as_meta(self):
        """The ``validation`` dict of the model's metadata (core/cnnmeta.py): the training scores under
        ``training_loso_*`` (MODE head) or ``training_*`` (MODE full), ``heldout_*``, and ``extra``."""
        key = "training_loso" if self.training_scope == "loso" else "training"
        meta = {**self.extra, "training_stations": self.training_stations, "heldout_stations": self.heldout_stations,
                f"{key}_before": self.training_before, f"{key}_after": self.training_after}
        if self.heldout_after is not None:
            meta.update({"heldout_before": self.heldout_before, "heldout_after": self.heldout_after})
        return meta


def train_head(base_model, planes, stations_path, layer, holdout=0.25, seed=0, start=None, end=None, progress=None,
               memory_days=None):
    """Transfer learning, MODE head: refit the CNN's last layer on the training stations' residuals
    (obs − sm) by ridge regression toward the pretrained head, with leave-stations-out CV; returns
    (new ModelProto, :class:`FitReport`). ``memory_days`` (default :data:`~.memory.DEFAULT_DAYS`): the correction's
    memory, recorded in the model for :func:`apply`; the head is fitted on the remembered features."""
    from . import cnn, cnnmeta, memory
    from .metrics import scores
    from .progress import Progress
    from .stations import read_stations
    tau = memory.check_days(memory.DEFAULT_DAYS if memory_days is None else memory_days)
    model = cnnmeta.load(base_model)
    meta = cnnmeta.read(model)
    if meta["layer"] != layer:
        raise SMFusionError(f"The base model is for {meta['layer']}, not {layer}")
    absent = cnnmeta.check_inputs(meta, planes.available)
    Progress.of(progress).info(_absent_note(absent, meta, planes))
    session = cnn.Session(model, "cpu")
    stations = read_stations(stations_path)
    train_ids, held_ids = split_stations([s.station_id for s in stations], holdout, seed)
    inputs = list(meta["inputs"])
    sampled = inputs + ([FILLED] if planes.observed else [])     # the interval's gap covariate rides along
    if tau > 0:                                   # every date from the first: the memory replays them all
        patches, sm, obs, ids, days = station_samples(planes, sampled, stations, layer, session.halo,
                                                      progress=progress, every_date=True)
        _, feats = session.run_patches(patches[:, :len(inputs)])
        feats = remembered_at_stations(feats, ids, days, tau, planes.dates())
        keep = np.isfinite(obs) & np.isfinite(sm) & np.array([(start is None or d >= start) and
                                                              (end is None or d <= end) for d in days])
        sm, obs, ids, feats = sm[keep], obs[keep], ids[keep], feats[keep]
        centre = patches[keep][:, :, session.halo, session.halo]
    else:
        patches, sm, obs, ids, _ = station_samples(planes, sampled, stations, layer, session.halo, start, end,
                                                   progress)
        _, feats = session.run_patches(patches[:, :len(inputs)])
        centre = patches[:, :, session.halo, session.halo]
    tr = np.isin(ids, train_ids)
    if len(set(ids[tr])) < 3:
        raise SMFusionError(f"Only {len(set(ids[tr]))} training station(s) with data; the head refit needs 3")
    # the head takes the remembered features and, at once, the day's sm: a gain that the memory must not blur
    # (calibrated = sm + gain·sm + M(correction)). The gain is the region's, like the intercept: not penalised;
    # the features are pulled toward the pretrained head
    mu, sd = float(np.mean(sm[tr])), float(np.std(sm[tr])) or 1.0
    w0, b0 = cnn.head_of(model)
    x = np.column_stack([feats, (sm - mu) / sd])
    wx, bx, alpha, cv = cnn.ridge_loso(x[tr], obs[tr] - sm[tr], ids[tr], prior=(np.append(w0, 0.0), b0),
                                       free=[x.shape[1] - 1])
    gain = float(wx[-1] / sd)
    w, b = wx[:-1], float(bx - wx[-1] * mu / sd)
    report = FitReport("loso", len(set(ids[tr])), len(set(ids[~tr])), scores(sm[tr], obs[tr]).as_dict(),
                       scores(sm[tr] + cv, obs[tr]).as_dict(),
                       extra={"alpha": alpha, "memory_days": tau, "gain": gain})
    loso_values = {"cnn": sm[tr] + cv, **loso_baselines(sm[tr], obs[tr], ids[tr])}
    loso, choice, reason = choose_correction(sm[tr], obs[tr], ids[tr], loso_values["cnn"],
                                             baselines={m: loso_values[m] for m in ("bias", "linear")})
    report.extra.update({"loso": loso, "choice": choice, "choice_reason": reason})
    filled = centre[tr, len(inputs)] if planes.observed else None
    intervals = _interval_models(stations, train_ids, planes.grid.crs, inputs, centre[tr, :len(inputs)], ids[tr],
                                 sm[tr], {m: obs[tr] - v for m, v in loso_values.items()}, filled)
    if (~tr).any():
        after = sm[~tr] * (1.0 + gain) + feats[~tr] @ w + b
        report.heldout_before = scores(sm[~tr], obs[~tr]).as_dict()
        report.heldout_after = scores(after, obs[~tr]).as_dict()
    new = cnn.replace_head(model, w, b, {"holdout": held_ids, "validation": report.as_meta(), "memory": tau,
                                         "gain": gain,
                                         "intervals": intervals,
                                         "training": {**meta.get("training", {}), "head_refit": {
                                             "stations": len(set(ids[tr])), "samples": int(tr.sum())}}})
    return new, report


def _interval_models(stations, train_ids, crs, names, centre, ids, sm, residuals, filled=None):
    """{method: the interval model (core/uncertainty.py)} of the training stations' LOSO ``residuals``
    ({method: (n,) obs − LOSO value}); ``filled`` (n,): the share of the fine series filled that station-day
    (None: the covariate is left out)."""
    from . import uncertainty as unc
    train = [s for s in stations if s.station_id in set(train_ids)]
    far = dict(zip([s.station_id for s in train], unc.nearest_other_km(crs, [s.lon for s in train],
                                                                      [s.lat for s in train])))
    ranges = unc.plane_ranges(centre, names)
    coarse = centre[:, names.index("sm_coarse")] if "sm_coarse" in names else sm
    fields = {"distance": [far.get(i, np.nan) for i in ids], "detail": np.abs(sm - coarse),
              "outside": unc.outside_share(centre.T, names, ranges), FILLED: filled}
    covariates = [c for c in unc.COVARIATES if fields[c] is not None]
    x = np.column_stack([fields[c] for c in covariates])
    models = {}
    for method, residual in residuals.items():
        models[method] = unc.fit(x, residual, covariates)
        models[method].update({"ranges": ranges, "stations": [[s.lon, s.lat] for s in train]})
    return models


SAFE_T = 2.0         # standard errors of the per-station gain that decide between the CNN and the safe correction
LONG_RECORD = 30     # days with observations at the median training station: a record long enough for the head


def loso_baselines(sm, obs, ids, methods=BASELINES):
    """{method: (n,) leave-one-station-out values}: each station corrected by the baseline fitted on the
    others (NaN where too few pairs remain)."""
    out = {}
    for method in methods:
        pred = np.full(len(sm), np.nan)
        for g in np.unique(ids):
            held = ids == g
            try:
                pred[held] = fit_baseline(method, sm[~held], obs[~held]).apply(sm[held])
            except SMFusionError:                  # too few pairs without this station
                pass
        out[method] = pred
    return out


def choose_correction(sm, obs, ids, cnn_loso, t_min=SAFE_T, baselines=None):
    """The correction that leave-one-station-out cross-validation on the training stations favours.
    Each station scores the CNN's LOSO values and the better of ``bias``/``linear`` (by pooled LOSO RMSE) by
    its mean squared error; t is the mean of the per-station differences over its standard error. With a short
    record (median station under :data:`LONG_RECORD` days) the CNN must earn its place (t ≥ ``t_min``); with a
    long one it is kept unless it is worse (t ≤ −``t_min``): station biases swamp its spatial gain in the CV.
    ``baselines``: :func:`loso_baselines`, when already computed. Returns ({method: scores dict}, method, reason)."""
    from .metrics import scores
    preds = baselines or loso_baselines(sm, obs, ids, ("bias", "linear"))
    loso = {"none": scores(sm, obs).as_dict(), "cnn": scores(cnn_loso, obs).as_dict(),
            **{m: scores(v, obs).as_dict() for m, v in preds.items()}}
    safe = min(("bias", "linear"), key=lambda m: loso[m]["rmse"])
    gain, days = [], []                            # per station: MSE(safe) − MSE(cnn), m⁶/m⁶; days with both
    for g in np.unique(ids):
        m = (ids == g) & np.isfinite(preds[safe]) & np.isfinite(cnn_loso) & np.isfinite(obs)
        if m.any():
            gain.append(np.mean((preds[safe][m] - obs[m]) ** 2) - np.mean((cnn_loso[m] - obs[m]) ** 2))
            days.append(int(m.sum()))
    gain = np.array(gain)
    se = float(np.std(gain, ddof=1) / math.sqrt(len(gain))) if len(gain) > 1 else math.inf
    t = float(np.mean(gain) / se) if se > 0 else (math.inf if len(gain) and np.mean(gain) > 0 else 0.0)
    record = float(np.median(days)) if days else 0.0
    long = record >= LONG_RECORD
    c, base = loso["cnn"], loso[safe]
    told = (f"leave-one-station-out RMSE: CNN {c['rmse']:.4f} (PCC {c['pcc']:.3f}), {safe} {base['rmse']:.4f} "
            f"(PCC {base['pcc']:.3f}) on {len(gain)} training stations with a median {record:.0f} days; the "
            f"CNN's gain per station is {t:+.1f} standard errors")
    loso["cnn"].update({"gain_t": t, "record_days": record})
    if t >= t_min:
        return loso, "cnn", f"cnn: {told}"
    if long and t > -t_min:
        return loso, "cnn", f"cnn: {told}, not worse over a record of ≥ {LONG_RECORD} days"
    why = (f"a record under {LONG_RECORD} days needs {t_min:g}" if not long else f"worse by over {t_min:g}")
    return loso, safe, f"{safe}, the safe correction: the CNN does not earn its place ({told}; {why})"


def chosen_method(meta):
    """(method, reason) that :func:`train_head` recorded in a model's metadata (core/cnnmeta.py): ``cnn`` when
    it recorded none (a shipped or MODE full model)."""
    validation = meta.get("validation", {})
    return validation.get("choice", "cnn"), validation.get("choice_reason", "cnn: no choice recorded")


@dataclass
class Calibration:
    """What :func:`apply` wrote: ``paths`` (one file per date), the ``method`` applied (``auto`` resolved to the
    model's choice) and the ONNX Runtime ``provider`` that ran the CNN ('' for a baseline)."""

    paths: list
    method: str
    provider: str = ""


def apply(model, planes, output, layer, method="cnn", stations_path=None, holdout=None, start=None, end=None,
          device="auto", resume_after=None, progress=None, is_cancelled=None, intervals=None, scheduler=None):
    """Calibrate a series: ``cnn`` (sm + the model's correction), a baseline (``bias``/``linear``/``cdf``)
    fitted on the training stations (the model's hold-out ids, or ``holdout``), or ``auto``: the choice the
    model records (:func:`chosen_method`). Writes
    ``<layer>_<YYYYMMDD>.tif`` and returns a :class:`Calibration`. ``resume_after`` (POSIX seconds): keep the
    output files already written after that time. ``intervals``: two folders for the p10 and p90 series
    (``<layer>_p10_YYYYMMDD.tif``…; a model whose head was refitted records each method's interval model:
    core/uncertainty.py). ``scheduler``: where the CNN runs on the dates (core/scheduler.py; None: in this
    process); the memory and the writing stay here."""
    import hashlib
    from contextlib import ExitStack
    from pathlib import Path

    from . import cnn, cnnmeta, memory
    from .progress import Progress
    from .raster import RasterWriter, tiles
    from .scheduler import Feed, open_scheduler
    from .series import series_filename, written
    prog = Progress.of(progress, is_cancelled)
    proto = None if model is None else cnnmeta.load(model)
    meta = cnnmeta.read(proto) if proto is not None else {}
    if method == "auto":
        if proto is None:
            raise SMFusionError("METHOD auto applies the choice a model records: give MODEL")
        method, reason = chosen_method(meta)
        prog.info(f"Calibration {layer}: {reason}")
    hi = planes.preds.static_arrays().get("porosity")
    hi = 0.6 if hi is None else np.where(np.isfinite(hi), hi, 0.6)
    session = baseline = None
    if method == "cnn":
        session = cnn.Session(proto, device)
        if session.meta.get("layer") != layer:
            where = model if not hasattr(model, "graph") else "The model"
            raise SMFusionError(f"{where}: the model calibrates {session.meta.get('layer')}, not {layer}: give a "
                                f"model trained for {layer} (smfusion:calibratetrain LAYER={layer})", where)
        prog.info(_absent_note(cnnmeta.check_inputs(session.meta, planes.available), session.meta, planes))
        prog.info(f"ONNX Runtime provider: {session.provider}" + (f" ({session.note})" if session.note else ""))
        names = session.meta["inputs"]
    elif method in BASELINES:
        from .stations import read_stations
        if stations_path is None:
            raise SMFusionError(f"METHOD={method} is fitted on stations: give STATIONS")
        stations = read_stations(stations_path)
        held = holdout if holdout is not None else meta.get("holdout", [])
        train_ids, _ = split_stations([s.station_id for s in stations], held or [])
        chosen = [s for s in stations if s.station_id in set(train_ids)]
        _, sm, obs, _, _ = station_samples(planes, ["sm"], chosen, layer, 0, start, end)
        baseline = fit_baseline(method, sm, obs)
        names = ["sm"]
    else:
        raise SMFusionError(f"METHOD must be one of {', '.join(METHODS)} (got {method!r})")
    dates = planes.dates(start, end)
    if not dates:
        raise SMFusionError("No date to calibrate in START…END")
    done = written(output, layer, dates, resume_after, prog)
    todo = [d for d in dates if d not in done]
    with ExitStack() as exits:
        where = exits.enter_context(open_scheduler(scheduler, prog))
        tau = float(session.meta.get("memory", 0.0)) if session else 0.0
        gain = float(session.meta.get("gain", 0.0)) if session else 0.0
        every = planes.dates()
        sequence, warm, keep, order = memory.replay(every, tau, todo, planes.grid.width * planes.grid.height)
        mem, kept = None, {}
        cnn_names = names
        if session:                                   # the CNN's corrections, in the order they are taken
            model_bytes = proto.SerializeToString()
            model_key = hashlib.sha256(model_bytes).hexdigest()
            _SESSIONS.clear()
            _SESSIONS[(model_key, device)] = session     # in this process: the session opened above
            feed = Feed(where, cnn_correction, order, lambda d: (model_key, model_bytes, device, planes, d, cnn_names))
            exits.callback(feed.close)
        if warm:                                    # the memory replays every date from the first (core/memory.py)
            def warm_correction(d):
                prog.check()
                correction = feed.take(d)
                if keep:                                  # so that the first dates run the CNN once
                    kept[d] = correction
                return correction

            mem = memory.start(tau, every, warm_correction)
            prog.info(f"Correction memory: {tau:g} days; {len(sequence) - len(todo)} earlier date(s) replayed")
        if intervals:
            from . import uncertainty as unc
            imodel = meta.get("intervals", {}).get(method)
            if imodel is None:
                raise SMFusionError(f"The p10/p90 intervals of METHOD {method} need a model fine-tuned by "
                                    "smfusion:calibratetrain (MODE head), which records them")
            names = meta["inputs"]                      # the interval's covariates read the model's planes
            distance = unc.distance_field(planes.grid, *zip(*imodel["stations"]))
            if FILLED in imodel["covariates"] and not planes.observed:
                prog.info("The intervals take the gaps ESTARFM filled at their training mean: the fine series before "
                          "ESTARFM were not given")
        for n, d in enumerate(sequence):
            prog.check()
            stack = planes.stack(d, names)
            sm = stack[names.index("sm")]
            if session:
                correction = kept.pop(d) if d in kept else feed.take(d)
                out = sm * (1.0 + gain) + (mem.update(d, correction) if mem is not None else correction)
            else:
                out = baseline.apply(sm)
            if d not in todo:
                continue
            out = np.where(np.isfinite(sm), np.clip(out, 0.0, hi), np.nan).astype("float32")
            if intervals:                                 # the intervals first: the calibrated file marks the date done
                coarse = stack[names.index("sm_coarse")] if "sm_coarse" in names else sm
                x = unc.design(imodel, {"distance": distance, "detail": np.abs(sm - coarse),
                                        "outside": unc.outside_share(stack, names, imodel["ranges"]),
                                        FILLED: planes.filled(d)})
                unc.write_bands(intervals, layer, d, planes.grid, out, unc.scale(imodel, x), imodel, hi)
            path = Path(output) / series_filename(layer, d)
            with RasterWriter(path, planes.grid, description=f"{layer} m3/m3 ({method})") as wr:
                for t in tiles(planes.grid, 512):
                    wr.write_tile(t, out[t.core])
            prog.update((n + 1) / len(sequence))
    return Calibration([Path(output) / series_filename(layer, d) for d in dates], method,
                       session.provider if session else "")


_SESSIONS = {}          # (model key, device) → cnn.Session, one per process (a cluster's workers keep theirs)


def cnn_correction(model_key, model_bytes, device, planes, date, names, progress=None):
    """A task (core/scheduler.py): the CNN's (rows, cols) correction of ``date``, from the serialised
    model (``model_key`` names it, so that each process opens its session once)."""
    from . import cnn
    key = (model_key, device)
    if key not in _SESSIONS:
        _SESSIONS.clear()
        _SESSIONS[key] = cnn.Session(model_bytes, device)
    return _SESSIONS[key].run_tiled(planes.stack(date, names))


MODELS_DIR = __import__("pathlib").Path(__file__).resolve().parents[1] / "models"


def shipped_models(layer):
    """Paths of the shipped pretrained models of ``layer``, in the order they are preferred:
    ``cnn_<layer>.onnx`` (every plane required) and ``cnn_<layer>_any.onnx`` (optional planes with presence
    planes, for a region that lacks some)."""
    return [p for p in (MODELS_DIR / f"cnn_{layer}.onnx", MODELS_DIR / f"cnn_{layer}_any.onnx") if p.is_file()]


def shipped_model(layer, available=None):
    """The first shipped model of ``layer`` whose required planes are all in ``available`` (any, when None),
    or None."""
    from . import cnnmeta
    for path in shipped_models(layer):
        if available is None or all(p in available for p in cnnmeta.required(cnnmeta.read(cnnmeta.load(path)))):
            return path
    return None


def base_model(path, layer, planes, progress=None):
    """The base model for transfer learning: ``path``, else the first shipped model of the layer that the
    region's planes serve, else an untrained backbone (random features, normalised on the data) — the log
    says which."""
    from . import cnn, cnnmeta
    from .progress import Progress
    prog = Progress.of(progress)
    if path:
        return cnnmeta.load(path)
    shipped = shipped_model(layer, planes.available)
    if shipped:
        prog.info(f"Base model: the shipped {shipped.name}")
        return cnnmeta.load(shipped)
    why = "no pretrained model for this layer is installed"
    if shipped_models(layer):
        need = cnnmeta.required(cnnmeta.read(cnnmeta.load(shipped_models(layer)[-1])))
        why = (f"the shipped models need {', '.join(p for p in need if p not in planes.available)}, which this "
               f"region does not have")
    names = [n for n in DEFAULT_PLANES if n in planes.available]
    dates = planes.dates()
    mean, std = norm_stats(planes, names, dates[:: max(1, len(dates) // 8)])
    prog.info(f"Warning: {why}; the head is refitted on an untrained backbone (random convolutional features of "
              f"{', '.join(names)}; the head refit names the planes it does not use)")
    return cnn.build_model(names, layer, seed=0, mean=mean, std=std, training={"backbone": "untrained"})


def train_full(base_model, planes, stations_path, layer, holdout=0.25, seed=0, start=None, end=None,
               progress=None, lr=1e-4, epochs=200, patience=20):
    """Transfer learning, MODE full (needs PyTorch): fine-tune every layer on the training stations' patches
    (target: obs − sm at the patch centre), small learning rate, early stopping on a fifth of the training
    stations; returns (new ModelProto, :class:`FitReport`) like :func:`train_head`."""
    try:
        import torch
    except ImportError:
        raise SMFusionError("MODE=full fine-tunes every layer with PyTorch, which this Python does not have; "
                            "use MODE=head (no PyTorch needed), or install torch") from None
    from . import cnn, cnnmeta
    from .metrics import scores
    from .stations import read_stations
    model = cnnmeta.load(base_model)
    meta = cnnmeta.read(model)
    if meta["layer"] != layer:
        raise SMFusionError(f"The base model is for {meta['layer']}, not {layer}")
    cnnmeta.check_inputs(meta, planes.available)
    halo = meta["receptive_field"] // 2
    stations = read_stations(stations_path)
    train_ids, held_ids = split_stations([s.station_id for s in stations], holdout, seed)
    patches, sm, obs, ids, _ = station_samples(planes, meta["inputs"], stations, layer, halo, start, end, progress)
    x = cnn.normalise(meta, patches)
    y = (obs - sm).astype("float32")
    tr_ids, va_ids = split_stations(train_ids, 0.2, seed + 1)
    tr, va, te = np.isin(ids, tr_ids), np.isin(ids, va_ids), ~np.isin(ids, train_ids)
    torch.manual_seed(seed)
    net = cnn.twin_from_onnx(model)
    opt = torch.optim.Adam(net.parameters(), lr=lr)

    def predict(mask):
        with torch.no_grad():
            return net(torch.from_numpy(x[mask])).numpy()[:, 0, halo, halo]

    best, best_state, wait = np.inf, None, 0
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        order = rng.permutation(np.nonzero(tr)[0])
        for i in range(0, len(order), 64):
            idx = order[i:i + 64]
            out = net(torch.from_numpy(x[idx]))[:, 0, halo, halo]
            loss = ((out - torch.from_numpy(y[idx])) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
        err = float(np.mean((predict(va) - y[va]) ** 2))
        if err < best:
            best, best_state, wait = err, {k: v.clone() for k, v in net.state_dict().items()}, 0
        else:
            wait += 1
            if wait >= patience:
                break
    net.load_state_dict(best_state)
    trn = np.isin(ids, train_ids)
    report = FitReport("fit", len(set(ids[trn])), len(set(ids[te])), scores(sm[trn], obs[trn]).as_dict(),
                       scores(sm[trn] + predict(trn), obs[trn]).as_dict())
    if te.any():
        report.heldout_before = scores(sm[te], obs[te]).as_dict()
        report.heldout_after = scores(sm[te] + predict(te), obs[te]).as_dict()
    new = cnn.onnx_with_twin_weights(model, net, {"holdout": held_ids, "validation": report.as_meta(),
                                                  "training": {**meta.get("training", {}), "fine_tuned": {
                                                      "stations": len(set(ids[trn])), "mode": "full"}}})
    return new, report
