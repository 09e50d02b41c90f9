"""Ground stations: ISMN archives and CSV files → daily two-layer soil moisture in a station GeoPackage.

The GeoPackage (DESIGN.md) has a point layer ``stations`` (EPSG:4326; ``station_id``, ``network``,
``name``, ``elevation``, ``ssm_depths``/``rzsm_depths`` = the sensor depths that fed each layer, their
overlap weights in m, ``note``, and the static attributes such as clay, sand, saturation, land cover) and a
table ``observations`` (``station_id``, ``date``, ``ssm``, ``rzsm``: daily means in m³/m³, NULL where
missing).

Layers: surface = 0–0.10 m, root zone = 0.10–1.00 m. A sensor measuring over [from, to] feeds each layer it
overlaps, weighted by the overlap length. A sensor at one depth (from = to) feeds the layer that holds
that depth, over the interval halfway to its neighbouring sensor depths, clipped to the layer. Sensors at
the same depth are averaged first. Daily means need MIN_HOURS valid hourly values.
"""

import csv
import datetime as dt
import io
import math
import re
import zipfile
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from osgeo import gdal, ogr, osr

from .errors import SMFusionError
from .progress import Progress
from .raster import atomic_path, gdal_call
from .variables import LAYER_DEPTHS, LAYERS

DEFAULT_FLAGS = ("G", "U")
_DATE_TIME = re.compile(r"^\d{4}/\d{2}/\d{2}$")
_FILE_NAME = re.compile(r"^(?P<cse>[^_]+)_(?P<network>[^_]+)_(?P<station>.+)_sm_(?P<from>-?[\d.]+)_"
                        r"(?P<to>-?[\d.]+)_(?P<sensor>.+)_(?P<start>\d{8})_(?P<end>\d{8})\.stm$")


@dataclass
class Sensor:
    """One soil-moisture sensor: hourly values (m³/m³) with their ISMN flags."""

    network: str
    station: str            # the station as the file name gives it (the archive's folder name)
    name: str               # the station as the file header gives it
    lat: float
    lon: float
    elevation: float
    depth_from: float
    depth_to: float
    sensor: str
    times: list = field(default_factory=list)       # datetime.datetime
    values: list = field(default_factory=list)
    flags: list = field(default_factory=list)
    source: str = ""


@dataclass
class Station:
    station_id: str
    network: str
    name: str
    lon: float
    lat: float
    elevation: float = math.nan
    attrs: dict = field(default_factory=dict)       # static variables: clay, sand, saturation, landcover…
    dates: list = field(default_factory=list)       # datetime.date, sorted
    ssm: np.ndarray = None                           # (len(dates),) float, NaN = missing
    rzsm: np.ndarray = None
    depths: dict = field(default_factory=dict)      # layer -> "0.05;0.00-0.19"
    weights: dict = field(default_factory=dict)     # layer -> "0.050;0.090"
    note: str = ""


# ---------------------------------------------------------------------------------------------- ISMN

def _float(text, what, source):
    try:
        return float(text)
    except ValueError:
        raise SMFusionError(f"{source}: {what} {text!r} is not a number", source) from None


