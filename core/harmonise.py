"""Harmonise product files into a series on a target grid, and build target grids.

:func:`harmonise` reads each file with its product reader (:mod:`.products`), checks the units after
scaling, resamples each layer onto the target grid in memory (gdal.Warp on MEM datasets), combines the
layers of one date (MODIS tiles are mosaicked, GLDAS 3-hourly files averaged: the NaN-aware mean of
the resampled layers), and writes ``<variable>_<YYYYMMDD>.tif`` atomically. Composites keep the first
day of their period, the date in their file name.
"""

import math
from collections import defaultdict
from pathlib import Path

import numpy as np

from .errors import SMFusionError
from .products import QC_OPTIONS, Generic, detect, reader_for
from .progress import Progress
from .raster import Grid, transform_bounds, warp, write_raster
from .series import parse_date, series_filename, variable_of

SKIP_SUFFIXES = (".xml", ".txt", ".md5", ".json", ".html", ".csv", ".jpg", ".png", ".aux")
RESAMPLINGS = ("auto", "nearest", "bilinear", "cubic", "average", "mode")
CLASS_WORDS = ("landcover", "land_cover", "class", "lc_type")


def input_files(inputs):
    """The files of ``inputs`` (files and folders, searched recursively), sorted; sidecars left out."""
    out = []
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            out += [f for f in sorted(p.rglob("*")) if f.is_file() and not f.name.startswith(".")
                    and not f.name.lower().endswith(SKIP_SUFFIXES) and ".aux." not in f.name]
        elif p.is_file():
            out.append(p)
        else:
            raise SMFusionError(f"{p}: not found", p)
    if not out:
        raise SMFusionError(f"No input file in {', '.join(map(str, inputs))}")
    return out


def source_resolution(grid, target):
    """Approximate pixel size of ``grid`` in ``target``'s CRS units."""
    bounds = transform_bounds(grid.bounds, grid.crs, target.crs) if not grid.same_crs(target) else grid.bounds
    return math.sqrt(((bounds[2] - bounds[0]) / grid.width) * ((bounds[3] - bounds[1]) / grid.height))


def choose_resampling(resampling, grid, target, variable):
    """``auto``: nearest for classes, average when the target is coarser than the source, else bilinear."""
    if resampling != "auto":
        return resampling
    if any(w in (variable or "").lower() for w in CLASS_WORDS):
        return "nearest"
    tres = math.sqrt(abs(target.transform[1] * target.transform[5]))
    return "average" if tres > 1.5 * source_resolution(grid, target) else "bilinear"


def check_units(layer, variable, reader, path):
    """Stop on values that contradict the variable's units, saying which scaling was applied."""
    a = layer.array
    if not np.isfinite(a).any():
        return
    name = (variable or "").lower()
    how = f"{reader.name} scaling"
    if isinstance(reader, Generic):
        how = f"scale {reader.scale if reader.scale is not None else 'from metadata'}, offset " \
              f"{reader.offset if reader.offset is not None else 'from metadata'}"
    if name in ("ssm", "rzsm", "sm") or name.startswith(("smsurf", "smroot", "soilmoi")):
        top = float(np.nanmax(a))
        if top > 1.0:
            raise SMFusionError(f"{path}: soil moisture up to {top:g} after {how}; m³/m³ cannot exceed 1 (is "
                                f"it % or kg/m²? set SCALE)", path)
    if name.startswith("lst"):
        low = float(np.nanmin(a))
        if low < 150.0:
            raise SMFusionError(f"{path}: LST down to {low:g} after {how}; below 150 K cannot be a land surface "
                                f"temperature in K (is it °C, or unscaled?)", path)


