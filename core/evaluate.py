"""Evaluation against stations: sample series at the station points, pair them with the daily station
layer values, and compute the metrics (:mod:`.metrics`) per station, pooled and as the median over stations,
per series, layer and station group (held-out vs training, never mixed).

Sampling (``nearest`` pixel, ``bilinear`` between the four nearest pixel centres, or the ``mean`` of the
k×k block around the pixel) happens in the series' own CRS; station coordinates are EPSG:4326.
"""

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from osgeo import ogr

from .errors import SMFusionError
from .metrics import median_scores, scores
from .progress import Progress
from .raster import RasterReader, atomic_path, transformer
from .series import list_series
from .stations import point_layer, read_stations
from .variables import LAYERS

SAMPLINGS = ("nearest", "bilinear", "mean")
POOLED, MEDIAN = "(pooled)", "(median)"


@dataclass
class SeriesSpec:
    label: str
    layer: str
    folder: Path


def parse_series_specs(text):
    """Series to evaluate from ``label|layer|folder`` entries separated by ``;`` or new lines. A bare
    folder takes its name as the label and its layer from the file names (ssm_… or rzsm_…)."""
    specs = []
    for entry in [e.strip() for e in str(text or "").replace("\n", ";").split(";")]:
        if not entry:
            continue
        parts = [p.strip() for p in entry.split("|")]
        if len(parts) == 3:
            label, layer, folder = parts
        elif len(parts) == 1:
            folder = parts[0]
            layer = list_series(folder, check_grid=False).variable.lower()
            label = Path(folder).name
        else:
            raise SMFusionError(f"SERIES: {entry!r} is not 'label|layer|folder' or a folder")
        if layer not in LAYERS:
            raise SMFusionError(f"SERIES: {entry!r}: the layer must be one of {', '.join(LAYERS)} "
                                f"(got {layer!r})")
        specs.append(SeriesSpec(label, layer, Path(folder)))
    if not specs:
        raise SMFusionError("SERIES: no series given")
    labels = [(s.label, s.layer) for s in specs]
    if len(set(labels)) != len(labels):
        raise SMFusionError("SERIES: two series share a label and layer; give each its own label")
    return specs


def parse_split(text):
    """Held-out station ids from a comma/space/line separated list, or from a file holding one."""
    if text is None or str(text).strip() == "":
        return None
    path = Path(str(text).strip())
    if path.is_file():
        text = path.read_text(encoding="utf-8")
    ids = {t.strip() for t in str(text).replace(",", " ").replace(";", " ").split() if t.strip()}
    return ids or None


def sample_points(grid, lons, lats, sampling, k):
    """Per station: the pixel (row, col) and sampling weights, as a list of [(row, col, weight)]."""
    tr = transformer("EPSG:4326", grid.crs)
    xs, ys = [], []
    for lon, lat in zip(lons, lats):
        x, y, _ = tr.TransformPoint(float(lon), float(lat))
        xs.append(x)
        ys.append(y)
    rows, cols = grid.rowcol(np.array(xs), np.array(ys))
    out = []
    for r, c in zip(rows, cols):
        ri, ci = int(math.floor(r)), int(math.floor(c))
        if not (0 <= ri < grid.height and 0 <= ci < grid.width):
            out.append([])
            continue
        if sampling == "nearest":
            out.append([(ri, ci, 1.0)])
        elif sampling == "bilinear":
            rf, cf = r - 0.5, c - 0.5
            r0, c0 = int(math.floor(rf)), int(math.floor(cf))
            fr, fc = rf - r0, cf - c0
            taps = [(r0, c0, (1 - fr) * (1 - fc)), (r0, c0 + 1, (1 - fr) * fc),
                    (r0 + 1, c0, fr * (1 - fc)), (r0 + 1, c0 + 1, fr * fc)]
            taps = [(min(max(a, 0), grid.height - 1), min(max(b, 0), grid.width - 1), w) for a, b, w in taps]
            out.append(taps)
        else:
            h = k // 2
            out.append([(a, b, 1.0) for a in range(max(ri - h, 0), min(ri + h + 1, grid.height))
                        for b in range(max(ci - h, 0), min(ci + h + 1, grid.width))])
    return out


