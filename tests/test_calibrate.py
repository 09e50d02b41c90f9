"""CNN calibration on the demo region: the head refit on training stations (transfer learning without
PyTorch), its hold-out bookkeeping, and the apply step with the CNN and the two baselines. The backbone
here is an untrained (random) one; the shipped pretrained models come with issue 8's training script."""


import numpy as np
import pytest
from smfusion.core import calibrate as C  # noqa: N812 - short module name
from smfusion.core import cnn, cnnmeta
from smfusion.core import downscale as D  # noqa: N812
from smfusion.core import evaluate as V  # noqa: N812
from smfusion.core.demo import DemoConfig, make_demo, predictor_folder
from smfusion.core.errors import SMFusionError
from smfusion.core.raster import read_raster

pytestmark = pytest.mark.slow            # demo regions or qgis_process: `make test-fast` leaves them out


@pytest.fixture(scope="module")
def region(tmp_path_factory):
    root = tmp_path_factory.mktemp("cal_demo")
    make_demo(root, DemoConfig(width=120, height=100, days=60, stations=40, seed=8))
    pred = predictor_folder(root)
    for layer in ("ssm", "rzsm"):
        D.downscale(root / "gleam" / layer, pred, root / "down" / layer, layer, D.Settings(n_estimators=200))
    return root


def test_head_refit_and_apply_on_the_demo(region, tmp_path):
    planes = C.Planes(region / "down" / "ssm", region / "predictors", region / "gleam" / "ssm")
    assert planes.available >= set(C.DEFAULT_PLANES)
    mean, std = C.norm_stats(planes, list(C.DEFAULT_PLANES), planes.dates()[::6])
    base = cnn.build_model(list(C.DEFAULT_PLANES), "ssm", seed=0, mean=mean, std=std)
    stations = region / "stations" / "stations.gpkg"
    new, report = C.train_head(base, planes, stations, "ssm", holdout=0.25, seed=1)
    held = cnnmeta.read(new)["holdout"]
    assert len(held) == 10 and report.training_stations == 30
    assert cnnmeta.read(new)["validation"]["heldout_after"] == report.heldout_after
    assert cnnmeta.read(new)["validation"] == report.as_meta() and report.as_meta()["training_loso_after"]
    print(f"demo ssm, held-out stations: RMSE {report.heldout_before['rmse']:.4f} downscaled → "
          f"{report.heldout_after['rmse']:.4f} after the head refit (random backbone)")
    assert report.heldout_after["rmse"] < 0.9 * report.heldout_before["rmse"]
    done = {m: C.apply(new, planes, tmp_path / m, "ssm", m, stations) for m in ("cnn", "linear", "cdf")}
    assert (done["cnn"].method, done["cnn"].provider) == ("cnn", "CPUExecutionProvider")
    assert (done["linear"].method, done["linear"].provider) == ("linear", "")
    paths = {m: d.paths for m, d in done.items()}
    assert [p.name for p in paths["cnn"]][:2] == ["ssm_20210401.tif", "ssm_20210402.tif"]
    specs = V.parse_series_specs(";".join(f"{m}|ssm|{tmp_path / m}" for m in paths) +
                                 f";downscaled|ssm|{region / 'down' / 'ssm'}")
    res = V.evaluate(specs, stations, split=set(held))
    pooled = {r.series: r for r in res["rows"] if r.station_id == V.POOLED and r.group == "held-out"}
    assert pooled["cnn"].rmse == pytest.approx(report.heldout_after["rmse"], rel=1e-3)
    for m in ("cnn", "linear", "cdf"):
        assert pooled[m].rmse < pooled["downscaled"].rmse
    a = read_raster(paths["cnn"][0])[0]
    assert np.nanmin(a) >= 0 and np.nanmax(a) <= 0.6


