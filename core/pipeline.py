"""The whole method for both layers, as one resumable run.

fine + coarse driver series → ESTARFM (``fused/<var>``) → predictor folder → LightGBM downscaling
(``downscaled/ssm|rzsm``) → CNN transfer learning on the training stations (``models/<layer>.onnx``) →
calibration (``calibrated/ssm|rzsm``) → evaluation at the held-out stations against the bilinear coarse
product (``bilinear/ssm|rzsm``) → ``report.html``, ``metrics.csv`` and ``run.json``.

A stage is skipped when its completion marker is newer than its inputs (``overwrite`` forces it); a run cut
off in the middle restarts at the stage it was in.
"""

import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import SMFusionError
from .progress import Progress
from .scheduler import open_scheduler
from .series import RAW_SUFFIXES, newest_mtime
from .variables import LAYERS

DONE = ".done"


@dataclass(frozen=True)
class Layout:
    """Where :func:`run_pipeline` writes, under ``root`` (the one place that names the output folders; the
    desktop loads the results through it, ui/layers.py)."""

    root: Path

    def harmonised(self, side, var):
        return self.root / "harmonised" / side / var

    def fused(self, var):
        return self.root / "fused" / var

    def series(self, stage, layer):
        """``stage``: ``bilinear``, ``downscaled`` or ``calibrated``; ``layer``: ssm/rzsm."""
        return self.root / stage / layer

    def bands(self, layer):
        """The (p10, p90) series folders of the calibrated ``layer``."""
        return self.root / "calibrated" / f"{layer}_p10", self.root / "calibrated" / f"{layer}_p90"

    def cube(self, layer):
        """The calibrated ``layer`` as one CF NetCDF cube (``netcdf=True``; core/export.py)."""
        return self.root / "calibrated" / f"{layer}.nc"

    def lgbm(self, layer):
        return self.root / "models" / f"lgbm_{layer}.txt"

    def cnn(self, layer):
        return self.root / "models" / f"cnn_{layer}.onnx"

    @property
    def metrics_csv(self):
        return self.root / "metrics.csv"

    @property
    def metrics_gpkg(self):
        return self.root / "metrics.gpkg"

    @property
    def report(self):
        return self.root / "report.html"

    @property
    def record(self):
        return self.root / "run.json"


SM_RES = 0.25          # raw GLEAM / GLDAS soil moisture is kept on its 0.25° lattice over the region


# seconds per pixel-date of each stage and fixed costs, measured on the 200×200×183 demo with 2 cores
COST = {"estarfm": 1.2e-6, "bilinear": 2.2e-7, "downscale": 3.0e-6, "calibrate": 1.2e-6, "calibratetrain": 5.0,
        "start": 10.0}


def estimate_seconds(pixels, dates, drivers, layers):
    """A rough run time of :func:`run_pipeline` (s) for ``pixels`` per image, ``dates`` dates, ``drivers``
    fused drivers and ``layers`` SM layers (on a machine like the one of :data:`COST`)."""
    n = float(pixels) * dates
    per_layer = COST["bilinear"] + COST["downscale"] + COST["calibrate"]
    return COST["start"] + n * (drivers * COST["estarfm"] + layers * per_layer) + layers * COST["calibratetrain"]


def is_raw(folder):
    """True when ``folder`` holds product files (HDF, NetCDF) rather than a GeoTIFF series."""
    return any(f.suffix.lower() in RAW_SUFFIXES for f in Path(folder).rglob("*") if f.is_file())


