"""Raster I/O: the only module in SM Fusion that opens or writes raster files.

- :class:`Grid` describes where a raster lies: CRS (WKT), GDAL geotransform and size.
- :func:`read_raster` / :class:`RasterReader` read a band of a GeoTIFF or NetCDF variable to float32, with
  NaN wherever the band's nodata value, its mask or a non-finite value is.
- :func:`write_raster` / :class:`RasterWriter` write single-band series files atomically (a temporary name
  in the same folder, renamed when complete): tiled 256×256, DEFLATE level 1, predictor 3 for floats, NoData NaN.
- :func:`tiles` cuts a grid into :class:`Tile` cores with a halo; :meth:`Tile.extract` and
  :meth:`RasterReader.read_tile` return the core plus halo (NaN-padded past the edges), and
  :meth:`Tile.crop` returns the core again, so ``out[tile.core] = tile.crop(kernel(block))``.
- :func:`warp` resamples an in-memory array from one grid to another with gdal.Warp.
- :func:`write_vrt_stack` stacks a series into one VRT (one band per date, for the desktop);
  :func:`write_netcdf_cube` writes a (time, y, x) CF-1.8 NetCDF-4 cube through GDAL's multidimensional API.

Arrays are indexed ``[row, col]`` (``[..., row, col]`` for stacks); row 0 is the top (north) edge.
"""

import math
import os
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from glob import escape as glob_escape
from pathlib import Path

import numpy as np
from osgeo import gdal, osr

from .errors import SMFusionError

GTIFF_BLOCK = 256
_GDAL_TYPES = {
    np.dtype("float32"): gdal.GDT_Float32,
    np.dtype("float64"): gdal.GDT_Float64,
    np.dtype("uint8"): gdal.GDT_Byte,
    np.dtype("int16"): gdal.GDT_Int16,
    np.dtype("uint16"): gdal.GDT_UInt16,
    np.dtype("int32"): gdal.GDT_Int32,
}
_RESAMPLING = {
    "nearest": gdal.GRA_NearestNeighbour,
    "bilinear": gdal.GRA_Bilinear,
    "cubic": gdal.GRA_Cubic,
    "average": gdal.GRA_Average,
    "mode": gdal.GRA_Mode,
}


def gdal_call(fn, *args, **kwargs):
    """(result, error message) of a GDAL/OGR/OSR call, with GDAL's messages kept quiet, in either of GDAL's
    error modes: with exceptions on (``gdal.UseExceptions()``, which QGIS or another plugin may have called,
    and GDAL 4's default) a failure raises RuntimeError; with them off it returns None (or an error code)
    and leaves a message. Both come back here as (None, message), so that the engine says the same."""
    gdal.ErrorReset()
    gdal.PushErrorHandler("CPLQuietErrorHandler")
    try:
        result = fn(*args, **kwargs)
        msg = gdal.GetLastErrorMsg()
    except RuntimeError as err:
        result, msg = None, str(err)
    finally:
        gdal.PopErrorHandler()
    return result, one_line(msg)


def one_line(text):
    """GDAL's message on one line (exceptions mode chains causes over several: "…\nMay be caused by: …")."""
    return " ".join(str(text or "").split())


def _srs(crs):
    srs = osr.SpatialReference()
    if gdal_call(srs.SetFromUserInput, str(crs))[0] != 0:
        raise SMFusionError(f"Unknown coordinate reference system: {crs!r}")
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return srs


def transformer(src_crs, dst_crs):
    """osr.CoordinateTransformation between two CRSs, x = easting/longitude first."""
    return osr.CoordinateTransformation(_srs(src_crs), _srs(dst_crs))


def transform_points(xs, ys, src_crs, dst_crs):
    """(xs, ys) float64 arrays of points moved from ``src_crs`` to ``dst_crs`` (x = easting/longitude)."""
    xs, ys = np.asarray(xs, dtype="float64").ravel(), np.asarray(ys, dtype="float64").ravel()
    if xs.size == 0:
        return xs, ys
    out = np.array(transformer(src_crs, dst_crs).TransformPoints(np.column_stack([xs, ys])))
    return out[:, 0], out[:, 1]


def densified_ring(bounds, n=40):
    """(xs, ys) of the outline of ``bounds`` = (xmin, ymin, xmax, ymax), ``n`` points per side."""
    xmin, ymin, xmax, ymax = bounds
    t = np.linspace(0.0, 1.0, n)
    xs = np.concatenate([xmin + (xmax - xmin) * t, np.full(n, xmax), xmax - (xmax - xmin) * t, np.full(n, xmin)])
    ys = np.concatenate([np.full(n, ymin), ymin + (ymax - ymin) * t, np.full(n, ymax), ymax - (ymax - ymin) * t])
    return xs, ys


def transform_bounds(bounds, src_crs, dst_crs):
    """Bounds (xmin, ymin, xmax, ymax) in ``dst_crs`` that hold ``bounds`` of ``src_crs`` (densified edges)."""
    xs, ys = transform_points(*densified_ring(bounds), src_crs, dst_crs)
    return xs.min(), ys.min(), xs.max(), ys.max()


