"""LightGBM downscaling of coarse soil moisture (stage 2): learn at the coarse scale, predict at 1 km, add
back the coarse residual.

Arrays: fine predictors (n_features, rows, cols) float32 on the fine grid, NaN = missing (LightGBM takes
NaN as a missing value); coarse soil moisture (rows, cols) float32 on its own grid and CRS, m³/m³.

1. :class:`~.aggregate.Aggregator`: area-weighted means of the fine predictors (core/predictors.py) in each
   coarse cell, across CRSs; a cell's cover is its valid fine area over its area.
2. Training samples: one per (cell, date) with cover ≥ MIN_COVER and a coarse value. SCHEME ``pooled``:
   one model over all training dates, with day-of-year sine and cosine as features; ``daily``: one model per
   date; ``window``: per date, trained on the dates within ±WINDOW_DAYS.
   Training, cross-validation and the model file: core/lgbm.py.
3. Prediction at 1 km, tile by tile, on float32 matrices: the model's trees flattened into a compiled predictor
   (core/forest.py: LightGBM's values to the last bit, several times faster), else LightGBM's predict.
4. RESIDUAL: ``none``; ``bilinear``: + the coarse residual (coarse − model at the cells), bilinearly
   interpolated; ``conserving``: then iterated so that every cell's fine mean equals its coarse value.
   DETAIL scales the detail the model adds (model − bilinear model) toward the bilinear coarse field;
   ``auto`` fits it one scale up: a model trained on 2×2-cell blocks predicts the cells, and the weight is
   the least-squares fit of its within-block detail to the real one (its correlation is the detail skill).
   MEMORY (days) replaces the day's detail by its exponentially weighted mean over the past (core/memory.py):
   the drivers' day-to-day noise leaves the detail, and the coarse field keeps the day's changes.
5. Clip to [0, porosity] (static ``porosity`` layer when present, else 0.6).
"""

import math
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from . import memory
from .aggregate import Aggregator
from .errors import SMFusionError
from .lgbm import MIN_SAMPLES, load_model, predictor, save_model, train, versions
from .metrics import scores
from .predictors import Predictors, doy_terms
from .progress import Progress
from .raster import Grid, RasterWriter, read_raster, tiles, warp
from .scheduler import Feed, open_scheduler
from .scheduler import parse as parse_scheduler
from .series import list_series, series_filename, written
from .variables import LAYERS, unit

SCHEMES = ("pooled", "daily", "window")
RESIDUALS = ("bilinear", "none", "conserving")
DEFAULT_MAX = 0.6
CONSERVE_TOL = 1e-4


@dataclass
class Settings:
    scheme: str = "pooled"
    window_days: int = 15
    residual: str = "bilinear"
    min_cover: float = 0.5
    n_estimators: int = 400
    learning_rate: float = 0.05
    num_leaves: int = 31
    threads: int = 0             # 0 = all cores
    detail: object = 1.0         # a weight, or "auto"
    memory: float = memory.DEFAULT_DAYS   # days τ of the detail's memory (core/memory.py); 0: the day's own
    seed: int = 42

    def check(self):
        if self.scheme not in SCHEMES:
            raise SMFusionError(f"SCHEME must be one of {', '.join(SCHEMES)} (got {self.scheme!r})")
        if self.residual not in RESIDUALS:
            raise SMFusionError(f"RESIDUAL must be one of {', '.join(RESIDUALS)} (got {self.residual!r})")
        if not 0.0 <= self.min_cover <= 1.0:
            raise SMFusionError(f"MIN_COVER must be in [0, 1] (got {self.min_cover})")
        if self.detail != "auto" and not (isinstance(self.detail, (int, float)) and 0 <= self.detail <= 2):
            raise SMFusionError(f"DETAIL must be 'auto' or a weight in [0, 2] (got {self.detail!r})")
        self.memory = memory.check_days(self.memory)


# ---------------------------------------------------------------------------------------------- residuals

def _fill_nan(a, max_iter=100):
    """Fill NaN cells of a small coarse array from their valid neighbours (iterated means)."""
    a = np.array(a, dtype="float64")
    if not np.isfinite(a).any():
        return np.zeros_like(a)
    for _ in range(max_iter):
        bad = ~np.isfinite(a)
        if not bad.any():
            break
        p = np.pad(a, 1, constant_values=np.nan)
        stack = np.stack([p[i:i + a.shape[0], j:j + a.shape[1]] for i in range(3) for j in range(3)])
        cnt = np.isfinite(stack).sum(axis=0)
        tot = np.nansum(stack, axis=0)
        a = np.where(bad & (cnt > 0), tot / np.maximum(cnt, 1), a)
    return a