def preflight(fine, coarse, sm_coarse, static, stations, holdout=0.25, seed=0, models=None):
    """Everything a later stage will need, checked before any compute: (problems, notes), each a list of
    lines. Problems stop a run; notes say what the run will do instead (a default porosity, a CNN without a
    plane). Reads file names, grids and the station table, not the rasters."""
    from . import calibrate, cnnmeta
    from .evaluate import sample_points
    from .predictors import static_files
    from .series import inspect
    from .stations import read_stations
    from .variables import canonical
    problems, notes = [], []
    infos = {}
    for what, folder, kinds in (("FINE", fine, ("group",)), ("COARSE", coarse, ("group",)),
                                ("STATIC", static, ("static",))):
        info = inspect(folder)
        infos[what] = info
        bad = info.problem(kinds)
        if bad:
            problems.append(f"{what} {folder}: {bad}")
    drivers = []
    if infos["FINE"].kind == "group" == infos["COARSE"].kind:
        drivers = sorted(set(infos["FINE"].members) & set(infos["COARSE"].members))
        if not drivers:
            problems.append(f"FINE and COARSE share no driver sub-folder (FINE has "
                            f"{', '.join(sorted(infos['FINE'].members))}; COARSE has "
                            f"{', '.join(sorted(infos['COARSE'].members))})")
    layers = [layer for layer in LAYERS if sm_coarse.get(layer)]
    if not layers:
        problems.append("Give the coarse soil moisture of at least one layer (SSM or RZSM)")
    sm_dates = {}
    for layer in layers:
        info = inspect(sm_coarse[layer])
        bad = info.problem(("series", "raw"))
        if bad:
            problems.append(f"{layer.upper()} {sm_coarse[layer]}: {bad}")
        elif info.kind == "series":
            sm_dates[layer] = set(info.dates)
    # dates: a driver date with a coarse SM date (raw product folders are dated only once harmonised)
    driver_dates = None
    for var in drivers:
        member = infos["FINE"].members[var]
        if member.kind == "series" and infos["COARSE"].members[var].kind == "series":
            have = set(infos["COARSE"].members[var].dates)
            driver_dates = have if driver_dates is None else driver_dates & have
    dates = {}
    for layer, have in sm_dates.items():
        dates[layer] = have & driver_dates if driver_dates is not None else have
        if not dates[layer]:
            problems.append(f"{layer.upper()}: no date of the coarse soil moisture has every driver "
                            f"({', '.join(drivers)})")
    # grids: the fine drivers (series) on the static layers' grid
    fine_grid = infos["STATIC"].grid
    for var in drivers:
        member = infos["FINE"].members[var]
        if member.kind == "series" and member.grid is not None and fine_grid is not None:
            diff = fine_grid.differences(member.grid)
            if diff:
                problems.append(f"FINE {var}: not on the grid of the static layers ({'; '.join(diff)})")
    statics = {canonical(f.stem) for f in static_files(static)} if Path(static).is_dir() else set()
    if infos["STATIC"].kind == "static" and "porosity" not in statics:
        notes.append(f"No porosity layer in {static}: soil moisture is clipped to [0, 0.6] m³/m³")
    # the CNN's planes, per layer
    available = {"sm", "sm_coarse", "doy_sin", "doy_cos"} | {canonical(v) for v in drivers} | statics
    for layer in layers:
        given = (models or {}).get(layer)
        path = given or calibrate.shipped_model(layer, available) or calibrate.shipped_model(layer)
        if path is None:
            notes.append(f"{layer.upper()}: no pretrained CNN; the head is refitted on an untrained backbone")
            continue
        try:
            meta = cnnmeta.read(cnnmeta.load(path))
        except SMFusionError as err:
            problems.append(f"{layer.upper()} model: {err}")
            continue
        missing = [p for p in cnnmeta.required(meta) if p not in available]
        absent = [p for p in meta.get("optional", ()) if p not in available]
        if missing and given:
            problems.append(f"{layer.upper()} model {path}: needs the planes {', '.join(missing)}, which these "
                            f"inputs do not give")
        elif missing:
            notes.append(f"{layer.upper()}: the shipped CNN needs {', '.join(missing)}; the head is refitted on an "
                         f"untrained backbone instead")
        elif absent:
            notes.append(f"{layer.upper()}: the CNN runs without {', '.join(absent)} (presence 0)")
    # stations on the grid, with observations inside the dates, enough of them to train
    try:
        st = read_stations(stations)
    except SMFusionError as err:
        problems.append(f"STATIONS: {err}")
        st = []
    if st and fine_grid is not None:
        taps = sample_points(fine_grid, [s.lon for s in st], [s.lat for s in st], "nearest", 1)
        inside = [s for s, t in zip(st, taps) if t]
        if not inside:
            problems.append(f"STATIONS {stations}: none of the {len(st)} stations lies on the fine grid")
        try:
            train_ids, _ = calibrate.split_stations([s.station_id for s in st], holdout, seed)
        except SMFusionError as err:
            problems.append(f"HOLDOUT: {err}")
            train_ids = []
        for layer in layers:
            if not dates.get(layer):                  # already a problem above
                continue
            with_obs = [s for s in inside if any(np.isfinite(v) and d in dates[layer]
                                                 for d, v in zip(s.dates, getattr(s, layer)))]
            training = [s for s in with_obs if s.station_id in set(train_ids)]
            if len(training) < 3:
                problems.append(f"STATIONS {stations}: {len(training)} training station(s) on the grid with "
                                f"{layer.upper()} observations inside the dates ({min(dates[layer])} … "
                                f"{max(dates[layer])}); the calibration needs 3")
    return problems, notes


