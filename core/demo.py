"""The synthetic demo region: realistic inputs of every SM Fusion tool, with known truth.

A 1-km grid in Korea 2000 / Unified CS (EPSG:5179) over central Korea. The simulation runs on a larger
1-km grid that covers every 0.25° cell overlapping the fine grid, so the coarse products are full-cell
means. For each day it evolves a two-layer water balance and writes:

- ``truth/<var>/``: true SSM, RZSM (m³/m³), NDVI, daytime LST (K) and albedo on the fine grid;
- ``fine/<var>/``: MODIS-like observations of NDVI, LST and albedo (noise, cloud gaps = NaN);
- ``coarse/<var>/``: GLASS-like 0.05° (EPSG:4326), gap-free, area means of the truth with a bias;
- ``gleam/ssm/``, ``gleam/rzsm/``: GLEAM-like 0.25° (EPSG:4326) soil moisture with gain/offset bias
  and AR(1) noise;
- ``resampled/<var>/``: the coarse products bilinearly warped onto the fine grid (the naive baseline);
- ``static/``: dem (m), slope (°), clay and sand (fraction), porosity (m³/m³), landcover (class 1–4);
- ``stations/stations.gpkg`` (DESIGN.md layout) and ``stations/stations.csv``: daily layer means at
  point stations = truth + station bias + AR(1) point noise, with sensor depths;
- ``grids/``: fine, 0.05° and 0.25° grid templates; ``demo.json``: the parameters and true biases;
  ``truth/stations_truth.csv``: each station's pixel and true biases.

Everything is a deterministic function of :class:`DemoConfig`: the same config gives the same bytes.
"""

import csv
import datetime as dt
import json
import math
import shutil
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from . import __version__
from .errors import SMFusionError
from .progress import Progress
from .raster import Grid, atomic_path, transform_bounds, transformer, warp, write_raster
from .series import series_filename
from .stations import Station, write_stations
from .variables import LAYERS, canonical

FOREST, CROPLAND, GRASSLAND, URBAN = 1, 2, 3, 4
LANDCOVER_NAMES = {FOREST: "forest", CROPLAND: "cropland", GRASSLAND: "grassland", URBAN: "urban"}
DRIVERS = ("ndvi", "lst_day", "albedo")
DZ = {"ssm": 100.0, "rzsm": 900.0}          # layer thickness, mm (0-10 cm and 10-100 cm)
SENSOR_DEPTHS = {"ssm": "0.05", "rzsm": "0.20;0.50"}   # m, sensors that feed each station layer
# NDVI range of each class (bare/dormant, full canopy)
_NDVI_RANGE = {FOREST: (0.35, 0.88), CROPLAND: (0.18, 0.84), GRASSLAND: (0.22, 0.72), URBAN: (0.08, 0.28)}
_VEG_ALBEDO = {FOREST: 0.13, CROPLAND: 0.18, GRASSLAND: 0.19, URBAN: 0.16}


