"""The whole pipeline on a small demo region: every stage's outputs, the held-out metrics, the run record,
resuming, and the tool."""

import datetime as dt
import json
import re

import numpy as np
import pytest
from conftest import qgis_process
from smfusion.core.demo import DemoConfig, make_demo
from smfusion.core.errors import Cancelled
from smfusion.core.pipeline import run_pipeline
from smfusion.core.raster import Grid, read_raster
from smfusion.core.series import list_series

pytestmark = pytest.mark.slow            # demo regions or qgis_process: `make test-fast` leaves them out


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("pipeline")
    make_demo(root, DemoConfig(width=100, height=90, days=45, stations=30, seed=21))
    args = (root / "fine", root / "coarse", {"ssm": root / "gleam" / "ssm", "rzsm": root / "gleam" / "rzsm"},
            root / "static", root / "stations" / "stations.gpkg", root / "out")
    summary = run_pipeline(*args, netcdf=True)
    return root, args, summary


def test_every_stage_writes_its_outputs_and_calibration_wins(run):
    root, _, summary = run
    out = summary["output"]
    for var in ("ndvi", "lst_day", "albedo"):
        assert len(list_series(out / "fused" / var)) == 45
    for layer in ("ssm", "rzsm"):
        for stage in ("bilinear", "downscaled", "calibrated"):
            assert len(list_series(out / stage / layer)) == 45
        assert (out / "models" / f"cnn_{layer}.onnx").is_file() and (out / "models" / f"lgbm_{layer}.txt").is_file()
    metrics = {(m.layer, m.series): m for m in summary["metrics"]}
    print(summary["table"])
    for layer in ("ssm", "rzsm"):
        assert metrics[(layer, "calibrated")].rmse < metrics[(layer, "downscaled")].rmse
        assert metrics[(layer, "calibrated")].pcc > metrics[(layer, "downscaled")].pcc
    record = json.loads((out / "run.json").read_text())
    assert record["dates"] == ["2021-04-01", "2021-05-15", 45] and record["pixels"] == [100, 90]
    assert len(record["held_out"]) == 8 and record["versions"]["lightgbm"]
    assert set(record["stages_s"]) >= {"ESTARFM ndvi", "downscale ssm", "calibratetrain rzsm", "calibrate rzsm"}
    html = summary["report"].read_text()
    assert 'id="taylor"' in html and "calibrated" in html and 'id="intervals"' in html
    # each station's series follows the station at least as well as the coarse product does (the memory)
    median = {(m["layer"], m["series"]): m["median_pcc"] for m in record["metrics_held_out"]}
    print({k: round(v, 3) for k, v in median.items()})
    for layer in ("ssm", "rzsm"):
        for series in ("downscaled", "calibrated"):
            assert median[(layer, series)] >= median[(layer, "coarse bilinear")] - 0.005, (layer, series, median)
    assert "median PCC" in summary["table"].splitlines()[0]
    for layer in ("ssm", "rzsm"):
        assert len(list_series(out / "calibrated" / f"{layer}_p10")) == 45
        from osgeo import gdal  # NETCDF: the cube holds the GeoTIFFs
        cube = gdal.Open(f'NETCDF:"{out / "calibrated" / f"{layer}.nc"}":{layer}')
        band = cube.GetRasterBand(10).ReadAsArray()
        tif = read_raster(list_series(out / "calibrated" / layer).paths[9])[0]
        assert cube.RasterCount == 45 and np.array_equal(np.where(band == -9999, np.nan, band), tif, equal_nan=True)
        assert 0.5 < record["intervals_held_out"][layer]["coverage80"] <= 1.0


