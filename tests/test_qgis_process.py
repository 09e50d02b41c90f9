"""The plugin as users run it headless: qgis_process.bin, with this checkout as the plugin folder."""

import json

import numpy as np
import pytest
from conftest import qgis_process as _run

pytestmark = pytest.mark.slow            # demo regions or qgis_process: `make test-fast` leaves them out


def test_provider_is_listed(enabled):
    res = _run(enabled, "list")
    assert res.returncode == 0, res.stderr
    assert "SM Fusion" in res.stdout and "smfusion:demodata" in res.stdout


def test_help(enabled):
    res = _run(enabled, "help", "smfusion:demodata")
    assert res.returncode == 0, res.stderr
    assert "known truth" in res.stdout and "STATION_NOISE" in res.stdout


def test_demodata_runs(enabled, tmp_path):
    res = _run(enabled, "run", "smfusion:demodata", "--json", "--", f"OUTPUT={tmp_path}", "WIDTH=32",
               "HEIGHT=28", "DAYS=4", "STATIONS=5", "START=2021-05-01")
    assert res.returncode == 0, res.stderr
    result = json.loads(res.stdout)
    assert result["results"]["OUTPUT"] == str(tmp_path)
    assert (tmp_path / "stations" / "stations.gpkg").is_file()
    assert sorted(p.name for p in (tmp_path / "gleam" / "rzsm").iterdir()) == [
        f"rzsm_2021050{d}.tif" for d in range(1, 5)]
    meta = json.loads((tmp_path / "demo.json").read_text())
    assert meta["config"]["width"] == 32 and meta["config"]["start"] == "2021-05-01"


def test_bad_input_is_a_clear_error(enabled, tmp_path):
    res = _run(enabled, "run", "smfusion:demodata", "--", f"OUTPUT={tmp_path}", "WIDTH=20", "HEIGHT=20",
               "STATIONS=400", "DAYS=2")
    assert res.returncode != 0
    assert "stations do not fit" in res.stdout + res.stderr


def test_estarfmdate_on_the_real_yanco_case(enabled, tmp_path):
    from conftest import real_data
    from smfusion.core.raster import read_raster

    d = real_data("estarfm_yanco")
    out = tmp_path / "lst_20160218.tif"
    res = _run(enabled, "run", "smfusion:estarfmdate", "--json", "--",
               f"FINE1={d / 'Landsat_LST_cloudrm_20160205.tif'}", f"COARSE1={d / 'MOD11A1_LST_cloudrm_20160205.tif'}",
               f"FINE2={d / 'Landsat_LST_cloudrm_20160308.tif'}", f"COARSE2={d / 'MOD11A1_LST_cloudrm_20160308.tif'}",
               f"COARSE0={d / 'MOD11A1_LST_cloudrm_20160218.tif'}", "WINDOW=51", "CLASSES=2", "SIGMA_BLOCK=200",
               "VALID_MIN=250", "VALID_MAX=350", f"OUTPUT={out}")
    assert res.returncode == 0, res.stdout + res.stderr
    assert json.loads(res.stdout)["results"]["OUTPUT"] == str(out)
    pred = read_raster(out)[0]
    assert pred.shape == (400, 400) and np.isfinite(pred).mean() > 0.999
    assert 305 < np.nanmean(pred) < 320
