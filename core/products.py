"""Product readers: each turns one file of a public product into dated float32 layers in physical units,
with NaN for fill values and for pixels that fail the quality test, on the product's own grid.

Every reader answers the same questions: ``matches(path)`` (is this file mine?), ``variables`` (what it
has), and ``read(path, variable, qc)`` → :class:`Layer` objects (date, array (rows, cols) float32,
:class:`~.raster.Grid`; a list, or lazily for NetCDF cubes). GDAL applies no scale, offset or fill for
HDF4 and NetCDF, so the readers do, from the products' documentation (``../shared/data/real/README.md``):

- MOD11A1/MYD11A1 LST: DN × 0.02 K, 0 = fill, QC bits 0–1 (00 good, 01 other quality);
- MOD13A2 NDVI/EVI: DN × 0.0001 (the file's scale_factor 10000 is a divisor), fill −3000, pixel
  reliability 0 good, 1 marginal;
- MCD43A3 albedo: DN × 0.001, fill 32767, mandatory quality 0 full inversion, 1 magnitude inversion;
- MOD15A2H LAI/FPAR: DN × 0.1 / × 0.01, 249–255 fill classes, FparLai_QC bit 0 (0 good);
- GLASS: scale, offset, fill and valid range from each field's attributes;
- GLEAM v3/v4 NetCDF: read by dimension name ((time, lon, lat) or (time, lat, lon)), −999 fill, days since
  1970-01-01, one layer per day;
- GLDAS Noah: kg m⁻² → m³/m³ (÷ 1000 × layer thickness); rzsm = thickness-weighted mean of 10–40 and
  40–100 cm (both needed);
- generic GeoTIFF/NetCDF: the date from the file name or the NetCDF time axis; scale/offset from the
  band's metadata or given.

QC options: ``good`` (best quality only), ``good+other`` (also the second class), ``any`` (only fills out).
"""

import datetime as dt
import functools
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from osgeo import gdal

from .errors import SMFusionError
from .raster import Grid, gdal_call, netcdf_header_problem, one_line
from .series import parse_date

QC_OPTIONS = ("good+other", "good", "any")


@dataclass
class Layer:
    date: dt.date
    array: np.ndarray        # (rows, cols) float32, physical units, NaN = missing
    grid: Grid
    source: str


# HDF4 (MODIS, GLASS) and HDF5 (NetCDF-4: GLDAS, GLEAM) files, whose native libraries can crash on a damaged one
NATIVE_MAGIC = {b"\x0e\x03\x13\x01": "HDF4", b"\x89HDF\r\n\x1a\n": "HDF5/NetCDF-4"}
# opens a file and walks it as the readers do (sub-datasets, arrays, attributes; the data too up to 256 MB):
# run in a child process first
_PROBE = """
import os, sys
from osgeo import gdal
gdal.PushErrorHandler("CPLQuietErrorHandler")
path = sys.argv[1]
whole = os.path.getsize(path) <= 256 << 20
try:
    ds = gdal.Open(path)
    for name, _ in (ds.GetSubDatasets() if ds is not None else []):
        sub = gdal.Open(name)
        if sub is not None and sub.RasterCount and whole:
            sub.GetRasterBand(1).ReadAsArray()
except Exception:
    pass
try:
    md = gdal.OpenEx(path, gdal.OF_MULTIDIM_RASTER)
    root = md.GetRootGroup() if md is not None else None
    for name in ((root.GetMDArrayNames() or []) if root is not None else []):
        arr = root.OpenMDArray(name)
        if arr is not None:
            arr.GetAttributes()
            arr.GetDimensions()
            if whole:
                arr.ReadAsArray()
except Exception:
    pass
"""
_probed = {}


def _interpreter():
    """A Python interpreter like this one (inside QGIS ``sys.executable`` is QGIS itself), or None."""
    import sys
    exe = Path(sys.executable)
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    for cand in (exe, Path(sys.exec_prefix) / "python.exe", Path(sys.exec_prefix) / "bin" / f"python{version}"):
        if cand.name.lower().startswith("python") and cand.is_file():
            return str(cand)
    return None