@dataclass
class DemoConfig:
    """Parameters of the demo region. Sizes in px of 1 km; SM in m³/m³; LST in K."""

    width: int = 200
    height: int = 200
    start: dt.date = dt.date(2021, 4, 1)
    days: int = 183
    seed: int = 42
    stations: int = 40
    station_noise: float = 0.01        # sd of the daily point-scale noise (AR(1), rho 0.5)
    station_bias: float = 0.02         # sd of the per-station, per-layer bias
    spinup_days: int = 90
    west: float = 900000.0             # fine grid's west edge, EPSG:5179 m
    north: float = 1950000.0           # fine grid's north edge, EPSG:5179 m
    cloud_cover: float = 0.5           # mean daily cloud fraction of the MODIS-like series
    gleam_gain: dict = field(default_factory=lambda: {"ssm": 0.8, "rzsm": 0.85})
    gleam_offset: dict = field(default_factory=lambda: {"ssm": 0.06, "rzsm": 0.04})
    gleam_noise: float = 0.005         # sd of the AR(1) (rho 0.7) error of the GLEAM-like series
    glass_gain: dict = field(default_factory=lambda: {"ndvi": 0.95, "lst_day": 1.0, "albedo": 1.0})
    glass_offset: dict = field(default_factory=lambda: {"ndvi": 0.02, "lst_day": -1.5, "albedo": 0.01})
    glass_noise: dict = field(default_factory=lambda: {"ndvi": 0.01, "lst_day": 0.5, "albedo": 0.003})
    modis_noise: dict = field(default_factory=lambda: {"ndvi": 0.02, "lst_day": 1.0, "albedo": 0.01})
    write_truth: bool = True
    write_resampled: bool = True
    drivers: tuple = DRIVERS           # the driver series written, each under the name given (``LST`` → LST_*)

    CRS = "EPSG:5179"
    PIXEL = 1000.0
    GLASS_RES = 0.05
    GLEAM_RES = 0.25

    def validate(self):
        if self.width < 20 or self.height < 20:
            raise SMFusionError(f"Demo region: {self.width}×{self.height} px is too small (≥ 20×20)")
        if self.days < 1:
            raise SMFusionError("Demo region: DAYS must be ≥ 1")
        if self.stations < 0 or self.stations > self.width * self.height // 25:
            raise SMFusionError(f"Demo region: {self.stations} stations do not fit in "
                                f"{self.width}×{self.height} px (at most one per 25 px)")
        if self.station_noise < 0 or self.station_bias < 0:
            raise SMFusionError("Demo region: station noise and bias must be ≥ 0")
        if not 0 <= self.cloud_cover < 1:
            raise SMFusionError("Demo region: cloud cover must be in [0, 1)")
        known = [canonical(n) for n in self.drivers]
        unknown = [n for n, k in zip(self.drivers, known) if k not in DRIVERS]
        if unknown or len(set(known)) != len(known) or not self.drivers:
            raise SMFusionError(f"Demo region: DRIVERS must name one or more of {', '.join(DRIVERS)} (or their "
                                f"aliases, e.g. LST, NDVI), each once (got {', '.join(self.drivers) or 'none'})")

    @property
    def dates(self):
        return [self.start + dt.timedelta(days=k) for k in range(self.days)]

    def to_json(self):
        d = asdict(self)
        d["start"] = self.start.isoformat()
        return d


# ---------------------------------------------------------------------------------------------- fields

def _rng(seed, stream):
    """An independent, reproducible random stream per component (terrain, storms, clouds, …)."""
    return np.random.default_rng([int(seed), int(stream)])


def _fractal(shape, beta, rng):
    """Zero-mean, unit-sd random field with power spectrum ∝ k^-beta (spectral synthesis)."""
    ny, nx = shape
    ky = np.fft.fftfreq(ny)[:, None]
    kx = np.fft.rfftfreq(nx)[None, :]
    k = np.sqrt(kx * kx + ky * ky)
    k[0, 0] = 1.0
    amp = k ** (-beta / 2.0)
    amp[0, 0] = 0.0
    spec = np.fft.rfft2(rng.standard_normal(shape)) * amp
    field_ = np.fft.irfft2(spec, s=shape)
    return (field_ - field_.mean()) / field_.std()


def _smooth(a, sigma):
    """Gaussian blur of a 2-D array, ``sigma`` in px, reflecting edges (FFT)."""
    pad = int(math.ceil(3 * sigma))
    b = np.pad(a, pad, mode="reflect")
    ky = np.fft.fftfreq(b.shape[0])[:, None]
    kx = np.fft.rfftfreq(b.shape[1])[None, :]
    transfer = np.exp(-2.0 * (math.pi * sigma) ** 2 * (kx * kx + ky * ky))
    out = np.fft.irfft2(np.fft.rfft2(b) * transfer, s=b.shape)
    return out[pad:-pad, pad:-pad]


@dataclass
class _Land:
    """Static fields of the simulation grid (all (rows, cols) float64 unless said)."""

    dem: np.ndarray
    slope: np.ndarray
    wet: np.ndarray          # wetness index: + valleys/convergent, - ridges (about -2.5..2.5)
    clay: np.ndarray
    sand: np.ndarray
    landcover: np.ndarray    # uint8 classes
    theta_s: np.ndarray
    theta_fc: np.ndarray
    theta_wp: np.ndarray
    dem_regional: np.ndarray