@dataclass(frozen=True)
class Grid:
    """A raster grid: ``crs`` (WKT), GDAL ``transform`` (x0, dx, 0, y0, 0, -dy), ``width``, ``height``."""

    crs: str
    transform: tuple
    width: int
    height: int

    @classmethod
    def from_dataset(cls, ds):
        return cls(ds.GetProjection(), tuple(float(v) for v in ds.GetGeoTransform()),
                   ds.RasterXSize, ds.RasterYSize)

    @classmethod
    def of(cls, path):
        """The grid of the raster file ``path``."""
        with RasterReader(path) as reader:
            return reader.grid

    @classmethod
    def from_bounds(cls, crs, xmin, ymin, xmax, ymax, res):
        """A north-up grid of square ``res`` pixels covering the bounds, snapped outward to ``res``."""
        x0 = math.floor(xmin / res + 1e-9) * res
        y1 = math.ceil(ymax / res - 1e-9) * res
        width = int(math.ceil((xmax - x0) / res - 1e-9))
        height = int(math.ceil((y1 - ymin) / res - 1e-9))
        return cls(_srs(crs).ExportToWkt(), (x0, res, 0.0, y1, 0.0, -res), width, height)

    @property
    def shape(self):
        """(rows, cols)."""
        return (self.height, self.width)

    @property
    def res(self):
        """Pixel size (x, y), both positive, in CRS units."""
        return (abs(self.transform[1]), abs(self.transform[5]))

    @property
    def bounds(self):
        """(xmin, ymin, xmax, ymax) of the outer pixel edges."""
        x0, dx, _, y0, _, dy = self.transform
        xs = (x0, x0 + dx * self.width)
        ys = (y0, y0 + dy * self.height)
        return (min(xs), min(ys), max(xs), max(ys))

    @property
    def srs(self):
        return _srs(self.crs)

    @property
    def authid(self):
        """'EPSG:nnnn' when the CRS has an EPSG code, else None."""
        srs = self.srs
        srs.AutoIdentifyEPSG()
        code = srs.GetAuthorityCode(None)
        return f"EPSG:{code}" if code else None

    def xy(self, rows, cols):
        """CRS coordinates of pixel centres ``[rows, cols]`` (arrays broadcast)."""
        x0, dx, rx, y0, ry, dy = self.transform
        rows = np.asarray(rows, dtype="float64") + 0.5
        cols = np.asarray(cols, dtype="float64") + 0.5
        return x0 + cols * dx + rows * rx, y0 + cols * ry + rows * dy

    def rowcol(self, x, y):
        """Fractional (row, col) of CRS coordinates (north-up grids); floor() gives the pixel."""
        x0, dx, _, y0, _, dy = self.transform
        return (np.asarray(y, dtype="float64") - y0) / dy, (np.asarray(x, dtype="float64") - x0) / dx

    def differences(self, other, rel_tol=1e-6):
        """What differs between two grids, as readable phrases (empty when they are the same)."""
        out = []
        if (self.width, self.height) != (other.width, other.height):
            out.append(f"size {self.width}×{self.height} vs {other.width}×{other.height} px")
        scale = max(self.res + other.res)
        if any(abs(a - b) > rel_tol * scale for a, b in zip(self.transform, other.transform)):
            out.append(f"geotransform {_fmt_gt(self.transform)} vs {_fmt_gt(other.transform)}")
        if self.crs != other.crs and not _same_crs(self.crs, other.crs):
            out.append(f"CRS {self.describe_crs()} vs {other.describe_crs()}")
        return out

    def same_as(self, other, rel_tol=1e-6):
        return not self.differences(other, rel_tol)

    def same_crs(self, other):
        """True when both grids use the same CRS."""
        return _same_crs(self.crs, other.crs)

    def describe_crs(self):
        if not self.crs:
            return "no CRS"
        return self.authid or self.srs.GetName()

    def describe(self):
        """One line for logs: CRS, size and pixel size."""
        dx, dy = self.res
        unit = "°" if self.srs.IsGeographic() else " m"
        size = f"{dx:g}{unit}" if math.isclose(dx, dy) else f"{dx:g}×{dy:g}{unit}"
        return f"{self.describe_crs()}, {self.width}×{self.height} px of {size}"

    def dataset(self, dtype="float32", bands=1, nodata=np.nan):
        """An in-memory GDAL dataset on this grid."""
        ds = gdal.GetDriverByName("MEM").Create("", self.width, self.height, bands,
                                                _GDAL_TYPES[np.dtype(dtype)])
        ds.SetGeoTransform(self.transform)
        ds.SetProjection(self.crs)
        if nodata is not None:
            for b in range(1, bands + 1):
                ds.GetRasterBand(b).SetNoDataValue(float(nodata))
        return ds


def _fmt_gt(gt):
    return "(" + ", ".join(f"{v:.10g}" for v in gt) + ")"


_SAME_CRS_CACHE = {}


def _same_crs(a, b):
    key = (a, b)
    if key not in _SAME_CRS_CACHE:
        if not a or not b:
            _SAME_CRS_CACHE[key] = False
        else:
            _SAME_CRS_CACHE[key] = bool(_srs(a).IsSame(_srs(b)))
    return _SAME_CRS_CACHE[key]


# ---------------------------------------------------------------------------------------------- reading