def native_crash(path):
    """None, or how a native reader crashed on the HDF4 or HDF5 file ``path`` in a child process. A damaged
    file can crash GDAL's HDF4 driver (a segmentation fault, GDAL 3.6) or libhdf5 under the NetCDF driver
    (an abort, Debian unstable), which would take QGIS down with it; the child opens and walks it first.
    Each file (path, size, time) is probed once. Other files: None, at once."""
    import os
    import signal
    import subprocess
    import sys
    p = Path(str(path))
    try:
        st = p.stat()
        with open(p, "rb") as fh:
            head = fh.read(8)
    except OSError:
        return None
    kind = NATIVE_MAGIC.get(head[:4]) or NATIVE_MAGIC.get(head)
    if kind is None:
        return None
    key = (str(p.resolve()), st.st_size, st.st_mtime_ns)
    if key not in _probed:
        exe = _interpreter()
        if exe is None:
            return None
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(x for x in sys.path if x))
        try:
            code = subprocess.run([exe, "-c", _PROBE, str(p)], env=env, capture_output=True, timeout=600).returncode
        except (OSError, subprocess.SubprocessError):
            code = 0
        crash = None
        if code < 0:
            name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else f"signal {-code}"
            crash = f"{kind} reader ({name})"
        _probed[key] = crash
    return _probed[key]


def _quiet_open(name, flags=gdal.OF_RASTER):
    """(dataset or None, message) of ``name``. A classic NetCDF file with an impossible header is refused
    before the NetCDF library reads it (:func:`netcdf_header_problem`), and an HDF4/HDF5 file that crashes a
    driver in a child process (:func:`native_crash`) is not opened here."""
    if Path(str(name)).is_file():
        if Path(str(name)).suffix.lower() in (".nc", ".nc4", ".cdf"):
            problem = netcdf_header_problem(name)
            if problem:
                return None, problem
        crash = native_crash(name)
        if crash:
            return None, f"the file crashes GDAL's {crash}: it is damaged; download it again"
    return gdal_call(gdal.OpenEx, str(name), flags)


def _open(path):
    ds, msg = _quiet_open(path)
    if ds is None:
        raise SMFusionError(f"{path}: not a readable raster ({msg or 'unknown format'})", path)
    return ds


def _norm(name):
    return re.sub(r"[\s_]+", "_", name.strip().strip('"')).lower()


def _subdataset(path, field):
    """The sub-dataset of ``path`` whose field name is ``field`` (spaces and underscores alike), or None."""
    ds = _open(path)
    for name, _ in ds.GetSubDatasets():
        if _norm(name.split(":")[-1]) == _norm(field):
            return name
    if ds.RasterCount:                              # a file with a single variable has no sub-datasets
        own = ds.GetRasterBand(1).GetMetadataItem("NETCDF_VARNAME") or Path(str(path)).stem
        if _norm(own) == _norm(field):
            return str(path)
    return None


def _grid(ds):
    """The dataset's grid; a CRS-less lon/lat grid (many NetCDF files) is taken as EPSG:4326."""
    grid = Grid.from_dataset(ds)
    if (grid.width, grid.height) == (7200, 3600) and grid.transform == (0.0, 1.0, 0.0, 0.0, 0.0, 1.0):
        # a GLASS CMG file without georeferencing: the global 0.05° grid (first centre −179.975, 89.975)
        return Grid(_wgs84(), (-180.0, 0.05, 0.0, 90.0, 0.0, -0.05), 7200, 3600)
    if not grid.crs:
        x0, dx, _, y0, _, dy = grid.transform
        if -180.5 <= x0 and x0 + dx * grid.width <= 360.5 and abs(y0) <= 90.5 and abs(y0 + dy * grid.height) <= 90.5:
            grid = Grid(_wgs84(), grid.transform, grid.width, grid.height)
        else:
            raise SMFusionError(f"{ds.GetDescription()}: no coordinate reference system", ds.GetDescription())
    return grid


def _read(obj, path, *args, **kwargs):
    """``obj.ReadAsArray(*args, **kwargs)`` (a band or a multidimensional array of ``path``), or an
    SMFusionError naming the file when GDAL cannot read the data (a damaged or truncated file)."""
    data, msg = gdal_call(obj.ReadAsArray, *args, **kwargs)
    if data is None:
        raise SMFusionError(f"{path}: the data cannot be read ({msg or 'no detail from GDAL'}); the file may be "
                            f"damaged or truncated", path)
    return data


def _array_names(path):
    """The names of a NetCDF file's arrays ([] when it cannot say: not NetCDF, or damaged)."""
    ds, _ = _quiet_open(path, gdal.OF_MULTIDIM_RASTER)
    root = gdal_call(ds.GetRootGroup)[0] if ds is not None else None
    return (gdal_call(root.GetMDArrayNames)[0] or []) if root is not None else []


