"""The CNN's ONNX plumbing: metadata round trip, provider choice, tiled = whole inference, the head refit
in numpy (only the head changes), and bad model files."""

import numpy as np
import pytest
from smfusion.core import cnn, cnnmeta
from smfusion.core.errors import SMFusionError

PLANES = ["sm", "sm_coarse", "ndvi", "lst_day", "albedo", "dem", "slope", "clay", "sand", "doy_sin", "doy_cos"]


def _model(tmp_path, seed=1):
    import onnx
    model = cnn.build_model(PLANES, "ssm", seed=seed, mean=[0.2] * 11, std=[0.1] * 11,
                            training={"regions": 3}, validation={"pcc": 0.8}, version="test")
    # give the head non-zero weights so that the correction is not trivially 0
    model = cnn.replace_head(model, np.linspace(-0.01, 0.01, 24), 0.002)
    path = tmp_path / "m.onnx"
    onnx.save(model, str(path))
    return model, path


def test_metadata_round_trip_and_size(tmp_path):
    model, path = _model(tmp_path)
    meta = cnnmeta.read(path)
    assert meta["inputs"] == PLANES and meta["receptive_field"] == 15 and meta["layer"] == "ssm"
    assert meta["training"] == {"regions": 3} and meta["validation"] == {"pcc": 0.8} and meta["version"] == "test"
    assert meta["outputs"] == ["correction", "features"]
    assert cnnmeta.read(cnn.Session(path).__dict__["_session"]) == meta
    assert 10_000 < cnn.parameter_count(model) < 1_000_000


def test_tiled_inference_equals_whole_image(tmp_path):
    _, path = _model(tmp_path)
    s = cnn.Session(path, device="cpu")
    assert s.provider == "CPUExecutionProvider" and s.halo == 7
    rng = np.random.default_rng(0)
    planes = (0.2 + 0.1 * rng.standard_normal((11, 150, 130))).astype("float32")
    planes[2, 10:20, 30:40] = np.nan
    whole, feats = s.run(planes, features=True)
    tiled, tfeats = s.run_tiled(planes, tile=64, features=True)
    assert np.abs(whole).max() > 1e-3
    np.testing.assert_allclose(tiled, whole, atol=1e-6)
    np.testing.assert_allclose(tfeats, feats, atol=1e-5)


def test_cuda_request_without_cuda_says_why(tmp_path):
    import onnxruntime as ort
    _, path = _model(tmp_path)
    s = cnn.Session(path, device="cuda")
    if "CUDAExecutionProvider" in ort.get_available_providers():
        assert s.provider == "CUDAExecutionProvider" or "could not start" in s.note
    else:
        assert s.provider == "CPUExecutionProvider" and "CUDA was asked for" in s.note


def test_head_refit_changes_only_the_head(tmp_path):
    from onnx import numpy_helper
    model, path = _model(tmp_path)
    s = cnn.Session(path)
    rng = np.random.default_rng(3)
    planes = (0.2 + 0.1 * rng.standard_normal((11, 40, 50))).astype("float32")
    _, feats = s.run(planes, features=True)
    f = feats.reshape(feats.shape[0], -1).T                    # (pixels, F)
    truth_w = rng.standard_normal(f.shape[1]) * 0.01
    y = f @ truth_w + 0.003 + 0.0005 * rng.standard_normal(len(f))
    groups = np.arange(len(f)) % 7                              # seven "stations"
    w, b, alpha, cv = cnn.ridge_loso(f, y, groups)
    assert np.corrcoef(cv, y)[0, 1] > 0.9
    new = cnn.replace_head(model, w, b, {"holdout": ["S1"]})
    s2 = cnn.Session(new)
    corr = s2.run(planes)
    np.testing.assert_allclose(corr.ravel(), f @ w + b, atol=1e-5)
    old = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    changed = [t.name for t in new.graph.initializer if not np.array_equal(numpy_helper.to_array(t), old[t.name])]
    assert sorted(changed) == [cnn.HEAD_B, cnn.HEAD_W]
    assert cnnmeta.read(new)["holdout"] == ["S1"]


def test_bad_model_files_and_mismatched_inputs(tmp_path):
    bad = tmp_path / "x.onnx"
    bad.write_text("not a model")
    with pytest.raises(SMFusionError, match="x.onnx: not a valid ONNX model"):
        cnn.Session(bad)
    _, path = _model(tmp_path)
    with pytest.raises(SMFusionError, match="missing: lst_day, albedo"):
        cnnmeta.check_inputs(cnnmeta.read(path), set(PLANES) - {"lst_day", "albedo"})
    with pytest.raises(SMFusionError, match="DEVICE must be"):
        cnn.Session(path, device="tpu")


def test_baselines_by_hand():
    from smfusion.core.calibrate import CdfMatching, LinearScaling, fit_baseline
    rng = np.random.default_rng(0)
    pred = rng.uniform(0.1, 0.4, 500)
    obs = 0.5 * pred + 0.05 + 0.0 * rng.random(500)               # stations: half the variance, an offset
    lin = LinearScaling.fit(pred, obs)
    assert lin.a == pytest.approx(0.5) and lin.b == pytest.approx(0.05)
    np.testing.assert_allclose(lin.apply(pred), obs, atol=1e-6)
    obs2 = np.sqrt(pred)                                           # a monotone, non-linear relation
    cdf = CdfMatching.fit(pred, obs2)
    assert np.abs(cdf.apply(pred) - obs2).max() < 0.01              # quantile mapping recovers it
    assert np.isnan(cdf.apply(np.array([np.nan]))[0])
    assert cdf.apply(np.array([0.45]))[0] > np.sqrt(0.4)          # linear past the last quantile
    with pytest.raises(SMFusionError, match="Only 3 station/series pairs"):
        fit_baseline("linear", [0.1, 0.2, 0.3], [0.1, 0.2, 0.3])
    with pytest.raises(SMFusionError, match="Baseline must be one of bias, linear, cdf"):
        fit_baseline("quantile", pred, obs)
    bias = fit_baseline("bias", pred, pred + 0.03)
    assert bias.b == pytest.approx(0.03) and bias.apply(np.array([0.2]))[0] == pytest.approx(0.23)