def _apply(image, taps, sampling):
    if not taps:
        return math.nan
    vals = np.array([image[r, c] for r, c, _ in taps], dtype="float64")
    if sampling == "mean":
        return float(np.nanmean(vals)) if np.isfinite(vals).any() else math.nan
    w = np.array([t[2] for t in taps])
    return float(np.sum(w * vals)) if np.isfinite(vals).all() else math.nan


def sample_series(folder, stations, sampling="nearest", k=3, start=None, end=None, progress=None):
    """(dates, values (n_stations, n_dates) float64, inside (n_stations,) bool) of a series at stations."""
    if sampling not in SAMPLINGS:
        raise SMFusionError(f"SAMPLING must be one of {', '.join(SAMPLINGS)} (got {sampling!r})")
    prog = Progress.of(progress)
    series = list_series(folder, start, end)
    taps = sample_points(series.grid, [s.lon for s in stations], [s.lat for s in stations], sampling, k)
    values = np.full((len(stations), len(series)), np.nan)
    top = -math.inf
    for j, (_, path) in enumerate(series):
        prog.check()
        with RasterReader(path) as r:
            image = r.read()
        if np.isfinite(image).any():
            top = max(top, float(np.nanmax(image)))
        for i, t in enumerate(taps):
            values[i, j] = _apply(image, t, sampling)
        prog.update((j + 1) / len(series))
    if top > 1.0:
        raise SMFusionError(f"{folder}: values up to {top:g} — soil moisture must be in m³/m³ (values above 1 "
                            f"look like % or kg/m²)", folder)
    return list(series.dates), values, np.array([bool(t) for t in taps])


@dataclass
class Result:
    """One metrics row."""

    series: str
    layer: str
    group: str
    station_id: str
    n: int
    pcc: float
    rmse: float
    ubrmse: float
    bias: float
    lon: float = math.nan
    lat: float = math.nan


FIELDS = ("series", "layer", "group", "station_id", "n", "pcc", "rmse", "ubrmse", "bias", "lon", "lat")