def harmonise(inputs, output, target, product="auto", variable=None, qc="good+other", resampling="auto",
              start=None, end=None, scale=None, offset=None, progress=None, is_cancelled=None):
    """Read product files and write a series on ``target`` (a :class:`Grid`). Returns a summary dict."""
    prog = Progress.of(progress, is_cancelled)
    if qc not in QC_OPTIONS:
        raise SMFusionError(f"QC must be one of {', '.join(QC_OPTIONS)} (got {qc!r})")
    if resampling not in RESAMPLINGS:
        raise SMFusionError(f"RESAMPLING must be one of {', '.join(RESAMPLINGS)} (got {resampling!r})")
    files = input_files(inputs if isinstance(inputs, (list, tuple)) else [inputs])
    readers = {}
    for f in files:
        readers[f] = detect(f) if product == "auto" else reader_for(product, scale, offset)
    found = sorted({r.name for r in readers.values()})
    if product == "auto" and len(found) > 1:
        raise SMFusionError(f"The inputs hold several products ({', '.join(found)}); harmonise one at a time "
                            f"or set PRODUCT")
    reader = next(iter(readers.values()))
    if product == "auto":
        prog.info(f"Detected product: {reader.name} ({len(files)} file(s))")
    if isinstance(reader, Generic) and (scale is not None or offset is not None):
        reader = Generic(scale, offset)
    if variable is None:
        if not reader.variables:
            if any(Path(f).suffix.lower() in (".nc", ".nc4") for f in files):
                raise SMFusionError("VARIABLE is needed for generic NetCDF files")
            # the variable that a generic file's name gives (ssm_20210401.tif → ssm), else its folder's name:
            # the output is named after it and its units are checked
            variable = (variable_of(Path(files[0]).name) or Path(files[0]).parent.name) \
                if isinstance(reader, Generic) else None
        else:
            variable = reader.available(files[0])[0]
    if reader.variables and variable not in reader.variables:
        raise SMFusionError(f"{reader.name} has no variable {variable!r}; it has {', '.join(reader.variables)}")
    name = variable if reader.variables else (variable or "value")
    # group the files by the date in their name (tiles, sub-daily files); cubes (no date) go alone
    groups = defaultdict(list)
    for f in files:
        try:
            key = parse_date(f.name)
        except SMFusionError:
            key = f
        groups[key].append(f)
    output = Path(output)
    written, overlap = [], False
    keys = sorted(groups, key=lambda k: (str(k)))
    for n, key in enumerate(keys):
        per_date = defaultdict(list)
        for f in groups[key]:
            prog.check()
            layers = reader.read(f, variable if (reader.variables or Path(f).suffix.lower() in (".nc", ".nc4"))
                                 else None, qc)
            for layer in layers:
                if (start and layer.date < start) or (end and layer.date > end):
                    continue
                check_units(layer, name, reader, f)
                how = choose_resampling(resampling, layer.grid, target, name)
                per_date[layer.date].append(warp(layer.array, layer.grid, target, how))
        for date, arrays in sorted(per_date.items()):
            prog.check()
            stack = np.stack(arrays)
            with np.errstate(invalid="ignore"):
                valid = np.isfinite(stack).sum(axis=0)
                merged = np.where(valid > 0, np.nansum(stack, axis=0) / np.maximum(valid, 1), np.nan)
            overlap = overlap or bool(np.isfinite(merged).any())
            path = output / series_filename(name, date)
            write_raster(path, merged.astype("float32"), target, description=name)
            written.append(path)
        prog.update((n + 1) / len(keys), f"{groups[key][0].name}: {len(per_date)} date(s)")
    if not written:
        raise SMFusionError(f"No date between {start or '…'} and {end or '…'} in the inputs")
    if not overlap:
        for p in written:
            p.unlink()
        raise SMFusionError(f"The target grid ({target.describe()}) does not overlap the data: every value "
                            f"is NoData; check TARGET")
    prog.info(f"{reader.name} {name}: {len(written)} file(s) written to {output}")
    return {"product": reader.name, "variable": name, "paths": sorted(written), "output": output}


def make_grid(path, crs, bounds, res):
    """Write a target-grid template (uint8 GeoTIFF of ones) covering ``bounds`` in ``crs`` at ``res``."""
    xmin, ymin, xmax, ymax = bounds
    if not (xmax > xmin and ymax > ymin) or res <= 0:
        raise SMFusionError(f"Empty extent or pixel size ({bounds}, {res})")
    grid = Grid.from_bounds(crs, xmin, ymin, xmax, ymax, res)
    if grid.width * grid.height > 200_000_000:
        raise SMFusionError(f"The grid would have {grid.width}×{grid.height} pixels; check the pixel size and "
                            f"its units ({grid.describe_crs()})")
    write_raster(path, np.ones(grid.shape, "uint8"), grid, dtype="uint8", nodata=0, description="grid")
    return grid