def _make_land(shape, seed):
    rng = _rng(seed, 1)
    ny, nx = shape
    relief = _fractal(shape, 3.2, rng)
    ramp = np.linspace(-1.0, 1.2, nx)[None, :] + 0.2 * np.linspace(-1, 1, ny)[:, None]  # east is higher
    z = relief + 0.9 * ramp
    z = (z - z.min()) / (z.max() - z.min())
    ridges = np.abs(_fractal(shape, 2.2, _rng(seed, 11)))
    dem = 5.0 + 1100.0 * z ** 1.7 + 400.0 * ridges * z ** 1.2   # flat lowlands, rugged mountains
    gy, gx = np.gradient(dem, DemoConfig.PIXEL)
    slope = np.degrees(np.arctan(np.hypot(gx, gy)))
    rel = dem - _smooth(dem, 4.0)                      # valleys < 0 < ridges
    wet = np.clip(-rel / rel.std() - 0.08 * (slope - slope.mean()), -2.5, 2.5)
    soil_rng = _rng(seed, 2)
    clay = np.clip(0.22 + 0.07 * _fractal(shape, 2.6, soil_rng) + 0.04 * wet
                   - 0.05 * (dem / 1000.0), 0.05, 0.55)
    sand = np.clip(0.62 - 0.9 * clay + 0.06 * _fractal(shape, 2.6, soil_rng), 0.10, 0.85)
    sand = np.minimum(sand, 0.95 - clay)
    lc_rng = _rng(seed, 3)
    patch = _fractal(shape, 2.2, lc_rng)
    town = _fractal(shape, 2.8, lc_rng)
    landcover = np.full(shape, GRASSLAND, dtype="uint8")
    landcover[(slope + 2.0 * patch > 3.5) | (dem > 450.0)] = FOREST
    landcover[(landcover != FOREST) & (wet + patch > 0.2) & (slope < 3.0)] = CROPLAND
    landcover[(town > 1.6) & (dem < 250.0) & (slope < 3.0)] = URBAN
    theta_wp = 0.03 + 0.44 * clay
    theta_fc = 0.08 + 0.45 * clay + 0.15 * (1.0 - sand)
    theta_s = 0.36 + 0.12 * clay + 0.08 * (1.0 - sand) + 0.03 * (landcover == FOREST)
    return _Land(dem, slope, wet, clay, sand, landcover, theta_s, theta_fc, theta_wp,
                 _smooth(dem, 10.0))


class _Weather:
    """Daily rain storms, air temperature and potential ET on the simulation grid."""

    def __init__(self, shape, land, seed):
        self.shape = shape
        self.land = land
        self.rng = _rng(seed, 4)
        ny, nx = shape
        self.yy, self.xx = np.mgrid[0:ny, 0:nx].astype("float64")
        self.orographic = 1.0 + 0.6 * land.dem_regional / 1000.0   # rain rises with elevation

    @staticmethod
    def monsoon(doy):
        return math.exp(-((doy - 200.0) / 32.0) ** 2)

    @staticmethod
    def season(doy):
        return math.sin(2.0 * math.pi * (doy - 105.0) / 365.0)

    def day(self, date):
        """(rain mm, air temperature K, PET mm/day, cloudiness 0..1) for ``date``."""
        doy = date.timetuple().tm_yday
        ny, nx = self.shape
        m = self.monsoon(doy)
        n = self.rng.poisson(0.5 + 1.6 * m)
        rain = np.zeros(self.shape)
        for _ in range(n):
            cy = self.rng.uniform(-0.2 * ny, 1.2 * ny)
            cx = self.rng.uniform(-0.2 * nx, 1.2 * nx)
            radius = self.rng.uniform(12.0, 55.0)
            peak = self.rng.exponential(14.0 * (1.0 + 1.5 * m))
            rain += peak * np.exp(-((self.yy - cy) ** 2 + (self.xx - cx) ** 2) / (2.0 * radius ** 2))
        rain *= self.orographic
        rain[rain < 0.2] = 0.0
        cloudiness = np.minimum(rain / 5.0, 1.0)
        s = self.season(doy)
        tair = 273.15 + 12.0 + 13.0 * s - 6.5 * self.land.dem / 1000.0 - 2.0 * cloudiness
        pet = np.maximum(0.4, 3.0 + 2.6 * s) * (1.0 - 0.1 * self.land.dem / 1000.0) * (1.0 - 0.6 * cloudiness)
        return rain, tair, pet, cloudiness