def test_the_safe_correction_is_chosen_by_leave_one_station_out():
    """Stations with a pure offset: a CNN whose cross-validated values are noisier than a bias correction
    loses to it; one that is better wins. The reason names both RMSEs."""
    from smfusion.core.calibrate import choose_correction
    rng = np.random.default_rng(2)
    ids = np.repeat([f"S{i}" for i in range(6)], 40)
    sm = rng.uniform(0.1, 0.4, len(ids))
    obs = sm + 0.05 + rng.normal(0, 0.005, len(ids))
    loso, method, why = choose_correction(sm, obs, ids, obs + rng.normal(0, 0.03, len(ids)))
    assert method in ("bias", "linear") and "does not earn its place" in why
    assert loso["bias"]["rmse"] == pytest.approx(0.005, rel=0.2) and loso["none"]["rmse"] > 0.04
    loso, method, why = choose_correction(sm, obs, ids, obs + rng.normal(0, 0.001, len(ids)))
    assert method == "cnn" and why.startswith("cnn: leave-one-station-out RMSE: CNN 0.00")
    assert loso["cnn"]["gain_t"] > 2


def test_a_cnn_edge_within_the_station_spread_keeps_the_safe_correction():
    """30 stations: the CNN is better at half of them and worse at the rest, a slightly lower pooled RMSE
    than the bias correction but under 2 standard errors of the per-station gain: the safe one is kept. The
    same edge at every station is significant, and the CNN is chosen."""
    from smfusion.core.calibrate import choose_correction
    rng = np.random.default_rng(5)
    ids = np.repeat([f"S{i:02d}" for i in range(30)], 20)
    sm = rng.uniform(0.1, 0.4, len(ids))
    obs = sm + 0.05 + rng.normal(0, 0.02, len(ids))
    z = rng.normal(0, 1, (30, 20))
    z = (z / np.sqrt(np.mean(z ** 2, axis=1, keepdims=True))).ravel()      # unit RMS at every station
    good = np.repeat(np.arange(30), 20) % 2 == 0
    mixed = obs + z * np.where(good, 0.005, 0.026)                           # RMS 0.0187 pooled
    loso, method, why = choose_correction(sm, obs, ids, mixed)
    assert loso["cnn"]["rmse"] < loso["bias"]["rmse"] and method == "bias"
    assert abs(loso["cnn"]["gain_t"]) < 2 and "does not earn its place" in why and "standard errors" in why
    steady = obs + rng.normal(0, 0.012, len(ids))
    loso, method, _ = choose_correction(sm, obs, ids, steady)
    assert method == "cnn" and loso["cnn"]["gain_t"] > 2


def test_a_long_record_keeps_the_cnn_unless_it_is_worse():
    """With 90 days per station (≥ LONG_RECORD) the CNN stays where the stations cannot tell it from the
    safe correction, and gives way where it is worse by over 2 standard errors."""
    from smfusion.core.calibrate import LONG_RECORD, choose_correction
    rng = np.random.default_rng(6)
    days = 90
    assert days >= LONG_RECORD
    ids = np.repeat([f"S{i:02d}" for i in range(30)], days)
    sm = rng.uniform(0.1, 0.4, len(ids))
    obs = sm + 0.05 + rng.normal(0, 0.02, len(ids))
    z = rng.normal(0, 1, (30, days))
    z = (z / np.sqrt(np.mean(z ** 2, axis=1, keepdims=True))).ravel()
    good = np.repeat(np.arange(30), days) % 2 == 0
    loso, method, why = choose_correction(sm, obs, ids, obs + z * np.where(good, 0.005, 0.026))
    assert abs(loso["cnn"]["gain_t"]) < 2 and method == "cnn" and "not worse over a record" in why
    loso, method, why = choose_correction(sm, obs, ids, obs + z * 0.03)
    assert loso["cnn"]["gain_t"] < -2 and method == "bias" and "worse by over 2" in why


@pytest.mark.slow
def test_onnx_equals_its_torch_twin():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed (only `make train-cnn` needs it)")
    import importlib.util
    from pathlib import Path
    spec = importlib.util.spec_from_file_location("train_cnn", Path(__file__).parents[1] / "models" / "train_cnn.py")
    train_cnn = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(train_cnn)
    torch.manual_seed(0)
    net = train_cnn.torch_twin(len(PLANES))
    model = train_cnn.to_onnx(net, PLANES, "ssm", [0.0] * 11, [1.0] * 11, {"version": "test"})
    s = cnn.Session(model, "cpu")
    x = np.random.default_rng(1).standard_normal((11, 40, 50)).astype("float32")
    with torch.no_grad():
        expected = net(torch.from_numpy(x[None])).numpy()[0, 0]
    np.testing.assert_allclose(s._block(x), expected, atol=1e-5)