def test_a_run_cut_off_mid_stage_restarts_where_it_stopped(run):
    """Cancel the calibration of RZSM after 20 of 45 dates, then run again: the 20 files are kept (not
    rewritten), the other 25 are computed, and every file equals the uninterrupted run's."""
    _, args, summary = run
    folder = summary["output"] / "calibrated" / "rzsm"
    before = {p.name: read_raster(p)[0] for p in sorted(folder.glob("*.tif"))}
    for p in folder.iterdir():
        p.unlink()

    def cut_off():
        return len(list(folder.glob("*.tif"))) >= 20

    with pytest.raises(Cancelled):
        run_pipeline(*args, is_cancelled=cut_off)
    kept = {p.name: p.stat().st_mtime_ns for p in folder.glob("*.tif")}
    assert len(kept) == 20 and not (folder / ".done").exists()
    log = []
    again = run_pipeline(*args, netcdf=True, progress=lambda f, m=None: m and log.append(m))
    assert "Resuming: 20 of 45 date(s) already written, 25 to go" in log
    assert sum("up to date, skipped" in m for m in log) == 11           # every other stage, and the SSM cube
    assert again["run"]["stages_s"]["export rzsm"] > 0 and again["run"]["stages_s"]["export ssm"] == 0
    assert again["run"]["stages_s"]["calibrate rzsm"] > 0
    after = {p.name: read_raster(p)[0] for p in sorted(folder.glob("*.tif"))}
    assert sorted(after) == sorted(before)
    for name, a in after.items():
        np.testing.assert_array_equal(a, before[name])
        if name in kept:
            assert (folder / name).stat().st_mtime_ns == kept[name]       # not rewritten


def test_the_model_equals_the_pipeline(run, enabled):
    """smfusion:pipeline_model through qgis_process.bin: the same downscaled and calibrated files, byte for
    byte, and the same metrics table."""
    root, _, summary = run
    out = root / "model"
    res = qgis_process(
        enabled, "run", "smfusion:pipeline_model", "--", f"FINE={root / 'fine'}",
         f"COARSE={root / 'coarse'}", f"SSM={root / 'gleam' / 'ssm'}", f"RZSM={root / 'gleam' / 'rzsm'}",
         f"STATIC={root / 'static'}", f"GRID={root / 'static' / 'dem.tif'}",
         f"STATIONS={root / 'stations' / 'stations.gpkg'}", "HOLDOUT=0.25", "SEED=0",
         f"downscale_ssm:DOWNSCALED_SSM={out / 'downscaled_ssm'}",
         f"downscale_rzsm:DOWNSCALED_RZSM={out / 'downscaled_rzsm'}",
         f"calibrate_ssm:CALIBRATED_SSM={out / 'calibrated_ssm'}",
         f"calibrate_rzsm:CALIBRATED_RZSM={out / 'calibrated_rzsm'}",
         f"evaluate:METRICS_TABLE={out / 'metrics.csv'}", f"evaluate:REPORT={out / 'report.html'}",
        timeout=600)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    assert re.search(r"Executed 12 algorithm(s|\(s\)) ", res.stdout), res.stdout[-2000:]   # 3.22 | 3.40+
    pipe = summary["output"]
    for stage in ("downscaled", "calibrated"):
        for layer in ("ssm", "rzsm"):
            mine, theirs = list_series(out / f"{stage}_{layer}"), list_series(pipe / stage / layer)
            assert mine.dates == theirs.dates and len(mine) == 45
            for a, b in zip(mine.paths, theirs.paths):
                if a.read_bytes() == b.read_bytes():
                    continue
                # downscaled: byte for byte. Calibrated: the head refit's float64 sums can differ in the last
                # bits with the process's history (seen with numpy 2.4 on QGIS 3.44: 1 to 3 float32 steps)
                assert stage == "calibrated", a
                x, y = read_raster(a)[0], read_raster(b)[0]
                assert np.array_equal(np.isnan(x), np.isnan(y)), a
                np.testing.assert_array_max_ulp(x[~np.isnan(x)], y[~np.isnan(y)], maxulp=8)
    assert (out / "metrics.csv").read_text() == (pipe / "metrics.csv").read_text()


