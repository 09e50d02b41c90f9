"""smfusion:export: a series folder → one CF-1.8 NetCDF cube that holds the GeoTIFFs' values, and opens in GDAL
(classic and multidimensional), in QGIS and in xarray."""

import datetime as dt

import numpy as np
import pytest
from osgeo import gdal
from smfusion.core.errors import Cancelled
from smfusion.core.export import EPOCH, export_netcdf
from smfusion.core.raster import NC_FILL, Grid, write_raster
from smfusion.core.series import series_filename

DATES = [dt.date(2021, 4, 1) + dt.timedelta(days=k) for k in (0, 1, 2, 5, 9)]


def _series(folder, grid, name="ssm"):
    rng = np.random.default_rng(3)
    arrays = []
    for k, d in enumerate(DATES):
        a = rng.uniform(0.05, 0.45, grid.shape).astype("float32")
        a[k:k + 3, 2:6] = np.nan                                    # gaps move from date to date
        write_raster(folder / series_filename(name, d), a, grid)
        arrays.append(a)
    return arrays


@pytest.fixture
def series(tmp_path):
    grid = Grid.from_bounds("EPSG:5179", 900_000, 1_930_000, 930_000, 1_950_000, 1000)      # 30 × 20 px
    return tmp_path / "ssm", grid, _series(tmp_path / "ssm", grid)


def _gdal_bands(path, name):
    ds = gdal.Open(f'NETCDF:"{path}":{name}')
    out = []
    for k in range(1, ds.RasterCount + 1):
        band = ds.GetRasterBand(k)
        a = band.ReadAsArray().astype("float32")
        out.append(np.where(a == band.GetNoDataValue(), np.nan, a))
    return ds, out


def test_the_cube_holds_the_geotiffs_values_and_the_cf_attributes(series, tmp_path):
    folder, grid, arrays = series
    out = export_netcdf(folder, tmp_path / "ssm.nc")
    ds, bands = _gdal_bands(out, "ssm")                             # GDAL's classic view: one band per date
    assert len(bands) == len(DATES)
    for got, want in zip(bands, arrays):
        assert np.array_equal(got, want, equal_nan=True)
    assert np.allclose(ds.GetGeoTransform(), grid.transform)
    assert Grid.from_dataset(ds).differences(grid) == []
    md = gdal.OpenEx(str(out), gdal.OF_MULTIDIM_RASTER).GetRootGroup()     # the multidimensional API
    cube = md.OpenMDArray("ssm")
    assert [d.GetName() for d in cube.GetDimensions()] == ["time", "y", "x"]
    assert np.array_equal(md.OpenMDArray("time").ReadAsArray(), [(d - EPOCH).days for d in DATES])
    assert cube.GetNoDataValueAsDouble() == NC_FILL and cube.GetUnit() == "m3 m-3"
    assert cube.GetSpatialRef().GetAuthorityCode(None) == "5179"
    x = md.OpenMDArray("x").ReadAsArray()
    assert x[0] == 900_500 and x[-1] == 929_500                     # pixel centres
    netcdf4 = pytest.importorskip("netCDF4", reason="python3-netcdf4 is not installed (make setup installs it)")
    with netcdf4.Dataset(out) as nc:
        assert nc.Conventions == "CF-1.8" and nc.source.startswith("SM Fusion")
        var = nc.variables["ssm"]
        assert var.standard_name == "volume_fraction_of_condensed_water_in_soil" and var.units == "m3 m-3"
        assert var._FillValue == NC_FILL and (var.layer_top_m, var.layer_bottom_m) == (0.0, 0.1)
        assert nc.variables[var.grid_mapping].grid_mapping_name == "transverse_mercator"
        assert nc.variables["time"].units == "days since 1970-01-01 00:00:00"
        assert nc.variables["time"].calendar == "standard"
        assert var.filters()["zlib"] and var.chunking() == [1, 20, 30]


def test_xarray_reads_the_dates_and_values(series, tmp_path):
    xr = pytest.importorskip("xarray", reason="python3-xarray is not installed (make setup installs it)")
    folder, _, arrays = series
    out = export_netcdf(folder, tmp_path / "ssm.nc")
    with xr.open_dataset(out) as ds:
        assert [str(t)[:10] for t in ds.time.values] == [str(d) for d in DATES]
        for d, want in zip(DATES, arrays):
            assert np.array_equal(ds["ssm"].sel(time=str(d)).values, want, equal_nan=True)
        assert ds["ssm"].attrs["long_name"] == "surface soil moisture, 0-10 cm"


def test_start_end_a_geographic_grid_and_a_cancel(tmp_path):
    grid = Grid.from_bounds("EPSG:4326", 126.0, 36.0, 126.5, 36.25, 0.05)           # 10 × 5 cells
    arrays = _series(tmp_path / "rzsm_p90", grid, "rzsm_p90")
    out = export_netcdf(tmp_path / "rzsm_p90", tmp_path / "p90.nc", start=DATES[1], end=DATES[3])
    md = gdal.OpenEx(str(out), gdal.OF_MULTIDIM_RASTER).GetRootGroup()
    cube = md.OpenMDArray("rzsm_p90")
    assert [d.GetName() for d in cube.GetDimensions()] == ["time", "lat", "lon"]
    assert cube.GetDimensions()[0].GetSize() == 3
    data = cube.ReadAsArray()
    assert np.array_equal(np.where(data == NC_FILL, np.nan, data), np.stack(arrays[1:4]), equal_nan=True)
    lat = md.OpenMDArray("lat")
    assert lat.GetUnit() == "degrees_north" and np.isclose(lat.ReadAsArray()[0], 36.225)
    assert "90th percentile of the root-zone soil moisture" in cube.GetAttribute("long_name").Read()
    calls = []
    with pytest.raises(Cancelled):
        export_netcdf(tmp_path / "rzsm_p90", tmp_path / "cut.nc", is_cancelled=lambda: len(calls) > 1,
                      progress=lambda f, m=None: calls.append(f))
    assert not list(tmp_path.glob("*cut*"))                          # nothing half-written


def test_the_tool_and_the_layer_in_qgis(provider, series, tmp_path):
    import processing
    from qgis.core import QgsProcessingFeedback, QgsRasterLayer
    folder, _, arrays = series
    res = processing.run("smfusion:export", {"INPUT": str(folder), "END": "2021-04-03",
                                             "OUTPUT": str(tmp_path / "out.nc")}, feedback=QgsProcessingFeedback())
    layer = QgsRasterLayer(f'NETCDF:"{res["OUTPUT"]}":ssm', "ssm")
    assert layer.isValid() and layer.bandCount() == 3 and layer.width() == 30
    assert layer.crs().authid() == "EPSG:5179"