def _to_fine(cell_values, coarse, fine):
    """Bilinear interpolation of a (n_cells,) coarse field onto the fine grid (NaN cells filled first)."""
    field = _fill_nan(np.asarray(cell_values, dtype="float64").reshape(coarse.shape))
    return warp(field.astype("float32"), coarse, fine, "bilinear").astype("float64")


def conserve(fine_field, coarse_values, agg, valid_cells, lo, hi, max_iter=300):
    """Iterate fine += bilinear(coarse − cell mean) until every valid cell's mean is within
    CONSERVE_TOL of its coarse value (clipped to [lo, hi] at each step). Returns (field, max error, iterations)."""
    f = np.array(fine_field, dtype="float64")
    err = math.inf
    for it in range(max_iter):
        m, _ = agg.mean(f)
        d = np.where(valid_cells, coarse_values - m, 0.0)
        d = np.where(np.isfinite(d), d, 0.0)
        err = float(np.max(np.abs(d))) if d.size else 0.0
        if err < CONSERVE_TOL / 2:                      # a margin for the float32 file
            return f, err, it
        step = warp(d.reshape(agg.coarse.shape).astype("float32"), agg.coarse, agg.fine, "bilinear")
        f = np.clip(f + np.where(np.isfinite(step), step, 0.0), lo, hi)    # smooth steps: no block edges
    return f, err, max_iter


# ---------------------------------------------------------------------------------------------- driver

class _Coarse:
    """The coarse series, read once (coarse grids are small), with the unit check."""

    def __init__(self, folder):
        self.series = list_series(folder)
        self.grid = self.series.grid
        self.values = {}
        for date, path in self.series:
            a = read_raster(path)[0].astype("float64").ravel()
            top = np.nanmax(a) if np.isfinite(a).any() else 0.0
            if top > 1.0:
                raise SMFusionError(f"{path}: soil moisture up to {top:g}; values above 1 mean % or kg/m² — give "
                                    f"m³/m³ (divide % by 100; kg/m² by 1000 × the layer depth in m)", path)
            self.values[date] = a


def _features(agg_cache, preds, agg, date, with_doy, stack=None):
    """(n_cells, n_features) float32 aggregated predictors of ``date`` (NaN where a cell has no valid pixel);
    ``stack``: the date's ``preds.stack(date)`` when it is read already."""
    return _aggregated(agg_cache, preds, agg, date, with_doy, stack)[0]


def _aggregated(agg_cache, preds, agg, date, with_doy, stack=None):
    """(features, cover): the aggregated predictors and, per cell, the least valid cover over them."""
    if date not in agg_cache:
        cols, covers = [], [agg.grid_cover()]
        for name in preds.static:
            m, c = agg_cache.setdefault(("static", name), agg.mean(preds.static_arrays()[name]))
            cols.append(m)
            covers.append(c)
        for k, series in enumerate(preds.dynamic.values()):
            m, c = agg.mean(series.read(date) if stack is None else stack[len(preds.static) + k])
            cols.append(m)
            covers.append(c)
        X = np.column_stack(cols) if cols else np.zeros((agg.A.shape[0], 0))
        agg_cache[date] = (X, np.min(np.stack(covers), axis=0))
    X, cover = agg_cache[date]
    if with_doy:
        s, c = doy_terms(date)
        X = np.column_stack([X, np.full(len(X), s), np.full(len(X), c)])
    return X.astype("float32"), cover


def _samples(dates, coarse_values, agg_cache, preds, agg, with_doy, min_cover):
    """Training rows: every (cell, date) with a coarse value and ≥ ``min_cover`` valid cover of every predictor."""
    Xs, ys, cells = [], [], []
    for d in dates:
        X, cover = _aggregated(agg_cache, preds, agg, d, with_doy)
        y = coarse_values[d]
        keep = np.isfinite(y) & (cover >= min_cover)
        Xs.append(X[keep])
        ys.append(y[keep])
        cells.append(np.nonzero(keep)[0])
    if not Xs:
        return np.zeros((0, len(preds.names) + 2 * with_doy), "float32"), np.zeros(0), np.zeros(0, int)
    return np.concatenate(Xs), np.concatenate(ys), np.concatenate(cells)