def test_station_split_and_errors(region):
    assert C.split_stations(["a", "b", "c", "d"], ["b"]) == (["a", "c", "d"], ["b"])
    train, held = C.split_stations([f"S{i}" for i in range(20)], 0.25, seed=3)
    assert len(held) == 5 and not set(train) & set(held)
    assert C.split_stations([f"S{i}" for i in range(20)], 0.25, seed=3) == (train, held)
    with pytest.raises(SMFusionError, match="unknown station"):
        C.split_stations(["a"], ["zz"])
    planes = C.Planes(region / "down" / "ssm", region / "predictors")           # no coarse series
    base = cnn.build_model(list(C.DEFAULT_PLANES), "ssm")
    with pytest.raises(SMFusionError, match=r"missing: sm_coarse"):
        C.train_head(base, planes, region / "stations" / "stations.gpkg", "ssm")
    with pytest.raises(SMFusionError, match="base model is for ssm, not rzsm"):
        C.train_head(base, planes, region / "stations" / "stations.gpkg", "rzsm")
    rzsm = C.Planes(region / "down" / "rzsm", region / "predictors", region / "gleam" / "rzsm")
    with pytest.raises(SMFusionError, match="the model calibrates ssm, not rzsm: give a model trained for rzsm"):
        C.apply(base, rzsm, region / "never", "rzsm")                      # an SSM model on RZSM
    assert not (region / "never").exists()


def test_a_model_with_presence_planes_runs_without_an_optional_plane(region, tmp_path):
    """A model whose albedo is optional (with its presence plane) calibrates a region without albedo: the
    plane enters as its mean and the presence plane as 0; the log says so. A required plane stays required."""
    from smfusion.core.predictors import Predictors
    names = list(C.DEFAULT_PLANES) + [cnnmeta.presence(p) for p in C.OPTIONAL_PLANES]
    base = cnn.build_model(names, "ssm", seed=0, optional=list(C.OPTIONAL_PLANES))
    preds = Predictors(static=region / "static", drivers=[region / "predictors" / v for v in ("ndvi", "lst_day")])
    planes = C.Planes(region / "down" / "ssm", preds, region / "gleam" / "ssm")
    assert cnnmeta.check_inputs(cnnmeta.read(base), planes.available) == ["albedo"]
    d = planes.dates()[0]
    st = planes.stack(d, ["has_albedo", "albedo", "has_ndvi", "ndvi"])
    assert (st[0] == 0).all() and np.isnan(st[1]).all() and (st[2] == 1).all() and np.isfinite(st[3]).any()
    log = []
    new, report = C.train_head(base, planes, region / "stations" / "stations.gpkg", "ssm", holdout=0.25, seed=1,
                               progress=lambda f, m=None: m and log.append(m))
    assert any("the CNN runs without albedo (presence 0" in m for m in log), log
    assert any("not used by the CNN: landcover" in m for m in log), log
    nosm = C.Planes(region / "down" / "ssm", preds)                          # no coarse series: required
    with pytest.raises(SMFusionError, match=r"missing: sm_coarse"):
        C.train_head(base, nosm, region / "stations" / "stations.gpkg", "ssm")


@pytest.mark.parametrize("layer", ["ssm", "rzsm"])
def test_the_interval_covers_held_out_stations(region, tmp_path, layer):
    """[p10, p90], fitted on the training stations' LOSO residuals, holds 70–90 % of the held-out stations'
    observations, on average over three draws of 10 held-out stations (one draw of 10 stations is a small
    sample: their biases dominate); p10 ≤ calibrated ≤ p90 everywhere, and the interval is wider far from the
    training stations than next to them."""
    from smfusion.core import uncertainty as U  # noqa: N812
    from smfusion.core.stations import read_stations
    planes = C.Planes(region / "down" / layer, region / "predictors", region / "gleam" / layer)
    stations = region / "stations" / "stations.gpkg"
    base = C.base_model(None, layer, planes)
    covered = []
    for seed in (1, 2, 3):
        new, _ = C.train_head(base, planes, stations, layer, holdout=0.25, seed=seed)
        imodel = cnnmeta.read(new)["intervals"]["cnn"]
        assert imodel["n"] > 500 and len(imodel["stations"]) == 30
        bands = (tmp_path / f"p10_{seed}", tmp_path / f"p90_{seed}")
        C.apply(new, planes, tmp_path / f"cal_{seed}", layer, "cnn", intervals=bands)
        score = U.score_intervals(imodel, tmp_path / f"cal_{seed}", *bands, read_stations(stations),
                                  cnnmeta.read(new)["holdout"], layer)
        covered.append(score["coverage80"])
        print(f"{layer}, hold-out draw {seed}: {100 * score['coverage80']:.0f} % of {score['n']} observations in "
              f"[p10, p90], mean width {score['width_mean']:.4f} m³/m³")
    assert 0.7 <= np.mean(covered) <= 0.9 and min(covered) > 0.55, covered
    d = planes.dates()[10]
    name = f"{d:%Y%m%d}.tif"
    cal = read_raster(tmp_path / "cal_3" / f"{layer}_{name}")[0]
    lo, hi = (read_raster(b / f"{layer}_{t}_{name}")[0] for b, t in zip(bands, ("p10", "p90")))
    ok = np.isfinite(cal)
    assert (lo[ok] <= cal[ok] + 1e-6).all() and (cal[ok] <= hi[ok] + 1e-6).all()
    dist = U.distance_field(planes.grid, *zip(*imodel["stations"]))
    width = (hi - lo)[ok]
    assert np.mean(width[dist[ok] > 15]) >= np.mean(width[dist[ok] < 3])
    # the safe corrections have their own interval, from their own LOSO residuals
    lin_bands = (tmp_path / "lin_p10", tmp_path / "lin_p90")
    C.apply(new, planes, tmp_path / "lin", layer, "linear", stations, intervals=lin_bands)
    score = U.score_intervals(cnnmeta.read(new)["intervals"]["linear"], tmp_path / "lin", *lin_bands,
                              read_stations(stations), cnnmeta.read(new)["holdout"], layer)
    print(f"{layer}, linear: {100 * score['coverage80']:.0f} % inside")
    assert 0.55 <= score["coverage80"] <= 0.97
    with pytest.raises(SMFusionError, match="p10/p90 intervals of METHOD linear need a model fine-tuned"):
        C.apply(base, planes, tmp_path / "lin2", layer, "linear", stations, intervals=bands)