def _band(path, field):
    name = _subdataset(path, field)
    if name is None:
        raise SMFusionError(f"{path}: has no field {field!r}", path)
    ds = _open(name)
    raw = _read(ds.GetRasterBand(1), path)
    meta = {**(ds.GetMetadata() or {}), **(ds.GetRasterBand(1).GetMetadata() or {})}
    return raw, _grid(ds), meta, ds.GetRasterBand(1)


def _meta(meta, key):
    """A metadata value whatever its prefix (``var#key`` in NetCDF)."""
    for k, v in meta.items():
        if k == key or k.endswith("#" + key):
            return v
    return None


def _num(text):
    if text is None:
        return None
    try:
        return float(str(text).split(",")[0].strip("{} "))
    except ValueError:
        return None


def _gdal_errors_named(method):
    """``method(self, path, …)`` with GDAL's RuntimeError (raised when exceptions are on, as QGIS ≥ 3.x and
    other plugins may set them) turned into an SMFusionError that names ``path``."""
    @functools.wraps(method)
    def wrapper(self, path, *args, **kwargs):
        try:
            return method(self, path, *args, **kwargs)
        except (NotImplementedError, RecursionError):
            raise
        except RuntimeError as err:
            raise SMFusionError(f"{path}: GDAL cannot read it ({one_line(err) or 'no detail'}); the file may be "
                                f"damaged", path) from err
    return wrapper


class Reader:
    """A product's reader. The ``read``, ``matches`` and ``available`` of every subclass name the file in
    their errors, whichever error mode GDAL is in (:func:`_gdal_errors_named`)."""
    name = ""
    pattern = None            # file-name regex
    variables = {}            # variable -> how to read it
    dated_by_name = True

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name in ("read", "matches", "available"):
            if name in cls.__dict__:
                setattr(cls, name, _gdal_errors_named(cls.__dict__[name]))

    def matches(self, path):
        return bool(self.pattern and re.search(self.pattern, Path(str(path)).name, re.IGNORECASE))

    def read(self, path, variable, qc="good+other"):
        raise NotImplementedError

    def available(self, path):
        """The variables this file holds (all of the product's, unless a reader knows better)."""
        return list(self.variables)

    def _check(self, path, variable):
        if variable not in self.variables:
            raise SMFusionError(f"{path}: {self.name} has no variable {variable!r} "
                                f"(it has {', '.join(self.variables)})", path)


class ModisLST(Reader):
    name = "MOD11A1"
    pattern = r"^M[OY]D11A1\."
    variables = {"lst_day": ("LST_Day_1km", "QC_Day"), "lst_night": ("LST_Night_1km", "QC_Night")}

    def read(self, path, variable, qc="good+other"):
        self._check(path, variable)
        field, qc_field = self.variables[variable]
        raw, grid, _, _ = _band(path, field)
        q, _, _, _ = _band(path, qc_field)
        out = raw.astype("float32") * 0.02
        bad = raw == 0
        mandatory = q.astype(np.int64) & 3
        if qc == "good":
            bad |= mandatory != 0
        elif qc == "good+other":
            bad |= mandatory > 1
        out[bad] = np.nan
        return [Layer(parse_date(Path(str(path)).name), out, grid, str(path))]


class _ModisScaled(Reader):
    """A MODIS field = DN × scale with fill values and a quality field (good value, other value)."""

    fields = {}               # variable -> (field, scale, fill test, qc field, good test, other test)

    def read(self, path, variable, qc="good+other"):
        self._check(path, variable)
        field, scale, is_fill, qc_field, good, other = self.fields[variable]
        raw, grid, _, _ = _band(path, field)
        out = raw.astype("float32") * scale
        bad = is_fill(raw)
        if qc != "any" and qc_field:
            q = _band(path, qc_field)[0].astype(np.int64)
            bad |= ~(good(q) | (other(q) if qc == "good+other" else False))
        out[bad] = np.nan
        return [Layer(parse_date(Path(str(path)).name), out, grid, str(path))]


class ModisNDVI(_ModisScaled):
    name = "MOD13A2"
    pattern = r"^M[OY]D13A2\."
    rel = "1 km 16 days pixel reliability"
    fields = {"ndvi": ("1 km 16 days NDVI", 1e-4, lambda r: r == -3000, rel, lambda q: q == 0, lambda q: q == 1),
              "evi": ("1 km 16 days EVI", 1e-4, lambda r: r == -3000, rel, lambda q: q == 0, lambda q: q == 1)}
    variables = fields