def _fine_predict(booster, stack, date, with_doy, threads, rows_per_tile=128):
    """(rows, cols) float64 model prediction at 1 km from the date's ``preds.stack(date)``, tile by tile (a
    booster or its :func:`predictor`)."""
    nf, rows, cols = stack.shape
    out = np.empty((rows, cols))
    extra = np.array(doy_terms(date), dtype="float32") if with_doy else np.zeros(0, "float32")
    for r0 in range(0, rows, rows_per_tile):
        block = stack[:, r0:r0 + rows_per_tile].reshape(nf, -1).T
        if with_doy:
            block = np.column_stack([block, np.broadcast_to(extra, (len(block), 2))])
        out[r0:r0 + rows_per_tile] = booster.predict(np.ascontiguousarray(block, dtype="float32"),
                                                     num_threads=threads).reshape(-1, cols)
    return out


def predict_day(model, fast, preds, agg, coarse_grid, date, with_doy, threads, residual, progress=None):
    """A task (core/scheduler.py): (model_f, model_c, detail) of ``date``: the 1-km prediction (rows, cols)
    float64, the cells' (n_cells,) and the raw detail, model_f − bilinear model_c (float32; None with
    RESIDUAL none). ``fast``: the model's compiled predictor (:func:`~.lgbm.predictor`) or None."""
    stack = preds.stack(date)
    model_f = _fine_predict(fast if fast is not None else model, stack, date, with_doy, threads)
    # the model's coarse prediction: the cell mean of its 1-km predictions (not the model applied to the
    # cell-mean predictors, which differs by the aggregation bias of a non-linear model); cells without
    # 1-km pixels take the latter, for the interpolation near the edges
    model_c = agg.mean(model_f)[0]
    outside = ~np.isfinite(model_c)
    if outside.any():
        model_c[outside] = model.predict(_features({}, preds, agg, date, with_doy, stack),
                                         num_threads=threads)[outside]
    if residual == "none":
        return model_f, model_c, None
    return model_f, model_c, (model_f - _to_fine(model_c, coarse_grid, preds.grid)).astype("float32")


