"""Product readers on real files (MOD11A1, GLDAS) and on small files written here with the products'
layouts (GLEAM in both dimension orders, MOD13A2, MCD43A3, MOD15A2H, GLASS), the harmonise tool, grids,
and bad input."""

import datetime as dt
import math

import numpy as np
import pytest
from conftest import real_data
from scipy.io import netcdf_file
from smfusion.core import harmonise as H  # noqa: N812 - short module name
from smfusion.core import products as P  # noqa: N812
from smfusion.core.demo import DemoConfig, make_demo
from smfusion.core.errors import SMFusionError
from smfusion.core.raster import Grid, read_raster, transform_points, write_raster
from smfusion.core.series import list_series


def _nc(path, variables, lat, lon, dims=("lat", "lon"), time=None, attrs=None):
    """A small NetCDF3 file: ``variables`` {name: array in ``dims`` order}, lat/lon coordinates."""
    with netcdf_file(path, "w") as f:
        f.createDimension("lat", len(lat))
        f.createDimension("lon", len(lon))
        if time is not None:
            f.createDimension("time", len(time))
            t = f.createVariable("time", "f8", ("time",))
            t[:] = time
            t.units = "days since 1970-01-01"
        v = f.createVariable("lat", "f8", ("lat",))
        v[:] = lat
        v.units = "degrees_north"
        v = f.createVariable("lon", "f8", ("lon",))
        v[:] = lon
        v.units = "degrees_east"
        for name, data in variables.items():
            var = f.createVariable(name, data.dtype.char, dims)
            var[:] = data
            for k, val in (attrs or {}).get(name, {}).items():
                setattr(var, k, val)
    return path


@pytest.mark.usefixtures("gdal_mode")
def test_mod11a1_real_tile():
    path = real_data("modis", "MOD11A1.A2019305.h14v09.006.2019306084028.hdf")
    reader = P.detect(path)
    assert reader.name == "MOD11A1"
    counts = {}
    for qc in P.QC_OPTIONS:
        layer = reader.read(path, "lst_day", qc)[0]
        counts[qc] = int(np.isfinite(layer.array).sum())
        assert layer.date == dt.date(2019, 11, 1)
        assert 250 < np.nanmin(layer.array) and np.nanmax(layer.array) < 330
    assert 0 < counts["good"] < counts["good+other"] <= counts["any"] < 1200 * 1200
    # the centre of pixel (0, 0) lies where the MODIS sinusoidal tile grid puts it (h14, v09)
    grid = layer.grid
    size = 2 * math.pi * 6371007.181 / 36                     # tile size, m
    x = -18 * size + 14 * size + 0.5 * size / 1200
    y = 9 * size - 9 * size - 0.5 * size / 1200
    assert grid.xy(0, 0) == pytest.approx((x, y), abs=1e-3)
    lon, lat = transform_points([x], [y], grid.crs, "EPSG:4326")
    assert lat[0] == pytest.approx(math.degrees(y / 6371007.181), abs=1e-6)
    assert lon[0] == pytest.approx(math.degrees(x / (6371007.181 * math.cos(math.radians(lat[0])))), abs=1e-6)


@pytest.mark.usefixtures("gdal_mode")
def test_gldas_real_file_and_conversion(tmp_path):
    path = real_data("gldas", "GLDAS_NOAH025_3H.A20160101.0300.021.nc4")
    layer = P.detect(path).read(path, "ssm")[0]
    a, g = layer.array, layer.grid
    assert layer.date == dt.date(2016, 1, 1) and 0 <= np.nanmin(a) and np.nanmax(a) <= 0.6

    def at(lon, lat):
        r, c = g.rowcol(lon, lat)
        return a[int(r), int(c)]

    assert np.isfinite(at(2.25, 48.25)) and np.isfinite(at(25.0, 59.0))        # Paris, Finland: land
    assert np.isnan(at(-5.0, 45.0)) and np.isnan(at(-30.0, 0.0))               # Bay of Biscay, Atlantic
    with pytest.raises(SMFusionError, match="without SoilMoi40_100cm_inst, which rzsm needs"):
        P.detect(path).read(path, "rzsm")
    # a GLDAS-like file with all three layers: ÷100, ÷300, ÷600 and the thickness-weighted root zone
    lat, lon = np.array([37.125, 37.375]), np.array([127.125, 127.375, 127.625])
    synth = _nc(tmp_path / "GLDAS_NOAH025_3H.A20210501.0300.021.nc4",
                {"SoilMoi0_10cm_inst": np.full((2, 3), 30.0), "SoilMoi10_40cm_inst": np.full((2, 3), 90.0),
                 "SoilMoi40_100cm_inst": np.full((2, 3), 120.0)}, lat, lon)
    ssm = P.READERS["GLDAS"].read(synth, "ssm")[0].array
    rzsm = P.READERS["GLDAS"].read(synth, "rzsm")[0].array
    assert np.allclose(ssm, 0.30) and np.allclose(rzsm, (0.30 * 0.3 + 0.20 * 0.6) / 0.9)