def _phenology(doy, landcover):
    broad = min(max(0.5 + 0.55 * math.sin(2.0 * math.pi * (doy - 110.0) / 365.0), 0.0), 1.0)
    crop = math.exp(-((doy - 215.0) / 42.0) ** 2)
    out = np.full(landcover.shape, broad)
    out[landcover == CROPLAND] = crop
    out[landcover == URBAN] = 0.5
    return out


class _WaterBalance:
    """Two-layer bucket model: layer 1 = 0-10 cm (SSM), layer 2 = 10-100 cm (RZSM); θ in m³/m³."""

    def __init__(self, land):
        self.land = land
        self.theta_r = 0.5 * land.theta_wp
        self.ssm = land.theta_fc * 0.9
        self.rzsm = land.theta_fc * 0.9
        lc = land.landcover
        self.nmin = np.choose(lc - 1, [_NDVI_RANGE[c][0] for c in (1, 2, 3, 4)])
        self.nmax = np.choose(lc - 1, [_NDVI_RANGE[c][1] for c in (1, 2, 3, 4)])
        self.veg_albedo = np.choose(lc - 1, [_VEG_ALBEDO[c] for c in (1, 2, 3, 4)])
        self.ndvi = None
        self.urban = lc == URBAN
        self.runoff_slope = 0.15 * np.minimum(land.slope / 15.0, 1.0) + 0.5 * self.urban
        self.k_deep = 0.08 * np.exp(-0.5 * land.wet)        # valleys drain slowly
        self.subsidy = 0.5 * np.maximum(land.wet, 0.0)       # mm/day of convergent inflow
        self.loss = 0.25 * np.maximum(-land.wet, 0.0)        # mm/day of divergent outflow on ridges

    def step(self, date, rain, tair, pet, cloudiness):
        """Advance one day; return (ndvi, lst K, albedo, evaporative fraction)."""
        lnd = self.land
        doy = date.timetuple().tm_yday
        stress = np.clip((self.rzsm - lnd.theta_wp) / (0.6 * (lnd.theta_fc - lnd.theta_wp)), 0.3, 1.0)
        target = self.nmin + (self.nmax - self.nmin) * _phenology(doy, lnd.landcover) * (0.6 + 0.4 * stress)
        self.ndvi = target.copy() if self.ndvi is None else self.ndvi + (target - self.ndvi) / 10.0
        fv = np.clip((self.ndvi - 0.1) / 0.75, 0.0, 1.0)

        w1 = self.ssm * DZ["ssm"]
        w2 = self.rzsm * DZ["rzsm"]
        intercept = np.minimum(rain, 1.5 * fv)
        p = rain - intercept
        rel1 = np.clip((self.ssm - self.theta_r) / (lnd.theta_s - self.theta_r), 0.0, 1.0)
        runoff = p * np.clip(0.05 + 0.3 * rel1 ** 2 + self.runoff_slope, 0.0, 0.9)
        w1 = w1 + p - runoff
        excess = np.maximum(w1 - lnd.theta_s * DZ["ssm"], 0.0)    # macropore bypass to layer 2
        w1 -= excess
        w2 += excess
        drain1 = 0.5 * np.maximum(w1 / DZ["ssm"] - lnd.theta_fc, 0.0) * DZ["ssm"]
        w1 -= drain1
        w2 += drain1
        drain2 = self.k_deep * np.maximum(w2 / DZ["rzsm"] - lnd.theta_fc, 0.0) * DZ["rzsm"]
        w2 += self.subsidy * (1.0 - w2 / (lnd.theta_s * DZ["rzsm"])) - self.loss * (w2 / (lnd.theta_s * DZ["rzsm"]))
        w2 -= drain2
        w2 = np.minimum(w2, lnd.theta_s * DZ["rzsm"])
        rise = 0.08 * np.maximum(w2 / DZ["rzsm"] - w1 / DZ["ssm"], 0.0) * DZ["ssm"]   # capillary rise
        w1 += rise
        w2 -= rise

        energy = np.maximum(pet - intercept, 0.0)
        beta1 = np.clip((w1 / DZ["ssm"] - self.theta_r) / (lnd.theta_fc - self.theta_r), 0.0, 1.0)
        avail = 0.7 * (lnd.theta_fc - lnd.theta_wp)
        root1 = np.clip((w1 / DZ["ssm"] - lnd.theta_wp) / avail, 0.0, 1.0)
        root2 = np.clip((w2 / DZ["rzsm"] - lnd.theta_wp) / avail, 0.0, 1.0)
        soil_evap = energy * (1.0 - fv) * beta1 * np.where(self.urban, 0.3, 1.0)
        tr1 = energy * fv * 0.25 * root1
        tr2 = energy * fv * 0.75 * root2
        w1 = np.maximum(w1 - soil_evap - tr1, self.theta_r * DZ["ssm"])
        w2 = np.maximum(w2 - tr2, self.theta_r * DZ["rzsm"])
        self.ssm = w1 / DZ["ssm"]
        self.rzsm = w2 / DZ["rzsm"]

        ef = np.clip((soil_evap + tr1 + tr2 + intercept) / np.maximum(pet, 0.1), 0.0, 1.0)
        wet_surface = np.clip(self.ssm / lnd.theta_s, 0.0, 1.0)      # evaporative cooling, thermal inertia
        lst = (tair + 9.0 + 14.0 * (1.0 - ef) * (1.0 - 0.5 * fv) - 10.0 * (1.0 - 0.6 * fv) * wet_surface
               - 4.0 * cloudiness + 2.0 * self.urban)
        soil_albedo = 0.32 - 0.16 * wet_surface - 0.05 * lnd.clay
        albedo = np.where(self.urban, 0.16, fv * self.veg_albedo + (1.0 - fv) * soil_albedo)
        return self.ndvi, lst, albedo, ef