def evaluate(specs, stations_path, sampling="nearest", k=3, start=None, end=None, split=None, progress=None,
             is_cancelled=None):
    """Metrics of every series in ``specs`` against the stations. Returns a dict with ``rows`` (list of
    :class:`Result`), ``pairs`` {(label, layer, group): (pred, obs, station ids, dates)} for plots, and
    ``stations``."""
    prog = Progress.of(progress, is_cancelled)
    stations = read_stations(stations_path)
    if not stations:
        raise SMFusionError(f"{stations_path}: holds no station", stations_path)
    by_id = {s.station_id: s for s in stations}
    held = set(split) if split else None
    if held:
        unknown = sorted(held - set(by_id))
        if unknown:
            prog.info(f"Warning: {len(unknown)} held-out id(s) are not in {stations_path}: {', '.join(unknown[:10])}")

    def group_of(sid):
        return "all" if held is None else ("held-out" if sid in held else "training")

    rows, pairs = [], {}
    for n, spec in enumerate(specs):
        sub = prog.sub(n / len(specs), (n + 1) / len(specs))
        sub.info(f"Sampling {spec.label} ({spec.layer}) from {spec.folder} ({sampling})")
        dates, values, inside = sample_series(spec.folder, stations, sampling, k, start, end, sub)
        if not inside.all():
            sub.info(f"Warning: {int((~inside).sum())} station(s) lie outside {spec.label}'s extent")
        col = {d: j for j, d in enumerate(dates)}
        per_group = {}
        for i, st in enumerate(stations):
            obs_all = getattr(st, spec.layer)
            idx = [(col[d], obs_all[m]) for m, d in enumerate(st.dates) if d in col]
            if not idx:
                continue
            pred = np.array([values[i, j] for j, _ in idx])
            obs = np.array([o for _, o in idx])
            ok = np.isfinite(pred) & np.isfinite(obs)
            if not ok.any():
                continue
            s = scores(pred, obs)
            g = group_of(st.station_id)
            rows.append(Result(spec.label, spec.layer, g, st.station_id, s.n, s.pcc, s.rmse, s.ubrmse, s.bias,
                               st.lon, st.lat))
            acc = per_group.setdefault(g, ([], [], [], [], []))
            acc[0].append(pred[ok])
            acc[1].append(obs[ok])
            acc[2].extend([st.station_id] * int(ok.sum()))
            acc[3].extend([dates[j] for (j, _), keep in zip(idx, ok) if keep])
            acc[4].append(s)
        for g, (preds, obss, sids, ds, per) in sorted(per_group.items()):
            p, o = np.concatenate(preds), np.concatenate(obss)
            pooled, med = scores(p, o), median_scores(per)
            rows.append(Result(spec.label, spec.layer, g, POOLED, **pooled.as_dict()))
            rows.append(Result(spec.label, spec.layer, g, MEDIAN, **med.as_dict()))
            pairs[(spec.label, spec.layer, g)] = (p, o, np.array(sids), ds)
            sub.info(f"{spec.label} {spec.layer} [{g}]: N={pooled.n}, PCC={pooled.pcc:.3f}, "
                     f"RMSE={pooled.rmse:.4f}, ubRMSE={pooled.ubrmse:.4f}, bias={pooled.bias:+.4f} m³/m³ "
                     f"({len(per)} stations)")
        if not per_group:
            sub.info(f"Warning: {spec.label} ({spec.layer}) has no date and station in common with the "
                     f"station observations")
    if not rows:
        raise SMFusionError("No series value could be paired with a station observation (check the dates, the "
                            "extent and the layers)")
    return {"rows": rows, "pairs": pairs, "stations": stations}


def write_table(path, rows):
    """The metrics rows as CSV, or as a GeoPackage layer ``metrics`` (points at the stations)."""
    path = Path(path)
    if path.suffix.lower() == ".gpkg":
        with atomic_path(path) as tmp:
            ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(tmp))
            lyr = f = None
            try:
                lyr = point_layer(ds, "metrics")
                kinds = {"n": ogr.OFTInteger, "pcc": ogr.OFTReal, "rmse": ogr.OFTReal, "ubrmse": ogr.OFTReal,
                         "bias": ogr.OFTReal, "lon": ogr.OFTReal, "lat": ogr.OFTReal}
                for name in FIELDS:
                    lyr.CreateField(ogr.FieldDefn(name, kinds.get(name, ogr.OFTString)))
                ds.StartTransaction()
                for r in rows:
                    f = ogr.Feature(lyr.GetLayerDefn())
                    for name in FIELDS:
                        v = getattr(r, name)
                        if isinstance(v, float) and not math.isfinite(v):
                            f.SetFieldNull(name)
                        else:
                            f.SetField(name, v)
                    if math.isfinite(r.lon) and math.isfinite(r.lat):
                        pt = ogr.Geometry(ogr.wkbPoint)
                        pt.AddPoint_2D(r.lon, r.lat)
                        f.SetGeometry(pt)
                    lyr.CreateFeature(f)
                ds.CommitTransaction()
            finally:                          # closed here, on failure too (see stations.write_stations)
                lyr = f = ds = None
        return path
    with atomic_path(path) as tmp:
        with open(tmp, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(FIELDS)
            for r in rows:
                w.writerow([_cell(getattr(r, name)) for name in FIELDS])
    return path


def _cell(v):
    if isinstance(v, float):
        return "" if not math.isfinite(v) else f"{v:.6g}"
    return v