@pytest.mark.parametrize("order", [("time", "lon", "lat"), ("time", "lat", "lon")])
@pytest.mark.parametrize("lat_up,field_name", [(True, "SMroot"), (False, "SMroot"), (False, "SMrz")])
def test_gleam_lands_in_the_right_corner(tmp_path, order, lat_up, field_name):
    lat = np.arange(36.125, 38.0, 0.25)                        # 8 rows, south → north
    lon = np.arange(126.125, 128.6, 0.25)                      # 10 cols
    lat = lat if lat_up else lat[::-1]
    yy, xx = np.meshgrid(lat, lon, indexing="ij")
    field = 0.05 + 0.02 * (yy - 36) + 0.01 * (xx - 126)        # wettest in the north-east
    cube = np.stack([field, field + 0.01])
    cube[0, 3, 4] = -999.0                                     # one fill value, away from the corners
    if order[1] == "lon":
        cube = cube.transpose(0, 2, 1)
    path = _nc(tmp_path / f"{field_name}_2021_GLEAM.nc", {field_name: cube.astype("f4")}, lat, lon, dims=order,
               time=np.array([18628.0, 18629.0]), attrs={field_name: {"_FillValue": np.float32(-999.0)}})
    target = Grid.from_bounds("EPSG:4326", 126.0, 36.0, 128.5, 38.0, 0.25)
    out = H.harmonise([path], tmp_path / "out", target)
    assert [p.name for p in out["paths"]] == ["rzsm_20210101.tif", "rzsm_20210102.tif"]
    a = read_raster(out["paths"][0])[0]
    assert np.nanargmax(a) == 9                                 # top-right pixel: north-east
    assert a[0, 9] == pytest.approx(0.05 + 0.02 * 1.875 + 0.01 * 2.375, abs=1e-6)
    assert a[-1, 0] == pytest.approx(0.05 + 0.02 * 0.125 + 0.01 * 0.125, abs=1e-6)
    assert np.isnan(a).sum() == 1