# ---------------------------------------------------------------------------------------------- grids

@dataclass
class DemoGrids:
    """fine (EPSG:5179, 1 km), glass (EPSG:4326, 0.05°), gleam (0.25°), sim (1 km, covers gleam);
    the fine grid is ``sim[row0:row0+height, col0:col0+width]``."""

    fine: Grid
    glass: Grid
    gleam: Grid
    sim: Grid
    row0: int
    col0: int


def demo_grids(cfg):
    """The grids of a demo region (see :class:`DemoGrids`)."""
    px = DemoConfig.PIXEL
    fine = Grid.from_bounds(DemoConfig.CRS, cfg.west, cfg.north - cfg.height * px,
                            cfg.west + cfg.width * px, cfg.north, px)
    lon0, lat0, lon1, lat1 = transform_bounds(fine.bounds, DemoConfig.CRS, "EPSG:4326")
    gleam = Grid.from_bounds("EPSG:4326", lon0, lat0, lon1, lat1, DemoConfig.GLEAM_RES)
    glass = Grid.from_bounds("EPSG:4326", *gleam.bounds, DemoConfig.GLASS_RES)
    x0, y0, x1, y1 = transform_bounds(gleam.bounds, "EPSG:4326", DemoConfig.CRS)
    margin = 2 * px
    col0 = int(math.ceil((cfg.west - (x0 - margin)) / px))
    row0 = int(math.ceil(((y1 + margin) - cfg.north) / px))
    width = col0 + int(math.ceil(((x1 + margin) - cfg.west) / px))
    height = row0 + int(math.ceil((cfg.north - (y0 - margin)) / px))
    sim = Grid(fine.crs, (cfg.west - col0 * px, px, 0.0, cfg.north + row0 * px, 0.0, -px), width, height)
    return DemoGrids(fine, glass, gleam, sim, row0, col0)


# ---------------------------------------------------------------------------------------------- stations

def _place_stations(cfg, land_fine, rng):
    """(rows, cols) of station pixels: not urban, ≥ 3 px from the edge, ≥ 6 km apart."""
    ny, nx = land_fine.shape
    rows, cols = [], []
    tries = 0
    while len(rows) < cfg.stations and tries < 200000:
        tries += 1
        r, c = int(rng.integers(3, ny - 3)), int(rng.integers(3, nx - 3))
        if land_fine[r, c] == URBAN:
            continue
        if any((r - r2) ** 2 + (c - c2) ** 2 < 36 for r2, c2 in zip(rows, cols)):
            continue
        rows.append(r)
        cols.append(c)
    if len(rows) < cfg.stations:
        raise SMFusionError(f"Demo region: could place only {len(rows)} of {cfg.stations} stations")
    return np.array(rows), np.array(cols)


