"""The whole pipeline on a small demo region: every stage's outputs, the held-out metrics, the run record,
resuming, and the tool."""

import json

import pytest
from smfusion.core.demo import DemoConfig, make_demo
from smfusion.core.pipeline import run_pipeline
from smfusion.core.series import list_series


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("pipeline")
    make_demo(root, DemoConfig(width=100, height=90, days=45, stations=30, seed=21))
    args = (root / "fine", root / "coarse", {"ssm": root / "gleam" / "ssm", "rzsm": root / "gleam" / "rzsm"},
            root / "static", root / "stations" / "stations.gpkg", root / "out")
    summary = run_pipeline(*args)
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
    assert 'id="taylor"' in html and "calibrated" in html


def test_a_second_run_resumes(run):
    _, args, _ = run
    log = []
    again = run_pipeline(*args, progress=lambda f, m=None: m and log.append(m))
    assert sum("up to date, skipped" in m for m in log) == 11
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
