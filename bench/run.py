"""`make bench`: speed figures of SM Fusion, printed as lines `bench <name>: <figure> …`.

Later stages add their own sections. Figures depend on the machine; the ratios less so.
"""

import dataclasses
import datetime as dt
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "build" / "plugins"))

from smfusion.core.demo import DemoConfig, make_demo  # noqa: E402
from smfusion.core.raster import Grid, RasterReader, read_raster, tiles, write_raster  # noqa: E402
from smfusion.plugin import dependencies  # noqa: E402

dependencies.add_to_sys_path()


def timed(fn, repeat=1):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def bench_demo(tmp):
    cfg = DemoConfig(width=200, height=200, days=183)
    t = timed(lambda: make_demo(tmp / "demo", cfg))
    mpx_days = cfg.width * cfg.height * cfg.days / 1e6
    print(f"bench demo_region: {cfg.width}x{cfg.height} px x {cfg.days} days in {t:.1f} s "
          f"({mpx_days / t:.2f} Mpx-days/s, all products, truth and {cfg.stations} stations)")


def bench_raster(tmp):
    grid = Grid.from_bounds("EPSG:5179", 0, 0, 1_000_000, 700_000, 1000)        # 1000 x 700 px
    a = np.random.default_rng(0).random(grid.shape).astype("float32")
    n = 20
    t_write = timed(lambda: [write_raster(tmp / f"x_{20210101 + k}.tif", a, grid) for k in range(n)])
    print(f"bench series_write: {n / t_write:.1f} files/s of 1000x700 float32 (DEFLATE level 1, predictor 3, atomic)")
    path = tmp / "x_20210101.tif"
    t_whole = timed(lambda: read_raster(path), repeat=3)

    def tiled():
        with RasterReader(path) as r:
            for t in tiles(r.grid, 256, 12):
                r.read_tile(t)

    t_tiled = timed(tiled, repeat=3)
    mpx = grid.width * grid.height / 1e6
    print(f"bench raster_read: whole {mpx / t_whole:.0f} Mpx/s; 256-px tiles with a 12-px halo "
          f"{mpx / t_tiled:.0f} Mpx/s (ratio tiled/whole {t_tiled / t_whole:.2f}x time)")


REAL = ROOT.parent / "shared" / "data" / "real"


REPEAT_YANCO = 9      # runs of a fraction of a second vary by ±40 % on a shared VM: the best of 9 is the floor


R_METHODS = {"estarfm": "baseline", "ubestarfm": "zero bias"}    # the R reference's names of the methods


def _r_reference_code():
    """The R reference's ubESTARFM.R named by SMFUSION_R_REFERENCE, or None (saying why when it is named)."""
    path = os.environ.get("SMFUSION_R_REFERENCE")
    if not path:
        return None
    missing = [what for what, ok in ((f"{path} (SMFUSION_R_REFERENCE)", Path(path).is_file()),
                                     ("Rscript", shutil.which("Rscript"))) if not ok]
    if missing:
        print(f"bench estarfm_yanco: the R reference is skipped ({', '.join(missing)} not found)")
        return None
    return Path(path)


def _r_reference(code, data, method, tmp):
    """Seconds of the R reference's ubESTARFM() on the Yanco case with as many workers as cores."""
    out = subprocess.run(["Rscript", str(ROOT / "bench" / "r_reference.R"), str(code), str(data), R_METHODS[method],
                          str(os.cpu_count()), str(tmp / "r_yanco.tif")], capture_output=True, text=True)
    lines = [line for line in out.stdout.splitlines() if line.startswith("elapsed")]
    if out.returncode or not lines:
        raise RuntimeError(f"the R reference failed ({out.returncode}): {out.stderr.strip()[-2000:]}")
    return float(lines[-1].split()[1])