def test_raw_product_folders_are_harmonised_first(tmp_path):
    """SSM given as a GLEAM NetCDF cube (a wider 0.25° window): the pipeline takes it onto its 0.25° lattice
    over the region, where it equals the demo's GeoTIFF series. The coarse albedo given as NetCDF files (one
    per date, lat/lon): harmonised onto the fine grid, it equals the demo's bilinear ``resampled/albedo``.
    The run goes on to calibrated SSM."""
    import shutil

    from test_harmonise import _nc
    make_demo(tmp_path, DemoConfig(width=60, height=50, days=12, stations=12, seed=5))
    coarse = tmp_path / "coarse_raw"
    shutil.copytree(tmp_path / "coarse", coarse, ignore=shutil.ignore_patterns("albedo"))
    (coarse / "albedo").mkdir()
    albedo = list_series(tmp_path / "coarse" / "albedo")
    ga = albedo.grid
    alat = ga.transform[3] + ga.transform[5] * (np.arange(ga.height) + 0.5)             # north → south
    alon = ga.transform[0] + ga.transform[1] * (np.arange(ga.width) + 0.5)
    for d in albedo.dates:
        _nc(coarse / "albedo" / f"albedo_{d:%Y%m%d}.nc", {"albedo": albedo.read(d).astype("f4")}, alat, alon)
    series = list_series(tmp_path / "gleam" / "ssm")
    g = series.grid
    lat = np.arange(g.transform[3] + 0.375, g.transform[3] - 0.25 * g.height - 0.5, -0.25)[::-1]  # ascending
    lon = np.arange(g.transform[0] - 0.375, g.transform[0] + 0.25 * g.width + 0.5, 0.25)
    cube = np.full((len(series), len(lat), len(lon)), -999.0, "f4")
    r0 = int(round((lat[-1] - (g.transform[3] - 0.125)) / 0.25))       # north row of the demo grid
    c0 = int(round((g.transform[0] + 0.125 - lon[0]) / 0.25))
    for k, d in enumerate(series.dates):
        cube[k, len(lat) - 1 - r0 - np.arange(g.height)[:, None], c0 + np.arange(g.width)] = series.read(d)
    raw = tmp_path / "gleam_raw"
    raw.mkdir()
    days = [(d - dt.date(1970, 1, 1)).days for d in series.dates]
    _nc(raw / "SMs_2021_GLEAM_v3.8a.nc", {"SMs": cube}, lat, lon, dims=("time", "lat", "lon"),
        time=np.array(days, "f8"), attrs={"SMs": {"_FillValue": np.float32(-999.0)}})
    summary = run_pipeline(tmp_path / "fine", coarse, {"ssm": raw}, tmp_path / "static",
                           tmp_path / "stations" / "stations.gpkg", tmp_path / "out")
    assert summary["run"]["harmonised"] == ["coarse/albedo", "sm/ssm"]
    fused_in = list_series(tmp_path / "out" / "harmonised" / "coarse" / "albedo")
    reference = list_series(tmp_path / "resampled" / "albedo")
    assert fused_in.dates == reference.dates and not fused_in.grid.differences(reference.grid)
    for d in fused_in.dates[:3]:
        np.testing.assert_allclose(fused_in.read(d), reference.read(d), atol=1e-5)
    harmonised = list_series(tmp_path / "out" / "harmonised" / "sm" / "ssm")
    assert harmonised.dates == series.dates
    h = harmonised.grid
    assert h.res == pytest.approx((0.25, 0.25)) and Grid.of(series.paths[0]).authid == h.authid
    # the same cells hold the same values
    r, c = h.rowcol(g.transform[0] + 0.125, g.transform[3] - 0.125)
    a = harmonised.read(series.dates[3])
    np.testing.assert_array_equal(a[int(r):int(r) + g.height, int(c):int(c) + g.width], series.read(series.dates[3]))
    assert len(list_series(tmp_path / "out" / "calibrated" / "ssm")) == 12
    assert [m.layer for m in summary["metrics"]] == ["ssm"] * 3