@pytest.mark.usefixtures("gdal_mode")
def test_modis_composites_glass_scales_fills_and_masks(tmp_path):
    lat, lon = np.array([37.01, 37.0]), np.array([127.0, 127.01, 127.02])
    ndvi = np.array([[5000, -3000, 8000], [2000, 4000, 6000]], "i2")
    rel = np.array([[0, 0, 1], [2, 0, 1]], "i2")
    f = _nc(tmp_path / "MOD13A2.A2021001.h28v05.061.2021020.nc", {"1_km_16_days_NDVI": ndvi,
            "1_km_16_days_pixel_reliability": rel}, lat, lon,
            attrs={"1_km_16_days_NDVI": {"scale_factor": 10000.0, "_FillValue": np.int16(-3000)}})
    assert P.detect(f).name == "MOD13A2"
    good = P.READERS["MOD13A2"].read(f, "ndvi", "good")[0]
    other = P.READERS["MOD13A2"].read(f, "ndvi", "good+other")[0].array
    assert good.date == dt.date(2021, 1, 1)                    # a composite keeps its first day
    np.testing.assert_allclose(good.array, [[0.5, np.nan, np.nan], [np.nan, 0.4, np.nan]])
    np.testing.assert_allclose(other, [[0.5, np.nan, 0.8], [np.nan, 0.4, 0.6]])
    alb = np.array([[150, 32767, 300], [200, 250, 100]], "i2")
    q = np.array([[0, 0, 1], [255, 0, 0]], "i2")
    f = _nc(tmp_path / "MCD43A3.A2021005.h28v05.061.nc", {"Albedo_WSA_shortwave": alb,
            "BRDF_Albedo_Band_Mandatory_Quality_shortwave": q}, lat, lon)
    a = P.READERS["MCD43A3"].read(f, "albedo_wsa", "good")[0].array
    np.testing.assert_allclose(a, [[0.15, np.nan, np.nan], [np.nan, 0.25, 0.1]])
    lai = np.array([[25, 249, 60], [255, 10, 0]], "u1").astype("i2")
    qc = np.array([[0, 0, 1], [0, 0, 0]], "i2")
    f = _nc(tmp_path / "MOD15A2H.A2021009.h28v05.061.nc", {"Lai_500m": lai, "FparLai_QC": qc}, lat, lon)
    a = P.READERS["MOD15A2H"].read(f, "lai", "good")[0].array
    np.testing.assert_allclose(a, [[2.5, np.nan, np.nan], [np.nan, 1.0, 0.0]])
    g = np.array([[150, 65535, 7500], [300, 0, 20]], "i4")
    f = _nc(tmp_path / "GLASS01B01.V60.A2021009.2022001.nc", {"LAI": g}, lat, lon,
            attrs={"LAI": {"scale_factor": 0.01, "add_offset": 0.0, "_FillValue": np.int32(65535),
                           "valid_range": np.array([0, 7000], "i4")}})
    assert P.detect(f).name == "GLASS"
    np.testing.assert_allclose(P.READERS["GLASS"].read(f, "lai")[0].array, [[1.5, np.nan, np.nan],
                                                                            [3.0, 0.0, 0.2]])
    from osgeo import gdal
    tif = tmp_path / "GLASS01E01.V60.A2021017.h28v05.2022001.tif"       # a GLASS GeoTIFF: band 1
    ds = gdal.GetDriverByName("GTiff").Create(str(tif), 3, 2, 1, gdal.GDT_Int32)
    ds.SetGeoTransform((126.995, 0.01, 0, 37.015, 0, -0.01))
    ds.SetProjection(Grid.from_bounds("EPSG:4326", 0, 0, 1, 1, 1).crs)
    ds.GetRasterBand(1).WriteArray(g)
    ds.GetRasterBand(1).SetScale(0.01)
    ds.GetRasterBand(1).SetNoDataValue(65535)
    ds.SetMetadataItem("valid_range", "0, 7000")
    ds = None
    layer = P.READERS["GLASS"].read(tif, "lai")[0]
    assert layer.date == dt.date(2021, 1, 17)
    np.testing.assert_allclose(layer.array, [[1.5, np.nan, np.nan], [3.0, 0.0, 0.2]])


def test_demo_coarse_onto_fine_reproduces_the_resampled_files(tmp_path):
    make_demo(tmp_path / "demo", DemoConfig(width=40, height=30, days=3, stations=2))
    out = H.harmonise([tmp_path / "demo" / "coarse" / "ndvi"], tmp_path / "out", Grid.of(
        tmp_path / "demo" / "grids" / "fine_1km.tif"), product="generic")
    mine, theirs = list_series(tmp_path / "out"), list_series(tmp_path / "demo" / "resampled" / "ndvi")
    assert mine.dates == theirs.dates and out["variable"] == "ndvi"
    for d in mine.dates:
        np.testing.assert_array_equal(mine.read(d), theirs.read(d))