def bench_estarfm_yanco(tmp):
    from smfusion.core import estarfm as E  # noqa: N812 - the module's short name
    from smfusion.core.estarfm_options import METHODS, Options
    from smfusion.core.fusion import fuse_date

    d = REAL / "estarfm_yanco"
    if not d.is_dir():
        print(f"bench estarfm_yanco: skipped ({d} is absent)")
        return
    names = ["Landsat_LST_cloudrm_20160205.tif", "MOD11A1_LST_cloudrm_20160205.tif",
             "Landsat_LST_cloudrm_20160308.tif", "MOD11A1_LST_cloudrm_20160308.tif",
             "MOD11A1_LST_cloudrm_20160218.tif"]
    arrays = [read_raster(d / n)[0] for n in names]
    mpx = arrays[0].size / 1e6
    reference = _r_reference_code()
    for method in METHODS:
        opts = Options(window=51, classes=2, sigma_block=200, conversion="one", method=method,
                       valid_min=250, valid_max=350)
        E.estarfm(*arrays, opts)                                        # compile / load the cache
        t_mem = timed(lambda o=opts: E.estarfm(*arrays, o), repeat=REPEAT_YANCO)

        def file_to_file(o=opts):
            return timed(lambda: fuse_date(*[d / n for n in names], tmp / "yanco.tif", o), repeat=REPEAT_YANCO)

        t_file = file_to_file()
        target = {"estarfm": 0.2, "ubestarfm": 0.3}[method]
        print(f"bench estarfm_yanco[{method}]: 400x400 px, w=25, one date in {t_mem:.2f} s in memory "
              f"({mpx / t_mem:.2f} Mpx/s), {t_file:.2f} s file to file; target <= {target} s; "
              f"ratio to the R reference (38.5 s): {38.5 / t_file:.0f}x (best of {REPEAT_YANCO})")
        if reference:
            t_r = _r_reference(reference, d, method, tmp)
            t_after = file_to_file()
            print(f"bench estarfm_yanco[{method}]: the R reference on this machine, {os.cpu_count()} workers: "
                  f"{t_r:.1f} s; SM Fusion file to file before and after it: {t_file:.2f} and {t_after:.2f} s; "
                  f"ratio {t_r / max(t_file, t_after):.0f}x to {t_r / min(t_file, t_after):.0f}x (target >= 190x)")


def bench_estarfm_series(tmp):
    """365 daily coarse images (5x coarser grid, EPSG:4326-free) and a fine image every 16 days."""
    from smfusion.core.estarfm_options import Options
    from smfusion.core.fusion import fuse_series

    fine_grid = Grid.from_bounds("EPSG:5179", 900_000, 1_300_000, 1_900_000, 2_000_000, 1000)   # 1000 x 700
    coarse_grid = Grid.from_bounds("EPSG:5179", 900_000, 1_300_000, 1_900_000, 2_000_000, 5000)
    rng = np.random.default_rng(1)
    yy, xx = np.mgrid[0:700, 0:1000]
    pattern = (0.3 * np.sin(xx / 37.0) * np.cos(yy / 23.0) + 0.2 * rng.random((700, 1000))).astype("float32")
    start = dt.date(2021, 1, 1)
    for k in range(365):
        date = start + dt.timedelta(days=k)
        season = 0.2 + 0.3 * np.sin(2 * np.pi * (k - 80) / 365)
        fine = 0.3 + season + 0.5 * pattern * (1 + 0.3 * np.sin(k / 30))
        if k % 16 == 0:
            write_raster(tmp / "fine" / f"ndvi_{date:%Y%m%d}.tif", fine, fine_grid)
        coarse = fine.reshape(140, 5, 200, 5).mean(axis=(1, 3)) + 0.02
        write_raster(tmp / "coarse" / f"ndvi_{date:%Y%m%d}.tif", coarse, coarse_grid)
    opts = Options(window=25, classes=4)
    t = timed(lambda: fuse_series(tmp / "fine", tmp / "coarse", tmp / "fused", opts))
    print(f"bench estarfm_series: 365 days of 1000x700 px, w=12, a pair every 16 days: {t:.0f} s "
          f"({365 * 0.7 / t:.1f} Mpx-days/s); target <= 600 s")


