"""ESTARFM: the compiled kernel against the pixel-loop reference, the real Yanco case, the demo region
(known truth), the time-series driver (reuse, equality with the single-date tool) and bad input."""

import datetime as dt
import itertools
import json

import numpy as np
import pytest
from conftest import real_data
from estarfm_reference import estarfm_reference
from smfusion.core import estarfm as E  # noqa: N812 - the module's short name
from smfusion.core import fusion
from smfusion.core.demo import DemoConfig, make_demo
from smfusion.core.errors import Cancelled, SMFusionError
from smfusion.core.estarfm_options import CONVERSIONS, METHODS, Options
from smfusion.core.raster import Grid, read_raster, write_raster
from smfusion.core.series import list_series
from smfusion.core.simd import LANES


def _case(seed=3, gaps=True, n=40):
    """A small heterogeneous case, values quantised to 1/1024 (exact float32 differences), with NaNs."""
    rng = np.random.default_rng(seed)

    def smooth():
        a = rng.random((n + 4, n + 4))
        return (a[:-4, :-4] + a[4:, 4:] + a[2:-2, 2:-2] + a[:-4, 4:] + a[4:, :-4]) / 5

    base = 0.2 + 0.6 * smooth()
    f1 = base + 0.05 * rng.random((n, n))
    f2 = base * 1.1 + 0.05 * rng.random((n, n))

    def coarse(f, off):
        k = f.reshape(n // 5, 5, n // 5, 5).mean(axis=(1, 3))
        return np.kron(k, np.ones((5, 5))) + off + 0.01 * rng.random((n, n))

    c1, c2, c0 = coarse(f1, 0.02), coarse(f2, 0.03), coarse(0.5 * (f1 + f2) + 0.05, 0.025)
    f1, f2, c1, c2, c0 = (np.round(a * 1024) / 1024 for a in (f1, f2, c1, c2, c0))
    if gaps:
        f1[rng.random((n, n)) < 0.1] = np.nan
        f2[rng.random((n, n)) < 0.1] = np.nan
        c1[3, 3] = np.nan
        c0[rng.random((n, n)) < 0.03] = np.nan
    return [a.astype("float32") for a in (f1, c1, f2, c2, c0)]


COMBOS = list(itertools.product(METHODS, CONVERSIONS, (2, 4), (0, 16)))


@pytest.mark.parametrize("method,conversion,classes,block", COMBOS)
def test_kernel_equals_pixel_loop_reference(method, conversion, classes, block):
    gaps = (classes + block) % 4 == 2        # half of the combinations have gaps in F, C(t1) and C(tp)
    f1, c1, f2, c2, c0 = _case(gaps=gaps)
    kw = dict(window=7, classes=classes, sigma_block=block, conversion=conversion, method=method,
              valid_min=0.3 if gaps else None, valid_max=0.8 if gaps else None)
    ref = estarfm_reference(f1, c1, f2, c2, c0, **kw)
    got = E.estarfm(f1, c1, f2, c2, c0, Options(**kw))
    assert np.array_equal(np.isnan(ref), np.isnan(got))
    assert np.isfinite(got).mean() > 0.9
    np.testing.assert_allclose(got, ref, atol=1e-5, rtol=0)


@pytest.mark.parametrize("window,n,gaps", [(5, 40, True), (9, 10, True), (13, 40, False), (13, 10, False)])
def test_lanes_of_centres_equal_the_reference(window, n, gaps):
    """The window loops take LANES centres of an image row at once (one per lane): rows of 40 px (2.5 vectors)
    and of 10 px (less than one), with gaps in F (where some centre of a vector uses one pair, the lanes
    read the pairs per centre) and without (every lane reads both pairs as they are)."""
    assert LANES == 16 and n % LANES
    f1, c1, f2, c2, c0 = _case(gaps=gaps, n=n)
    one_pair = np.isnan(f1) != np.isnan(f2)
    assert one_pair.any() == gaps
    for method, conversion in itertools.product(METHODS, CONVERSIONS):
        kw = dict(window=window, classes=4, conversion=conversion, method=method, valid_min=0.3, valid_max=0.8)
        ref = estarfm_reference(f1, c1, f2, c2, c0, **kw)
        got = E.estarfm(f1, c1, f2, c2, c0, Options(**kw))
        assert np.array_equal(np.isnan(ref), np.isnan(got)) and np.isfinite(got).mean() > 0.9
        np.testing.assert_allclose(got, ref, atol=1e-5, rtol=0)


@pytest.mark.parametrize("window", [5, 13])
def test_several_dates_at_once_equal_each_date_alone(window):
    """Several prediction dates in one call (the series' pair segments) keep each window row's weights for the
    dates after the first: every date equals the one-date kernel and the pixel-loop reference, C(tp) with
    gaps and without."""
    f1, c1, f2, c2, c0 = _case(gaps=True)
    full = np.where(np.isnan(c0), c1, c0)
    cts = [c0, full + 0.03, c0 - 0.02, full]
    w = window // 2
    blocks = [np.pad(a.astype("float64"), w, constant_values=np.nan) for a in (f1, c1, f2, c2)]
    sigma_block = Options().sigma_block                     # the thresholds depend on neither method nor conversion
    s1, s2 = (E.Sigma.of(f, c, sigma_block, 4).threshold(0, 0, *f1.shape) for f, c in ((f1, c1), (f2, c2)))
    for method, conversion in itertools.product(METHODS, CONVERSIONS):
        opts = Options(window=window, classes=4, conversion=conversion, method=method, valid_min=0.3, valid_max=0.8)
        for dates in (cts, cts[1::2]):                   # with gaps in C(tp) (its mask) and gap-free
            several = E.fuse_block(*blocks, [np.pad(ct.astype("float64"), w, constant_values=np.nan) for ct in dates],
                                   s1, s2, opts, halo=w)
            for ct, got in zip(dates, several):
                alone = E.estarfm(f1, c1, f2, c2, ct, opts)
                ref = estarfm_reference(f1, c1, f2, c2, ct, window=window, classes=4, conversion=conversion,
                                        method=method, valid_min=0.3, valid_max=0.8)
                assert np.array_equal(np.isnan(got), np.isnan(alone)) and np.isfinite(got).mean() > 0.9
                np.testing.assert_allclose(got, alone, atol=2e-6, rtol=0)
                np.testing.assert_allclose(got, ref, atol=1e-5, rtol=0)


def test_single_pair_and_fallback_equal_the_reference():
    f1, c1, f2, c2, c0 = _case(seed=5)
    ref = estarfm_reference(f1, c1, None, None, c0, window=7)
    np.testing.assert_allclose(E.estarfm(f1, c1, None, None, c0, Options(window=7)), ref, atol=1e-5)
    kw = dict(window=5, classes=60, method="ubestarfm", conversion="regression")  # few similar pixels
    stats = E.Stats()
    h = 2
    pad = ((h, h), (h, h))
    blocks = [np.pad(a, pad, constant_values=np.nan) for a in (f1, c1, f2, c2, c0)]
    s = [E.Sigma.of(f, c, 0, 60).threshold(0, 0, 40, 40) for f, c in ((f1, c1), (f2, c2))]
    got = E.fuse_block(*blocks[:4], [blocks[4]], s[0], s[1], Options(**kw), stats=stats)[0]
    assert stats.fallback > 100                                  # the step-8 branch is exercised
    np.testing.assert_allclose(got, estarfm_reference(f1, c1, f2, c2, c0, **kw), atol=1e-5)


def test_every_branch_changes_the_result():
    f1, c1, f2, c2, c0 = _case()
    one = E.estarfm(f1, c1, f2, c2, c0, Options(window=7, conversion="one"))
    reg = E.estarfm(f1, c1, f2, c2, c0, Options(window=7, conversion="regression"))
    assert np.nanmax(np.abs(one - reg)) > 0.01                  # V ≠ 1 somewhere
    revised = E.estarfm(f1, c1, f2, c2, c0, Options(window=7, conversion="one", valid_min=0.3,
                                                      valid_max=0.8))
    assert 10 < np.nansum(one != revised) < one.size / 2         # step 7 acts on the out-of-range pixels
    ub = E.estarfm(f1, c1, f2, c2, c0, Options(window=7, method="ubestarfm"))
    assert np.nanmax(np.abs(one - ub)) > 0.005


def test_similarity_intervals_are_the_threshold_test():
    # the window loop tests lo <= a <= hi (E._bounds) in place of |a - f| < s: the same values pass, to the bit
    rng = np.random.default_rng(5)
    f32 = np.float32
    centres = np.concatenate([rng.normal(300, 20, 60), rng.normal(0, 1, 60), rng.normal(0, 1e-30, 20),
                              [0.0, -0.0, 1e-45, -2.5, 3.0e38, -3.0e38, np.inf, -np.inf, np.nan]]).astype(f32)
    thresholds = np.concatenate([10.0 ** rng.uniform(-8, 2, 12), [1e-45, 1e-20, 3e38, np.inf, 0.0, -1.0,
                                                                   np.nan]]).astype(f32)
    tiny = np.finfo(f32).smallest_subnormal
    fixed = np.array([0.0, tiny, -tiny, 1.0, -1.0, 300.0, np.finfo(f32).max, -np.finfo(f32).max, np.inf, -np.inf,
                      np.nan], f32)
    passing = 0
    with np.errstate(all="ignore"):
        for f, s in itertools.product(centres, thresholds):
            lo, hi = E._bounds(f, s)
            edges = [x for x in (lo, hi, f, f + s, f - s) if np.isfinite(x)]
            near = np.concatenate([edges, *(np.nextafter(np.array(edges, f32), f32(d)) for d in (np.inf, -np.inf))])
            a = np.concatenate([fixed, near, (f + s * rng.uniform(-2, 2, 20)).astype(f32)]).astype(f32)
            expected = np.abs(a - f) < s                         # float32, as the kernel computed it before
            np.testing.assert_array_equal((a >= lo) & (a <= hi), expected, err_msg=f"f={f!r} s={s!r}")
            passing += int(expected.sum())
    assert passing > 1000                                        # not all empty


def test_identical_pairs_reproduce_the_fine_image():
    f1, c1, _, _, _ = _case(gaps=False)
    out = E.estarfm(f1, c1, f1, c1, c1, Options(window=7))
    np.testing.assert_allclose(out, f1, atol=1e-6)


# ---------------------------------------------------------------------------------------------- real data

def _yanco():
    folder = real_data("estarfm_yanco")
    names = {"f1": "Landsat_LST_cloudrm_20160205.tif", "f2": "Landsat_LST_cloudrm_20160308.tif",
             "c1": "MOD11A1_LST_cloudrm_20160205.tif", "c0": "MOD11A1_LST_cloudrm_20160218.tif",
             "c2": "MOD11A1_LST_cloudrm_20160308.tif"}
    return {k: folder / v for k, v in names.items()}


def _highpass_std(a):
    from scipy.ndimage import uniform_filter
    filled = np.where(np.isfinite(a), a, np.nanmean(a))
    return float(np.nanstd(a - uniform_filter(filled, 9)))


@pytest.mark.parametrize("method", METHODS)
def test_yanco_real_case(method, tmp_path):
    p = _yanco()
    out = tmp_path / f"lst_{method}.tif"
    opts = Options(window=51, classes=2, sigma_block=200, conversion="one", method=method,
                     valid_min=250, valid_max=350)
    fusion.fuse_date(p["f1"], p["c1"], p["f2"], p["c2"], p["c0"], out, opts)
    pred, grid = read_raster(out)
    a = {k: read_raster(v)[0] for k, v in p.items()}
    assert grid.same_as(Grid.of(p["f1"])) and pred.shape == (400, 400)
    inputs_valid = np.logical_and.reduce([np.isfinite(a[k]) for k in ("c0", "c1", "c2")]) & (
        np.isfinite(a["f1"]) | np.isfinite(a["f2"]))
    assert np.isfinite(pred[inputs_valid]).all()                 # fully valid where the inputs are
    assert 250 < np.nanmin(pred) and np.nanmax(pred) < 350
    hp = {k: _highpass_std(a[k]) for k in ("f1", "f2", "c0")}
    hp_pred = _highpass_std(pred)
    print(f"Yanco {method}: high-pass std (9-px) prediction {hp_pred:.3f} K, Landsat {hp['f1']:.3f}/"
          f"{hp['f2']:.3f} K, MODIS {hp['c0']:.3f} K")
    mean = {k: float(np.nanmean(v)) for k, v in a.items()}
    if method == "estarfm":
        assert hp_pred > 0.8 * min(hp["f1"], hp["f2"])           # Landsat detail kept
        tw = np.array([1 / abs(mean["c0"] - mean["c1"]), 1 / abs(mean["c0"] - mean["c2"])])
        tw /= tw.sum()
        expected = tw[0] * (mean["f1"] + mean["c0"] - mean["c1"]) + tw[1] * (mean["f2"] + mean["c0"] - mean["c2"])
        assert abs(np.nanmean(pred) - expected) < 1.0           # follows the MODIS change
    else:
        assert hp_pred > 1.3 * hp["c0"]                          # finer than MODIS
        assert abs(np.nanmean(pred) - mean["c0"]) < 0.5         # the Landsat–MODIS bias is removed


# ---------------------------------------------------------------------------------------------- demo region

@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("estarfm_demo")
    make_demo(out, DemoConfig(width=70, height=60, days=45, stations=5, seed=11))
    return out


def _gap_rmse(summary, demo, var):
    fine, truth, coarse = (list_series(demo / k / var) for k in ("fine", "truth", "resampled"))
    err_f, err_b = [], []
    for date, path in zip(summary["dates"], summary["paths"]):
        if date in summary["pairs"]:
            continue
        pred, tr, bil = read_raster(path)[0], truth.read(date), coarse.read(date)
        obs = fine.path_for(date)
        gap = ~np.isfinite(read_raster(obs)[0]) if obs else np.ones(tr.shape, bool)
        m = gap & np.isfinite(pred) & np.isfinite(bil)
        err_f.append(np.mean((pred[m] - tr[m]) ** 2))
        err_b.append(np.mean((bil[m] - tr[m]) ** 2))
    return float(np.sqrt(np.mean(err_f))), float(np.sqrt(np.mean(err_b)))


@pytest.mark.slow
@pytest.mark.parametrize("var", ["ndvi", "lst_day"])
def test_demo_fusion_beats_bilinear(demo, var, tmp_path):
    summary = fusion.fuse_series(demo / "fine" / var, demo / "coarse" / var, tmp_path / var)
    assert len(summary["paths"]) == 45 and summary["variable"] == var
    fused, bilinear = _gap_rmse(summary, demo, var)
    print(f"demo {var}: RMSE on days without a fine observation, fused {fused:.4f} vs bilinear {bilinear:.4f}")
    assert fused < 0.8 * bilinear
    assert summary["nan_fraction"] < 0.05


@pytest.mark.slow
def test_series_reuses_weights_and_matches_the_single_date_tool(demo, tmp_path):
    var = "ndvi"
    summary = fusion.fuse_series(demo / "fine" / var, demo / "coarse" / var, tmp_path / "s", mode="all")
    segs = fusion.segments(summary["pairs"], summary["dates"])
    # steps 1–4 ran once per pair segment (one tile here), not once per date
    assert summary["tile_dates"] == len(summary["dates"]) == 45
    assert summary["geometries"] == len(segs) < 45
    (before, after), dates = next((k, v) for k, v in segs.items() if None not in k and len(v) > 1)
    fine, coarse = list_series(demo / "fine" / var), list_series(demo / "coarse" / var)
    for date in dates[:2]:
        single = tmp_path / f"single_{date:%Y%m%d}.tif"
        fusion.fuse_date(fine.path_for(before), coarse.path_for(before), fine.path_for(after),
                         coarse.path_for(after), coarse.path_for(date), single)
        series_file = summary["paths"][summary["dates"].index(date)]
        # the same prediction; a series' later dates sum the window in another order (last float32 bits)
        np.testing.assert_allclose(read_raster(series_file)[0], read_raster(single)[0], rtol=0, atol=1e-6)


def test_single_date_in_memory_writes_what_streaming_writes(demo, tmp_path, monkeypatch):
    # fuse_date reads small rasters once into memory (the coarse ones resampled onto the fine grid);
    # streamed tile by tile from the files, the prediction is the same to the bit
    fine, coarse = list_series(demo / "fine" / "ndvi"), list_series(demo / "coarse" / "ndvi")
    assert not coarse.grid.same_as(fine.grid)
    d0, d1, tp = fine.dates[0], fine.dates[-1], fine.dates[len(fine.dates) // 2]
    holed, grid = read_raster(coarse.path_for(tp))
    rows, cols = holed.shape
    holed[rows // 2 - 1:rows // 2 + 1, cols // 2 - 1:cols // 2 + 1] = np.nan   # C(tp) missing where the fine images see
    write_raster(tmp_path / "coarse_tp.tif", holed, grid)
    paths = [fine.path_for(d0), coarse.path_for(d0), fine.path_for(d1), coarse.path_for(d1), tmp_path / "coarse_tp.tif"]
    counted = []                                               # the empty pixels counted while writing
    guard = fusion._not_empty
    monkeypatch.setattr(fusion, "_not_empty", lambda result, max_empty, fine_valid, empty_count=None: (
        counted.append((empty_count, fine_valid)) or guard(result, max_empty, fine_valid, empty_count)))
    assert len(fusion._preload(paths, fine.grid, "bilinear")) == 5
    fusion.fuse_date(*paths, tmp_path / "memory.tif")
    monkeypatch.setattr(fusion, "PRELOAD_BYTES", 0)
    assert fusion._preload(paths, fine.grid, "bilinear") == {}
    fusion.fuse_date(*paths, tmp_path / "streamed.tif")
    memory, streamed = read_raster(tmp_path / "memory.tif")[0], read_raster(tmp_path / "streamed.tif")[0]
    assert np.isfinite(memory).mean() > 0.5                    # pixels that neither pair sees stay NaN
    np.testing.assert_array_equal(memory, streamed)
    for (count, fine_valid), out in zip(counted, (memory, streamed)):
        assert count == int(np.isnan(out)[fine_valid].sum()) > 0   # as the file says


def test_fill_mode_keeps_observations(demo, tmp_path):
    var = "albedo"
    summary = fusion.fuse_series(demo / "fine" / var, demo / "coarse" / var, tmp_path, mode="fill",
                                 start=dt.date(2021, 4, 10), end=dt.date(2021, 4, 20))
    assert [d.day for d in summary["dates"]] == list(range(10, 21))
    fine = list_series(demo / "fine" / var)
    for date, path in zip(summary["dates"], summary["paths"]):
        obs, pred = read_raster(fine.path_for(date))[0], read_raster(path)[0]
        seen = np.isfinite(obs)
        np.testing.assert_array_equal(pred[seen], obs[seen])
        assert np.isfinite(pred).mean() > 0.9


# ---------------------------------------------------------------------------------------------- bad input

def _series(folder, var, dates, grid, value=0.5, nan=False):
    for d in dates:
        a = np.full(grid.shape, np.nan if nan else value, "float32")
        if not nan:
            a += np.random.default_rng(d.toordinal()).random(grid.shape).astype("float32") * 0.1
        write_raster(folder / f"{var}_{d:%Y%m%d}.tif", a, grid)


def test_bad_input(tmp_path):
    grid = Grid.from_bounds("EPSG:32652", 0, 0, 30_000, 20_000, 1000)
    days = [dt.date(2021, 5, d) for d in range(1, 11)]
    _series(tmp_path / "fine", "ndvi", days[:3], grid)
    _series(tmp_path / "coarse", "ndvi", days[5:], grid)
    with pytest.raises(SMFusionError, match="No date has both a fine and a coarse image"):
        fusion.fuse_series(tmp_path / "fine", tmp_path / "coarse", tmp_path / "out")
    with pytest.raises(SMFusionError, match="WINDOW must be an odd"):
        Options(window=24)
    with pytest.raises(SMFusionError, match="WINDOW must be an odd"):
        Options(window=1)
    other = Grid.from_bounds("EPSG:32652", 0, 0, 31_000, 20_000, 1000)
    write_raster(tmp_path / "fine" / "ndvi_20210504.tif", np.zeros(other.shape, "float32"), other)
    with pytest.raises(SMFusionError, match="ndvi_20210504.tif: not on the same grid"):
        fusion.fuse_series(tmp_path / "fine", tmp_path / "coarse", tmp_path / "out")


def test_empty_coarse_date_is_skipped_with_a_warning_and_cancel_leaves_nothing(tmp_path):
    grid = Grid.from_bounds("EPSG:32652", 0, 0, 40_000, 30_000, 1000)
    days = [dt.date(2021, 5, d) for d in range(1, 9)]
    _series(tmp_path / "fine", "lst", [days[0], days[7]], grid, 300)
    _series(tmp_path / "coarse", "lst", days, grid, 300)
    _series(tmp_path / "coarse", "lst", [days[3]], grid, nan=True)
    log = []
    summary = fusion.fuse_series(tmp_path / "fine", tmp_path / "coarse", tmp_path / "out",
                                 Options(window=5), progress=lambda f, m=None: m and log.append(m))
    assert days[3] not in summary["dates"] and len(summary["dates"]) == 7
    assert any("lst_20210504.tif holds no valid value" in m and "skipped" in m for m in log)
    calls = []

    def cancel_soon():
        calls.append(1)
        return len(calls) > 12

    with pytest.raises(Cancelled):
        fusion.fuse_series(tmp_path / "fine", tmp_path / "coarse", tmp_path / "cancelled",
                           Options(window=5), is_cancelled=cancel_soon)
    left = list((tmp_path / "cancelled").glob("*")) if (tmp_path / "cancelled").exists() else []
    assert not [p for p in left if p.name.startswith(".")], "no temporary file is left behind"
    for p in left:                                               # what exists is complete
        assert np.isfinite(read_raster(p)[0]).all()
    json.dumps([str(p) for p in left])


def test_several_bands_equal_the_reference_and_go_through_files(tmp_path):
    from estarfm_reference import estarfm_reference_multiband
    bands = [_case(seed=s, gaps=True, n=30) for s in (3, 4, 5)]
    f1, c1, f2, c2, c0 = (np.stack([b[k] for b in bands]) for k in range(5))
    for method, conversion in itertools.product(METHODS, CONVERSIONS):
        kw = dict(window=7, classes=3, method=method, conversion=conversion, valid_min=0.3, valid_max=0.8)
        ref = estarfm_reference_multiband(f1, c1, f2, c2, c0, **kw)
        got = E.estarfm_multiband(f1, c1, f2, c2, c0, Options(**kw))
        assert np.array_equal(np.isnan(ref), np.isnan(got)) and np.isfinite(got).mean() > 0.8
        np.testing.assert_allclose(got, ref, atol=1e-5)
    kw = dict(window=5, classes=40)                                    # the fallback branch
    np.testing.assert_allclose(E.estarfm_multiband(f1, c1, f2, c2, c0, Options(**kw)),
                               estarfm_reference_multiband(f1, c1, f2, c2, c0, **kw), atol=1e-5)
    grid = Grid.from_bounds("EPSG:32655", 500_000, 6_000_000, 530_000, 6_030_000, 1000)
    paths = []
    from smfusion.core.raster import RasterWriter
    for name, a in zip(("f1", "c1", "f2", "c2", "c0"), (f1, c1, f2, c2, c0)):
        with RasterWriter(tmp_path / f"{name}.tif", grid, bands=3) as w:
            w.write(a)
        paths.append(tmp_path / f"{name}.tif")
    fusion.fuse_date(*paths, tmp_path / "out.tif", Options(window=7, classes=3))
    from osgeo import gdal
    ds = gdal.Open(str(tmp_path / "out.tif"))
    assert ds.RasterCount == 3
    expected = E.estarfm_multiband(f1, c1, f2, c2, c0, Options(window=7, classes=3))
    np.testing.assert_allclose(ds.ReadAsArray(), expected, atol=1e-6)
    write_raster(tmp_path / "one.tif", f1[0], grid)
    with pytest.raises(SMFusionError, match="same number of bands"):
        fusion.fuse_date(tmp_path / "one.tif", *paths[1:], tmp_path / "bad.tif")


def test_fusion_that_cannot_work_fails_before_it_starts(tmp_path):
    """A coarse series of another region (it overlaps a fifth of the fine grid): the series tool stops before
    any compute, the one-date tool too, and nothing is written; MAX_EMPTY lets the user accept it."""
    grid = Grid.from_bounds("EPSG:32652", 0, 0, 40_000, 30_000, 1000)
    elsewhere = Grid.from_bounds("EPSG:32652", 32_000, 0, 72_000, 30_000, 1000)        # 8 of 40 columns shared
    days = [dt.date(2021, 5, d) for d in range(1, 5)]
    _series(tmp_path / "fine", "lst", [days[0], days[3]], grid, 300)
    _series(tmp_path / "coarse", "lst", days, elsewhere, 300)
    with pytest.raises(SMFusionError, match=r"lst_20210501.tif: the coarse image covers 20% of the fine grid .*"
                                            r"leave 80% of its pixels empty \(MAX_EMPTY allows 50%\)"):
        fusion.fuse_series(tmp_path / "fine", tmp_path / "coarse", tmp_path / "out", Options(window=5))
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())
    f, c = tmp_path / "fine", tmp_path / "coarse"
    with pytest.raises(SMFusionError, match=r"covers 20% of the fine grid"):
        fusion.fuse_date(f / "lst_20210501.tif", c / "lst_20210501.tif", None, None, c / "lst_20210502.tif",
                         tmp_path / "one.tif", Options(window=5))
    assert not (tmp_path / "one.tif").exists()
    summary = fusion.fuse_series(f, c, tmp_path / "accepted", Options(window=5), max_empty=0.9)
    assert [round(float(np.isnan(read_raster(p)[0]).mean()), 2) for p in summary["paths"]] == [0, 0.8, 0.8, 0]
    # coarse dates that turn out emptier than the first: the files are kept, and the log warns
    _series(tmp_path / "c2", "lst", days, grid, 300)
    for d in days[1:3]:
        a = read_raster(tmp_path / "c2" / f"lst_{d:%Y%m%d}.tif")[0]
        a[:, :32] = np.nan
        write_raster(tmp_path / "c2" / f"lst_{d:%Y%m%d}.tif", a, grid)
    log = []
    fusion.fuse_series(f, tmp_path / "c2", tmp_path / "warned", Options(window=5),
                       progress=lambda x, m=None: m and log.append(m))
    assert any(m.startswith("Warning: 80% of the written pixels that a fine image ever observed are empty, more "
                            "than MAX_EMPTY (50%)") for m in log), log


def test_an_empty_one_date_result_is_removed(tmp_path):
    """The last guard of the one-date tool: a written result emptier than MAX_EMPTY where the fine images see
    is removed, and the error says so."""
    grid = Grid.from_bounds("EPSG:32652", 0, 0, 40_000, 30_000, 1000)
    out = np.full(grid.shape, 300.0, "float32")
    out[:, :30] = np.nan
    write_raster(tmp_path / "one.tif", out, grid)
    seen = np.ones(grid.shape, bool)
    with pytest.raises(SMFusionError, match=r"one.tif: 75% of the fused pixels would be empty .*nothing was written"):
        fusion._not_empty({"output": tmp_path / "one.tif", "nan_fraction": 0.75}, 0.5, seen)
    assert not (tmp_path / "one.tif").exists()
    write_raster(tmp_path / "two.tif", out, grid)
    seen[:, :30] = False                                      # empty only where no fine image looked: kept
    assert fusion._not_empty({"output": tmp_path / "two.tif", "nan_fraction": 0.75}, 0.5, seen)
    assert (tmp_path / "two.tif").exists()


def test_estarfm_into_a_nearly_full_disk_fails_and_leaves_only_whole_files(tmp_path, mounted):
    """The reported case: ESTARFM into a nearly full filesystem used to exit 0 with unreadable GeoTIFFs under
    their final names. Now it fails, naming the file and the full disk, and every file left reads whole."""
    grid = Grid.from_bounds("EPSG:32652", 0, 0, 300_000, 200_000, 1000)
    days = [dt.date(2021, 5, d) for d in range(1, 11)]
    _series(tmp_path / "fine", "lst", [days[0], days[-1]], grid, 300)
    _series(tmp_path / "coarse", "lst", days, grid, 300)
    disk = mounted("1m")
    with pytest.raises(SMFusionError, match=r"lst_202105\d\d.tif: (writing failed|the written file does not read "
                                            r"back) .*no space left"):
        fusion.fuse_series(tmp_path / "fine", tmp_path / "coarse", disk / "fused", Options(window=5))
    left = sorted((disk / "fused").iterdir())
    assert not [p.name for p in left if p.name.startswith(".")], "no temporary file is left behind"
    assert len(left) < len(days)
    for p in left:
        assert np.isfinite(read_raster(p)[0]).all(), p


@pytest.mark.parametrize("host, expected", [
    ("+avx2,+fma,+avx512f,+avx512bw", "+avx2,+fma,+avx512f,+avx512bw,-prefer-256-bit"),
    ("+avx2,+fma,-avx512f", None)])
def test_kernels_get_512_bit_vectors_only_where_the_cpu_has_avx512(monkeypatch, host, expected):
    import llvmlite.binding as llvm
    from smfusion.core import jit

    class Features:
        def flatten(self):
            return host

    monkeypatch.setattr(llvm, "get_host_cpu_features", Features)
    assert jit._full_width_features() == expected