@pytest.mark.usefixtures("gdal_mode")
def test_grid_and_bad_input(tmp_path):
    g = H.make_grid(tmp_path / "g.tif", "EPSG:5179", (950_100, 1_900_000, 960_000, 1_905_500), 1000)
    assert (g.width, g.height) == (10, 6) and g.transform[0] == 950_000 and Grid.of(tmp_path / "g.tif").same_as(g)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "notes.dat").write_text("x")
    with pytest.raises(SMFusionError, match="unknown product; recognised products: MOD11A1"):
        H.harmonise([tmp_path / "in" / "notes.dat"], tmp_path / "o", g)
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "lst_20210101.tif").write_bytes(b"II*\x00garbage")
    with pytest.raises(SMFusionError, match="lst_20210101.tif: not a readable raster"):
        H.harmonise([tmp_path / "bad"], tmp_path / "o2", g)
    assert not (tmp_path / "o2").exists() or not list((tmp_path / "o2").iterdir())
    src = Grid.from_bounds("EPSG:5179", 950_000, 1_900_000, 960_000, 1_906_000, 1000)
    write_raster(tmp_path / "c" / "lst_20210101.tif", np.full(src.shape, 25.0, "float32"), src)
    with pytest.raises(SMFusionError, match="LST down to 25 after scale from metadata"):
        H.harmonise([tmp_path / "c"], tmp_path / "o3", g, product="generic", variable="lst_day")
    out = H.harmonise([tmp_path / "c"], tmp_path / "o3", g, product="generic", variable="lst_day", offset=273.15)
    assert np.nanmin(read_raster(out["paths"][0])[0]) == pytest.approx(298.15)
    far = Grid.from_bounds("EPSG:5179", 0, 0, 10_000, 10_000, 1000)
    with pytest.raises(SMFusionError, match="does not overlap the data"):
        H.harmonise([tmp_path / "c"], tmp_path / "o4", far, product="generic", variable="lst_day", offset=273.15)
    assert not list((tmp_path / "o4").glob("*.tif"))


def test_tools_through_processing(provider, tmp_path):
    import processing
    from qgis.core import QgsProcessingFeedback

    out = processing.run("smfusion:grid", {"EXTENT": "127.0,127.3,37.0,37.2 [EPSG:4326]", "CRS": "EPSG:5179",
                                           "PIXEL_SIZE": 1000, "OUTPUT": str(tmp_path / "g.tif")},
                         feedback=QgsProcessingFeedback())
    g = Grid.of(out["OUTPUT"])
    assert g.authid == "EPSG:5179" and 25 <= g.width <= 30 and 20 <= g.height <= 25
    src = Grid.from_bounds("EPSG:4326", 126.9, 36.9, 127.4, 37.3, 0.05)
    write_raster(tmp_path / "ndvi" / "ndvi_20210401.tif", np.full(src.shape, 0.6, "float32"), src)
    res = processing.run("smfusion:harmonise", {"INPUT": str(tmp_path / "ndvi"), "TARGET": out["OUTPUT"],
                                                "OUTPUT": str(tmp_path / "h")}, feedback=QgsProcessingFeedback())
    assert res["FILES"] == 1 and res["PRODUCT_DETECTED"] == "generic"
    by_extent = processing.run("smfusion:harmonise", {
        "INPUT": str(tmp_path / "ndvi"), "TARGET_EXTENT": "127.0,127.3,37.0,37.2 [EPSG:4326]",
        "TARGET_CRS": "EPSG:5179", "PIXEL_SIZE": 1000, "OUTPUT": str(tmp_path / "h2")},
        feedback=QgsProcessingFeedback())
    assert Grid.of(tmp_path / "h2" / "ndvi_20210401.tif").same_as(g) and by_extent["FILES"] == 1
    assert np.allclose(read_raster(tmp_path / "h" / "ndvi_20210401.tif")[0], 0.6)


def test_tiles_of_a_date_are_mosaicked_and_subdaily_files_averaged(tmp_path):
    west = Grid.from_bounds("EPSG:5179", 950_000, 1_900_000, 955_000, 1_904_000, 1000)
    east = Grid.from_bounds("EPSG:5179", 955_000, 1_900_000, 960_000, 1_904_000, 1000)
    write_raster(tmp_path / "t" / "h27" / "ndvi_20210401.tif", np.full(west.shape, 0.2, "float32"), west)
    write_raster(tmp_path / "t" / "h28" / "ndvi_20210401.tif", np.full(east.shape, 0.7, "float32"), east)
    target = Grid.from_bounds("EPSG:5179", 950_000, 1_900_000, 960_000, 1_904_000, 1000)
    out = H.harmonise([tmp_path / "t"], tmp_path / "o", target, resampling="nearest")
    a = read_raster(out["paths"][0])[0]
    assert np.all(a[:, :5] == pytest.approx(0.2)) and np.all(a[:, 5:] == pytest.approx(0.7))
    lat, lon = np.array([37.125, 37.375]), np.array([127.125, 127.375, 127.625])
    (tmp_path / "g").mkdir()
    for hour, kg in (("0300", 20.0), ("0600", 30.0)):
        _nc(tmp_path / "g" / f"GLDAS_NOAH025_3H.A20210501.{hour}.021.nc4", {"SoilMoi0_10cm_inst": np.full((2, 3), kg)},
            lat, lon)
    out = H.harmonise([tmp_path / "g"], tmp_path / "og", Grid.from_bounds("EPSG:4326", 127, 37, 127.75, 37.5, 0.25),
                      variable="ssm")
    assert [p.name for p in out["paths"]] == ["ssm_20210501.tif"]
    assert np.allclose(read_raster(out["paths"][0])[0], 0.25)          # the daily mean of 0.20 and 0.30