def bench_downscale(tmp):
    """A 1000x700-px day with 8 predictors (5 static, 3 daily) and a year of 0.25-degree-like coarse cells."""
    from smfusion.core import downscale as D  # noqa: N812
    from smfusion.core import memory
    from smfusion.core.aggregate import Aggregator
    from smfusion.core.forest import Forest
    from smfusion.core.lgbm import save_model, train
    from smfusion.core.predictors import Predictors

    fine = Grid.from_bounds("EPSG:5179", 900_000, 1_300_000, 1_900_000, 2_000_000, 1000)      # 1000 x 700
    coarse = Grid.from_bounds("EPSG:5179", 900_000, 1_300_000, 1_900_000, 2_000_000, 25_000)  # 40 x 28 cells
    rng = np.random.default_rng(2)
    yy, xx = np.mgrid[0:700, 0:1000]
    pred = tmp / "ds_pred"
    for k, name in enumerate(("dem", "slope", "clay", "sand", "porosity")):
        field = np.sin(xx / (40 + 9 * k)) * np.cos(yy / (31 + 7 * k)) + 0.1 * rng.random((700, 1000))
        write_raster(pred / "static" / f"{name}.tif", (0.45 + 0.05 * field) if name == "porosity" else field, fine)
    start = dt.date(2021, 1, 1)
    agg_truth = Aggregator(fine, coarse)
    for k in range(365):
        date = start + dt.timedelta(days=k)
        sm = 0.25 + 0.1 * np.sin(2 * np.pi * k / 365) + 0.05 * np.sin(xx / 50.0 + k / 20) * np.cos(yy / 45.0)
        for j, var in enumerate(("ndvi", "lst_day", "albedo")):
            if k < 10:
                write_raster(pred / var / f"{var}_{date:%Y%m%d}.tif", sm * (j + 1) + 0.01 * rng.random((700, 1000)),
                             fine)
        write_raster(tmp / "ds_coarse" / f"ssm_{date:%Y%m%d}.tif",
                     agg_truth.mean(sm)[0].reshape(coarse.shape).astype("float32"), coarse)
    # training: a pooled model on a year of coarse samples (features aggregated from the two-day predictors)
    preds = Predictors(pred)
    cache = {}
    x0, _ = D._aggregated(cache, preds, agg_truth, start, True)
    x = np.concatenate([x0 + 0.01 * rng.standard_normal(x0.shape).astype("float32") for _ in range(365)])
    y = np.concatenate([np.nan_to_num(x0[:, 5]) * 0.9 + 0.01 * rng.standard_normal(len(x0))
                        for _ in range(365)])
    cells = np.tile(np.arange(len(x0)), 365)
    s = D.Settings()
    names = preds.names + ["doy_sin", "doy_cos"]
    t_train = timed(lambda: train(x, y, cells, coarse.width, s, names))
    booster, cv = train(x, y, cells, coarse.width, s, names)
    save_model(tmp / "ds_model.txt", booster, {"predictors": names, "layer": "ssm"})

    def run(days, memory=0.0):
        D.downscale(tmp / "ds_coarse", pred, tmp / f"ds_out{days}_{memory:g}", "ssm",
                    dataclasses.replace(s, memory=memory), start=start, end=start + dt.timedelta(days=days - 1),
                    model_in=tmp / "ds_model.txt")

    run(1)                                           # compile / load the kernels: not part of the set-up
    t5, t10 = timed(lambda: run(5)), timed(lambda: run(10))
    t_day = (t10 - t5) / 5                           # a day, without the one-time set-up (and no memory)
    usable = sorted(set(D.list_series(tmp / "ds_coarse").dates) & set(preds.dates()))
    n_warm = len(memory.warm_dates(usable, D.Settings().memory))
    t_mem = timed(lambda: run(5, D.Settings().memory)) - t5      # the memory's prior: its first τ days
    t_lgb = timed(lambda: D._fine_predict(booster, preds.stack(start), start, True, 0), repeat=2)
    forest = Forest.from_booster(booster)
    walker = _Walker(forest)
    D._fine_predict(forest, preds.stack(start), start, True, 0)                      # compile / load the kernels
    D._fine_predict(walker, preds.stack(start), start, True, 0)
    t_fast = timed(lambda: D._fine_predict(forest, preds.stack(start), start, True, 0), repeat=3)
    t_walk = timed(lambda: D._fine_predict(walker, preds.stack(start), start, True, 0), repeat=2)
    print(f"bench downscale_train: pooled model on {len(y)} coarse samples (a year of {len(x0)} cells, "
          f"{len(names)} features, 5-fold spatial CV + final fit, {cv['rounds']} rounds) in {t_train:.1f} s")
    print(f"bench downscale_predict: 1000x700 px, {forest.n_trees} trees of <= {s.num_leaves} leaves: compiled forest "
          f"{t_fast:.2f} s (leaf masks), {t_walk:.2f} s (row-blocked walk), LightGBM {t_lgb:.2f} s "
          f"({t_lgb / t_fast:.1f}x); all equal to LightGBM bit for bit")
    print(f"bench downscale_day: a day (read, predict, residual, write) {t_day:.2f} s per layer, {2 * t_day:.2f} s "
          f"for both layers (target <= 1 s); one-time set-up of a run (aggregation weights across the grids, "
          f"statics, flattening the trees) {t5 - 5 * t_day:.1f} s")
    print(f"bench downscale_memory: MEMORY={D.Settings().memory:g} days adds {t_mem:.1f} s to a run, once: the prior "
          f"predicts the series' first {n_warm} usable date(s) (kept for the run: each is predicted once)")


