"""The demo region: deterministic, physically plausible, and its products relate to the truth as stated."""

import csv
import datetime as dt
import hashlib

import numpy as np
import pytest
from osgeo import ogr
from smfusion.core.demo import DemoConfig, _smooth, demo_grids, make_demo
from smfusion.core.errors import Cancelled, SMFusionError
from smfusion.core.raster import Grid, read_raster, transformer, warp
from smfusion.core.series import list_series

pytestmark = pytest.mark.slow            # demo regions or qgis_process: `make test-fast` leaves them out

CFG = DemoConfig(width=64, height=56, start=dt.date(2021, 6, 1), days=75, stations=30, seed=7)


def _stack(folder):
    s = list_series(folder)
    return np.stack([read_raster(p)[0] for p in s.paths]).astype("float64"), s


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    make_demo(out, CFG)
    truth = {v: _stack(out / "truth" / v)[0] for v in ("ssm", "rzsm", "ndvi", "lst_day", "albedo")}
    return out, truth


def _hashes(folder):
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    cfg = DemoConfig(width=30, height=24, days=6, stations=4, spinup_days=10, seed=3)
    make_demo(tmp_path / "a", cfg)
    make_demo(tmp_path / "b", cfg)
    a, b = _hashes(tmp_path / "a"), _hashes(tmp_path / "b")
    assert len(a) > 80 and a == b
    cfg.seed = 4
    make_demo(tmp_path / "c", cfg)
    c = _hashes(tmp_path / "c")
    assert c.keys() == a.keys()
    assert c["truth/ssm/ssm_20210401.tif"] != a["truth/ssm/ssm_20210401.tif"]


def test_layout_and_grids(demo):
    out, _ = demo
    for sub in ("fine/ndvi", "fine/lst_day", "fine/albedo", "coarse/ndvi", "gleam/ssm", "gleam/rzsm",
                "resampled/ssm", "truth/ssm", "truth/rzsm"):
        s = list_series(out / sub)
        assert len(s) == CFG.days and s.start == CFG.start
    fine = list_series(out / "truth" / "ssm").grid
    assert fine.authid == "EPSG:5179" and fine.shape == (56, 64) and fine.res == (1000.0, 1000.0)
    gleam = list_series(out / "gleam" / "ssm").grid
    assert gleam.authid == "EPSG:4326" and gleam.res == (0.25, 0.25)
    assert list_series(out / "coarse" / "ndvi").grid.res == (0.05, 0.05)
    for name in ("dem", "slope", "clay", "sand", "porosity", "landcover"):
        assert Grid.of(out / "static" / f"{name}.tif").same_as(fine)
    assert list_series(out / "resampled" / "rzsm").grid.same_as(fine)


def test_static_fields_are_plausible(demo):
    out, _ = demo
    dem = read_raster(out / "static" / "dem.tif")[0]
    slope = read_raster(out / "static" / "slope.tif")[0]
    clay = read_raster(out / "static" / "clay.tif")[0]
    sand = read_raster(out / "static" / "sand.tif")[0]
    lc = read_raster(out / "static" / "landcover.tif")[0]
    assert 0 < dem.min() and dem.max() < 2500 and dem.max() - dem.min() > 100
    assert 0 <= slope.min() and slope.max() < 45
    assert (clay + sand <= 0.95 + 1e-6).all() and 0.05 <= clay.min() and sand.max() <= 0.85
    assert set(np.unique(lc).tolist()) <= {1, 2, 3, 4}
    gy, gx = np.gradient(dem.astype("float64"), 1000.0)
    np.testing.assert_allclose(slope[1:-1, 1:-1], np.degrees(np.arctan(np.hypot(gx, gy)))[1:-1, 1:-1],
                               atol=1e-3)


def test_soil_moisture_within_physical_bounds(demo):
    out, truth = demo
    porosity = read_raster(out / "static" / "porosity.tif")[0]
    for layer in ("ssm", "rzsm"):
        sm = truth[layer]
        assert np.isfinite(sm).all()
        assert sm.min() > 0.005
        assert (sm <= porosity[None] + 1e-6).all()
    assert 0.05 < truth["ssm"].mean() < 0.35 and 0.05 < truth["rzsm"].mean() < 0.35


