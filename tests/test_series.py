import datetime as dt

import numpy as np
import pytest
from conftest import real_data
from smfusion.core.errors import SMFusionError
from smfusion.core.raster import Grid, write_raster
from smfusion.core.series import check_same_grid, list_series, parse_date, parse_user_date, series_filename, variable_of

pytestmark = pytest.mark.usefixtures("gdal_mode")    # every test in both GDAL error modes

GRID = Grid.from_bounds("EPSG:5179", 900000, 1900000, 910000, 1908000, 1000)


@pytest.mark.parametrize("name, expected", [
    ("ssm_20210401.tif", dt.date(2021, 4, 1)),
    ("Landsat_LST_cloudrm_20160205.tif", dt.date(2016, 2, 5)),
    ("MOD11A1.A2019305.h14v09.006.2019306084028.hdf", dt.date(2019, 11, 1)),
    ("GLASS01B01.V40.A2016060.2017012.hdf", dt.date(2016, 2, 29)),   # leap year day 60
    ("ndvi_2021-12-31.tif", dt.date(2021, 12, 31)),
    ("A2020366_x.tif", dt.date(2020, 12, 31)),
])
def test_parse_date(name, expected):
    assert parse_date(name) == expected


@pytest.mark.parametrize("name", ["ssm.tif", "ssm_20211301.tif", "MOD.A2021366.tif", "x_123456789.tif",
                                  "ssm_2021041.tif"])
def test_parse_date_rejects_and_names_the_file(name):
    with pytest.raises(SMFusionError, match=name.replace(".", r"\.")):
        parse_date(name)


def test_user_dates_and_names():
    assert parse_user_date("2021-04-01") == parse_user_date("20210401") == dt.date(2021, 4, 1)
    assert parse_user_date(None) is None
    with pytest.raises(SMFusionError, match="START"):
        parse_user_date("April", "START")
    assert series_filename("ssm", dt.date(2021, 4, 1)) == "ssm_20210401.tif"
    assert variable_of("lst_day_20210401.tif") == "lst_day"
    assert variable_of("MOD11A1.A2019305.h14v09.hdf") == "MOD11A1"


def _write(folder, name, value, grid=GRID):
    write_raster(folder / name, np.full(grid.shape, value, "float32"), grid)


def test_list_series_in_date_order(tmp_path):
    for name, v in [("ssm_20210403.tif", 3), ("ssm_20210401.tif", 1), ("ssm_20210402.tif", 2)]:
        _write(tmp_path, name, v)
    (tmp_path / "ssm_20210401.tif.aux.xml").write_text("<x/>")      # sidecars are not series files
    (tmp_path / "notes.txt").write_text("not a raster")
    s = list_series(tmp_path)
    assert s.dates == [dt.date(2021, 4, d) for d in (1, 2, 3)]
    assert [float(s.read(d)[0, 0]) for d in s.dates] == [1.0, 2.0, 3.0]
    assert s.variable == "ssm"
    assert s.grid.same_as(GRID)
    part = list_series(tmp_path, start=dt.date(2021, 4, 2))
    assert part.dates == [dt.date(2021, 4, 2), dt.date(2021, 4, 3)]
    assert "3 files, 2021-04-01 … 2021-04-03" in s.describe()


def test_mixed_grids_name_the_file(tmp_path):
    _write(tmp_path, "ssm_20210401.tif", 1)
    other = Grid.from_bounds("EPSG:5179", 900000, 1900000, 910000, 1909000, 1000)   # one row more
    _write(tmp_path, "ssm_20210402.tif", 1, other)
    with pytest.raises(SMFusionError, match=r"ssm_20210402\.tif.*not on the same grid.*size 10×8 vs 10×9"):
        list_series(tmp_path)
    shifted = Grid(GRID.crs, (900500.0, 1000.0, 0.0, 1908000.0, 0.0, -1000.0), 10, 8)
    _write(tmp_path, "ssm_20210402.tif", 1, shifted)
    with pytest.raises(SMFusionError, match=r"ssm_20210402\.tif.*geotransform"):
        list_series(tmp_path)
    wgs = Grid(Grid.from_bounds("EPSG:4326", 0, 0, 1, 1, 0.1).crs, GRID.transform, 10, 8)
    _write(tmp_path, "ssm_20210402.tif", 1, wgs)
    with pytest.raises(SMFusionError, match=r"ssm_20210402\.tif.*CRS EPSG:5179 vs EPSG:4326"):
        list_series(tmp_path)


def test_bad_folders(tmp_path):
    with pytest.raises(SMFusionError, match="holds no raster"):
        list_series(tmp_path)
    with pytest.raises(SMFusionError, match="not found"):
        list_series(tmp_path / "absent")
    _write(tmp_path, "ssm_latest.tif", 1)
    with pytest.raises(SMFusionError, match=r"ssm_latest\.tif: no date"):
        list_series(tmp_path)
    (tmp_path / "ssm_latest.tif").unlink()
    _write(tmp_path, "ssm_20210401.tif", 1)
    _write(tmp_path, "ssm_A2021091.tif", 1)
    with pytest.raises(SMFusionError, match="same date"):
        list_series(tmp_path)
    (tmp_path / "ssm_A2021091.tif").unlink()
    with pytest.raises(SMFusionError, match="no file between"):
        list_series(tmp_path, start=dt.date(2022, 1, 1))


def test_real_pairs_share_a_grid():
    folder = real_data("estarfm_yanco")
    paths = sorted(folder.glob("*.tif"))
    grid = check_same_grid(paths)
    assert (grid.width, grid.height) == (400, 400)
    assert grid.authid == "EPSG:4326"
    assert grid.bounds[0] == pytest.approx(146.0) and grid.bounds[3] == pytest.approx(-34.8)
    assert [parse_date(p.name) for p in paths if p.name.startswith("MOD")] == [
        dt.date(2016, 2, 5), dt.date(2016, 2, 18), dt.date(2016, 3, 8)]


def test_a_killed_runs_temporaries_are_removed_when_the_stage_starts_again(tmp_path):
    import datetime as dt

    from smfusion.core.progress import Progress
    from smfusion.core.series import written
    (tmp_path / ".ssm_20210401.part-1a2b3c4d.tif").write_bytes(b"half")
    (tmp_path / ".ssm_20210401.part-1a2b3c4d.tif.aux.xml").write_text("<x/>")
    (tmp_path / ".rzsm_20210401.part-1a2b3c4d.tif").write_bytes(b"another layer's")
    (tmp_path / "ssm_20210402.tif").write_bytes(b"kept")
    log = []
    assert written(tmp_path, "ssm", [dt.date(2021, 4, 1)], None, Progress(lambda f, m=None: m and log.append(m))) \
        == set()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".rzsm_20210401.part-1a2b3c4d.tif", "ssm_20210402.tif"]
    assert log == [f"Removed 2 unfinished file(s) that an interrupted run left in {tmp_path}"]