def parse_ismn(text, source="<ismn>"):
    """A :class:`Sensor` from the text of an ISMN ``.stm`` file, in either format:
    "header+values" (a header line, then ``YYYY/MM/DD HH:MM value flag [provider flag]``) or CEOP
    "separate files" (every line: two timestamps, the header fields, value, flag, provider flag).
    Line ends may be LF, CRLF or CR only."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        raise SMFusionError(f"{source}: empty ISMN file", source)
    first = lines[0].split()
    ceop = len(first) >= 13 and _DATE_TIME.match(first[0]) is not None and _DATE_TIME.match(first[2]) is not None
    if ceop:
        head = first[4:12]
        data_lines = lines
    else:
        if len(first) < 9:
            raise SMFusionError(f"{source}: not an ISMN file (the header has {len(first)} fields, "
                                f"expected network, station, lat, lon, elevation, depths and sensor)", source)
        head = first[:8]
        data_lines = lines[1:]
    sensor = Sensor(network=head[1], station=head[2], name=head[2],
                    lat=_float(head[3], "latitude", source), lon=_float(head[4], "longitude", source),
                    elevation=_float(head[5], "elevation", source),
                    depth_from=_float(head[6], "depth_from", source), depth_to=_float(head[7], "depth_to", source),
                    sensor=" ".join(first[8:]) if not ceop else "", source=source)
    times, values, flags = sensor.times, sensor.values, sensor.flags
    for ln in data_lines:
        tok = ln.split()
        if ceop:
            if len(tok) < 14:
                continue
            stamp, value, flag = tok[2] + " " + tok[3], tok[12], tok[13]
        else:
            if len(tok) < 4:
                continue
            stamp, value, flag = tok[0] + " " + tok[1], tok[2], tok[3]
        try:
            times.append(dt.datetime.strptime(stamp, "%Y/%m/%d %H:%M"))
            values.append(float(value))
        except ValueError:
            raise SMFusionError(f"{source}: cannot read the line {ln.strip()[:60]!r}", source) from None
        flags.append(flag)
    return sensor


def parse_static_variables(text):
    """Station attributes from an ISMN ``*_static_variables.csv`` (``;``-separated): clay and sand (% of
    the top layer), saturation (m³/m³), land cover (the latest), climate class."""
    out = {}
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    for row in rows[1:]:
        if len(row) < 6:
            continue
        quantity, value, desc = row[0].strip().lower(), row[4].strip(), row[5].strip()
        key = {"clay fraction": "clay", "sand fraction": "sand", "silt fraction": "silt",
               "saturation": "saturation", "organic carbon": "organic_carbon"}.get(quantity)
        if key and key not in out:                       # the first row is the top soil layer
            try:
                out[key] = float(value)
            except ValueError:
                pass
        elif quantity == "land cover classification":
            out["landcover"] = desc or value             # later rows are later years: keep the last
        elif quantity == "climate classification":
            out["climate"] = value
    return out


def _archive_members(path):
    """(name, text) of every file in an ISMN zip or folder."""
    path = Path(path)
    if path.is_dir():
        for p in sorted(path.rglob("*")):
            if p.is_file():
                yield str(p.relative_to(path)), lambda p=p: p.read_bytes().decode("latin-1")
    elif zipfile.is_zipfile(path):
        try:
            zf = zipfile.ZipFile(path)
            infos = zf.infolist()
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError) as err:
            raise SMFusionError(f"{path}: a damaged zip archive ({err})", path) from None

        def member(info):
            try:
                return zf.read(info).decode("latin-1")
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError,
                    RuntimeError) as err:                     # RuntimeError: a flag bit that says "encrypted"
                why = ("marked as encrypted" if isinstance(err, RuntimeError) and "encrypted" in str(err)
                       else f"{type(err).__name__}: {err}")
                raise SMFusionError(f"{path}: its member {info.filename} is damaged ({why})", path) from None

        for info in sorted(infos, key=lambda i: i.filename):
            if info.filename and not info.filename.endswith("/"):     # a damaged directory can give ''
                yield info.filename, lambda info=info: member(info)
    elif path.is_file() and path.suffix.lower() == ".stm":
        yield path.name, lambda: path.read_bytes().decode("latin-1")
    else:
        raise SMFusionError(f"{path}: not an ISMN archive (a .zip, a folder or an .stm file)", path)


def read_ismn(path, progress=None):
    """Sensors and static attributes of an ISMN archive (zip or unpacked folder).

    Returns (sensors, statics by (network, station), skipped names). Files of unknown type are listed
    in a warning and skipped; the rest is read."""
    prog = Progress.of(progress)
    sensors, statics, skipped = [], {}, []
    for name, read in _archive_members(path):
        base = Path(name).name
        low = base.lower()
        if low.endswith(".stm"):
            if re.search(r"_(ts|p|ta|sd|su|sm)_", base) and "_sm_" not in base:
                skipped.append(f"{name} (not soil moisture)")     # ISMN also ships temperature, rain…
                continue
            source = f"{path}:{name}" if Path(path).is_file() else name
            try:
                sensor = parse_ismn(read(), source)
            except (IndexError, ValueError) as err:           # a damaged line the parser did not foresee
                raise SMFusionError(f"{source}: not a readable ISMN file ({type(err).__name__}: {err})",
                                    str(path)) from None
            m = _FILE_NAME.match(base)
            if m:
                sensor.station = m.group("station")     # the header may say CST_01 where the file says CST-01
                sensor.sensor = sensor.sensor or m.group("sensor")
            sensors.append(sensor)
        elif low.endswith("_static_variables.csv"):
            parts = base[:-len("_static_variables.csv")].split("_", 2)
            if len(parts) == 3:
                statics[(parts[1], parts[2])] = parse_static_variables(read())
        elif low.endswith((".xml", ".txt", ".md")) or low.startswith("readme"):
            continue
        else:
            skipped.append(name)
    if skipped:
        prog.info(f"Warning: {len(skipped)} file(s) of unknown type skipped: {', '.join(skipped[:10])}"
                  + (" …" if len(skipped) > 10 else ""))
    if not sensors:
        raise SMFusionError(f"{path}: no ISMN soil-moisture file (.stm) found", path)
    return sensors, statics, skipped


# ---------------------------------------------------------------------------------------------- daily, layers

def _accepted(flag, accept):
    return all(part[:1] in accept for part in flag.split(",") if part)


def daily_means(times, values, flags=None, accept=DEFAULT_FLAGS, min_hours=12, reasons=None):
    """{date: mean} of the hourly values that are flagged in ``accept``, in [0, 1] and finite, for the
    days with at least ``min_hours`` of them. ``reasons`` (a dict) counts the rejected values by cause."""
    by_day = defaultdict(list)
    accept = tuple(accept)
    for k, (t, v) in enumerate(zip(times, values)):
        flag = flags[k] if flags is not None else "G"
        if not _accepted(flag, accept):
            if reasons is not None:
                reasons[f"flag {flag}"] = reasons.get(f"flag {flag}", 0) + 1
            continue
        if not (math.isfinite(v) and 0.0 <= v <= 1.0):
            if reasons is not None:
                reasons["outside [0, 1]"] = reasons.get("outside [0, 1]", 0) + 1
            continue
        by_day[t.date() if isinstance(t, dt.datetime) else t].append(v)
    out = {}
    for day, vals in by_day.items():
        if len(vals) >= min_hours:
            out[day] = float(np.mean(vals))
        elif reasons is not None:
            reasons[f"days with < {min_hours} valid hours"] = reasons.get(f"days with < {min_hours} valid hours", 0) + 1
    return out


def layer_weights(depths, layer):
    """[(index, overlap m)] of the depth intervals ``depths`` [(from, to)] that feed ``layer``."""
    top, bottom = LAYER_DEPTHS[layer]
    points = sorted({a for a, b in depths if a == b})
    out = []
    for k, (a, b) in enumerate(depths):
        if a == b:
            inside = (top <= a <= bottom) if layer == "ssm" else (top < a <= bottom)
            if not inside:
                continue
            i = points.index(a)
            lo = (points[i - 1] + a) / 2 if i > 0 else -math.inf
            hi = (a + points[i + 1]) / 2 if i + 1 < len(points) else math.inf
            w = min(hi, bottom) - max(lo, top)
        else:
            w = min(b, bottom) - max(a, top)
        if w > 1e-9:
            out.append((k, w))
    return out


def _fmt_depth(a, b):
    return f"{a:.2f}" if a == b else f"{a:.2f}-{b:.2f}"


def build_stations(sensors, statics=None, accept=DEFAULT_FLAGS, min_hours=12, start=None, end=None,
                   extent=None, progress=None):
    """Group sensors into :class:`Station` objects with daily two-layer series.

    Sensors are grouped by (network, station). ``extent`` = (lon_min, lat_min, lon_max, lat_max) keeps
    the stations inside it; ``start``/``end`` bound the dates. Station ids are the station names, with the
    network as a prefix where two networks share a name."""
    prog = Progress.of(progress)
    statics = statics or {}
    groups = defaultdict(list)
    for s in sensors:
        groups[(s.network, s.station)].append(s)
    names = defaultdict(set)
    for net, st in groups:
        names[st].add(net)
    out, outside = [], 0
    for (net, st), group in sorted(groups.items()):
        first = group[0]
        if extent is not None:
            x0, y0, x1, y1 = extent
            if not (x0 <= first.lon <= x1 and y0 <= first.lat <= y1):
                outside += 1
                continue
        reasons = {}
        by_depth = defaultdict(list)       # sensors at the same depth are averaged
        for s in group:
            daily = daily_means(s.times, s.values, s.flags, accept, min_hours, reasons)
            by_depth[(s.depth_from, s.depth_to)].append(daily)
        depths = sorted(by_depth)
        series = []
        for d in depths:
            merged = defaultdict(list)
            for daily in by_depth[d]:
                for day, v in daily.items():
                    merged[day].append(v)
            series.append({day: float(np.mean(v)) for day, v in merged.items()})
        days = sorted({day for s in series for day in s
                       if (start is None or day >= start) and (end is None or day <= end)})
        sid = st if len(names[st]) == 1 else f"{net}_{st}"
        station = Station(sid, net, first.name, first.lon, first.lat, first.elevation,
                          attrs=dict(statics.get((net, st), {})), dates=days)
        for layer in LAYERS:
            ws = layer_weights(depths, layer)
            station.depths[layer] = ";".join(_fmt_depth(*depths[k]) for k, _ in ws)
            station.weights[layer] = ";".join(f"{w:.3f}" for _, w in ws)
            vals = np.full(len(days), np.nan)
            for i, day in enumerate(days):
                num = den = 0.0
                for k, w in ws:
                    v = series[k].get(day)
                    if v is not None:
                        num += w * v
                        den += w
                if den > 0:
                    vals[i] = num / den
            setattr(station, layer, vals)
        if not days or not (np.isfinite(station.ssm).any() or np.isfinite(station.rzsm).any()):
            why = ", ".join(f"{k}: {v}" for k, v in sorted(reasons.items(), key=lambda kv: -kv[1])) or "no values"
            station.note = f"no valid daily value (rejected: {why})"
            prog.info(f"Warning: station {sid} ({net}) is kept without observations: {station.note}")
        out.append(station)
    if outside:
        prog.info(f"{outside} station(s) outside the extent left out")
    return out


# ---------------------------------------------------------------------------------------------- CSV

def read_csv(path, accept=DEFAULT_FLAGS, min_hours=12, start=None, end=None, extent=None, progress=None):
    """Stations from a CSV: daily ``station_id,lon,lat,date,ssm[,rzsm]`` or hourly
    ``station_id,lon,lat,time,depth_from,depth_to,sm`` (depths in m; several depths per station)."""
    path = Path(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            rows = list(reader)
            header = reader.fieldnames or []
    except UnicodeDecodeError:
        for n, raw in enumerate(path.read_bytes().split(b"\n"), start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as err:
                raise SMFusionError(f"{path}: line {n} is not UTF-8 text (byte {raw[err.start]:#04x}); save the CSV "
                                    f"as UTF-8", path) from None
        raise
    except csv.Error as err:
        raise SMFusionError(f"{path}: not a readable CSV ({err})", path) from None
    if not rows:
        raise SMFusionError(f"{path}: the CSV holds no rows", path)
    cols = set(header)
    hourly = {"time", "depth_from", "depth_to", "sm"} <= cols
    need = {"station_id", "lon", "lat"} | ({"time", "depth_from", "depth_to", "sm"} if hourly else {"date", "ssm"})
    if not need <= cols:
        raise SMFusionError(f"{path}: missing column(s) {', '.join(sorted(need - cols))}; expected "
                            f"station_id,lon,lat,date,ssm[,rzsm] or station_id,lon,lat,time,depth_from,"
                            f"depth_to,sm", path)

    def num(row, key, line):
        text = (row.get(key) or "").strip()
        if text == "" or text.lower() in ("nan", "na", "null"):
            return math.nan
        try:
            return float(text)
        except ValueError:
            raise SMFusionError(f"{path}: line {line}: {key} {text!r} is not a number", path) from None

    for line, row in enumerate(rows, start=2):
        if None in row or any(row.get(c) is None for c in need):
            got = sum(v is not None for k, v in row.items() if k is not None) + len(row.get(None) or [])
            raise SMFusionError(f"{path}: line {line} has {got} field(s), the header has {len(header)}", path)
    places = {}                       # station id → (lon, lat, first line): one place per id
    negatives = {}                    # station id → values below 0, dropped

    def place(sid, row, line):
        lon, lat = num(row, "lon", line), num(row, "lat", line)
        first = places.setdefault(sid, (lon, lat, line))
        if (abs(first[0] - lon) > 1e-9 or abs(first[1] - lat) > 1e-9) and not (math.isnan(lon) and math.isnan(lat)):
            raise SMFusionError(f"{path}: station {sid!r} lies at two places: lon {first[0]:g}, lat {first[1]:g} "
                                f"(line {first[2]}) and lon {lon:g}, lat {lat:g} (line {line}); give each place "
                                f"its own station_id", path)
        return lon, lat

    def value(row, key, line, sid):
        v = num(row, key, line)
        if v < 0:
            negatives[sid] = negatives.get(sid, 0) + 1
            return math.nan
        return v

    def noted(station):
        n = negatives.get(station.station_id)
        if n:
            station.note = "; ".join(x for x in (station.note, f"{n} negative value(s) dropped") if x)
        return station

    from .series import parse_user_date
    if hourly:
        sensors = {}
        for line, row in enumerate(rows, start=2):
            sid = row["station_id"].strip()
            place(sid, row, line)
            key = (sid, num(row, "depth_from", line), num(row, "depth_to", line))
            if key not in sensors:
                sensors[key] = Sensor("CSV", sid, sid, num(row, "lat", line), num(row, "lon", line), math.nan,
                                      key[1], key[2], "", source=str(path))
            t = row["time"].strip().replace("T", " ")
            try:
                stamp = dt.datetime.fromisoformat(t[:19])
            except ValueError:
                raise SMFusionError(f"{path}: line {line}: time {t!r} is not YYYY-MM-DD HH:MM", path) from None
            sensors[key].times.append(stamp)
            sensors[key].values.append(value(row, "sm", line, sid))
            sensors[key].flags.append("G")
        values = [v for s in sensors.values() for v in s.values if math.isfinite(v)]
        _check_units(values, path)
        return [noted(st) for st in build_stations(list(sensors.values()), None, ("G",), min_hours, start, end,
                                                   extent, progress)]
    stations = {}
    for line, row in enumerate(rows, start=2):
        sid = row["station_id"].strip()
        lon, lat = place(sid, row, line)
        st = stations.setdefault(sid, {"lon": lon, "lat": lat, "obs": {}})
        day = parse_user_date(row["date"].strip()[:10], f"{path}: line {line}: date")
        st["obs"][day] = (value(row, "ssm", line, sid), value(row, "rzsm", line, sid) if "rzsm" in cols else math.nan)
    _check_units([v for st in stations.values() for pair in st["obs"].values() for v in pair
                  if math.isfinite(v)], path)
    out = []
    for sid, st in sorted(stations.items()):
        if extent is not None:
            x0, y0, x1, y1 = extent
            if not (x0 <= st["lon"] <= x1 and y0 <= st["lat"] <= y1):
                continue
        days = sorted(d for d in st["obs"] if (start is None or d >= start) and (end is None or d <= end))
        s = Station(sid, "CSV", sid, st["lon"], st["lat"], dates=days,
                    ssm=np.array([st["obs"][d][0] for d in days], dtype="float64"),
                    rzsm=np.array([st["obs"][d][1] for d in days], dtype="float64"))
        s.depths = {"ssm": "0.00-0.10", "rzsm": "0.10-1.00" if "rzsm" in cols else ""}
        out.append(noted(s))
    return out


def _check_units(values, path):
    if values and max(values) > 1.0:
        raise SMFusionError(f"{path}: soil moisture up to {max(values):g}: values above 1 look like % or "
                            f"kg/m²; give m³/m³ (divide % by 100)", path)


def import_stations(source, accept=DEFAULT_FLAGS, min_hours=12, start=None, end=None, extent=None, progress=None):
    """Stations from an ISMN archive/folder/.stm file or a CSV (see :func:`read_csv`)."""
    source = Path(source)
    if not source.exists():
        raise SMFusionError(f"{source}: not found", source)
    if source.suffix.lower() == ".csv":
        return read_csv(source, accept, min_hours, start, end, extent, progress)
    sensors, statics, _ = read_ismn(source, progress)
    stations = build_stations(sensors, statics, accept, min_hours, start, end, extent, progress)
    n_obs = sum(int(np.isfinite(s.ssm).sum() + np.isfinite(s.rzsm).sum()) for s in stations)
    if stations and n_obs == 0:
        hint = ("older ISMN archives flag nearly every value U (unchecked): add U to FLAGS" if "U" not in accept else
                "the station notes say why (values outside [0, 1], in % rather than m³/m³, are dropped; so are "
                "days with fewer valid hours than MIN_HOURS)")
        Progress.of(progress).info(f"Warning: no observation passed the filters (FLAGS = {','.join(accept)}, "
                                   f"MIN_HOURS = {min_hours}); {hint}")
    return stations


# ---------------------------------------------------------------------------------------------- GeoPackage

BASE_FIELDS = ("station_id", "network", "name", "elevation", "ssm_depths", "rzsm_depths")


def point_layer(ds, name):
    """A new EPSG:4326 point layer ``name`` (lon/lat order) in an OGR GeoPackage data source."""
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4326)
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return ds.CreateLayer(name, srs, ogr.wkbPoint, ["FID=fid", "GEOMETRY_NAME=geom"])


def write_stations(path, stations, reproducible=False):
    """Write :class:`Station` objects to a station GeoPackage (DESIGN.md), atomically."""
    attr_names = []
    for st in stations:
        for k in st.attrs:
            if k not in attr_names:
                attr_names.append(k)
    numeric = {k: all(isinstance(st.attrs.get(k), (int, float)) or st.attrs.get(k) is None for st in stations)
               for k in attr_names}
    extra = []
    if any(st.weights for st in stations):
        extra += ["ssm_weights", "rzsm_weights"]
    if any(st.note for st in stations):
        extra.append("note")
    prev = gdal.GetConfigOption("OGR_CURRENT_DATE")
    if reproducible:
        gdal.SetConfigOption("OGR_CURRENT_DATE", "2000-01-01T00:00:00Z")
    try:
        with atomic_path(path) as tmp:
            ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(tmp))
            lyr = tab = f = None
            try:
                lyr = point_layer(ds, "stations")
                fields = [(n, ogr.OFTReal if n == "elevation" else ogr.OFTString) for n in BASE_FIELDS]
                fields += [(k, ogr.OFTReal if numeric[k] else ogr.OFTString) for k in attr_names]
                fields += [(k, ogr.OFTString) for k in extra]
                for name, kind in fields:
                    lyr.CreateField(ogr.FieldDefn(name, kind))
                ds.StartTransaction()
                for st in stations:
                    f = ogr.Feature(lyr.GetLayerDefn())
                    values = {"station_id": st.station_id, "network": st.network, "name": st.name,
                              "elevation": st.elevation, "ssm_depths": st.depths.get("ssm", ""),
                              "rzsm_depths": st.depths.get("rzsm", ""), "ssm_weights": st.weights.get("ssm", ""),
                              "rzsm_weights": st.weights.get("rzsm", ""), "note": st.note, **st.attrs}
                    for name, kind in fields:
                        v = values.get(name)
                        if v is None or (isinstance(v, float) and not math.isfinite(v)):
                            f.SetFieldNull(name)
                        else:
                            f.SetField(name, float(v) if kind == ogr.OFTReal else str(v))
                    pt = ogr.Geometry(ogr.wkbPoint)
                    pt.AddPoint_2D(float(st.lon), float(st.lat))
                    f.SetGeometry(pt)
                    lyr.CreateFeature(f)
                ds.CommitTransaction()
                tab = ds.CreateLayer("observations", None, ogr.wkbNone, ["FID=fid"])
                for name, kind in (("station_id", ogr.OFTString), ("date", ogr.OFTDate),
                                   ("ssm", ogr.OFTReal), ("rzsm", ogr.OFTReal)):
                    tab.CreateField(ogr.FieldDefn(name, kind))
                ds.StartTransaction()
                for st in stations:
                    for k, date in enumerate(st.dates):
                        f = ogr.Feature(tab.GetLayerDefn())
                        f.SetField("station_id", st.station_id)
                        f.SetField("date", date.year, date.month, date.day, 0, 0, 0, 0)
                        for layer in LAYERS:
                            v = getattr(st, layer)[k]
                            if np.isfinite(v):
                                f.SetField(layer, float(v))
                            else:
                                f.SetFieldNull(layer)
                        tab.CreateFeature(f)
                ds.CommitTransaction()
            finally:                              # closed here, on failure too: a dataset left to the
                lyr = tab = f = ds = None         # garbage collector may outlive GDAL (a crash at exit)
    finally:
        if reproducible:
            gdal.SetConfigOption("OGR_CURRENT_DATE", prev)
    return Path(path)


def read_stations(path):
    """:class:`Station` objects (with their daily series) from a station GeoPackage or daily CSV."""
    path = Path(path)
    if path.suffix.lower() == ".csv":
        return read_csv(path)
    ds, _ = gdal_call(ogr.Open, str(path))
    if ds is None:
        raise SMFusionError(f"{path}: cannot be opened as a GeoPackage", path)
    lyr, tab = ds.GetLayerByName("stations"), ds.GetLayerByName("observations")
    if lyr is None or tab is None:
        raise SMFusionError(f"{path}: a station GeoPackage needs a layer 'stations' and a table "
                            f"'observations' (smfusion:importstations writes one)", path)
    names = [lyr.GetLayerDefn().GetFieldDefn(i).GetName() for i in range(lyr.GetLayerDefn().GetFieldCount())]
    stations = {}
    for f in lyr:
        g = f.GetGeometryRef()
        values = {n: f.GetField(n) for n in names}
        st = Station(str(values["station_id"]), values.get("network") or "", values.get("name") or "",
                     g.GetX(), g.GetY(), values.get("elevation") if values.get("elevation") is not None else math.nan)
        st.depths = {"ssm": values.get("ssm_depths") or "", "rzsm": values.get("rzsm_depths") or ""}
        st.attrs = {k: v for k, v in values.items() if k not in BASE_FIELDS + ("ssm_weights", "rzsm_weights", "note")}
        st.note = values.get("note") or ""
        stations[st.station_id] = (st, {})
    for f in tab:
        sid = f.GetField("station_id")
        if sid not in stations:
            continue
        y, m, d = f.GetFieldAsDateTime("date")[:3]
        vals = tuple(f.GetField(k) if f.IsFieldSetAndNotNull(k) else math.nan for k in LAYERS)
        stations[sid][1][dt.date(y, m, d)] = vals
    out = []
    for st, obs in stations.values():
        st.dates = sorted(obs)
        st.ssm = np.array([obs[d][0] for d in st.dates], dtype="float64")
        st.rzsm = np.array([obs[d][1] for d in st.dates], dtype="float64")
        out.append(st)
    return out