class _Stages:
    def __init__(self, output, overwrite, prog):
        self.output, self.overwrite, self.prog = Path(output), overwrite, prog
        self.times = {}

    def run(self, name, target, inputs, fn):
        """Run ``fn(resume_after)`` unless ``target``'s marker is newer than every input. ``resume_after``
        (the newest input's time, None with overwrite) lets a stage keep the dates an interrupted run wrote."""
        target = Path(target)
        marker = target / DONE if target.suffix == "" else target.with_name(target.name + DONE)
        newest = newest_mtime(inputs)
        if not self.overwrite and marker.exists() and marker.stat().st_mtime >= newest:
            self.prog.info(f"{name}: up to date, skipped")
            self.times[name] = 0.0
            return
        if marker.exists():
            marker.unlink()
        t0 = time.perf_counter()
        fn(None if self.overwrite else newest)
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(time.strftime("%Y-%m-%dT%H:%M:%S"))
        self.times[name] = time.perf_counter() - t0
        self.prog.info(f"{name}: {self.times[name]:.1f} s")


def run_pipeline(fine, coarse, sm_coarse, static, stations, output, holdout=0.25, seed=0, models=None,
                 memory=None, truth=None, overwrite=False, netcdf=False, scheduler=None, progress=None,
                 is_cancelled=None):
    """:func:`_run_pipeline` with its SCHEDULER opened once, on first use, and closed at the end."""
    prog = Progress.of(progress, is_cancelled)
    with open_scheduler(scheduler, prog, lazy=True) as where:
        return _run_pipeline(fine, coarse, sm_coarse, static, stations, output, holdout, seed, models, memory,
                             truth, overwrite, netcdf, where, prog)