# classic NetCDF: bytes per value of each nc_type (byte, char, short, int, float, double, ubyte, ushort, uint,
# int64, uint64)
_NC_TYPE_SIZE = {1: 1, 2: 1, 3: 2, 4: 4, 5: 4, 6: 8, 7: 1, 8: 2, 9: 4, 10: 8, 11: 8}


class _BadHeader(Exception):
    pass


def netcdf_header_problem(path):
    """What a classic NetCDF file's header (CDF-1, -2 or -5) declares that the file cannot hold: a count, a
    dimension or a variable larger than the file, or a header that runs past its end; None for a sound
    header and for other files (NetCDF-4 is HDF5: its library checks it). A damaged header can otherwise make
    the NetCDF library allocate and zero gigabytes for seconds before it gives up."""
    path = Path(str(path))
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            magic = fh.read(4)
            if magic[:3] != b"CDF" or len(magic) < 4 or magic[3] not in (1, 2, 5):
                return None
            for chunk in (1 << 20, 64 << 20):                 # headers are small; a long one is read again
                fh.seek(0)
                data = fh.read(min(size, chunk))
                problem = _classic_header_problem(data, size)
                if problem != "the header runs past the end of the file" or len(data) == size:
                    return None if problem is None else f"a damaged NetCDF header: {problem}"
    except OSError:
        return None
    return None


def _classic_header_problem(data, size):
    """:func:`netcdf_header_problem` on the first bytes ``data`` of a classic NetCDF file of ``size`` bytes."""
    version, pos = data[3], 4

    def u(n):
        nonlocal pos
        if pos + n > len(data):
            raise _BadHeader("the header runs past the end of the file")
        pos += n
        return int.from_bytes(data[pos - n:pos], "big")

    def count(what):
        n = u(8 if version == 5 else 4)
        if n > size:
            raise _BadHeader(f"it declares {n} {what} in a file of {size} bytes")
        return n

    def skip(nbytes):
        nonlocal pos
        pos += nbytes + (-nbytes % 4)
        if pos > len(data):
            raise _BadHeader("the header runs past the end of the file")

    def name():
        skip(count("name characters"))

    def attributes():
        tag, n = u(4), count("attributes")
        if tag not in (0, 12):
            raise _BadHeader(f"an attribute list has the tag {tag}")
        for _ in range(n):
            name()
            kind = u(4)
            if kind not in _NC_TYPE_SIZE:
                raise _BadHeader(f"an attribute has the unknown type {kind}")
            skip(count("attribute values") * _NC_TYPE_SIZE[kind])

    try:
        u(8 if version == 5 else 4)                                   # number of records
        tag, n = u(4), count("dimensions")
        if tag not in (0, 10):
            raise _BadHeader(f"the dimension list has the tag {tag}")
        dims = []
        for _ in range(n):
            name()
            dims.append(count("values along a dimension"))
        attributes()
        tag, n = u(4), count("variables")
        if tag not in (0, 11):
            raise _BadHeader(f"the variable list has the tag {tag}")
        for _ in range(n):
            name()
            ids = [count("dimension ids") for _ in range(count("dimensions of a variable"))]
            if any(i >= len(dims) for i in ids):
                raise _BadHeader("a variable names a dimension that does not exist")
            attributes()
            kind = u(4)
            if kind not in _NC_TYPE_SIZE:
                raise _BadHeader(f"a variable has the unknown type {kind}")
            u(8 if version == 5 else 4)                               # vsize (may be clipped: not used)
            begin = u(4 if version == 1 else 8)
            fixed = [dims[i] for i in ids if dims[i] != 0]            # 0 = the record dimension
            nbytes = int(np.prod(fixed, dtype="float64")) * _NC_TYPE_SIZE[kind]
            if begin > size or (0 not in [dims[i] for i in ids] and begin + nbytes > size):
                raise _BadHeader(f"a variable of {nbytes} bytes at byte {begin} lies past the end of the file")
    except _BadHeader as err:
        return str(err)
    return None


def _open(path, variable=None):
    """Open ``path`` (or NetCDF ``variable`` in it) read-only; SMFusionError naming the file if it fails."""
    path = str(path)
    name = f'NETCDF:"{path}":{variable}' if variable else path
    if not variable and not path.startswith(("NETCDF:", "HDF4_EOS:", "HDF5:", "/vsi")) \
            and not os.path.exists(path):
        raise SMFusionError(f"{path}: file not found", path)
    problem = netcdf_header_problem(path) if os.path.isfile(path) else None
    if problem:
        raise SMFusionError(f"{path}: {problem}", path)
    ds, msg = gdal_call(gdal.Open, name, gdal.GA_ReadOnly)
    if ds is None:
        raise SMFusionError(f"{name}: cannot be read as a raster ({msg or 'unknown format'})", path)
    if ds.RasterCount == 0:
        subs = [s[0] for s in ds.GetSubDatasets()]
        hint = f"; it holds sub-datasets, e.g. {subs[0]}" if subs else ""
        raise SMFusionError(f"{name}: has no raster band{hint}", path)
    block = _pixel_block_bytes(ds)
    if block > MAX_BLOCK_BYTES:
        raise SMFusionError(f"{name}: a damaged header: one block of its {ds.RasterCount} interleaved band(s) "
                            f"would take {block / 2**30:.1f} GiB to decode", path)
    return ds