def test_a_second_run_resumes(run):
    _, args, _ = run
    log = []
    again = run_pipeline(*args, netcdf=True, progress=lambda f, m=None: m and log.append(m))
    assert sum("up to date, skipped" in m for m in log) == 13
    assert all(v == 0.0 for v in again["run"]["stages_s"].values())


def test_the_tool(provider, run):
    import processing
    from qgis.core import QgsProcessingFeedback
    root, _, _ = run
    res = processing.run("smfusion:pipeline", {
        "FINE": str(root / "fine"), "COARSE": str(root / "coarse"), "SSM": str(root / "gleam" / "ssm"),
        "RZSM": str(root / "gleam" / "rzsm"), "STATIC": str(root / "static"),
        "STATIONS": str(root / "stations" / "stations.gpkg"), "OUTPUT": str(root / "out")},
        feedback=QgsProcessingFeedback())
    assert res["REPORT"].endswith("report.html") and "calibrated" in res["METRICS"]


def test_every_problem_is_listed_before_any_compute(run, tmp_path):
    """Inputs with several faults: the run lists them all at once and writes nothing; the notes say what a
    run does without porosity and without albedo."""
    import shutil

    from smfusion.core.pipeline import preflight
    root, args, _ = run
    assert preflight(*args[:5]) == ([], [])
    static = tmp_path / "static"
    shutil.copytree(root / "static", static)
    (static / "porosity.tif").unlink()
    fine = tmp_path / "fine"
    for var in ("ndvi", "lst_day"):
        shutil.copytree(root / "fine" / var, fine / var.upper())
    coarse = tmp_path / "coarse"
    for var in ("ndvi", "lst_day"):
        shutil.copytree(root / "coarse" / var, coarse / var.upper())
    problems, notes = preflight(fine, coarse, {"ssm": root / "gleam" / "ssm"}, static,
                                root / "stations" / "stations.gpkg")
    assert problems == []
    assert any("No porosity layer" in n and "[0, 0.6]" in n for n in notes), notes
    assert any(n.startswith("SSM: the CNN runs without albedo") or "needs albedo" in n for n in notes), notes
    late = tmp_path / "late"
    late.mkdir()
    (late / "ssm_20300101.tif").symlink_to(next((root / "gleam" / "ssm").iterdir()))
    with pytest.raises(Exception) as err:
        run_pipeline(tmp_path / "nofine", coarse, {"ssm": late, "rzsm": tmp_path / "empty"}, static,
                     tmp_path / "none.gpkg", tmp_path / "out")
    text = str(err.value)
    assert "problem(s); nothing was computed" in text
    for part in ("FINE ", "RZSM ", "STATIONS: "):
        assert part in text, text
    assert not (tmp_path / "out" / "fused").exists()
    problems, _ = preflight(fine, coarse, {"ssm": late}, static, root / "stations" / "stations.gpkg")
    assert problems == ["SSM: no date of the coarse soil moisture has every driver (LST_DAY, NDVI)"], problems


