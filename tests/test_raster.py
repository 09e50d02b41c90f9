import numpy as np
import pytest
from conftest import real_data
from osgeo import gdal
from smfusion.core.errors import SMFusionError
from smfusion.core.raster import Grid, RasterReader, RasterWriter, atomic_path, read_raster, tiles, warp, write_raster

pytestmark = pytest.mark.usefixtures("gdal_mode")    # every test in both GDAL error modes

GRID = Grid.from_bounds("EPSG:5179", 900000, 1900000, 937000, 1923000, 1000)   # 37 x 23 px


def test_grid_geometry():
    assert GRID.shape == (23, 37)
    assert GRID.res == (1000.0, 1000.0)
    assert GRID.bounds == (900000.0, 1900000.0, 937000.0, 1923000.0)
    x, y = GRID.xy(0, 0)
    assert (float(x), float(y)) == (900500.0, 1922500.0)
    r, c = GRID.rowcol(900500.0, 1922500.0)
    assert (float(r), float(c)) == (0.5, 0.5)
    assert GRID.authid == "EPSG:5179"
    assert GRID.describe() == "EPSG:5179, 37×23 px of 1000 m"
    snapped = Grid.from_bounds("EPSG:4326", 126.93, 35.6, 128.27, 37.42, 0.25)
    assert snapped.bounds == pytest.approx((126.75, 35.5, 128.5, 37.5))
    assert snapped.describe() == "EPSG:4326, 7×8 px of 0.25°"


@pytest.mark.parametrize("size, halo", [(8, 0), (8, 3), (10, 5), (16, 12), (64, 2), (5, 7)])
def test_tiles_round_trip_exactly(size, halo):
    rng = np.random.default_rng(1)
    a = rng.standard_normal((2, 23, 37)).astype("float32")
    a[0, 3, 4] = np.nan
    out = np.full_like(a, -999.0)
    ts = tiles(GRID, size, halo)
    covered = np.zeros(GRID.shape, int)
    for t in ts:
        block = t.extract(a)
        assert block.shape == (2,) + t.block_shape
        out[(slice(None),) + t.core] = t.crop(block)
        covered[t.core] += 1
    assert (covered == 1).all()                      # the cores tile the grid once
    np.testing.assert_array_equal(out, a)            # NaN-aware exact equality


def test_tile_halo_is_the_neighbourhood_and_nan_outside():
    a = np.arange(23 * 37, dtype="float32").reshape(23, 37)
    t = [t for t in tiles(GRID, 10, 2) if t.row0 == 10 and t.col0 == 10][0]
    np.testing.assert_array_equal(t.extract(a), a[8:22, 8:22])
    corner = tiles(GRID, 10, 2)[0]
    block = corner.extract(a)
    assert np.isnan(block[:2]).all() and np.isnan(block[:, :2]).all()
    np.testing.assert_array_equal(block[2:, 2:], a[0:12, 0:12])
    last = tiles(GRID, 10, 2)[-1]                     # bottom-right tile: 3 x 7 core
    assert (last.rows, last.cols) == (3, 7) and last.pad == ((0, 2), (0, 2))
    with pytest.raises(SMFusionError):
        tiles(GRID, 0, 1)


def test_write_read_round_trip_and_creation_options(tmp_path):
    a = np.random.default_rng(2).random(GRID.shape).astype("float32")
    a[5, 6] = np.nan
    path = write_raster(tmp_path / "ssm_20210401.tif", a, GRID, metadata={"UNITS": "m3/m3"})
    b, grid = read_raster(path)
    np.testing.assert_array_equal(a, b)
    assert b.dtype == np.float32 and grid.same_as(GRID)
    ds = gdal.Open(str(path))
    struct = ds.GetMetadata("IMAGE_STRUCTURE")
    assert struct["COMPRESSION"] == "DEFLATE" and struct["PREDICTOR"] == "3"
    assert ds.GetRasterBand(1).GetBlockSize() == [256, 256]      # tiled
    assert np.isnan(ds.GetRasterBand(1).GetNoDataValue())
    assert ds.GetMetadataItem("UNITS") == "m3/m3"
    assert [p.name for p in tmp_path.iterdir()] == ["ssm_20210401.tif"]     # no temporary left


def test_integer_nodata_and_nan(tmp_path):
    lc = np.array([[0, 1, 2], [3, 4, 0]], "uint8")
    g = Grid.from_bounds("EPSG:5179", 0, 0, 3000, 2000, 1000)
    write_raster(tmp_path / "lc.tif", lc, g, dtype="uint8", nodata=0)
    out, _ = read_raster(tmp_path / "lc.tif")
    np.testing.assert_array_equal(out, [[np.nan, 1, 2], [3, 4, np.nan]])