def _write_csv(path, header, rows):
    with atomic_path(path) as tmp:
        with open(tmp, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(header)
            w.writerows(rows)


def _fmt(v, nd=4):
    return "" if not np.isfinite(v) else f"{v:.{nd}f}"


# ---------------------------------------------------------------------------------------------- main

def make_demo(output, cfg=None, progress=None, is_cancelled=None):
    """Write the demo region described by ``cfg`` (a :class:`DemoConfig`) into the folder ``output``.

    The run writes into a hidden temporary folder inside ``output`` and moves each sub-folder into place
    at the end, so a cancelled or failed run leaves ``output`` as it was. Returns a dict of the paths of
    the main outputs (``folder``, ``stations``, ``dem``, ``demo_json``).
    """
    cfg = cfg or DemoConfig()
    cfg.validate()
    prog = Progress.of(progress, is_cancelled)
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    work = output / f".demo-part-{uuid.uuid4().hex[:8]}"
    work.mkdir()
    try:
        _generate(work, cfg, prog)
        prog.check()
        for entry in sorted(work.iterdir()):
            dest = output / entry.name
            if dest.is_dir():
                shutil.rmtree(dest)
            elif dest.exists():
                dest.unlink()
            entry.rename(dest)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"folder": str(output), "stations": str(output / "stations" / "stations.gpkg"),
            "dem": str(output / "static" / "dem.tif"), "demo_json": str(output / "demo.json")}