def test_root_zone_is_slower_than_the_surface(demo):
    _, truth = demo
    d_ssm = np.abs(np.diff(truth["ssm"], axis=0)).mean()
    d_rzsm = np.abs(np.diff(truth["rzsm"], axis=0)).mean()
    assert d_rzsm < 0.4 * d_ssm


def test_rain_wets_then_the_surface_dries(demo):
    _, truth = demo
    d = np.diff(truth["ssm"], axis=0)
    wetting, drying = d[d > 0.002], d[d < 0]
    assert drying.size > 1.5 * wetting.size                   # most days dry out …
    assert wetting.mean() > 1.5 * np.abs(drying).mean()      # … and rain wets in jumps
    jump = d[:-1] > 0.03
    assert (d[1:][jump] < 0).mean() > 0.6                     # the day after a wetting jump dries
    regional = truth["ssm"].mean(axis=(1, 2))
    assert regional.max() - regional.min() > 0.03            # storms and dry spells show in the mean


def test_wetter_valleys_and_clay(demo):
    out, truth = demo
    dem = read_raster(out / "static" / "dem.tif")[0].astype("float64")
    clay = read_raster(out / "static" / "clay.tif")[0]
    rel = dem - _smooth(dem, 4.0)
    mean_rz = truth["rzsm"].mean(axis=0)
    assert mean_rz[rel < np.percentile(rel, 20)].mean() > mean_rz[rel > np.percentile(rel, 80)].mean() + 0.01
    assert np.corrcoef(mean_rz.ravel(), clay.ravel())[0, 1] > 0.5


def test_drivers_respond_to_soil_moisture(demo):
    out, truth = demo
    lc = read_raster(out / "static" / "landcover.tif")[0]
    open_land = (lc == 2) | (lc == 3)
    assert truth["ndvi"].min() > 0.0 and truth["ndvi"].max() < 0.95
    assert 260 < truth["lst_day"].min() and truth["lst_day"].max() < 335
    assert 0.08 < truth["albedo"].min() and truth["albedo"].max() < 0.4
    # on each day, at equal elevation (mountains are both wetter and cooler), wetter surfaces are cooler
    # and darker
    dem = read_raster(out / "static" / "dem.tif")[0].astype("float64")

    def partial(a, b, mask):
        design = np.column_stack([np.ones(mask.sum()), dem[mask]])
        ra = a[mask] - design @ np.linalg.lstsq(design, a[mask], rcond=None)[0]
        rb = b[mask] - design @ np.linalg.lstsq(design, b[mask], rcond=None)[0]
        return np.corrcoef(ra, rb)[0, 1]

    everywhere = np.ones(lc.shape, bool)
    r_lst = [partial(truth["ssm"][k], truth["lst_day"][k], everywhere) for k in range(CFG.days)]
    r_alb = [partial(truth["ssm"][k], truth["albedo"][k], open_land) for k in range(CFG.days)]
    assert np.median(r_lst) < -0.3 and np.mean(np.array(r_lst) < 0) > 0.9
    assert np.median(r_alb) < -0.3
    # the season: crops green up from June to August
    crop = lc == 2
    assert truth["ndvi"][-14:][:, crop].mean() > truth["ndvi"][:14][:, crop].mean() + 0.1


def test_ndvi_drops_when_the_root_zone_dries():
    """Controlled experiment on the water balance: the same land and weather, only root-zone water differs."""
    from smfusion.core.demo import _make_land, _WaterBalance

    land = _make_land((40, 40), 3)
    wet, dry = _WaterBalance(land), _WaterBalance(land)
    dry.rzsm = land.theta_wp.copy()
    wet.rzsm = land.theta_fc.copy()
    zero = np.zeros((40, 40))
    for k in range(20):
        date = dt.date(2021, 7, 1) + dt.timedelta(days=k)
        wet.rzsm = np.maximum(wet.rzsm, land.theta_fc)          # kept watered
        ndvi_wet = wet.step(date, zero, zero + 298.0, zero + 5.0, zero)[0].copy()
        ndvi_dry = dry.step(date, zero, zero + 298.0, zero + 5.0, zero)[0].copy()
    vegetated = land.landcover != 4
    assert (ndvi_wet - ndvi_dry)[vegetated].mean() > 0.05


