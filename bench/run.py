"""`make bench`: speed figures of SM Fusion, printed as lines `bench <name>: <figure> …`.

Later stages add their own sections. Figures depend on the machine; the ratios less so.
"""

import datetime as dt
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
    print(f"bench series_write: {n / t_write:.1f} files/s of 1000x700 float32 (DEFLATE, predictor 3, atomic)")
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


def main():
    print(f"bench machine: {dt.date.today()}, python {sys.version.split()[0]}, numpy {np.__version__}")
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        bench_raster(tmp)
        bench_demo(tmp)


if __name__ == "__main__":
    main()