@pytest.mark.parametrize("name,variable", [("gldas/GLDAS_NOAH025_3H.A20160101.0300.021.nc4", "ssm"),
                                           ("modis/MOD11A1.A2019305.h14v09.006.2019306084028.hdf", "lst_day")])
@pytest.mark.slow
def test_damaged_product_files_give_an_error_naming_them(tmp_path, name, variable):
    """Real files with 64 random bytes written over their data (40 seeded tries): each reads, or fails with an
    SMFusionError naming the file; a damaged data block says so (it used to be a traceback: None.astype)."""
    from smfusion.core import products as P  # noqa: N812 - short module name
    src = real_data(*name.split("/"))
    raw = src.read_bytes()
    rng = np.random.default_rng(7)
    said = []
    for _ in range(40):
        damaged = bytearray(raw)
        at = int(rng.integers(len(raw) // 10, len(raw)))
        damaged[at:at + 64] = rng.integers(0, 256, 64, dtype=np.uint8).tobytes()
        path = tmp_path / src.name
        path.write_bytes(bytes(damaged))
        try:
            P.detect(path).read(path, variable)
        except SMFusionError as err:
            assert str(err).startswith(str(path)) or str(path) in str(err), err
            said.append(str(err))
    assert any("the data cannot be read" in s and "damaged or truncated" in s for s in said), said


def test_generic_files_without_variable_take_it_from_their_names_and_are_checked(tmp_path):
    """VARIABLE left empty: ssm_YYYYMMDD.tif is soil moisture, so values in % are refused (they used to be
    written as they were)."""
    grid = Grid.from_bounds("EPSG:5179", 950_000, 1_900_000, 960_000, 1_906_000, 1000)
    write_raster(tmp_path / "in" / "ssm_20210401.tif", np.full(grid.shape, 25.0, "float32"), grid)
    with pytest.raises(SMFusionError, match=r"ssm_20210401.tif: soil moisture up to 25 .*is it % or kg/m²"):
        H.harmonise([tmp_path / "in"], tmp_path / "out", grid, product="generic")
    out = H.harmonise([tmp_path / "in"], tmp_path / "ok", grid, product="generic", scale=0.01)
    assert [p.name for p in out["paths"]] == ["ssm_20210401.tif"]


@pytest.mark.parametrize("name,variable,kind", [
    ("modis/MOD11A1.A2019305.h14v09.006.2019306084028.hdf", "lst_day", "HDF4"),
    ("gldas/GLDAS_NOAH025_3H.A20160101.0300.021.nc4", "ssm", "HDF5/NetCDF-4")])
def test_a_file_that_crashes_a_native_reader_is_refused_not_opened(tmp_path, monkeypatch, name, variable, kind):
    """GDAL's HDF4 driver (GDAL 3.6) and libhdf5 under the NetCDF driver (Debian unstable) can crash on a
    damaged file (found by the fuzz suite): HDF4 and HDF5 files are opened and walked in a child process
    first, and a crash there refuses the file with a message, where it would have taken QGIS down. Here the
    child crashes on purpose."""
    from smfusion.core import products as P  # noqa: N812 - short module name
    src = real_data(*name.split("/"))
    path = tmp_path / src.name
    path.write_bytes(src.read_bytes())
    assert P.native_crash(path) is None                                # the real file: walked in the child, fine
    monkeypatch.setattr(P, "_PROBE", "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)")
    monkeypatch.setattr(P, "_probed", {})
    assert P.native_crash(path) == f"{kind} reader (SIGSEGV)"
    with pytest.raises(SMFusionError, match=rf"{src.name}: not a readable raster \(the file crashes GDAL's "
                                            rf"{kind} reader \(SIGSEGV\): it is damaged; download it again\)"):
        P.detect(path).read(path, variable)