def test_modis_like_observations(demo):
    out, truth = demo
    for var, sd in CFG.modis_noise.items():
        obs, _ = _stack(out / "fine" / var)
        gaps = np.isnan(obs)
        assert 0.3 < gaps.mean() < 0.7                           # cloud gaps near CLOUD_COVER = 0.5
        assert (gaps.mean(axis=(1, 2)) < 0.3).sum() >= 5         # clear days exist for fusion pairs
        err = (obs - truth[var])[~gaps]
        assert abs(err.mean()) < 0.1 * sd and err.std() == pytest.approx(sd, rel=0.05)


def _interior_cells(coarse, fine, margin=1500.0):
    """Mask of coarse cells lying wholly inside the fine grid."""
    ct = transformer("EPSG:4326", "EPSG:5179")
    x0, y0, x1, y1 = fine.bounds
    inside = np.zeros(coarse.shape, bool)
    lon0, res, _, lat0, _, _ = coarse.transform
    for r in range(coarse.height):
        for c in range(coarse.width):
            corners = [(lon0 + (c + i) * res, lat0 - (r + j) * res) for i in (0, 1) for j in (0, 1)]
            pts = ct.TransformPoints(corners)
            inside[r, c] = all(x0 + margin < x < x1 - margin and y0 + margin < y < y1 - margin
                               for x, y, _ in pts)
    return inside


def test_gleam_is_the_biased_aggregated_truth():
    cfg = DemoConfig(width=120, height=110, days=20, stations=5, seed=11)
    out = pytest.importorskip("pathlib").Path(__import__("tempfile").mkdtemp())
    make_demo(out, cfg)
    grids = demo_grids(cfg)
    inside = _interior_cells(grids.gleam, grids.fine)
    assert inside.sum() >= 4
    for layer in ("ssm", "rzsm"):
        truth, _ = _stack(out / "truth" / layer)
        gleam, _ = _stack(out / "gleam" / layer)
        agg = np.stack([warp(t, grids.fine, grids.gleam, "average") for t in truth])
        resid = gleam[:, inside] - (cfg.gleam_gain[layer] * agg[:, inside] + cfg.gleam_offset[layer])
        assert abs(resid.mean()) < 0.003
        assert resid.std() == pytest.approx(cfg.gleam_noise, rel=0.5)
        slope, intercept = np.polyfit(agg[:, inside].ravel(), gleam[:, inside].ravel(), 1)
        assert slope == pytest.approx(cfg.gleam_gain[layer], abs=0.05)     # the bias is recoverable
        assert intercept == pytest.approx(cfg.gleam_offset[layer], abs=0.015)
    for var in ("ndvi", "lst_day"):
        truth, _ = _stack(out / "truth" / var)
        glass, _ = _stack(out / "coarse" / var)
        inside5 = _interior_cells(grids.glass, grids.fine)
        agg = np.stack([warp(t, grids.fine, grids.glass, "average") for t in truth])
        resid = glass[:, inside5] - (cfg.glass_gain[var] * agg[:, inside5] + cfg.glass_offset[var])
        assert resid.std() == pytest.approx(cfg.glass_noise[var], rel=0.3)


def _read_gpkg(path):
    ds = ogr.Open(str(path))
    lyr = ds.GetLayerByName("stations")
    stations = {f["station_id"]: (f.GetGeometryRef().GetX(), f.GetGeometryRef().GetY(), f.items()) for f in lyr}
    obs = {}
    for f in ds.GetLayerByName("observations"):
        obs.setdefault(f["station_id"], []).append((f["date"], f["ssm"], f["rzsm"]))
    srs = lyr.GetSpatialRef()
    return stations, obs, srs.GetAuthorityCode(None), [ds.GetLayer(i).GetName() for i in range(ds.GetLayerCount())]