def _generate(out, cfg, prog):
    grids = demo_grids(cfg)
    fine, sim = grids.fine, grids.sim
    win = (slice(grids.row0, grids.row0 + cfg.height), slice(grids.col0, grids.col0 + cfg.width))
    prog.info(f"Demo region: fine grid {fine.describe()}; simulating on {sim.width}×{sim.height} px "
              f"to cover {grids.gleam.width}×{grids.gleam.height} GLEAM cells; {cfg.days} days from "
              f"{cfg.start:%Y-%m-%d} after {cfg.spinup_days} spin-up days.")
    land = _make_land(sim.shape, cfg.seed)
    write_raster(out / "grids" / "fine_1km.tif", np.zeros(fine.shape, "float32"), fine)
    write_raster(out / "grids" / "glass_0p05deg.tif", np.zeros(grids.glass.shape, "float32"), grids.glass)
    write_raster(out / "grids" / "gleam_0p25deg.tif", np.zeros(grids.gleam.shape, "float32"), grids.gleam)
    static = {"dem": land.dem, "slope": land.slope, "clay": land.clay, "sand": land.sand,
              "porosity": land.theta_s}
    for name, arr in static.items():
        write_raster(out / "static" / f"{name}.tif", arr[win], fine, description=name)
    write_raster(out / "static" / "landcover.tif", land.landcover[win], fine, dtype="uint8", nodata=0,
                 description="landcover", metadata={f"CLASS_{k}": v for k, v in LANDCOVER_NAMES.items()})

    st_rng = _rng(cfg.seed, 5)
    rows, cols = _place_stations(cfg, land.landcover[win], st_rng)
    n_st = len(rows)
    st_bias = {layer: st_rng.normal(0.0, cfg.station_bias, n_st) if cfg.station_bias > 0 else np.zeros(n_st)
               for layer in LAYERS}
    jitter = st_rng.uniform(-0.45, 0.45, (2, n_st))
    xs, ys = fine.xy(rows + jitter[0], cols + jitter[1])
    lon, lat = _to_lonlat(xs, ys)
    missing = st_rng.random((n_st, cfg.days)) < 0.03
    for i in range(n_st):                          # a sensor outage at a quarter of the stations
        if st_rng.random() < 0.25 and cfg.days > 30:
            s0 = int(st_rng.integers(0, cfg.days - 20))
            missing[i, s0:s0 + int(st_rng.integers(5, 20))] = True
    noise_rng = _rng(cfg.seed, 6)
    obs = {layer: np.full((n_st, cfg.days), np.nan) for layer in LAYERS}
    st_noise = {layer: np.zeros(n_st) for layer in LAYERS}

    weather = _Weather(sim.shape, land, cfg.seed)
    wb = _WaterBalance(land)
    cloud_rng = _rng(cfg.seed, 7)
    obs_rng = _rng(cfg.seed, 8)
    gleam_rng = _rng(cfg.seed, 9)
    gleam_err = {layer: np.zeros(grids.gleam.shape) for layer in LAYERS}
    for k in range(cfg.spinup_days):
        date = cfg.start - dt.timedelta(days=cfg.spinup_days - k)
        wb.step(date, *weather.day(date))
        prog.check()

    for k, date in enumerate(cfg.dates):
        prog.check()
        rain, tair, pet, cloudiness = weather.day(date)
        ndvi, lst, albedo, _ = wb.step(date, rain, tair, pet, cloudiness)
        truth = {"ssm": wb.ssm, "rzsm": wb.rzsm, "ndvi": ndvi, "lst_day": lst, "albedo": albedo}
        if cfg.write_truth:
            for var, arr in truth.items():
                write_raster(out / "truth" / var / series_filename(var, date), arr[win], fine)

        # MODIS-like: noise and clouds (rain-bearing areas are cloudy)
        frac = min(max(cloud_rng.beta(1.2, 1.2 * (1 - cfg.cloud_cover) / max(cfg.cloud_cover, 1e-3)),
                       0.0), 0.98)
        score = _fractal(fine.shape, 3.0, cloud_rng) + 1.5 * cloudiness[win]
        cloudy = score >= np.quantile(score, 1.0 - frac) if frac > 0 else np.zeros(fine.shape, bool)
        written = {canonical(n): n for n in cfg.drivers}      # the random draws of every driver, written or not
        for var in DRIVERS:
            noisy = truth[var][win] + obs_rng.normal(0.0, cfg.modis_noise[var], fine.shape)
            noisy[cloudy] = np.nan
            if var in written:
                write_raster(out / "fine" / written[var] / series_filename(written[var], date), noisy, fine)

        # GLASS-like 0.05°: area means of the truth, biased, gap-free
        for var in DRIVERS:
            agg = warp(truth[var], sim, grids.glass, "average").astype("float64")
            val = (cfg.glass_gain[var] * agg + cfg.glass_offset[var]
                   + obs_rng.normal(0.0, cfg.glass_noise[var], agg.shape))
            if var not in written:
                continue
            name = written[var]
            write_raster(out / "coarse" / name / series_filename(name, date), val, grids.glass)
            if cfg.write_resampled:
                write_raster(out / "resampled" / name / series_filename(name, date),
                             warp(val, grids.glass, fine, "bilinear"), fine)

        # GLEAM-like 0.25°: gain/offset bias + AR(1) error
        for layer in LAYERS:
            agg = warp(truth[layer], sim, grids.gleam, "average").astype("float64")
            gleam_err[layer] = 0.7 * gleam_err[layer] + gleam_rng.normal(
                0.0, cfg.gleam_noise * math.sqrt(1 - 0.49), agg.shape)
            val = np.clip(cfg.gleam_gain[layer] * agg + cfg.gleam_offset[layer] + gleam_err[layer], 0.01, 0.6)
            write_raster(out / "gleam" / layer / series_filename(layer, date), val, grids.gleam)
            if cfg.write_resampled:
                write_raster(out / "resampled" / layer / series_filename(layer, date),
                             warp(val, grids.gleam, fine, "bilinear"), fine)

        # stations: the truth of their pixel + bias + AR(1) point noise
        for layer in LAYERS:
            st_noise[layer] = 0.5 * st_noise[layer] + noise_rng.normal(
                0.0, cfg.station_noise * math.sqrt(0.75), n_st)
            val = truth[layer][win][rows, cols] + st_bias[layer] + st_noise[layer]
            val[missing[:, k]] = np.nan
            obs[layer][:, k] = val
        prog.update((k + 1) / (cfg.days + 1), None)

    dem_f, lc_f = land.dem[win], land.landcover[win]
    clay_f, sand_f = land.clay[win], land.sand[win]
    stations = []
    for i in range(n_st):
        r, c = rows[i], cols[i]
        stations.append({"station_id": f"DEMO_{i + 1:03d}", "network": "DEMO", "name": f"Demo station {i + 1}",
                         "lon": float(round(lon[i], 6)), "lat": float(round(lat[i], 6)),
                         "elevation": float(round(dem_f[r, c], 1)),
                         "ssm_depths": SENSOR_DEPTHS["ssm"], "rzsm_depths": SENSOR_DEPTHS["rzsm"],
                         "landcover": LANDCOVER_NAMES[int(lc_f[r, c])],
                         "clay": float(round(clay_f[r, c], 3)), "sand": float(round(sand_f[r, c], 3))})
    write_stations(out / "stations" / "stations.gpkg",
                   [Station(st["station_id"], st["network"], st["name"], st["lon"], st["lat"], st["elevation"],
                            attrs={k: st[k] for k in ("landcover", "clay", "sand")}, dates=list(cfg.dates),
                            ssm=obs["ssm"][i], rzsm=obs["rzsm"][i],
                            depths={"ssm": st["ssm_depths"], "rzsm": st["rzsm_depths"]})
                    for i, st in enumerate(stations)], reproducible=True)
    _write_csv(out / "stations" / "stations.csv", ["station_id", "lon", "lat", "date", "ssm", "rzsm"],
               [[st["station_id"], f"{st['lon']:.6f}", f"{st['lat']:.6f}", f"{date:%Y-%m-%d}",
                 _fmt(obs["ssm"][i, k]), _fmt(obs["rzsm"][i, k])]
                for i, st in enumerate(stations) for k, date in enumerate(cfg.dates)])
    _write_csv(out / "truth" / "stations_truth.csv",
               ["station_id", "row", "col", "bias_ssm", "bias_rzsm", "noise_sd"],
               [[st["station_id"], int(rows[i]), int(cols[i]), f"{st_bias['ssm'][i]:.6f}",
                 f"{st_bias['rzsm'][i]:.6f}", f"{cfg.station_noise:g}"] for i, st in enumerate(stations)])
    meta = {"generator": "smfusion.core.demo", "version": __version__, "config": cfg.to_json(),
            "grids": {"fine": fine.describe(), "glass": grids.glass.describe(),
                      "gleam": grids.gleam.describe()},
            "truth_relations": {
                "gleam": "gleam = clip(gain * area_mean(truth) + offset + AR1(0.7, gleam_noise), 0.01, 0.6)",
                "glass": "glass = gain * area_mean(truth) + offset + N(0, glass_noise)",
                "modis": "fine = truth + N(0, modis_noise), NaN under clouds",
                "stations": "obs = truth(pixel) + bias(station, layer) + AR1(0.5, station_noise)"},
            "units": {"ssm": "m3/m3", "rzsm": "m3/m3", "ndvi": "1", "lst_day": "K", "albedo": "1",
                      "dem": "m", "slope": "degree", "clay": "fraction", "sand": "fraction",
                      "porosity": "m3/m3"},
            "layout": {"truth": "truth/<var>/", "fine": "fine/<var>/ (MODIS-like)",
                       "coarse": "coarse/<var>/ (GLASS-like 0.05 deg)", "gleam": "gleam/ssm|rzsm/ (0.25 deg)",
                       "resampled": "resampled/<var>/ (coarse warped bilinear to the fine grid)",
                       "static": "static/", "stations": "stations/stations.gpkg"}}
    with atomic_path(out / "demo.json") as tmp:
        tmp.write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    prog.update(1.0, f"Demo region written: {cfg.days} days, {n_st} stations.")


def _to_lonlat(xs, ys):
    pts = np.array(transformer(DemoConfig.CRS, "EPSG:4326").TransformPoints(
        list(zip(np.ravel(xs).tolist(), np.ravel(ys).tolist()))))
    return pts[:, 0], pts[:, 1]


def predictor_folder(region, out=None, mode="fill"):
    """The downscaling predictor folder of a demo region: every ESTARFM-fused driver of ``fine/``
    (MODIS-like fused with GLASS-like, MODE ``fill``) and a link to ``static/``. Returns its path."""
    from .fusion import fuse_series
    region = Path(region).resolve()
    out = Path(out) if out else region / "predictors"
    out.mkdir(parents=True, exist_ok=True)
    for var in sorted(p.name for p in (region / "fine").iterdir() if p.is_dir()):
        if not (out / var).is_dir():
            fuse_series(region / "fine" / var, region / "coarse" / var, out / var, mode=mode)
    if not (out / "static").exists():
        (out / "static").symlink_to(region / "static", target_is_directory=True)
    return out