class ModisAlbedo(_ModisScaled):
    name = "MCD43A3"
    pattern = r"^MCD43A3\."
    fields = {"albedo_wsa": ("Albedo_WSA_shortwave", 1e-3, lambda r: r == 32767,
                             "BRDF_Albedo_Band_Mandatory_Quality_shortwave", lambda q: q == 0, lambda q: q == 1),
              "albedo_bsa": ("Albedo_BSA_shortwave", 1e-3, lambda r: r == 32767,
                             "BRDF_Albedo_Band_Mandatory_Quality_shortwave", lambda q: q == 0, lambda q: q == 1)}
    variables = fields


class ModisLAI(_ModisScaled):
    name = "MOD15A2H"
    pattern = r"^M[OY]D15A2H\."
    fields = {"lai": ("Lai_500m", 0.1, lambda r: r > 248, "FparLai_QC", lambda q: (q & 1) == 0, lambda q: q >= 0),
              "fapar": ("Fpar_500m", 0.01, lambda r: r > 248, "FparLai_QC", lambda q: (q & 1) == 0,
                        lambda q: q >= 0)}
    variables = fields


class Glass(Reader):
    """GLASS fields: scale, offset, fill and valid range from the field's own attributes."""

    name = "GLASS"
    pattern = r"^GLASS\d"
    variables = {"lai": ("LAI",), "fapar": ("FAPAR",), "albedo": ("ABD_BSA_shortwave", "albedo", "ABD"),
                 "lst_day": ("LST",), "ndvi": ("NDVI",)}

    def read(self, path, variable, qc="good+other"):
        self._check(path, variable)
        if Path(str(path)).suffix.lower() in (".tif", ".tiff"):      # a GLASS GeoTIFF: one field, band 1
            ds = _open(path)
            band = ds.GetRasterBand(1)
            raw, grid = _read(band, path), _grid(ds)
            meta = {**(ds.GetMetadata() or {}), **(band.GetMetadata() or {})}
            meta.setdefault("scale_factor", band.GetScale())
            meta.setdefault("add_offset", band.GetOffset())
            if band.GetNoDataValue() is not None:
                meta.setdefault("_FillValue", band.GetNoDataValue())
        else:
            for field in self.variables[variable]:
                if _subdataset(path, field) is not None:
                    break
            else:
                raise SMFusionError(f"{path}: GLASS file without a {'/'.join(self.variables[variable])} field",
                                    path)
            raw, grid, meta, _ = _band(path, field)
        scale = _num(_meta(meta, "scale_factor"))
        offset = _num(_meta(meta, "add_offset")) or 0.0
        fill = _num(_meta(meta, "_FillValue"))
        vr = _meta(meta, "valid_range")
        out = raw.astype("float64")
        bad = np.zeros(raw.shape, bool) if fill is None else raw == fill
        if vr:
            lo, hi = (float(v) for v in re.findall(r"-?[\d.]+(?:[eE][-+]?\d+)?", str(vr))[:2])
            bad |= (raw < lo) | (raw > hi)
        out = out * (1.0 if scale is None else scale) + offset
        out[bad] = np.nan
        return [Layer(parse_date(Path(str(path)).name), out.astype("float32"), grid, str(path))]


def _time_axis(values, units):
    """Dates of a CF time axis ("days/hours/seconds since YYYY-MM-DD[ hh:mm]")."""
    m = re.match(r"\s*(days|hours|minutes|seconds)\s+since\s+(\d{4})-(\d{1,2})-(\d{1,2})", units or "")
    if not m:
        raise SMFusionError(f"time units {units!r} are not CF 'days|hours|seconds since YYYY-MM-DD'")
    base = dt.datetime(int(m.group(2)), int(m.group(3)), int(m.group(4)))
    step = {"days": 86400, "hours": 3600, "minutes": 60, "seconds": 1}[m.group(1)]
    return [(base + dt.timedelta(seconds=float(v) * step)).date() for v in values]


def _role(name):
    if name in ("time", "t"):
        return "time"
    if name.startswith("lat") or name == "y":
        return "lat"
    if name.startswith("lon") or name == "x":
        return "lon"
    return name


