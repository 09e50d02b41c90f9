"""The 1-km predictors of the downscaling and the CNN: driver series and static layers on the fine grid, by
their canonical names (core/variables.py), and the day-of-year terms."""

import math
from pathlib import Path

import numpy as np

from .errors import SMFusionError
from .raster import Grid, read_raster
from .series import RASTER_SUFFIXES, list_series
from .variables import canonical


def static_files(folder):
    """The static layers of ``folder``: its raster files (not hidden), sorted."""
    return [f for f in sorted(Path(folder).iterdir()) if f.suffix.lower() in RASTER_SUFFIXES
            and not f.name.startswith(".")]


class Predictors:
    """The predictors on the fine grid: one series per dynamic variable (NDVI, LST…) and static GeoTIFFs
    (dem, clay…). ``folder`` holds one series sub-folder per variable and/or ``static/``; ``static`` is a
    folder of static GeoTIFFs kept elsewhere; ``drivers`` are further series folders, named by their files'
    variable (``ndvi_YYYYMMDD.tif`` → ``ndvi``). Every name is taken to its canonical form
    (core/variables.py: ``LST`` → ``lst_day``); ``renamed`` lists the names that changed. Features are
    ordered statics then dynamics, each by name. All files lie on one grid (the fine grid); the error names
    the file that does not."""

    def __init__(self, folder=None, static=None, drivers=()):
        self.folder = Path(folder) if folder else None
        self.dynamic, self.static, self.renamed = {}, {}, {}
        statics = [Path(static)] if static else []
        if self.folder is not None:
            if not self.folder.is_dir():
                raise SMFusionError(f"{folder}: predictor folder not found", folder)
            for sub in sorted(p for p in self.folder.iterdir() if p.is_dir()):
                if sub.name == "static":
                    statics.insert(0, sub)
                else:
                    self._add_dynamic(sub.name, list_series(sub), sub)
        for sub in statics:
            if not sub.is_dir():
                raise SMFusionError(f"{sub}: static folder not found", sub)
            seen = {}
            for f in static_files(sub):
                name = self._rename(f.stem)
                if name in seen:
                    raise SMFusionError(f"{f}: a second static layer of {name} (with {seen[name].name})", f)
                seen[name] = f
                self.static.setdefault(name, f)
        for sub in drivers:
            series = list_series(sub)
            self._add_dynamic(series.variable, series, sub)
        self.static = dict(sorted(self.static.items()))
        self.dynamic = dict(sorted(self.dynamic.items()))
        if not self.dynamic and not self.static:
            raise SMFusionError(f"{folder or static or 'predictors'}: no predictor (expected one series sub-folder "
                                f"per variable and/or static GeoTIFFs)", folder or static)
        ref_path = next(iter(self.static.values()), None) or next(iter(self.dynamic.values())).paths[0]
        self.grid = Grid.of(ref_path)
        for path in self.static.values():
            diff = self.grid.differences(Grid.of(path))
            if diff:
                raise SMFusionError(f"{path}: not on the grid of {ref_path.name} ({'; '.join(diff)})", path)
        for series in self.dynamic.values():
            diff = self.grid.differences(series.grid)
            if diff:
                raise SMFusionError(f"{series.paths[0]}: not on the grid of {ref_path.name} ({'; '.join(diff)})",
                                    series.paths[0])
        self.names = list(self.static) + list(self.dynamic)
        self._static_cache = None

    def _rename(self, name):
        new = canonical(name)
        if new != name:
            self.renamed[name] = new
        return new

    def _add_dynamic(self, name, series, where):
        name = self._rename(name)
        if name in self.dynamic:
            raise SMFusionError(f"{where}: a second series of {name} (with {self.dynamic[name].paths[0].parent})",
                                where)
        self.dynamic[name] = series

    def dates(self):
        """Dates on which every dynamic predictor has a file."""
        sets = [set(s.dates) for s in self.dynamic.values()]
        return sorted(set.intersection(*sets)) if sets else None

    def missing(self, date):
        return [n for n, s in self.dynamic.items() if s.path_for(date) is None]

    def __getstate__(self):
        """Pickled without the static arrays (a task on a cluster reads them again)."""
        return {**self.__dict__, "_static_cache": None}

    def static_arrays(self):
        if self._static_cache is None:
            self._static_cache = {n: read_raster(p)[0] for n, p in self.static.items()}
        return self._static_cache

    def stack(self, date):
        """(n_features, rows, cols) float32: statics then dynamics at ``date``."""
        st = self.static_arrays()
        layers = [st[n] for n in self.static] + [self.dynamic[n].read(date) for n in self.dynamic]
        return np.stack(layers).astype("float32")


def doy_terms(date):
    """(sin, cos) of the day of year, one cycle per 365.25 days: the seasonal features."""
    a = 2 * math.pi * (date.timetuple().tm_yday - 1) / 365.25
    return math.sin(a), math.cos(a)