def test_the_interval_widens_where_estarfm_filled_a_gap(region, tmp_path):
    """``filled``: the share of the fine series with no value that pixel-day. A scale that grows with it is
    found by the fit; a calibration given the fine series records the covariate, and one run without them
    takes its training mean and says so."""
    from smfusion.core import uncertainty as U  # noqa: N812
    fine = sorted(p for p in (region / "fine").iterdir() if p.is_dir())
    planes = C.Planes(region / "down" / "ssm", region / "predictors", region / "gleam" / "ssm", fine)
    d = planes.dates()[5]
    expected = np.mean([~np.isfinite(read_raster(f / f"{f.name}_{d:%Y%m%d}.tif")[0]) for f in fine], axis=0)
    assert np.array_equal(planes.filled(d), expected) and 0.1 < expected.mean() < 0.9
    assert C.Planes(region / "down" / "ssm", region / "predictors").filled(d) is None
    rng = np.random.default_rng(0)
    gap = (rng.random(4000) < 0.5).astype(float)
    x = np.column_stack([rng.random(4000) * 30, rng.random(4000) * 0.05, np.zeros(4000), gap])
    model = U.fit(x, rng.normal(0, 0.01, 4000) * (1 + gap), U.COVARIATES)
    assert model["covariates"][-1] == "filled" and model["beta"][-1] > 0.2 and model["beta"][3] == 0.0
    wide, narrow = U.scale(model, [[15, 0.02, 0, 1], [15, 0.02, 0, 0]])
    assert 1.6 < wide / narrow < 2.4
    assert np.allclose(U.design(model, {"distance": 15.0 * np.ones(2), "detail": 0.02 * np.ones(2),
                                        "outside": np.zeros(2), "filled": None})[:, 3], model["mean"][3])
    new, _ = C.train_head(C.base_model(None, "ssm", planes), planes, region / "stations" / "stations.gpkg", "ssm",
                          memory_days=0)
    imodel = cnnmeta.read(new)["intervals"]["cnn"]
    assert imodel["covariates"] == list(U.COVARIATES) and 0.2 < imodel["mean"][3] < 0.8
    log = []
    C.apply(new, C.Planes(region / "down" / "ssm", region / "predictors", region / "gleam" / "ssm"),
            tmp_path / "cal", "ssm", end=d, intervals=(tmp_path / "p10", tmp_path / "p90"),
            progress=lambda f, m=None: m and log.append(m))
    assert any("take the gaps ESTARFM filled at their training mean" in m for m in log), log
    assert len(list((tmp_path / "p90").iterdir())) == 6