def test_station_file_layout(demo):
    out, _ = demo
    stations, obs, epsg, layers = _read_gpkg(out / "stations" / "stations.gpkg")
    assert set(layers) == {"stations", "observations"} and epsg == "4326"
    assert len(stations) == CFG.stations and all(len(v) == CFG.days for v in obs.values())
    attrs = next(iter(stations.values()))[2]
    for key in ("network", "name", "elevation", "ssm_depths", "rzsm_depths", "landcover", "clay", "sand"):
        assert key in attrs
    with open(out / "stations" / "stations.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == CFG.stations * CFG.days and list(rows[0]) == ["station_id", "lon", "lat", "date",
                                                                     "ssm", "rzsm"]


def test_stations_read_the_truth_plus_bias_and_noise(demo):
    out, truth = demo
    stations, obs, _, _ = _read_gpkg(out / "stations" / "stations.gpkg")
    with open(out / "truth" / "stations_truth.csv", newline="") as fh:
        meta = {r["station_id"]: r for r in csv.DictReader(fh)}
    fine = list_series(out / "truth" / "ssm").grid
    ct = transformer("EPSG:4326", "EPSG:5179")
    pooled = {"ssm": [], "rzsm": []}
    for sid, (lon, lat, _) in stations.items():
        x, y, _ = ct.TransformPoint(lon, lat)
        r, c = (int(np.floor(v)) for v in fine.rowcol(x, y))
        assert (r, c) == (int(meta[sid]["row"]), int(meta[sid]["col"]))        # the point is in its pixel
        values = obs[sid]
        assert [v[0] for v in values][0] == "2021/06/01"
        for k, layer in enumerate(("ssm", "rzsm")):
            o = np.array([np.nan if v[k + 1] is None else v[k + 1] for v in values])
            diff = o - truth[layer][:, r, c]
            ok = np.isfinite(diff)
            assert ok.sum() >= 0.6 * CFG.days                  # 3 % gaps, and outages of 5-20 days
            bias = float(meta[sid][f"bias_{layer}"])
            assert abs(np.nanmean(diff) - bias) < 4 * CFG.station_noise * 2 / np.sqrt(ok.sum())
            pooled[layer].append(diff[ok] - bias)
    biases = [float(m["bias_ssm"]) for m in meta.values()]
    assert np.std(biases) == pytest.approx(CFG.station_bias, rel=0.4)
    for layer in pooled:
        assert np.concatenate(pooled[layer]).std() == pytest.approx(CFG.station_noise, rel=0.15)


def test_noise_free_stations_equal_the_truth(tmp_path):
    cfg = DemoConfig(width=40, height=40, days=12, stations=8, station_noise=0.0, station_bias=0.0, seed=5)
    make_demo(tmp_path, cfg)
    truth = {layer: _stack(tmp_path / "truth" / layer)[0] for layer in ("ssm", "rzsm")}
    with open(tmp_path / "truth" / "stations_truth.csv", newline="") as fh:
        meta = {r["station_id"]: (int(r["row"]), int(r["col"])) for r in csv.DictReader(fh)}
    with open(tmp_path / "stations" / "stations.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    dates = [cfg.start + dt.timedelta(days=k) for k in range(cfg.days)]
    checked = 0
    for row in rows:
        r, c = meta[row["station_id"]]
        k = dates.index(dt.date.fromisoformat(row["date"]))
        for layer in ("ssm", "rzsm"):
            if row[layer]:
                assert float(row[layer]) == pytest.approx(truth[layer][k, r, c], abs=6e-5)   # 4 decimals
                checked += 1
    assert checked > 0.8 * 2 * cfg.stations * cfg.days


def test_bad_config_and_cancel(tmp_path):
    with pytest.raises(SMFusionError, match="too small"):
        make_demo(tmp_path, DemoConfig(width=10, height=10))
    with pytest.raises(SMFusionError, match="stations do not fit"):
        make_demo(tmp_path, DemoConfig(width=20, height=20, stations=100))
    calls = []
    with pytest.raises(Cancelled):
        make_demo(tmp_path / "c", DemoConfig(width=30, height=30, days=20, stations=3),
                  progress=lambda f, m: calls.append(f), is_cancelled=lambda: len(calls) > 5)
    assert list((tmp_path / "c").iterdir()) == []             # nothing half-written is left