class NetcdfCube:
    """A NetCDF variable on a lon/lat grid, whatever its dimension order (read by dimension name), one time
    step at a time (a yearly global file never sits whole in memory). ``dates``, ``grid`` (EPSG:4326,
    north-up) and :meth:`layer` (k) → (rows, cols) float32 with fill → NaN and scale/offset applied."""

    def __init__(self, path, variable):
        ds, msg = _quiet_open(path, gdal.OF_MULTIDIM_RASTER)
        if ds is None:
            raise SMFusionError(f"{path}: not a readable NetCDF file ({msg or 'unknown format'})", path)
        root = ds.GetRootGroup()
        if root is None:
            raise SMFusionError(f"{path}: not a readable NetCDF file (no root group)", path)
        arr, _ = gdal_call(root.OpenMDArray, variable)
        if arr is None:
            names = [n.decode("latin-1") if isinstance(n, bytes) else n     # damaged names come back as bytes
                     for n in gdal_call(root.GetMDArrayNames)[0] or []]
            raise SMFusionError(f"{path}: has no variable {variable!r} (it has {', '.join(names) or 'none'})", path)
        self._ds, self._arr, self.path = ds, arr, path
        dims = arr.GetDimensions()
        self.roles = [_role(d.GetName().lower()) for d in dims]
        if "lat" not in self.roles or "lon" not in self.roles:
            raise SMFusionError(f"{path}: {variable} has dimensions {[d.GetName() for d in dims]}, not lat/lon", path)
        coords = {}
        for d in dims:
            var = d.GetIndexingVariable()
            coords[_role(d.GetName().lower())] = (_read(var, path) if var is not None else None, var)
        if coords.get("lat", (None,))[0] is None or coords.get("lon", (None,))[0] is None:
            raise SMFusionError(f"{path}: {variable} has no latitude/longitude values", path)
        lat, lon = coords["lat"][0].astype("float64"), coords["lon"][0].astype("float64")
        self.flip = bool(lat[0] < lat[-1])                   # stored south → north: flip to north-up
        if self.flip:
            lat = lat[::-1]
        res_x, res_y = float(np.mean(np.diff(lon))), float(np.mean(np.diff(lat)))
        self.grid = Grid(_wgs84(), (lon[0] - res_x / 2, res_x, 0.0, lat[0] - res_y / 2, 0.0, res_y),
                         len(lon), len(lat))
        if "time" in coords and coords["time"][0] is not None:
            tvar = coords["time"][1]
            units = tvar.GetUnit() or next((a.Read() for a in tvar.GetAttributes() if a.GetName() == "units"), None)
            self.dates = _time_axis(coords["time"][0], units)
        else:
            self.dates = [parse_date(Path(str(path)).name)]
        self.attrs = {a.GetName(): a.Read() for a in arr.GetAttributes()}
        self.sizes = [d.GetSize() for d in dims]

    def layer(self, k):
        start = [0] * len(self.roles)
        count = list(self.sizes)
        if "time" in self.roles:
            t = self.roles.index("time")
            start[t], count[t] = k, 1
        data = _read(self._arr, self.path, array_start_idx=start, count=count).astype("float64")
        roles = [r for r in self.roles if r != "time"] if "time" in self.roles else list(self.roles)
        data = data.reshape([c for c, r in zip(count, self.roles) if r != "time"])
        data = np.transpose(data, [roles.index("lat"), roles.index("lon")])
        if self.flip:
            data = data[::-1]
        fill = self.attrs.get("_FillValue", self.attrs.get("missing_value"))
        if fill is not None:
            data[data == float(np.ravel(fill)[0])] = np.nan
        data[~np.isfinite(data)] = np.nan
        scale, offset = self.attrs.get("scale_factor"), self.attrs.get("add_offset")
        if scale is not None or offset is not None:
            data = data * (1.0 if scale is None else float(np.ravel(scale)[0])) + \
                (0.0 if offset is None else float(np.ravel(offset)[0]))
        return data.astype("float32")

    def layers(self, transform=None):
        """:class:`Layer` objects, lazily, one per time step."""
        for k, d in enumerate(self.dates):
            a = self.layer(k)
            yield Layer(d, transform(a) if transform else a, self.grid, str(self.path))


def _wgs84():
    from osgeo import osr
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4326)
    return srs.ExportToWkt()