def test_atomic_writes_leave_nothing_on_failure(tmp_path):
    target = tmp_path / "out.tif"
    with pytest.raises(RuntimeError):
        with RasterWriter(target, GRID) as w:
            w.write(np.zeros((10, 37)), 0, 0)
            raise RuntimeError("cancelled half-way")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ValueError):
        with atomic_path(tmp_path / "report.html") as tmp:
            tmp.write_text("half")
            raise ValueError
    assert list(tmp_path.iterdir()) == []
    # an existing file is replaced only when the new one is complete
    write_raster(target, np.ones(GRID.shape), GRID)
    with pytest.raises(RuntimeError):
        with RasterWriter(target, GRID) as w:
            raise RuntimeError
    assert read_raster(target)[0].min() == 1.0


def test_tiled_writer_and_tile_reader(tmp_path):
    a = np.random.default_rng(3).random(GRID.shape).astype("float32")
    src = write_raster(tmp_path / "a.tif", a, GRID)
    with RasterReader(src) as reader, RasterWriter(tmp_path / "b.tif", reader.grid) as writer:
        for t in tiles(reader.grid, 8, 3):
            block = reader.read_tile(t)
            np.testing.assert_array_equal(block, t.extract(a))
            writer.write_tile(t, t.crop(block) * 2)
    np.testing.assert_array_equal(read_raster(tmp_path / "b.tif")[0], a * 2)


def test_read_errors_name_the_file(tmp_path):
    with pytest.raises(SMFusionError, match="missing.tif: file not found"):
        read_raster(tmp_path / "missing.tif")
    bad = tmp_path / "corrupt.tif"
    bad.write_bytes(b"II*\x00 this is not a tiff")
    with pytest.raises(SMFusionError, match="corrupt.tif: cannot be read as a raster"):
        read_raster(bad)
    write_raster(tmp_path / "one.tif", np.zeros(GRID.shape), GRID)
    with pytest.raises(SMFusionError, match="band 2"):
        read_raster(tmp_path / "one.tif", band=2)


def test_netcdf_variable(tmp_path):
    g = Grid.from_bounds("EPSG:4326", 126.0, 35.0, 127.0, 36.0, 0.25)
    ds = gdal.GetDriverByName("netCDF").Create(str(tmp_path / "sm.nc"), 4, 4, 1, gdal.GDT_Float32)
    ds.SetGeoTransform(g.transform)
    ds.SetProjection(g.crs)
    band = ds.GetRasterBand(1)
    band.SetNoDataValue(-999.0)
    band.WriteArray(np.array([[0.1, 0.2, 0.3, -999.0]] * 4, "float32"))
    ds = None
    a, grid = read_raster(tmp_path / "sm.nc", variable="Band1")
    assert grid.same_as(g)
    np.testing.assert_allclose(a[0, :3], [0.1, 0.2, 0.3], rtol=1e-6)
    assert np.isnan(a[:, 3]).all()


def test_warp_average_and_bilinear():
    fine = Grid.from_bounds("EPSG:5179", 0, 0, 4000, 4000, 1000)
    coarse = Grid.from_bounds("EPSG:5179", 0, 0, 4000, 4000, 2000)
    a = np.arange(16, dtype="float32").reshape(4, 4)
    a[0, 0] = np.nan
    avg = warp(a, fine, coarse, "average")
    np.testing.assert_allclose(avg, [[(1 + 4 + 5) / 3, (2 + 3 + 6 + 7) / 4],
                                     [(8 + 9 + 12 + 13) / 4, (10 + 11 + 14 + 15) / 4]], rtol=1e-6)
    up = warp(np.array([[0, 2], [4, 6]], "float32"), coarse, fine, "bilinear")
    assert up[1, 1] == pytest.approx(1.5) and up[2, 2] == pytest.approx(4.5)   # between the 4 centres
    with pytest.raises(SMFusionError, match="Unknown resampling"):
        warp(a, fine, coarse, "spline")


def test_real_float_nodata_becomes_nan():
    path = real_data("estarfm_yanco", "Landsat_LST_cloudrm_20160205.tif")
    a, grid = read_raster(path)
    ds = gdal.Open(str(path))
    band = ds.GetRasterBand(1)
    raw, nodata = band.ReadAsArray(), band.GetNoDataValue()
    n_nodata = int((raw == np.float32(nodata)).sum())
    assert int(np.isnan(a).sum()) == n_nodata
    valid = a[np.isfinite(a)]
    assert valid.size > 0.5 * a.size
    assert 250.0 < float(valid.min()) and float(valid.max()) < 350.0     # Kelvin LST