def test_a_region_with_lst_and_ndvi_only_runs_and_the_cnn_beats_the_baselines(tmp_path):
    """A region with other drivers and names (LST_*, NDVI_*, no albedo): the names are mapped, the CNN for
    any set of planes is chosen, and at the held-out stations the calibrated series beats the downscaled one,
    bias, linear scaling and CDF matching for both layers."""
    from smfusion.core import calibrate as C  # noqa: N812
    from smfusion.core import evaluate as V  # noqa: N812
    from smfusion.core.predictors import Predictors
    make_demo(tmp_path, DemoConfig(width=100, height=100, days=60, stations=40, drivers=("LST", "NDVI")))
    log = []
    summary = run_pipeline(tmp_path / "fine", tmp_path / "coarse", {"ssm": tmp_path / "gleam" / "ssm",
                                                                    "rzsm": tmp_path / "gleam" / "rzsm"},
                           tmp_path / "static", tmp_path / "stations" / "stations.gpkg", tmp_path / "run",
                           progress=lambda f, m=None: m and log.append(m))
    assert any("Names taken to their canonical form: LST → lst_day, NDVI → ndvi" in m for m in log)
    assert any(m == "Base model: the shipped cnn_ssm_any.onnx" for m in log), log
    assert any("the CNN runs without albedo" in m for m in log)
    run = tmp_path / "run"
    preds = Predictors(static=tmp_path / "static", drivers=[run / "fused" / v for v in ("LST", "NDVI")])
    specs = []
    for layer in ("ssm", "rzsm"):
        planes = C.Planes(run / "downscaled" / layer, preds, tmp_path / "gleam" / layer)
        for method in ("bias", "linear", "cdf"):
            C.apply(run / "models" / f"cnn_{layer}.onnx", planes, tmp_path / method / layer, layer, method,
                    stations_path=tmp_path / "stations" / "stations.gpkg")
            specs.append(V.SeriesSpec(method, layer, tmp_path / method / layer))
        specs += [V.SeriesSpec(k, layer, run / k / layer) for k in ("downscaled", "calibrated")]
    res = V.evaluate(specs, tmp_path / "stations" / "stations.gpkg", split=set(summary["run"]["held_out"]))
    pooled = {(r.layer, r.series): r for r in res["rows"] if r.station_id == V.POOLED and r.group == "held-out"}
    for layer in ("ssm", "rzsm"):
        print(layer, {k: (round(r.pcc, 3), round(r.rmse, 4)) for (lyr, k), r in pooled.items() if lyr == layer})
        for other in ("downscaled", "bias", "linear", "cdf"):
            assert pooled[(layer, "calibrated")].rmse < pooled[(layer, other)].rmse, (layer, other)
        assert pooled[(layer, "calibrated")].pcc > pooled[(layer, "downscaled")].pcc


def test_the_demo_region_over_90_days_comes_within_reach_of_its_truth(tmp_path):
    """The goals of issue 15 on the demo's own 200×200-px region over half its days (90): at the held-out
    stations the calibrated series comes within 0.02 PCC and 0.004 m³/m³ RMSE of the 1-km truth scored there
    (the floor that station noise and bias set); the downscaled and calibrated series follow each station as
    well as the coarse product does (median PCC, within noise); [p10, p90] holds most of the observations (one
    draw of 10 held-out stations is a small sample: the 70–90 % goal is tested over three draws in
    test_calibrate.py)."""
    make_demo(tmp_path, DemoConfig(days=90))
    summary = run_pipeline(tmp_path / "fine", tmp_path / "coarse", {"ssm": tmp_path / "gleam" / "ssm",
                                                                    "rzsm": tmp_path / "gleam" / "rzsm"},
                           tmp_path / "static", tmp_path / "stations" / "stations.gpkg", tmp_path / "run",
                           truth=tmp_path / "truth")
    print(summary["table"])
    pooled = {(m.layer, m.series): m for m in summary["metrics"]}
    record = summary["run"]
    median = {(m["layer"], m["series"]): m["median_pcc"] for m in record["metrics_held_out"]}
    for layer in ("ssm", "rzsm"):
        truth, cal = pooled[(layer, "truth")], pooled[(layer, "calibrated")]
        assert cal.pcc >= truth.pcc - 0.02 and cal.rmse <= truth.rmse + 0.004, (layer, cal, truth)
        assert cal.pcc > pooled[(layer, "downscaled")].pcc > pooled[(layer, "coarse bilinear")].pcc
        for series in ("downscaled", "calibrated"):
            assert median[(layer, series)] >= median[(layer, "coarse bilinear")] - 0.01, (layer, series, median)
        print(layer, "coverage", record["intervals_held_out"][layer]["coverage80"])
        assert 0.6 <= record["intervals_held_out"][layer]["coverage80"] <= 0.97, record["intervals_held_out"][layer]
