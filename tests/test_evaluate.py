"""Metrics by hand, evaluation on the demo region (known station noise), the HTML report, bad input, and
the two station tools through Processing."""

import csv
import math
import re

import numpy as np
import pytest
from qgis.core import QgsProcessingException, QgsProcessingFeedback
from smfusion.core import evaluate as V  # noqa: N812 - short module name
from smfusion.core.demo import DemoConfig, make_demo
from smfusion.core.errors import SMFusionError
from smfusion.core.metrics import median_scores, scores
from smfusion.core.raster import Grid, write_raster
from smfusion.core.report import write_report


def test_metrics_by_hand():
    pred = np.array([0.20, 0.25, 0.30, np.nan, 0.10])
    obs = np.array([0.18, 0.27, 0.26, 0.30, np.nan])
    s = scores(pred, obs)
    d = np.array([0.02, -0.02, 0.04])
    assert s.n == 3
    assert s.bias == pytest.approx(d.mean())
    assert s.rmse == pytest.approx(math.sqrt(np.mean(d ** 2)))
    assert s.ubrmse == pytest.approx(math.sqrt(np.mean(d ** 2) - d.mean() ** 2))
    p, o = np.array([0.20, 0.25, 0.30]), np.array([0.18, 0.27, 0.26])
    r = np.sum((p - p.mean()) * (o - o.mean())) / math.sqrt(np.sum((p - p.mean()) ** 2) * np.sum((o - o.mean()) ** 2))
    assert s.pcc == pytest.approx(r) and s.pcc == pytest.approx(0.810885, abs=1e-6)
    const = scores(np.full(4, 0.2), np.array([0.1, 0.2, 0.3, 0.4]))
    assert math.isnan(const.pcc) and const.n == 4 and const.bias == pytest.approx(-0.05)
    assert scores([np.nan], [0.1]).n == 0
    med = median_scores([s, const, scores(p, p)])
    assert med.rmse == pytest.approx(np.median([s.rmse, const.rmse, 0.0]))
    assert med.pcc == pytest.approx(np.median([s.pcc, 1.0]))          # NaN PCC left out of the median


@pytest.fixture(scope="module")
def demos(tmp_path_factory):
    out = {}
    for name, noise in (("exact", 0.0), ("noisy", 0.02)):
        folder = tmp_path_factory.mktemp(f"eval_{name}")
        make_demo(folder, DemoConfig(width=60, height=50, days=40, stations=12, station_noise=noise,
                                     station_bias=0.0, seed=5))
        out[name] = folder
    return out


@pytest.mark.slow
def test_truth_scores_one_against_noise_free_stations(demos):
    d = demos["exact"]
    res = V.evaluate(V.parse_series_specs(f"truth|ssm|{d}/truth/ssm;truth|rzsm|{d}/truth/rzsm"),
                     d / "stations" / "stations.gpkg")
    pooled = {(r.series, r.layer): r for r in res["rows"] if r.station_id == V.POOLED}
    for layer in ("ssm", "rzsm"):
        assert pooled[("truth", layer)].pcc > 0.99999
        assert pooled[("truth", layer)].rmse < 1e-6


@pytest.mark.slow
def test_station_noise_shows_up_as_rmse(demos, tmp_path):
    d = demos["noisy"]
    specs = V.parse_series_specs(f"truth|ssm|{d}/truth/ssm;GLEAM bilinear|ssm|{d}/resampled/ssm")
    res = V.evaluate(specs, d / "stations" / "stations.gpkg", split={"DEMO_001", "DEMO_002", "DEMO_003"})
    rows = {(r.series, r.group, r.station_id): r for r in res["rows"]}
    truth = rows[("truth", "training", V.POOLED)]
    assert truth.rmse == pytest.approx(0.02, rel=0.15)                 # the stated station noise
    assert abs(truth.bias) < 0.005
    assert rows[("GLEAM bilinear", "training", V.POOLED)].rmse > truth.rmse
    assert {g for (_, g, _) in rows} == {"training", "held-out"}       # never pooled together
    held = [r for r in res["rows"] if r.group == "held-out" and r.station_id not in (V.POOLED, V.MEDIAN)]
    assert {r.station_id for r in held} == {"DEMO_001", "DEMO_002", "DEMO_003"}
    # the table and the report
    table = V.write_table(tmp_path / "m.csv", res["rows"])
    with open(table) as fh:
        back = list(csv.DictReader(fh))
    assert len(back) == len(res["rows"])
    row = next(b for b in back if b["series"] == "truth" and b["group"] == "training" and b["station_id"] == V.POOLED)
    assert float(row["rmse"]) == pytest.approx(truth.rmse, rel=1e-5)
    html = write_report(tmp_path / "r.html", res).read_text()
    for section in ("metrics", "scatter", "timeseries", "map", "taylor", "stations"):
        assert f'id="{section}"' in html
    assert not re.search(r'(src|href)="(?!data:)', html), "self-contained: no external resource"
    assert html.count("data:image/png;base64,") >= 8
    for r in res["rows"]:
        if r.station_id == V.POOLED:
            assert f"<td>{r.pcc:.3f}</td><td>{r.rmse:.4f}</td><td>{r.ubrmse:.4f}</td>" in html
    assert "0.699–0.754" in html and "0.028–0.031" in html
    gpkg = V.write_table(tmp_path / "m.gpkg", res["rows"])
    assert gpkg.is_file()