def _left(folder):
    return sorted(p.name for p in folder.iterdir())


def test_a_full_disk_fails_with_a_clear_error_and_leaves_nothing(mounted, gdal_mode):
    """A 1-MB filesystem: the GeoTIFF that does not fit raises SMFusionError naming it and saying there is no
    space; no file under its final name, no temporary file. The same for files written from Python."""
    from smfusion.core.raster import atomic_path
    disk = mounted("1m")
    small = Grid.from_bounds("EPSG:5179", 0, 0, 100_000, 100_000, 1000)
    rng = np.random.default_rng(0)
    write_raster(disk / "fits_20210101.tif", rng.random(small.shape).astype("float32"), small)
    big = Grid.from_bounds("EPSG:5179", 0, 0, 1_000_000, 700_000, 1000)
    with pytest.raises(SMFusionError, match=r"big_20210102.tif: .*no space left"):
        write_raster(disk / "big_20210102.tif", rng.random(big.shape).astype("float32"), big)
    assert _left(disk) == ["fits_20210101.tif"]
    assert np.isfinite(read_raster(disk / "fits_20210101.tif")[0]).all()
    with pytest.raises(SMFusionError, match=r"report.html: cannot be written \(No space left on device\)"):
        with atomic_path(disk / "report.html") as tmp:
            tmp.write_bytes(b"x" * 2_000_000)
    assert _left(disk) == ["fits_20210101.tif"]


def test_a_read_only_folder_is_named(mounted):
    disk = mounted("1m", read_only=True)
    with pytest.raises(SMFusionError, match=r"x_20210101.tif: cannot be created .*[Rr]ead-only"):
        write_raster(disk / "x_20210101.tif", np.zeros(GRID.shape), GRID)
    with pytest.raises(SMFusionError, match=r"out: the output folder cannot be created \(Read-only file system\)"):
        write_raster(disk / "out" / "x_20210101.tif", np.zeros(GRID.shape), GRID)


def test_a_netcdf_header_declaring_more_than_the_file_holds_is_refused_at_once(tmp_path):
    """A classic NetCDF whose header claims a dimension of 2^31 values (one damaged word): refused before the
    NetCDF library allocates for it, with what is wrong; the sound file reads."""
    from smfusion.core.raster import netcdf_header_problem
    g = Grid.from_bounds("EPSG:4326", 126.0, 35.0, 127.0, 36.0, 0.25)
    ds = gdal.GetDriverByName("netCDF").Create(str(tmp_path / "sm.nc"), 4, 4, 1, gdal.GDT_Float32)
    ds.SetGeoTransform(g.transform)
    ds.SetProjection(g.crs)
    ds.GetRasterBand(1).WriteArray(np.full((4, 4), 0.2, "float32"))
    ds = None
    raw = bytearray((tmp_path / "sm.nc").read_bytes())
    assert raw[:4] == b"CDF\x01" and netcdf_header_problem(tmp_path / "sm.nc") is None
    assert raw[8:12] == b"\x00\x00\x00\x0a"                # the dimension list; its first length at byte 24
    raw[24:28] = (2**31 - 1).to_bytes(4, "big")
    (tmp_path / "bad.nc").write_bytes(bytes(raw))
    with pytest.raises(SMFusionError, match=r"bad.nc: a damaged NetCDF header: it declares 2147483647 values along "
                                            r"a dimension in a file of \d+ bytes"):
        read_raster(tmp_path / "bad.nc")
    write_raster(tmp_path / "x.tif", np.zeros(GRID.shape), GRID)
    assert netcdf_header_problem(tmp_path / "x.tif") is None                     # not classic NetCDF: not judged


def test_a_header_that_would_decode_gigabytes_is_refused(tmp_path, monkeypatch):
    """A flipped bit in SamplesPerPixel turned one band into 32 769 interleaved ones (8 GiB per block, 18 s of
    allocation in the fuzz suite): such a header is refused before any read."""
    from osgeo import gdal
    from smfusion.core import raster
    path = tmp_path / "three.tif"
    gdal.GetDriverByName("GTiff").Create(str(path), 64, 48, 3, gdal.GDT_Float32,
                                         ["INTERLEAVE=PIXEL", "TILED=YES"]).FlushCache()
    assert raster.read_raster(path)[0].shape == (48, 64)
    monkeypatch.setattr(raster, "MAX_BLOCK_BYTES", 3 * 256 * 256 * 4 - 1)
    with pytest.raises(SMFusionError, match=r"three.tif: a damaged header: one block of its 3 interleaved band\(s\) "
                                            r"would take 0.0 GiB to decode"):
        raster.read_raster(path)