class Gleam(Reader):
    name = "GLEAM"
    pattern = r"^(SM(surf|root|s|rz)|SMsurf|SMroot)[_.]|GLEAM"
    variables = {"ssm": ("SMsurf", "SMs"), "rzsm": ("SMroot", "SMrz")}

    def matches(self, path):
        if super().matches(path):
            return True
        if Path(str(path)).suffix.lower() not in (".nc", ".nc4"):
            return False
        names = _array_names(path)
        return any(n in names for n in ("SMsurf", "SMroot", "SMs", "SMrz"))

    def available(self, path):
        names = _array_names(path)
        return [v for v, fields in self.variables.items() if any(f in names for f in fields)] or list(self.variables)

    def read(self, path, variable, qc="good+other"):
        self._check(path, variable)
        names = _array_names(path)
        field = next((f for f in self.variables[variable] if f in names), None)
        if field is None:
            raise SMFusionError(f"{path}: GLEAM file without {' or '.join(self.variables[variable])} "
                                f"(it has {', '.join(names)})", path)
        return NetcdfCube(path, field).layers(lambda a: np.where(a <= -999, np.nan, a))


class Gldas(Reader):
    name = "GLDAS"
    pattern = r"^GLDAS_NOAH"
    variables = {"ssm": (("SoilMoi0_10cm_inst", 0.10),), "rzsm": (("SoilMoi10_40cm_inst", 0.30),
                                                                   ("SoilMoi40_100cm_inst", 0.60))}

    def read(self, path, variable, qc="good+other"):
        self._check(path, variable)
        total, acc, grid = 0.0, None, None
        for field, thickness in self.variables[variable]:
            name = _subdataset(path, field) or _subdataset(path, field.replace("_inst", ""))
            if name is None:
                raise SMFusionError(f"{path}: GLDAS file without {field}, which {variable} needs "
                                    f"(the {variable} layer cannot be made from this file)", path)
            ds = _open(name)
            band = ds.GetRasterBand(1)
            raw = _read(band, path).astype("float64")
            nodata = band.GetNoDataValue()
            raw[(raw == nodata) if nodata is not None else np.zeros(raw.shape, bool)] = np.nan
            raw[raw <= -9999] = np.nan
            theta = raw / (1000.0 * thickness)               # kg m⁻² → m³/m³
            acc = theta * thickness if acc is None else acc + theta * thickness
            total += thickness
            grid = _grid(ds)
        return [Layer(parse_date(Path(str(path)).name), (acc / total).astype("float32"), grid, str(path))]


class Generic(Reader):
    """Any GeoTIFF band or NetCDF variable: scale/offset from metadata (or given), date from the name or
    the NetCDF time axis."""

    name = "generic"
    variables = {}

    def __init__(self, scale=None, offset=None):
        self.scale, self.offset = scale, offset

    def matches(self, path):
        return Path(str(path)).suffix.lower() in (".tif", ".tiff", ".nc", ".nc4", ".vrt", ".img")

    def read(self, path, variable, qc="good+other"):
        path = Path(str(path))
        if path.suffix.lower() in (".nc", ".nc4"):
            if not variable:
                raise SMFusionError(f"{path}: give VARIABLE (a NetCDF variable name)", path)
            cube = NetcdfCube(path, variable)
            if self.scale is None and self.offset is None:
                return cube.layers()
            scale, offset = (self.scale if self.scale is not None else 1.0), (self.offset or 0.0)
            return cube.layers(lambda a: a * scale + offset)
        ds = _open(path)
        band = ds.GetRasterBand(1)
        raw = _read(band, path)
        out = raw.astype("float64")
        nodata = band.GetNoDataValue()
        if nodata is not None:
            out[raw == nodata] = np.nan
        scale = self.scale if self.scale is not None else (band.GetScale() or 1.0)
        offset = self.offset if self.offset is not None else (band.GetOffset() or 0.0)
        out = out * scale + offset
        out[~np.isfinite(out)] = np.nan
        return [Layer(parse_date(path.name), out.astype("float32"), _grid(ds), str(path))]


READERS = {r.name: r for r in (ModisLST(), ModisNDVI(), ModisAlbedo(), ModisLAI(), Glass(), Gleam(), Gldas())}
PRODUCTS = ("auto",) + tuple(READERS) + ("generic",)


def detect(path):
    """The reader of a file, recognised from its name (and NetCDF variables); generic for plain rasters."""
    for reader in READERS.values():
        if reader.matches(path):
            return reader
    if Generic().matches(path):
        return Generic()
    raise SMFusionError(f"{path}: unknown product; recognised products: {', '.join(READERS)}, and generic "
                        f"GeoTIFF/NetCDF", path)


def reader_for(product, scale=None, offset=None):
    if product == "generic":
        return Generic(scale, offset)
    if product not in READERS:
        raise SMFusionError(f"PRODUCT must be one of {', '.join(PRODUCTS)} (got {product!r})")
    return READERS[product]