@pytest.mark.slow
def test_sampling_modes_and_outside_stations(demos):
    d = demos["noisy"]
    spec = V.parse_series_specs(f"{d}/truth/ssm")
    assert spec[0].label == "ssm" and spec[0].layer == "ssm"
    log = []
    for sampling in ("nearest", "bilinear", "mean"):
        res = V.evaluate(spec, d / "stations" / "stations.gpkg", sampling=sampling, k=3,
                         progress=lambda f, m=None: m and log.append(m))
        pooled = next(r for r in res["rows"] if r.station_id == V.POOLED)
        assert pooled.n > 300 and pooled.pcc > 0.8
    dates, values, inside = V.sample_series(d / "truth" / "ssm", V.read_stations(d / "stations" / "stations.gpkg"),
                                            "mean", 1)
    _, nearest, _ = V.sample_series(d / "truth" / "ssm", V.read_stations(d / "stations" / "stations.gpkg"))
    np.testing.assert_array_equal(values, nearest)                    # a 1×1 mean is the nearest pixel
    assert inside.all()


@pytest.mark.slow
def test_bad_input(tmp_path, demos):
    grid = Grid.from_bounds("EPSG:5179", 900_000, 1_900_000, 960_000, 1_950_000, 1000)
    write_raster(tmp_path / "pct" / "ssm_20210401.tif", np.full(grid.shape, 25.0, "float32"), grid)
    with pytest.raises(SMFusionError, match="look like %"):
        V.evaluate(V.parse_series_specs(f"x|ssm|{tmp_path / 'pct'}"), demos["exact"] / "stations" / "stations.gpkg")
    with pytest.raises(SMFusionError, match="layer must be one of"):
        V.parse_series_specs(f"x|lst|{tmp_path}")
    far = Grid.from_bounds("EPSG:32633", 500_000, 5_000_000, 510_000, 5_010_000, 1000)
    write_raster(tmp_path / "far" / "ssm_20210401.tif", np.full(far.shape, 0.2, "float32"), far)
    log = []
    with pytest.raises(SMFusionError, match="No series value could be paired"):
        V.evaluate(V.parse_series_specs(f"far|ssm|{tmp_path / 'far'}"), demos["exact"] / "stations" / "stations.gpkg",
                   progress=lambda f, m=None: m and log.append(m))
    assert any("12 station(s) lie outside" in m for m in log)


@pytest.mark.slow
def test_tools_through_processing(provider, demos, tmp_path):
    import processing
    from conftest import real_data
    out = processing.run("smfusion:importstations", {
        "INPUT": str(real_data("ismn", "Data_separate_files_ceop_COSMOS.zip")), "START": "2018-01-01",
        "OUTPUT": str(tmp_path / "cosmos.gpkg")}, feedback=QgsProcessingFeedback())
    assert out["STATIONS"] == 2 and 0 < out["OBSERVATIONS"] < 1064
    import zipfile  # the same download, unpacked, through FOLDER
    zipfile.ZipFile(real_data("ismn", "Data_separate_files_ceop_COSMOS.zip")).extractall(tmp_path / "unpacked")
    folder = processing.run("smfusion:importstations", {
        "FOLDER": str(tmp_path / "unpacked"), "START": "2018-01-01", "OUTPUT": str(tmp_path / "folder.gpkg")},
        feedback=QgsProcessingFeedback())
    assert (folder["STATIONS"], folder["OBSERVATIONS"]) == (out["STATIONS"], out["OBSERVATIONS"])
    with pytest.raises(QgsProcessingException, match="Give the stations as INPUT .* or as FOLDER"):
        processing.run("smfusion:importstations", {"OUTPUT": str(tmp_path / "none.gpkg")})
    d = demos["noisy"]
    res = processing.run("smfusion:evaluate", {
        "SERIES": f"truth|ssm|{d}/truth/ssm\nGLEAM bilinear|ssm|{d}/resampled/ssm",
        "STATIONS": str(d / "stations" / "stations.gpkg"), "SAMPLING": "bilinear", "SPLIT": "DEMO_001,DEMO_004",
        "OUTPUT_TABLE": str(tmp_path / "m.csv"), "OUTPUT_HTML": str(tmp_path / "r.html")},
        feedback=QgsProcessingFeedback())
    assert (tmp_path / "r.html").stat().st_size > 10_000 and res["OUTPUT_TABLE"].endswith("m.csv")
    with pytest.raises(QgsProcessingException, match="K must be odd"):
        processing.run("smfusion:evaluate", {"SERIES": f"{d}/truth/ssm",
                                             "STATIONS": str(d / "stations" / "stations.gpkg"),
                                             "SAMPLING": "mean", "K": 4, "OUTPUT_TABLE": str(tmp_path / "x.csv"),
                                             "OUTPUT_HTML": str(tmp_path / "x.html")})