def _super_grid(g):
    gt = g.transform
    return Grid(g.crs, (gt[0], gt[1] * 2, gt[2], gt[3], gt[4], gt[5] * 2), -(-g.width // 2), -(-g.height // 2))


def detail_experiment(dates, coarse, preds, agg, gcover, s, with_doy, agg_cache, names):
    """The DETAIL weight and skill one scale up: a model trained on 2×2-cell blocks predicts the cells; its
    within-block detail is fitted to the real one (coarse − block mean). Returns {weight, skill, n, interval}:
    the interval model of the detail weighted as it will be used (DETAIL, or the fitted weight for auto)."""
    from scipy import sparse
    cg = coarse.grid
    sg = _super_grid(cg)
    cells = np.arange(cg.width * cg.height)
    sup = (cells // cg.width // 2) * sg.width + (cells % cg.width) // 2
    B = sparse.csr_matrix((np.ones(len(cells)), (sup, cells)), shape=(sg.width * sg.height, len(cells)))
    sagg = Aggregator.__new__(Aggregator)
    sagg.fine, sagg.coarse, sagg.A = agg.fine, sg, (B @ agg.A).tocsr()
    sagg.cell_area = B @ agg.cell_area
    cell_w = gcover                                        # coarse → super means weighted by covered area
    scache, ds, super_values = {}, [], {}
    for d in dates:
        v = coarse.values[d]
        ok = np.isfinite(v)
        num = B @ np.where(ok, v * cell_w, 0.0)
        den = B @ np.where(ok, cell_w, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            super_values[d] = np.where(den > 0, num / den, np.nan)
        ds.append((d, super_values[d]))
    X, y, sc = _samples(dates, super_values, scache, preds, sagg, with_doy, s.min_cover)
    if len(y) < MIN_SAMPLES:
        return {"weight": 1.0, "skill": math.nan, "n": int(len(y)), "note": "too few 2x2-cell samples"}
    booster, _ = train(X, y, sc, sg.width, s, names, folds=2)
    dc_all, tc_all = [], []
    for d, ysup in ds:
        pred_c = booster.predict(_features(agg_cache, preds, agg, d, with_doy), num_threads=s.threads)
        okc = np.isfinite(pred_c) & (gcover > 0)            # as at 1 km: the block's prediction is the mean
        with np.errstate(invalid="ignore", divide="ignore"):   # of the cells' predictions
            pred_s = (B @ np.where(okc, pred_c * gcover, 0.0)) / (B @ np.where(okc, gcover, 0.0))
        up_pred = warp(_fill_nan(pred_s.reshape(sg.shape)).astype("float32"), sg, cg, "bilinear").ravel()
        up_true = warp(_fill_nan(ysup.reshape(sg.shape)).astype("float32"), sg, cg, "bilinear").ravel()
        v = coarse.values[d]
        ok = np.isfinite(v) & (gcover >= s.min_cover) & np.isfinite(up_pred) & np.isfinite(up_true)
        dc_all.append(np.where(ok, pred_c - up_pred, np.nan))
        tc_all.append(np.where(ok, v - up_true, np.nan))
    if s.memory > 0:                                       # the detail as it will be used: with its memory
        mem = memory.start(s.memory, dates, dict(zip(dates, dc_all)).__getitem__)
        dc_all = [np.where(np.isfinite(dc), mem.update(d, dc), np.nan) for d, dc in zip(dates, dc_all)]
    dc, tc = np.concatenate(dc_all), np.concatenate(tc_all)
    ok = np.isfinite(dc) & np.isfinite(tc)
    dc, tc = dc[ok], tc[ok]
    denom = float(np.sum(dc * dc))
    weight = float(np.clip(np.sum(dc * tc) / denom, 0.0, 1.0)) if denom > 0 else 0.0
    used = weight if s.detail == "auto" else float(s.detail)
    return {"weight": weight, "skill": scores(dc, tc).pcc, "n": int(len(dc)), "interval": detail_interval(
        np.abs(used * dc), tc - used * dc)}


def detail_interval(size, residual):
    """The interval model (core/uncertainty.py) of the detail: residuals (real − weighted model detail, one
    scale up) against the detail's size |weight·detail|, m³/m³."""
    from . import uncertainty
    return uncertainty.fit(np.asarray(size)[:, None], residual, covariates=("detail_size",))


def downscale(coarse_folder, predictors_folder, output, layer, settings=None, train_start=None, train_end=None,
              start=None, end=None, model_in=None, model_out=None, report=None, resume_after=None, progress=None,
              is_cancelled=None, intervals=None, scheduler=None):
    """Downscale one layer; writes ``<layer>_<YYYYMMDD>.tif`` into ``output`` and returns a summary dict.
    ``predictors_folder``: a predictor folder or a :class:`Predictors`; ``resume_after`` (POSIX seconds):
    keep the output files already written after that time. ``intervals``: two folders for the p10 and p90
    series (``<layer>_p10_YYYYMMDD.tif``…) of the detail's uncertainty, fitted one scale up: where the 1-km
    value lies if the coarse product is right (its own error needs stations: core/calibrate.py).
    ``scheduler``: where the dates' 1-km predictions run (core/scheduler.py; None: in this process); the
    training, the memory and the writing stay here."""
    s = settings or Settings()
    scheduler = parse_scheduler(scheduler)
    s.check()
    if layer not in LAYERS:
        raise SMFusionError(f"LAYER must be one of {', '.join(LAYERS)} (got {layer!r})")
    if model_in and s.scheme != "pooled":
        raise SMFusionError("MODEL_IN applies a saved pooled model: use SCHEME=pooled with it")
    prog = Progress.of(progress, is_cancelled)
    t0 = time.perf_counter()
    coarse = _Coarse(coarse_folder)
    preds = predictors_folder if isinstance(predictors_folder, Predictors) else Predictors(predictors_folder)
    fine = preds.grid
    prog.info(f"Coarse {coarse.series.describe()}; predictors: {', '.join(preds.names)} on {fine.describe()}")
    if preds.renamed:
        prog.info("Names taken to their canonical form: " + ", ".join(f"{a} → {b}" for a, b in preds.renamed.items()))
    agg = Aggregator(fine, coarse.grid)
    gcover = agg.grid_cover()
    if not (gcover > 0).any():
        raise SMFusionError(f"{coarse_folder}: the coarse grid does not overlap the predictors' grid", coarse_folder)
    pdates = preds.dates()
    usable = [d for d in coarse.series.dates if pdates is None or d in set(pdates)]
    skipped = [d for d in coarse.series.dates if d not in set(usable)]
    targets = [d for d in coarse.series.dates if (start is None or d >= start) and (end is None or d <= end)]
    for d in targets:
        if d in skipped:
            prog.info(f"Warning: {d:%Y-%m-%d} skipped: no predictor file for {', '.join(preds.missing(d))}")
    targets = [d for d in targets if d in usable]
    if not targets:
        raise SMFusionError(f"No date to predict: no coarse date in {start or '…'}…{end or '…'} has all predictors "
                            f"({', '.join(preds.dynamic) or 'none'})")
    train_dates = [d for d in usable
                   if (train_start is None or d >= train_start) and (train_end is None or d <= train_end)]
    with_doy = s.scheme != "daily"
    names = preds.names + (["doy_sin", "doy_cos"] if with_doy else [])
    cache = {}
    hi_static = preds.static_arrays().get("porosity")
    hi = np.where(np.isfinite(hi_static), hi_static, DEFAULT_MAX) if hi_static is not None else DEFAULT_MAX
    meta = {"layer": layer, "predictors": names, "units": {n: unit(n) for n in names}, "scheme": s.scheme,
            "settings": asdict(s), "fine_grid": fine.describe(), "coarse_grid": coarse.grid.describe(),
            "versions": versions()}
    booster, cv = None, None
    prog_train = prog.sub(0.0, 0.3)
    if model_in:
        booster, loaded = load_model(model_in, names, layer)
        meta.update({k: loaded.get(k) for k in ("training", "cv", "importance_gain", "detail")})
        prog.info(f"Applying {model_in} (trained {loaded.get('training', {}).get('start')} … "
                  f"{loaded.get('training', {}).get('end')})")
    elif s.scheme == "pooled":
        if not train_dates:
            raise SMFusionError("No training date: no coarse date in TRAIN_START…TRAIN_END has all predictors")
        X, y, cells = _samples(train_dates, coarse.values, cache, preds, agg, with_doy, s.min_cover)
        prog_train.info(f"Training a pooled model on {len(y)} samples ({len(train_dates)} dates × cells with "
                        f"cover ≥ {s.min_cover})")
        booster, cv = train(X, y, cells, coarse.grid.width, s, names)
        prog_train.info(f"Cross-validated at the coarse scale (spatial blocks): R² = {cv['r2']:.3f}, "
                        f"RMSE = {cv['rmse']:.4f} m³/m³")
    detail = {"weight": float(s.detail) if s.detail != "auto" else None}
    if (s.detail == "auto" or s.scheme == "pooled") and not model_in and train_dates:
        prog.check()
        detail = detail_experiment(train_dates, coarse, preds, agg, gcover, s, with_doy, cache, names)
        prog.info(f"Detail skill one scale up (2×2 cells): PCC {detail['skill']:.3f}, fitted weight "
                  f"{detail['weight']:.2f}" + ("" if s.detail == "auto" else f" (DETAIL = {float(s.detail):g} used)"))
        if s.detail != "auto":
            detail["fitted_weight"], detail["weight"] = detail["weight"], float(s.detail)
    elif model_in:
        saved = meta.get("detail") or {}
        detail = {"weight": float(s.detail) if s.detail != "auto" else saved.get("weight", 1.0),
                  "interval": saved.get("interval")}
    w = detail["weight"] if detail.get("weight") is not None else 1.0
    if intervals:
        from . import uncertainty as unc
        if s.residual == "none" or not detail.get("interval"):
            raise SMFusionError("The p10/p90 intervals need a residual (RESIDUAL bilinear or conserving) and the "
                                "detail fitted one scale up (SCHEME pooled, trained in this run or saved by it)")
    if booster is not None and not model_in:
        meta.update({"training": {"start": str(train_dates[0]), "end": str(train_dates[-1]),
                                  "dates": len(train_dates), "samples": int(cv["n"])},
                     "cv": cv, "detail": detail,
                     "importance_gain": dict(zip(names, map(float, booster.feature_importance("gain"))))})
        if model_out:
            save_model(model_out, booster, meta)
    output = Path(output)
    done = written(output, layer, targets, resume_after, prog)
    paths, residual_map = [output / series_filename(layer, d) for d in sorted(done)], None
    fast = predictor(booster, prog) if booster else None
    run = prog.sub(0.3, 1.0)
    valid_cells = gcover > 0
    conserve_err = 0.0

    def args_of(d):
        """:func:`predict_day`'s arguments for date ``d`` (its model trained here first, for SCHEME daily/window)."""
        model = model_of(d)
        return (model, fast if model is booster else None, preds, agg, coarse.grid, d, with_doy, s.threads,
                s.residual)

    models = {}

    def model_of(d):
        """The model of date ``d``: the pooled booster, or one trained on the date (SCHEME daily/window)."""
        nonlocal cv
        if s.scheme == "pooled" or model_in:
            return booster
        if d not in models:
            days = [d] if s.scheme == "daily" else [x for x in train_dates if abs((x - d).days) <= s.window_days]
            X, y, cells = _samples(days, coarse.values, cache, preds, agg, with_doy, s.min_cover)
            models.clear()
            models[d], cvd = train(X, y, cells, coarse.grid.width, s, names, folds=3 if cv is None else 0,
                                   rounds=cv["rounds"] if cv else None)      # CV on the first date only
            cv = cv or cvd
        return models[d]

    # the memory replays every usable date from the first (and the prior of its first days), so that a
    # resumed run or a later START writes what a whole run would
    todo = [d for d in targets if d not in done]
    sequence, warm, keep, order = memory.replay(usable, s.memory if s.residual != "none" else 0.0, todo,
                                                fine.width * fine.height)
    mem, kept = None, {}
    with open_scheduler(scheduler, prog) as where:
        feed = Feed(where, predict_day, order, args_of)
        try:
            if warm:
                def warm_detail(d):
                    run.check()
                    raw = feed.take(d)
                    if keep:                        # so that the first dates are predicted once
                        kept[d] = (None, raw[1], raw[2])
                    return raw[2]

                mem = memory.start(s.memory, usable, warm_detail)
                prog.info(f"Detail memory: {s.memory:g} days (prior from {len(warm)} date(s)); "
                          f"{len(sequence) - len(todo)} earlier date(s) replayed")
            for n, d in enumerate(sequence):
                run.check()
                model_f, model_c, fine_detail = kept.pop(d) if d in kept else feed.take(d)
                if mem is not None:
                    fine_detail = mem.update(d, fine_detail)
                if d not in todo:
                    continue
                yc = coarse.values[d]
                if s.residual == "none":
                    out = model_f
                else:
                    out = _to_fine(yc, coarse.grid, fine) + w * fine_detail
                    if residual_map is None:
                        residual_map = (d, (yc - model_c).reshape(coarse.grid.shape))
                out = np.clip(out, 0.0, hi)
                if s.residual == "conserving":
                    out, err, _ = conserve(out, yc, agg, valid_cells & np.isfinite(yc), 0.0, hi)
                    conserve_err = max(conserve_err, err)
                out = np.where(np.isfinite(out), out, np.nan).astype("float32")
                if intervals:                             # the intervals first: the series file marks the date done
                    unc.write_bands(intervals, layer, d, fine, out,
                                    unc.scale(detail["interval"], np.abs(w * fine_detail)[..., None]),
                                    detail["interval"], hi)
                path = output / series_filename(layer, d)
                with RasterWriter(path, fine, description=f"{layer} m3/m3") as wr:
                    for t in tiles(fine, 512):
                        wr.write_tile(t, out[t.core])
                paths.append(path)
                run.update((n + 1) / len(sequence))
        finally:
            feed.close()
    paths.sort(key=lambda p: p.name)
    summary = {"layer": layer, "dates": targets, "paths": paths, "output": output, "cv": cv, "detail": detail,
               "predictors": names, "seconds": time.perf_counter() - t0, "conserve_error": conserve_err,
               "importance_gain": meta.get("importance_gain")}
    if report:
        from .report import write_downscale_report
        write_downscale_report(report, summary, residual_map, coarse.grid)
        summary["report"] = Path(report)
    prog.info(f"Downscaled {layer}: {len(paths)} file(s) in {output} ({summary['seconds']:.1f} s)")
    return summary