def test_tools_through_processing(provider, region, tmp_path):
    import processing
    from qgis.core import QgsProcessingException, QgsProcessingFeedback

    common = {"DOWNSCALED": str(region / "down" / "ssm"), "PREDICTORS": str(region / "predictors"),
              "COARSE": str(region / "gleam" / "ssm"), "LAYER": "ssm"}
    out = processing.run("smfusion:calibratetrain", {**common, "STATIONS": str(region / "stations" / "stations.gpkg"),
                                                     "HOLDOUT": "DEMO_001,DEMO_002,DEMO_003",
                                                     "OUTPUT_MODEL": str(tmp_path / "m.onnx")},
                         feedback=QgsProcessingFeedback())
    meta = cnnmeta.read(tmp_path / "m.onnx")
    assert meta["holdout"] == ["DEMO_001", "DEMO_002", "DEMO_003"]
    assert meta["training"]["regions"] and meta["training"]["head_refit"]["stations"] == 37   # the shipped base
    assert "heldout_after" in out["REPORT"]
    res = processing.run("smfusion:calibrate", {**common, "MODEL": str(tmp_path / "m.onnx"), "METHOD": "cnn",
                                                "DEVICE": "cpu", "END": "2021-04-05",
                                                "OUTPUT": str(tmp_path / "cal")}, feedback=QgsProcessingFeedback())
    assert res["PROVIDER"] == "CPUExecutionProvider"
    assert sorted(p.name for p in (tmp_path / "cal").iterdir())[-1] == "ssm_20210405.tif"
    try:
        import torch  # noqa: F401
    except ImportError:
        with pytest.raises(QgsProcessingException, match="MODE=full fine-tunes every layer with PyTorch"):
            processing.run("smfusion:calibratetrain", {**common, "MODE": "full", "OUTPUT_MODEL": str(tmp_path / "x"),
                                                       "STATIONS": str(region / "stations" / "stations.gpkg")})
    with pytest.raises(QgsProcessingException, match="is fitted on stations: give STATIONS"):
        processing.run("smfusion:calibrate", {**common, "MODEL": str(tmp_path / "m.onnx"), "METHOD": "linear",
                                              "OUTPUT": str(tmp_path / "lin")})


@pytest.mark.parametrize("layer", ["ssm", "rzsm"])
def test_shipped_model_beats_the_baselines_at_held_out_stations(region, tmp_path, layer):
    if C.shipped_model(layer) is None:
        pytest.skip(f"models/cnn_{layer}.onnx is not there (make train-cnn writes it)")
    planes = C.Planes(region / "down" / layer, region / "predictors", region / "gleam" / layer)
    stations = region / "stations" / "stations.gpkg"
    base = C.base_model(None, layer, planes)
    new, report = C.train_head(base, planes, stations, layer, holdout=0.25, seed=1)
    held = set(cnnmeta.read(new)["holdout"])
    for m in ("cnn", "linear", "cdf"):
        C.apply(new, planes, tmp_path / m, layer, m, stations)
    specs = V.parse_series_specs(";".join(f"{m}|{layer}|{tmp_path / m}" for m in ("cnn", "linear", "cdf")) +
                                 f";downscaled|{layer}|{region / 'down' / layer}")
    res = V.evaluate(specs, stations, split=held)
    pooled = {r.series: r for r in res["rows"] if r.station_id == V.POOLED and r.group == "held-out"}
    print(f"demo {layer}, held-out stations: " + ", ".join(
        f"{k} RMSE {v.rmse:.4f} PCC {v.pcc:.3f}" for k, v in pooled.items()))
    for other in ("downscaled", "linear", "cdf"):
        assert pooled["cnn"].rmse < pooled[other].rmse
        assert pooled["cnn"].pcc >= pooled[other].pcc - 0.005


def test_full_fine_tuning_with_torch(region):
    pytest.importorskip("torch", reason="PyTorch is not installed: MODE=full is refused (tested through Processing)")
    from onnx import numpy_helper
    planes = C.Planes(region / "down" / "ssm", region / "predictors", region / "gleam" / "ssm")
    base = C.base_model(None, "ssm", planes)
    new, report = C.train_full(base, planes, region / "stations" / "stations.gpkg", "ssm", holdout=0.25, seed=1,
                               epochs=4, patience=2)
    assert report.training_after["rmse"] < report.training_before["rmse"]
    assert [label for label, _ in report.scores()][0] == "training stations, before"
    assert report.heldout_after["rmse"] < report.heldout_before["rmse"]
    old = {t.name: numpy_helper.to_array(t) for t in base.graph.initializer}
    changed = [t.name for t in new.graph.initializer if not np.array_equal(numpy_helper.to_array(t), old[t.name])]
    assert len(changed) > 2 and cnnmeta.read(new)["training"]["fine_tuned"]["mode"] == "full"