class _Walker:
    """The forest's row-blocked walk kernel, with predict's signature."""

    def __init__(self, forest):
        self.forest = forest

    def predict(self, x, num_threads=0):
        return self.forest.predict(x, num_threads, method="walk")


def bench_cnn(tmp):
    """Calibration CNN throughput (the shipped architecture: 11 planes, 7 conv layers, 24 channels)."""
    from smfusion.core import cnn

    model = cnn.build_model([f"p{i}" for i in range(11)], "ssm")
    session = cnn.Session(model, "auto")
    x = np.random.default_rng(0).random((11, 700, 1000)).astype("float32")
    session.run_tiled(x[:, :100, :100])
    t = timed(lambda: session.run_tiled(x), repeat=2)
    print(f"bench cnn: 1000x700 px, 11 planes, 512-px tiles with a 7-px halo: {0.7 / t:.2f} Mpx/s on "
          f"{session.provider} ({cnn.parameter_count(model)} parameters); target >= 1 Mpx/s on 2 CPU cores")


def bench_pipeline_korea(tmp):
    """The whole pipeline (ESTARFM for three drivers, both layers downscaled and calibrated, evaluation) on a
    1000x700-px demo region (the Korean Peninsula at 1 km) for KOREA_DAYS days, in process and on local:2."""
    import json

    from smfusion.core.pipeline import run_pipeline
    days = int(os.environ.get("KOREA_DAYS", "60"))
    demo = tmp / "korea"
    t_demo = timed(lambda: make_demo(demo, DemoConfig(width=1000, height=700, days=days, stations=60)))
    print(f"bench pipeline_korea: demo region 1000x700 px x {days} days written in {t_demo:.0f} s")
    pixel_days = 1000 * 700 * days
    fixed = ("calibratetrain",)                      # per run, not per day: the CNN's fine-tuning
    totals = {}
    for scheduler in ("", "local:2"):
        out = tmp / f"korea_run{scheduler.replace(':', '')}"
        t = timed(lambda s=scheduler, o=out: run_pipeline(
            demo / "fine", demo / "coarse", {"ssm": demo / "gleam" / "ssm", "rzsm": demo / "gleam" / "rzsm"},
            demo / "static", demo / "stations" / "stations.gpkg", o, scheduler=s))
        stages = json.loads((out / "run.json").read_text())["stages_s"]
        by_kind = {}
        for name, sec in stages.items():
            kind = name.split()[0]
            by_kind[kind] = by_kind.get(kind, 0.0) + sec
        once = sum(v for k, v in by_kind.items() if k in fixed)
        year = once + (t - once) * 365 / days
        totals[scheduler] = t
        print(f"bench pipeline_korea[{scheduler or 'in-process'}]: {days} days in {t:.0f} s "
              f"({1e9 * t / pixel_days:.0f} ns per pixel-day); projected Korean year {year / 60:.1f} min "
              f"(target <= 5 min); by stage: " + ", ".join(f"{k} {v:.0f} s" for k, v in by_kind.items()))
    print(f"bench pipeline_korea: local:2 / in-process time ratio {totals['local:2'] / totals['']:.2f} "
          f"(2 worker processes on {os.cpu_count()} cores)")


def _cpu_model():
    """The CPU's model name (figures move with it by 2x and more between machines)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "CPU unknown"


def main():
    import lightgbm
    import numba
    from osgeo import gdal
    system = platform.freedesktop_os_release().get("PRETTY_NAME", platform.system())
    print(f"bench machine: {dt.date.today()}, {system}, python {sys.version.split()[0]}, numpy {np.__version__}, "
          f"GDAL {gdal.__version__}, numba {numba.__version__}, lightgbm {lightgbm.__version__}; "
          f"{_cpu_model()}, {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        bench_raster(tmp)
        bench_demo(tmp)
        bench_estarfm_yanco(tmp)
        bench_estarfm_series(tmp)
        bench_downscale(tmp)
        bench_cnn(tmp)
        bench_pipeline_korea(tmp)


if __name__ == "__main__":
    main()