def _run_pipeline(fine, coarse, sm_coarse, static, stations, output, holdout=0.25, seed=0, models=None,
                  memory=None, truth=None, overwrite=False, netcdf=False, scheduler=None, progress=None,
                  is_cancelled=None):
    """Run every stage. ``fine``/``coarse``: folders of driver sub-folders (ndvi/, lst_day/…), each a
    GeoTIFF series or raw product files (harmonised onto the fine grid first); ``sm_coarse``: {layer: coarse
    SM series folder, or raw GLEAM/GLDAS files (taken onto their 0.25° lattice over the region)};
    ``static``: folder of static GeoTIFFs on the fine grid; ``stations``: a station GeoPackage; ``models``:
    {layer: base ONNX} (default: the shipped ones); ``memory``: days τ of the detail's and the correction's
    memory (core/memory.py; default :data:`~.memory.DEFAULT_DAYS`); ``truth``: an optional folder with
    ``ssm/``/``rzsm/`` reference series on the fine grid (the demo's truth), scored as the row ``truth``: the
    floor that station noise and bias leave; ``netcdf``: also write each calibrated layer as one CF NetCDF
    cube, ``calibrated/<layer>.nc`` (core/export.py); ``scheduler``: where ESTARFM's segments, the downscaled
    dates' 1-km predictions and the CNN's dates run (SCHEDULER's text or an opened one, core/scheduler.py).
    Returns a summary dict."""
    from . import calibrate, downscale, evaluate, fusion, harmonise, lgbm, report
    from .memory import DEFAULT_DAYS, check_days
    from .predictors import Predictors
    from .raster import Grid, transform_bounds
    from .series import list_series
    from .stations import read_stations
    prog = Progress.of(progress, is_cancelled)
    tau = check_days(DEFAULT_DAYS if memory is None else memory)
    out = Path(output)
    out.mkdir(parents=True, exist_ok=True)
    lay = Layout(out)
    fine, coarse, static = Path(fine), Path(coarse), Path(static)
    problems, notes = preflight(fine, coarse, sm_coarse, static, stations, holdout, seed, models)
    if problems:
        raise SMFusionError(f"The inputs have {len(problems)} problem(s); nothing was computed:\n" +
                            "\n".join(f"{k + 1}. {p}" for k, p in enumerate(problems)))
    for note in notes:
        prog.info(f"Note: {note}")
    drivers = sorted(p.name for p in fine.iterdir() if p.is_dir() and (coarse / p.name).is_dir())
    if not drivers:
        raise SMFusionError(f"{fine} and {coarse} share no driver sub-folder (e.g. ndvi/, lst_day/)")
    layers = [layer for layer in LAYERS if sm_coarse.get(layer)]
    if not layers:
        raise SMFusionError("Give the coarse soil moisture of at least one layer (SSM or RZSM)")
    fine_grid = Predictors(static=static).grid          # the static layers lie on the fine grid
    raw = {(side, var): folder / var for side, folder in (("fine", fine), ("coarse", coarse)) for var in drivers
           if is_raw(folder / var)}
    raw.update({("sm", layer): Path(sm_coarse[layer]) for layer in layers if is_raw(sm_coarse[layer])})
    stages = _Stages(out, overwrite, prog)
    n_steps = len(raw) + len(drivers) + 1 + 4 * len(layers) + 1
    step = [0]

    def sub():
        p = prog.sub(step[0] / n_steps, (step[0] + 1) / n_steps)
        step[0] += 1
        return p

    # 0. raw product folders → series: drivers onto the fine grid, soil moisture onto its 0.25° lattice
    sm_grid = Grid.from_bounds("EPSG:4326", *transform_bounds(fine_grid.bounds, fine_grid.crs, "EPSG:4326"), SM_RES)
    series = {(side, var): lay.harmonised(side, var) for side, var in raw}
    for (side, var), folder in raw.items():
        grid, how = (sm_grid, "nearest") if side == "sm" else (fine_grid, "auto")
        p = sub()
        stages.run(f"harmonise {side} {var}", series[(side, var)], [folder],
                   lambda _, f=folder, t=series[(side, var)], g=grid, v=var, h=how, p=p: harmonise.harmonise(
                       [f], t, g, variable=v, resampling=h, progress=p))
    fine_dir = {v: series.get(("fine", v), fine / v) for v in drivers}
    coarse_dir = {v: series.get(("coarse", v), coarse / v) for v in drivers}
    sm_dir = {layer: Path(series.get(("sm", layer), sm_coarse[layer])) for layer in layers}
    # 1. ESTARFM per driver
    for var in drivers:
        p = sub()
        stages.run(f"ESTARFM {var}", lay.fused(var), [fine_dir[var], coarse_dir[var]],
                   lambda after, v=var, p=p: fusion.fuse_series(fine_dir[v], coarse_dir[v], lay.fused(v),
                                                                mode="fill", resume_after=after, progress=p,
                                                                scheduler=scheduler))
    # 2. the predictors: fused drivers + static
    pred = Predictors(static=static, drivers=[lay.fused(v) for v in drivers])
    pred_inputs = [static, *(lay.fused(v) for v in drivers)]
    observed = [fine_dir[v] for v in drivers]          # the gappy series: where ESTARFM filled (the intervals)
    all_stations = read_stations(stations)
    all_ids = [s.station_id for s in all_stations]
    train_ids, held_ids = calibrate.split_stations(all_ids, holdout, seed)
    prog.info(f"{len(train_ids)} training and {len(held_ids)} held-out stations: {', '.join(held_ids)}")
    step[0] += 1
    series_specs = []
    for layer in layers:
        cs = sm_dir[layer]
        stages.run(f"bilinear {layer}", lay.series("bilinear", layer), [cs],
                   lambda _, cs=cs, layer=layer: harmonise.harmonise([cs], lay.series("bilinear", layer), fine_grid,
                                                                      product="generic", variable=layer,
                                                                      resampling="bilinear"))
        p_down, p_tune, p_cal = sub(), sub(), sub()
        forest_path = lay.lgbm(layer)

        def down(after, cs=cs, layer=layer, forest_path=forest_path, p=p_down):
            # an interrupted run keeps its trained model, and the dates it wrote
            reuse = after is not None and forest_path.is_file() and forest_path.stat().st_mtime >= after
            downscale.downscale(cs, pred, lay.series("downscaled", layer), layer, downscale.Settings(memory=tau),
                                model_in=forest_path if reuse else None,
                                model_out=None if reuse else forest_path, resume_after=after, progress=p,
                                scheduler=scheduler)

        stages.run(f"downscale {layer}", lay.series("downscaled", layer), [cs, *pred_inputs], down)
        model_path = lay.cnn(layer)

        def fine_tune(_, cs=cs, layer=layer, model_path=model_path, p=p_tune):
            import onnx

            from .raster import atomic_path
            planes = calibrate.Planes(lay.series("downscaled", layer), pred, cs, observed)
            base = calibrate.base_model((models or {}).get(layer), layer, planes, p)
            model, rep = calibrate.train_head(base, planes, stations, layer, held_ids, seed, progress=p,
                                              memory_days=tau)
            with atomic_path(model_path) as tmp:
                onnx.save(model, str(tmp))

        stages.run(f"calibratetrain {layer}", model_path, [lay.series("downscaled", layer), stations], fine_tune)
        def correct(after, cs=cs, layer=layer, model_path=model_path, p=p_cal):
            calibrate.apply(model_path, calibrate.Planes(lay.series("downscaled", layer), pred, cs, observed),
                            lay.series("calibrated", layer), layer, "auto", stations_path=stations, resume_after=after,
                            progress=p, intervals=lay.bands(layer), scheduler=scheduler)

        stages.run(f"calibrate {layer}", lay.series("calibrated", layer), [model_path], correct)
        if netcdf:
            from .export import export_netcdf
            stages.run(f"export {layer}", lay.cube(layer), [lay.series("calibrated", layer)],
                       lambda _, layer=layer: export_netcdf(lay.series("calibrated", layer), lay.cube(layer)))
        step[0] += 1
        series_specs += [evaluate.SeriesSpec("coarse bilinear", layer, lay.series("bilinear", layer)),
                         evaluate.SeriesSpec("downscaled", layer, lay.series("downscaled", layer)),
                         evaluate.SeriesSpec("calibrated", layer, lay.series("calibrated", layer))]
    if truth:
        series_specs = [evaluate.SeriesSpec("truth", layer, Path(truth) / layer) for layer in layers
                        if (Path(truth) / layer).is_dir()] + series_specs
    # evaluation at held-out stations (never pooled with the training ones)
    result = evaluate.evaluate(series_specs, stations, split=set(held_ids), progress=sub())
    intervals = {}
    for layer in layers:
        band, band90 = lay.bands(layer)
        if band.is_dir():
            from . import cnnmeta, uncertainty
            meta = cnnmeta.read(cnnmeta.load(lay.cnn(layer)))
            imodel = meta["intervals"][calibrate.chosen_method(meta)[0]]
            intervals[layer] = iv = uncertainty.score_intervals(
                imodel, lay.series("calibrated", layer), band, band90, all_stations,
                held_ids, layer)
            p10 = list_series(band)
            mid = p10.dates[len(p10.dates) // 2]
            iv["width_map"] = (mid, list_series(band90).read(mid) - p10.read(mid))
            prog.info(f"{layer} interval [p10, p90] at the held-out stations: {100 * iv['coverage80']:.0f} % of "
                      f"{iv['n']} observations inside (nominal 80 %), mean width {iv['width_mean']:.4f} m³/m³")
    evaluate.write_table(lay.metrics_csv, result["rows"])
    evaluate.write_table(lay.metrics_gpkg, result["rows"])           # stations as points, with their scores
    report.write_report(lay.report, result, title="SM Fusion pipeline",
                        context=f"Held-out stations: {', '.join(held_ids)}.", intervals=intervals)
    table = sorted((r for r in result["rows"] if r.station_id == evaluate.POOLED and r.group == "held-out"),
                   key=lambda r: LAYERS.index(r.layer))
    medians = {(r.series, r.layer): r.pcc for r in result["rows"]
               if r.station_id == evaluate.MEDIAN and r.group == "held-out"}
    dates = list_series(lay.series("calibrated", layers[0])).dates
    run = {"parameters": {"fine": str(fine), "coarse": str(coarse), "sm_coarse": {k: str(v) for k, v in
                                                                                 sm_coarse.items() if v},
                          "static": str(static), "stations": str(stations), "holdout": holdout, "seed": seed,
                          "memory": tau,
                          "models": {k: str(v) for k, v in (models or {}).items()}},
           "versions": lgbm.versions(), "stages_s": stages.times,
           "harmonised": sorted(f"{side}/{var}" for side, var in raw), "held_out": held_ids,
           "intervals_held_out": {k: {f: v for f, v in iv.items() if f != "width_map"} for k, iv in intervals.items()},
           "dates": [str(dates[0]), str(dates[-1]), len(dates)], "pixels": [fine_grid.width, fine_grid.height],
           "metrics_held_out": [{"series": r.series, "layer": r.layer, "n": r.n, "pcc": r.pcc,
                                 "median_pcc": medians.get((r.series, r.layer)), "rmse": r.rmse,
                                 "ubrmse": r.ubrmse, "bias": r.bias} for r in table]}
    lay.record.write_text(json.dumps(run, indent=2))
    lines = [f"{'layer':5} {'series':16} {'N':>6} {'PCC':>6} {'RMSE':>7} {'ubRMSE':>7} {'bias':>7} "
             f"{'median PCC':>10}"]
    lines += [f"{r.layer:5} {r.series:16} {r.n:6d} {r.pcc:6.3f} {r.rmse:7.4f} {r.ubrmse:7.4f} {r.bias:+7.4f} "
              f"{medians.get((r.series, r.layer), float('nan')):10.3f}" for r in table]
    lines += ["both  paper, downscaled      –  0.699–0.754  0.053–0.055", "both  paper, calibrated      –  "
              "0.792–0.860  0.028–0.031"]
    prog.info(f"Pipeline done: {len(dates)} dates ({dates[0]} … {dates[-1]}), {fine_grid.width}×{fine_grid.height} "
              f"px; time per stage: " + ", ".join(f"{k} {v:.0f} s" for k, v in stages.times.items()))
    prog.info("Held-out stations (m³/m³):\n" + "\n".join(lines))
    prog.info(f"Report: {lay.report}")
    return {"output": out, "report": lay.report, "metrics": table, "run": run, "table": "\n".join(lines)}