MAX_BLOCK_BYTES = 2 ** 30      # a pixel-interleaved block larger than this is a damaged header, not data


def _pixel_block_bytes(ds):
    """Bytes that GDAL decodes for one block of a pixel-interleaved file (every band at once), else 0."""
    if ds.RasterCount < 2 or (ds.GetMetadata("IMAGE_STRUCTURE") or {}).get("INTERLEAVE") != "PIXEL":
        return 0
    band = ds.GetRasterBand(1)
    bx, by = band.GetBlockSize()
    return ds.RasterCount * bx * by * max(1, gdal.GetDataTypeSize(band.DataType) // 8)


def _to_float(raw, band):
    """``raw`` (a block just read, which the caller owns) as float32, with NaN for the band's nodata and
    non-finite values: float32 blocks in place, others converted."""
    out = raw.astype("float32", copy=False)
    nodata = band.GetNoDataValue()
    if nodata is not None and not math.isnan(nodata):
        if np.issubdtype(raw.dtype, np.floating):
            out[raw == raw.dtype.type(nodata)] = np.nan
        elif float(nodata).is_integer():
            out[raw == int(nodata)] = np.nan
    out[~np.isfinite(out)] = np.nan
    return out


class RasterReader:
    """An open raster band: ``.grid``, :meth:`read`, :meth:`read_tile`. Use as a context manager."""

    def __init__(self, path, band=1, variable=None):
        self.path = str(path)
        self._ds = _open(path, variable)
        if not 1 <= band <= self._ds.RasterCount:
            raise SMFusionError(f"{self.path}: has {self._ds.RasterCount} band(s), band {band} asked for",
                                path)
        try:                            # a damaged header may fail only here, in GDAL's exceptions mode
            self._band = self._ds.GetRasterBand(band)
            self.grid = Grid.from_dataset(self._ds)
            flags = self._band.GetMaskFlags()
            self._mask = None if flags & (gdal.GMF_ALL_VALID | gdal.GMF_NODATA) else self._band.GetMaskBand()
        except RuntimeError as err:
            raise SMFusionError(f"{self.path}: a damaged header ({one_line(err)})", path) from err

    @classmethod
    def on_grid(cls, path, grid, resampling="bilinear", band=1, variable=None):
        """A reader whose windows are in ``grid``: the file itself when it lies on ``grid``, else a
        warped VRT (``resampling`` as in :func:`warp`) that GDAL resamples window by window, so that a
        coarse product is read onto a fine grid without holding it whole in memory."""
        reader = cls(path, band, variable)
        if reader.grid.same_as(grid):
            return reader
        if resampling not in _RESAMPLING:
            raise SMFusionError(f"Unknown resampling {resampling!r}; use one of {', '.join(_RESAMPLING)}")
        src_nodata = reader._band.GetNoDataValue()
        gt = grid.transform
        xmin, ymax = gt[0], gt[3]
        xmax, ymin = xmin + gt[1] * grid.width, ymax + gt[5] * grid.height
        src = reader._ds
        if src.RasterCount > 1:
            src = gdal.Translate("", src, options=gdal.TranslateOptions(format="VRT", bandList=[band]))
        vrt, msg = gdal_call(gdal.Warp, "", src, options=gdal.WarpOptions(
            format="VRT", outputBounds=(xmin, ymin, xmax, ymax), width=grid.width, height=grid.height,
            dstSRS=grid.crs, resampleAlg=_RESAMPLING[resampling],
            srcNodata=src_nodata if src_nodata is not None else np.nan, dstNodata=np.nan,
            outputType=gdal.GDT_Float32))
        if vrt is None:
            raise SMFusionError(f"{path}: cannot be resampled onto {grid.describe()} ({msg})", path)
        warped = cls.__new__(cls)
        warped.path = reader.path
        warped._ds = vrt
        warped._source = (reader, src)                 # keeps the source datasets alive
        warped._band = vrt.GetRasterBand(1)
        warped.grid = grid
        warped._mask = None
        return warped

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self._band = self._mask = self._ds = None
        source = getattr(self, "_source", None)
        if source is not None:
            source[0].close()
            self._source = None

    @property
    def band_count(self):
        """Number of bands of the file."""
        return self._ds.RasterCount

    @property
    def metadata(self):
        return dict(self._ds.GetMetadata() or {})

    @property
    def band_metadata(self):
        return dict(self._band.GetMetadata() or {})

    def read(self, window=None):
        """float32 array of the band, or of ``window`` = (row0, col0, rows, cols); NaN = nodata."""
        r0, c0, nr, nc = window or (0, 0, self.grid.height, self.grid.width)
        raw, msg = gdal_call(self._band.ReadAsArray, c0, r0, nc, nr)
        if raw is None:
            raise SMFusionError(f"{self.path}: read failed at window {window} ({msg})", self.path)
        out = _to_float(raw, self._band)
        if self._mask is not None:
            mask, msg = gdal_call(self._mask.ReadAsArray, c0, r0, nc, nr)
            if mask is None:
                raise SMFusionError(f"{self.path}: its mask cannot be read at window {window} ({msg})", self.path)
            out[mask == 0] = np.nan
        return out

    def read_tile(self, tile, fill=np.nan):
        """The tile's core plus halo, shape ``tile.block_shape``, ``fill`` outside the grid."""
        r0, c0, nr, nc = tile.read_window
        (top, bottom), (left, right) = tile.pad
        return np.pad(self.read((r0, c0, nr, nc)), ((top, bottom), (left, right)),
                      constant_values=fill)


class ArrayReader:
    """A band held in memory, read like a :class:`RasterReader` (``.grid``, :meth:`read`,
    :meth:`read_tile`): a raster that several passes read, read from its file once."""

    def __init__(self, array, grid, path=""):
        self.array = np.asarray(array, dtype="float32")
        self.grid = grid
        self.path = str(path)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass

    def close(self):
        pass

    def read(self, window=None):
        """float32 copy of the band, or of ``window`` = (row0, col0, rows, cols); NaN = nodata."""
        r0, c0, nr, nc = window or (0, 0, self.grid.height, self.grid.width)
        return self.array[r0:r0 + nr, c0:c0 + nc].copy()

    def read_tile(self, tile, fill=np.nan):
        """The tile's core plus halo, shape ``tile.block_shape``, ``fill`` outside the grid."""
        return np.array(tile.extract(self.array, fill), dtype="float32")


def read_raster(path, band=1, variable=None):
    """(float32 array with NaN for nodata, :class:`Grid`) of one band or NetCDF variable."""
    with RasterReader(path, band, variable) as reader:
        return reader.read(), reader.grid


# ---------------------------------------------------------------------------------------------- writing

def _space_note(folder):
    """'; the disk holding FOLDER has N MB free' when that disk is (nearly) full, else ''."""
    import shutil
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return ""
    return f"; the disk holding {folder} has {free / 1e6:.1f} MB free: no space left" if free < 64e6 else ""


def _raised_by_gdal(err):
    """True for a RuntimeError that GDAL's Python bindings raised (exceptions mode): its innermost frame is in
    the ``osgeo`` package."""
    if not isinstance(err, RuntimeError) or isinstance(err, (NotImplementedError, RecursionError)):
        return False
    tb = err.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb is not None and str(tb.tb_frame.f_globals.get("__name__", "")).startswith("osgeo")


FULL_CHECK_BELOW = 1 << 30      # bytes free on the disk under which a written GeoTIFF is read back whole


def _unreadable(path, bands):
    """Why the GeoTIFF just written at ``path`` does not read back, or None. It must open; where its disk has
    less than FULL_CHECK_BELOW free, every block must also decode: a full disk can leave tiles unwritten
    without GDAL reporting it to the caller (seen with GDAL 3.10)."""
    import shutil
    ds, msg = gdal_call(gdal.Open, str(path))
    if ds is None:
        return msg or "it does not open"
    try:
        full = shutil.disk_usage(Path(path).parent).free < FULL_CHECK_BELOW
    except OSError:
        full = True
    if full:
        for k in range(1, bands + 1):
            data, msg = gdal_call(ds.GetRasterBand(k).ReadRaster)
            if data is None:
                return msg or f"band {k} does not decode"
    return None


def _unlink(*paths):
    for p in paths:
        try:
            p.unlink()
        except OSError:
            pass


def _temporary_name(path):
    return path.with_name(f".{path.stem}.part-{uuid.uuid4().hex[:8]}{path.suffix}")


def remove_leftovers(folder, pattern="*"):
    """Delete the temporary files that a killed run left in ``folder`` (names of :func:`atomic_path`'s
    temporaries whose final stem matches ``pattern``); returns how many."""
    gone = 0
    for p in Path(folder).glob(f".{pattern}.part-????????*"):
        if p.is_file():
            _unlink(p)
            gone += 1
    return gone


@contextmanager
def atomic_path(path):
    """Yield a temporary path next to ``path``; rename it to ``path`` on success, delete it on error.

    Works for any file type (GeoTIFF, GeoPackage, JSON, HTML). While the block runs, GDAL's errors are
    collected: any failure (a full disk, an I/O error, in either of GDAL's error modes) makes the write
    fail. A failed, cancelled or refused write (no space left, a read-only folder) raises SMFusionError
    naming ``path`` and leaves neither a partial ``path`` nor the temporary file behind.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise SMFusionError(f"{path.parent}: the output folder cannot be created ({err.strerror or err})",
                            path) from err
    tmp = _temporary_name(path)
    aux = Path(str(tmp) + ".aux.xml")
    failures = []

    def collect(err_class, _number, message):
        if err_class >= gdal.CE_Failure:
            failures.append(message)

    try:
        gdal.PushErrorHandler(collect)
        try:
            yield tmp
        finally:
            gdal.PopErrorHandler()
        if failures:
            raise SMFusionError(f"{path}: writing failed ({one_line(failures[0])}){_space_note(path.parent)}", path)
        os.replace(tmp, path)
        if aux.exists():
            os.replace(aux, str(path) + ".aux.xml")
    except BaseException as err:
        _unlink(tmp, aux, *tmp.parent.glob(glob_escape(tmp.name) + "-*"))   # SQLite's -journal, -wal, -shm
        if isinstance(err, OSError):
            raise SMFusionError(f"{path}: cannot be written ({err.strerror or err}){_space_note(path.parent)}",
                                path) from err
        if _raised_by_gdal(err):                                   # GDAL's own error, in exceptions mode
            raise SMFusionError(f"{path}: writing failed ({one_line(err)}){_space_note(path.parent)}", path) from err
        raise


def creation_options(dtype="float32"):
    """GeoTIFF creation options of series files: tiled, DEFLATE at level 1, the right predictor. Level 1
    writes in half the time of GDAL's default (6), for files 1–2 % larger (float soil moisture, NDVI, LST).
    Not NUM_THREADS: GDAL 3.10 crashes (a segmentation fault) when a write compressed on threads meets a full
    disk, where one thread gives the error that ``atomic_path`` reports."""
    predictor = "3" if np.dtype(dtype).kind == "f" else "2"
    return ["TILED=YES", f"BLOCKXSIZE={GTIFF_BLOCK}", f"BLOCKYSIZE={GTIFF_BLOCK}", "COMPRESS=DEFLATE",
            "ZLEVEL=1", f"PREDICTOR={predictor}", "BIGTIFF=IF_SAFER"]


class RasterWriter:
    """Write one single-band GeoTIFF on ``grid`` window by window, atomically.

    ``with RasterWriter(path, grid) as w: w.write_tile(tile, core)``; the file appears at ``path``
    only when the block exits without an exception. NoData is NaN for floats, ``nodata`` otherwise.
    """

    def __init__(self, path, grid, dtype="float32", nodata=None, metadata=None, description=None, bands=1):
        self.path = Path(path)
        self.bands = int(bands)
        self.grid = grid
        self.dtype = np.dtype(dtype)
        if self.dtype not in _GDAL_TYPES:
            raise SMFusionError(f"{path}: unsupported data type {self.dtype}")
        self.nodata = (np.nan if self.dtype.kind == "f" else None) if nodata is None else nodata
        self.metadata = metadata or {}
        self.description = description
        self._ctx = self._ds = self._band = None

    def __enter__(self):
        self._ctx = atomic_path(self.path)
        self._tmp = tmp = self._ctx.__enter__()
        ds, msg = gdal_call(gdal.GetDriverByName("GTiff").Create, str(tmp), self.grid.width, self.grid.height,
                            self.bands, _GDAL_TYPES[self.dtype], creation_options(self.dtype))
        if ds is None:
            err = SMFusionError(f"{self.path}: cannot be created ({msg}){_space_note(self.path.parent)}", self.path)
            self._ctx.__exit__(type(err), err, None)
            raise err
        ds.SetGeoTransform(self.grid.transform)
        ds.SetProjection(self.grid.crs)
        if self.metadata:
            ds.SetMetadata({str(k): str(v) for k, v in self.metadata.items()})
        for k in range(1, self.bands + 1):
            band = ds.GetRasterBand(k)
            if self.nodata is not None:
                band.SetNoDataValue(float(self.nodata))
            if self.description:
                band.SetDescription(str(self.description) if self.bands == 1 else f"{self.description} {k}")
        self._ds, self._band = ds, ds.GetRasterBand(1)
        return self

    def write(self, array, row0=0, col0=0):
        """Write ``array`` (rows, cols), or (bands, rows, cols), with its top-left pixel at (row0, col0)."""
        array = np.asarray(array)
        if self.dtype.kind != "f" and np.issubdtype(array.dtype, np.floating):
            array = np.where(np.isnan(array), self.nodata if self.nodata is not None else 0, array)
        planes = array[None] if array.ndim == 2 else array
        if len(planes) != self.bands:
            raise SMFusionError(f"{self.path}: {len(planes)} band(s) given, the file has {self.bands}", self.path)
        for k, plane in enumerate(planes, start=1):
            try:
                self._ds.GetRasterBand(k).WriteArray(plane.astype(self.dtype, copy=False), int(col0), int(row0))
            except RuntimeError as err:                    # GDAL in exceptions mode
                raise SMFusionError(f"{self.path}: writing failed ({one_line(err)}){_space_note(self.path.parent)}",
                                    self.path) from err

    def write_tile(self, tile, core):
        """Write a tile's core (shape ``(tile.rows, tile.cols)``, or with a leading band axis) where it belongs."""
        self.write(core, tile.row0, tile.col0)

    def __exit__(self, exc_type, exc, tb):
        own = None
        if self._ds is not None:
            try:
                if exc_type is None:
                    self._ds.FlushCache()
                self._band = None
                if hasattr(self._ds, "Close"):             # GDAL ≥ 3.8: the last blocks' errors come back here
                    self._ds.Close()
            except RuntimeError as err:                    # GDAL in exceptions mode
                own = SMFusionError(f"{self.path}: writing failed ({one_line(err)}){_space_note(self.path.parent)}",
                                    self.path)
            finally:
                self._band = self._ds = None               # closes the file: the last blocks and the directory
        if exc_type is None and own is None:               # what was written must read back
            msg = _unreadable(self._tmp, self.bands)
            if msg:
                own = SMFusionError(f"{self.path}: the written file does not read back ({msg})"
                                    f"{_space_note(self.path.parent)}", self.path)
        if own is not None:
            self._ctx.__exit__(type(own), own, None)       # removes the temporary file
            raise own
        return self._ctx.__exit__(exc_type, exc, tb)


def write_vrt_stack(path, paths, descriptions=()):
    """A VRT with one band per file of ``paths`` (single-band rasters on one grid), band k described by
    ``descriptions[k]``; source paths relative to the VRT. Written atomically; returns ``path``."""
    path = Path(path)
    with atomic_path(path) as tmp:
        ds, msg = gdal_call(gdal.BuildVRT, str(tmp), [str(p) for p in paths], separate=True)
        if ds is None:
            raise SMFusionError(f"{path}: the VRT cannot be built ({msg})", path)
        for k, text in enumerate(descriptions, start=1):
            ds.GetRasterBand(k).SetDescription(str(text))
        ds = None
    return path


NC_FILL = -9999.0      # the _FillValue of the NetCDF cubes (as ESA CCI soil moisture)


def _coordinates(grid):
    """((y name, y values, y attributes), (x name, …)): the pixel centres, CF-named for the CRS."""
    gt = grid.transform
    x = gt[0] + (np.arange(grid.width) + 0.5) * gt[1]
    y = gt[3] + (np.arange(grid.height) + 0.5) * gt[5]
    if _srs(grid.crs).IsGeographic():
        return (("lat", y, {"standard_name": "latitude", "long_name": "latitude", "units": "degrees_north",
                            "axis": "Y"}),
                ("lon", x, {"standard_name": "longitude", "long_name": "longitude", "units": "degrees_east",
                            "axis": "X"}))
    unit = _srs(grid.crs).GetLinearUnitsName() or "m"
    unit = "m" if unit.lower() in ("metre", "meter", "m") else unit
    return (("y", y, {"standard_name": "projection_y_coordinate", "long_name": "y coordinate of projection",
                      "units": unit, "axis": "Y"}),
            ("x", x, {"standard_name": "projection_x_coordinate", "long_name": "x coordinate of projection",
                      "units": unit, "axis": "X"}))


def _set_attributes(obj, attrs):
    """NetCDF attributes of a group or array: text, whole numbers as int32, other numbers as float64."""
    for key, value in attrs.items():
        if isinstance(value, str):
            obj.CreateAttribute(key, [], gdal.ExtendedDataType.CreateString()).WriteString(value)
        elif isinstance(value, (int, np.integer)) and not isinstance(value, bool):
            obj.CreateAttribute(key, [], gdal.ExtendedDataType.Create(gdal.GDT_Int32)).WriteInt(int(value))
        else:
            obj.CreateAttribute(key, [], gdal.ExtendedDataType.Create(gdal.GDT_Float64)).WriteDouble(float(value))


def write_netcdf_cube(path, grid, times, read, name, attrs=None, global_attrs=None, time_units="days since 1970-01-01",
                      progress=None):
    """Write a CF-1.8 NetCDF-4 file: variable ``name`` (time, y, x) float32 of ``len(times)`` fields, field k
    being ``read(k)`` ((rows, cols) float32, NaN = missing, stored as :data:`NC_FILL`); ``times`` are numbers
    in ``time_units``. x/y (or lon/lat) hold the pixel centres; the CRS is the variable's grid_mapping;
    DEFLATE level 4, one chunk per field. Atomic, like every writer here; ``progress(k)`` after each field."""
    path = Path(path)
    (yname, yv, yattrs), (xname, xv, xattrs) = _coordinates(grid)
    f64 = gdal.ExtendedDataType.Create(gdal.GDT_Float64)
    with atomic_path(path) as tmp:
        ds, msg = gdal_call(gdal.GetDriverByName("netCDF").CreateMultiDimensional, str(tmp), [],
                            ["FORMAT=NC4", "CONVENTIONS=CF-1.8"])
        if ds is None:
            raise SMFusionError(f"{path}: cannot be created ({msg}){_space_note(path.parent)}", path)
        try:
            root = ds.GetRootGroup()
            _set_attributes(root, global_attrs or {})
            dim_t = root.CreateDimension("time", gdal.DIM_TYPE_TEMPORAL, None, len(times))
            dim_y = root.CreateDimension(yname, gdal.DIM_TYPE_HORIZONTAL_Y, None, grid.height)
            dim_x = root.CreateDimension(xname, gdal.DIM_TYPE_HORIZONTAL_X, None, grid.width)
            for dim, values, cattrs in ((dim_t, np.asarray(times, "float64"),
                                         {"standard_name": "time", "long_name": "time", "units": time_units,
                                          "calendar": "standard", "axis": "T"}),
                                        (dim_y, yv, yattrs), (dim_x, xv, xattrs)):
                coord = root.CreateMDArray(dim.GetName(), [dim], f64)
                coord.Write(np.ascontiguousarray(values, "float64"))
                _set_attributes(coord, cattrs)
            var = root.CreateMDArray(name, [dim_t, dim_y, dim_x], gdal.ExtendedDataType.Create(gdal.GDT_Float32),
                                     ["COMPRESS=DEFLATE", "ZLEVEL=4", f"BLOCKSIZE=1,{grid.height},{grid.width}"])
            var.SetNoDataValueDouble(NC_FILL)
            var.SetSpatialRef(_srs(grid.crs))
            _set_attributes(var, attrs or {})
            for k in range(len(times)):
                field = np.asarray(read(k), "float32")
                var.Write(np.where(np.isfinite(field), field, np.float32(NC_FILL))[None],
                          array_start_idx=[k, 0, 0], count=[1, grid.height, grid.width])
                if progress is not None:
                    progress(k)
        except RuntimeError as err:                         # GDAL in exceptions mode
            raise SMFusionError(f"{path}: writing failed ({one_line(err)}){_space_note(path.parent)}", path) from err
        finally:
            ds = None
    return path


def write_raster(path, array, grid, dtype="float32", nodata=None, metadata=None, description=None):
    """Write a whole (rows, cols) array as a single-band GeoTIFF series file, atomically."""
    array = np.asarray(array)
    if array.shape != grid.shape:
        raise SMFusionError(f"{path}: array shape {array.shape} does not match the grid {grid.shape}")
    with RasterWriter(path, grid, dtype, nodata, metadata, description) as writer:
        writer.write(array)
    return Path(path)


# ---------------------------------------------------------------------------------------------- tiles

@dataclass(frozen=True)
class Tile:
    """A tile core ``[row0:row0+rows, col0:col0+cols]`` of a ``grid_shape`` grid, with ``halo`` px around."""

    row0: int
    col0: int
    rows: int
    cols: int
    halo: int
    grid_shape: tuple

    @property
    def core(self):
        """Slices of the core in the full grid."""
        return (slice(self.row0, self.row0 + self.rows), slice(self.col0, self.col0 + self.cols))

    @property
    def block_shape(self):
        """Shape of core + halo: (rows + 2·halo, cols + 2·halo)."""
        return (self.rows + 2 * self.halo, self.cols + 2 * self.halo)

    @property
    def read_window(self):
        """(row0, col0, rows, cols) of core + halo clipped to the grid."""
        h, (nr, nc) = self.halo, self.grid_shape
        r0, c0 = max(self.row0 - h, 0), max(self.col0 - h, 0)
        r1, c1 = min(self.row0 + self.rows + h, nr), min(self.col0 + self.cols + h, nc)
        return (r0, c0, r1 - r0, c1 - c0)

    @property
    def pad(self):
        """((top, bottom), (left, right)) padding that completes the clipped read window."""
        h, (nr, nc) = self.halo, self.grid_shape
        top = max(h - self.row0, 0)
        left = max(h - self.col0, 0)
        bottom = max(self.row0 + self.rows + h - nr, 0)
        right = max(self.col0 + self.cols + h - nc, 0)
        return ((top, bottom), (left, right))

    def extract(self, array, fill=np.nan):
        """Core + halo of an in-memory array (..., rows, cols), padded with ``fill`` past the edges."""
        r0, c0, nr, nc = self.read_window
        block = array[..., r0:r0 + nr, c0:c0 + nc]
        pad = [(0, 0)] * (block.ndim - 2) + list(self.pad)
        if any(p != (0, 0) for p in pad):
            block = np.pad(block, pad, constant_values=fill)
        return block

    def crop(self, block):
        """The core of a core + halo block (..., rows + 2·halo, cols + 2·halo)."""
        h = self.halo
        return block[..., h:h + self.rows, h:h + self.cols]


def tiles(grid, size=512, halo=0):
    """Tiles of ``size``×``size`` px (smaller at the right and bottom edges) covering ``grid``.

    ``grid`` is a :class:`Grid` or a (rows, cols) shape; ``halo`` ≥ 0 px of context around each core.
    """
    shape = grid.shape if isinstance(grid, Grid) else tuple(int(v) for v in grid[-2:])
    if size < 1 or halo < 0:
        raise SMFusionError(f"Tile size must be ≥ 1 and halo ≥ 0 (got {size}, {halo})")
    nr, nc = shape
    return [Tile(r, c, min(size, nr - r), min(size, nc - c), int(halo), shape)
            for r in range(0, nr, size) for c in range(0, nc, size)]


# ---------------------------------------------------------------------------------------------- warping

def warp(array, src_grid, dst_grid, resampling="bilinear"):
    """Resample a float (rows, cols) array from ``src_grid`` to ``dst_grid`` (gdal.Warp, NaN nodata).

    ``resampling``: nearest, bilinear, cubic, average (area-weighted mean of valid source pixels), mode.
    Destination pixels that no valid source pixel reaches are NaN.
    """
    if resampling not in _RESAMPLING:
        raise SMFusionError(f"Unknown resampling {resampling!r}; use one of {', '.join(_RESAMPLING)}")
    src = src_grid.dataset("float32")
    src.GetRasterBand(1).WriteArray(np.asarray(array, dtype="float32"))
    dst = dst_grid.dataset("float32")
    dst.GetRasterBand(1).Fill(np.nan)
    gdal.Warp(dst, src, options=gdal.WarpOptions(resampleAlg=_RESAMPLING[resampling],
                                                 srcNodata=np.nan, dstNodata=np.nan))
    return dst.GetRasterBand(1).ReadAsArray().astype("float32")
