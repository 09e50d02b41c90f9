"""Series: a folder of single-band rasters on one grid, one file per date (see DESIGN.md).

The date is in the file name, as ``YYYYMMDD`` (preferred) or ``AYYYYDDD`` (MODIS/GLASS day of year).
:func:`parse_date` is the one date parser of the project; a name it cannot parse is an error naming the
file, never skipped. Files written by tools are named :func:`series_filename` = ``<VAR>_<YYYYMMDD>.tif``.
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import SMFusionError
from .raster import Grid, read_raster, remove_leftovers

MAX_EMPTY = 0.5      # the largest empty fraction of a fused output before a tool fails or warns (the tools' MAX_EMPTY)

RASTER_SUFFIXES = (".tif", ".tiff", ".nc", ".nc4", ".hdf", ".h5", ".vrt", ".img")
_DOY = re.compile(r"(?<![A-Za-z0-9])A(\d{4})(\d{3})(?!\d)")
_YMD = re.compile(r"(?<!\d)(\d{4})[-_.]?(\d{2})[-_.]?(\d{2})(?!\d)")


def parse_date(name):
    """The date in a file name: ``AYYYYDDD`` (taken first, as MODIS names also hold a production
    timestamp) or ``YYYYMMDD`` (also ``YYYY-MM-DD``). The first valid match wins.

    Raises :class:`SMFusionError` naming the file when the name holds no valid date.
    """
    stem = Path(str(name)).name
    for m in _DOY.finditer(stem):
        year, doy = int(m.group(1)), int(m.group(2))
        if 1900 <= year <= 2200 and 1 <= doy <= (366 if _leap(year) else 365):
            return dt.date(year, 1, 1) + dt.timedelta(days=doy - 1)
    for m in _YMD.finditer(stem):
        try:
            date = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            continue
        if 1900 <= date.year <= 2200:
            return date
    raise SMFusionError(f"{name}: no date in the file name (expected YYYYMMDD, e.g. ssm_20210401.tif, "
                        f"or AYYYYDDD, e.g. MOD11A1.A2021091.tif)", name)


def parse_user_date(text, what="date"):
    """A date typed by a user: ``YYYY-MM-DD``, ``YYYYMMDD``, a ``datetime.date``/``datetime``, or None."""
    if text is None or text == "":
        return None
    if isinstance(text, dt.datetime):
        return text.date()
    if isinstance(text, dt.date):
        return text
    s = str(text).strip()
    m = re.fullmatch(r"(\d{4})-?(\d{2})-?(\d{2})(?:[T ].*)?", s)
    if m:
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            pass
    raise SMFusionError(f"{what}: {text!r} is not a date (use YYYY-MM-DD)")


def _leap(year):
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def series_filename(variable, date):
    """``<variable>_<YYYYMMDD>.tif``."""
    return f"{variable}_{date:%Y%m%d}.tif"


def _is_data(f):
    """Not a hidden file (stage markers) nor a GDAL sidecar (``.aux.xml`` statistics a viewer writes)."""
    return f.is_file() and not f.name.startswith(".") and not f.name.endswith(".aux.xml")


def newest_mtime(paths):
    """The latest modification time (POSIX seconds) of the data files in ``paths`` (files or folders,
    searched recursively; hidden files and ``.aux.xml`` sidecars left out); 0.0 when none exists."""
    newest = 0.0
    for p in map(Path, paths):
        if p.is_dir():
            newest = max([newest] + [f.stat().st_mtime for f in p.rglob("*") if _is_data(f)])
        elif p.exists():
            newest = max(newest, p.stat().st_mtime)
    return newest


def written(folder, variable, dates, after=None, progress=None):
    """The dates of ``dates`` whose ``<variable>_<YYYYMMDD>.tif`` already lies in ``folder`` and is newer
    than ``after`` (POSIX seconds): a resumed run keeps them, and says so through ``progress`` (a
    :class:`~.progress.Progress`). None ``after`` keeps nothing. Outputs are written atomically, so an
    existing file is complete; the temporary files of a killed run are removed here."""
    folder = Path(folder)
    if folder.is_dir():
        gone = remove_leftovers(folder, f"{variable}_*")
        if gone and progress is not None:
            progress.info(f"Removed {gone} unfinished file(s) that an interrupted run left in {folder}")
    if after is None:
        return set()
    out = set()
    for d in dates:
        f = folder / series_filename(variable, d)
        if f.is_file() and f.stat().st_mtime >= after:
            out.add(d)
    if out and progress is not None:
        progress.info(f"Resuming: {len(out)} of {len(dates)} date(s) already written, {len(dates) - len(out)} to go")
    return out


def variable_of(name):
    """The variable part of a series file name: what precedes the date (``ssm_20210401.tif`` → ``ssm``)."""
    stem = Path(str(name)).stem
    m = _DOY.search(stem) or _YMD.search(stem)
    prefix = stem[:m.start()] if m else stem
    return prefix.strip("_.- ") or None


@dataclass
class Series:
    """A dated list of raster files, in date order. ``grid`` is set by :meth:`check_grid`."""

    folder: Path
    dates: list
    paths: list
    grid: Grid = field(default=None, repr=False)

    def __len__(self):
        return len(self.dates)

    def __iter__(self):
        return iter(zip(self.dates, self.paths))

    @property
    def variable(self):
        """The common variable name of the files (``ssm`` for ``ssm_YYYYMMDD.tif``), else the folder name."""
        names = {variable_of(p.name) for p in self.paths}
        return names.pop() if len(names) == 1 and None not in names else self.folder.name

    @property
    def start(self):
        return self.dates[0]

    @property
    def end(self):
        return self.dates[-1]

    def path_for(self, date):
        """The file of ``date``, or None."""
        try:
            return self.paths[self.dates.index(date)]
        except ValueError:
            return None

    def read(self, date):
        """float32 (rows, cols) array of ``date`` (NaN = nodata)."""
        path = self.path_for(date)
        if path is None:
            raise SMFusionError(f"{self.folder}: no file for {date:%Y-%m-%d}", self.folder)
        return read_raster(path)[0]

    def between(self, start=None, end=None):
        """The sub-series with ``start <= date <= end`` (either may be None)."""
        keep = [i for i, d in enumerate(self.dates)
                if (start is None or d >= start) and (end is None or d <= end)]
        return Series(self.folder, [self.dates[i] for i in keep], [self.paths[i] for i in keep], self.grid)

    def check_grid(self):
        """Check that every file lies on one grid; set and return it (the error names the odd file)."""
        self.grid = check_same_grid(self.paths)
        return self.grid

    def describe(self):
        """One line for logs: count, date range, grid."""
        grid = f"; {self.grid.describe()}" if self.grid else ""
        return (f"{self.folder.name}: {len(self)} files, {self.start:%Y-%m-%d} … {self.end:%Y-%m-%d}"
                f"{grid}")


def list_series(folder, start=None, end=None, check_grid=True, suffixes=RASTER_SUFFIXES):
    """The :class:`Series` in ``folder`` (raster files only; sidecars such as .aux.xml are ignored).

    Errors (each names the folder or file): the folder is missing or holds no raster; a file name has no
    date; two files share a date; with ``check_grid``, the files are not all on one grid. ``start``/``end``
    (dates, inclusive) select a part; an empty selection is an error too.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise SMFusionError(f"{folder}: series folder not found", folder)
    files = sorted(p for p in folder.iterdir()
                   if p.is_file() and p.suffix.lower() in suffixes and not p.name.startswith("."))
    if not files:
        raise SMFusionError(f"{folder}: the series folder holds no raster files "
                            f"({', '.join(suffixes)})", folder)
    by_date = {}
    for path in files:
        date = parse_date(path.name)
        if date in by_date:
            raise SMFusionError(f"{path}: same date ({date:%Y-%m-%d}) as {by_date[date].name}; "
                                f"a series holds one file per date", path)
        by_date[date] = path
    dates = sorted(by_date)
    series = Series(folder, dates, [by_date[d] for d in dates]).between(start, end)
    if not len(series):
        raise SMFusionError(f"{folder}: no file between {start or '…'} and {end or '…'} "
                            f"(the series spans {dates[0]} … {dates[-1]})", folder)
    if check_grid:
        series.check_grid()
    return series


def check_same_grid(paths, reference=None):
    """The common :class:`Grid` of ``paths``; SMFusionError naming the first file that differs and how."""
    paths = [Path(p) for p in paths]
    if not paths:
        raise SMFusionError("No raster files to check")
    ref_path = None
    if reference is None:
        ref_path, reference = paths[0], Grid.of(paths[0])
    for path in paths:
        if path == ref_path:
            continue
        diff = reference.differences(Grid.of(path))
        if diff:
            against = ref_path.name if ref_path else "the reference grid"
            raise SMFusionError(f"{path}: not on the same grid as {against} ({'; '.join(diff)})", path)
    return reference


RAW_SUFFIXES = (".hdf", ".h5", ".he5", ".hdf5", ".nc", ".nc4")


@dataclass
class FolderInfo:
    """What a folder holds, for a check as the user picks it (:func:`inspect`). ``kind``: ``series`` (dated
    rasters), ``group`` (series sub-folders: ndvi/, lst_day/…), ``static`` (undated rasters), ``raw``
    (product files to harmonise), ``empty`` or ``missing``."""

    folder: Path
    kind: str
    files: int = 0
    dates: list = field(default_factory=list)
    grid: Grid = None
    problems: list = field(default_factory=list)
    members: dict = field(default_factory=dict)      # group: {name: FolderInfo}

    @property
    def ok(self):
        return self.kind in ("series", "group", "static", "raw") and not self.problems

    def problem(self, kinds):
        """None when the folder is one of ``kinds`` without problems, else what is wrong (one line)."""
        if self.kind == "missing":
            return "folder not found"
        if self.kind not in kinds:
            return f"expected {' or '.join(KIND_WORDS[k] for k in kinds)}; found {self.summary().splitlines()[0]}"
        return "; ".join(self.problems) or None

    def summary(self):
        """A few lines for the widget: count, date range, grid, and each problem."""
        if self.kind == "missing":
            return "Folder not found"
        if self.kind == "empty":
            return "No raster or product file here"
        if self.kind == "group":
            counts = {m.files for m in self.members.values()}
            lines = [f"{len(self.members)} series: {', '.join(self.members)} (" + (
                f"{counts.pop()} files each)" if len(counts) == 1 else
                ", ".join(str(m.files) for m in self.members.values()) + " files)")]
            if self.dates:
                lines.append(f"{self.dates[0]:%Y-%m-%d} … {self.dates[-1]:%Y-%m-%d}")
        elif self.kind == "raw":
            lines = [f"{self.files} product file(s), harmonised onto the fine grid by the pipeline"]
            if self.dates:
                lines.append(f"{self.dates[0]:%Y-%m-%d} … {self.dates[-1]:%Y-%m-%d}")
        elif self.kind == "static":
            lines = [f"{self.files} static raster(s)"]
        else:
            lines = [f"{self.files} files, {len(self.dates)} dates: {self.dates[0]:%Y-%m-%d} … "
                     f"{self.dates[-1]:%Y-%m-%d}" if self.dates else f"{self.files} files"]
        if self.grid is not None:
            lines.append(self.grid.describe())
        return "\n".join(lines + [f"⚠ {p}" for p in self.problems])


KIND_WORDS = {"series": "a series folder (one dated raster per date, e.g. ndvi_20210401.tif)",
              "group": "a folder of series sub-folders (ndvi/, lst_day/, albedo/…)",
              "static": "a folder of static rasters (dem.tif, clay.tif…)",
              "raw": "a folder of product files (HDF, NetCDF)"}


def check_folder(folder, kinds):
    """None when ``folder`` is one of ``kinds`` (see :class:`FolderInfo`) without problems, else a message
    that names the folder and says what is wrong."""
    problem = inspect(folder).problem(kinds)
    return f"{folder}: {problem}" if problem else None


def inspect(folder, max_problems=5):
    """A :class:`FolderInfo` for ``folder``; never raises on bad content: unparseable names, repeated
    dates and mixed grids become ``problems`` (at most ``max_problems`` listed, then a count)."""
    folder = Path(folder) if folder else None
    if folder is None or not folder.is_dir():
        return FolderInfo(folder, "missing")
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")
                   and p.suffix.lower() in RASTER_SUFFIXES)
    subs = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not files and subs:
        members = {s.name: inspect(s, max_problems) for s in subs}
        members = {n: m for n, m in members.items() if m.kind in ("series", "raw")}
        if members:
            info = FolderInfo(folder, "group", sum(m.files for m in members.values()), members=members)
            info.dates = sorted(set().union(*(m.dates for m in members.values())))
            grids = [m.grid for m in members.values() if m.grid is not None]
            if grids and all(not grids[0].differences(g) for g in grids[1:]):
                info.grid = grids[0]
            for n, m in members.items():
                info.problems += [f"{n}: {p}" for p in m.problems]
            return info
    if not files:
        raw = [p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in RAW_SUFFIXES]
        return _dated(FolderInfo(folder, "raw", len(raw)), raw) if raw else FolderInfo(folder, "empty")
    if all(p.suffix.lower() in RAW_SUFFIXES for p in files):
        return _dated(FolderInfo(folder, "raw", len(files)), files)
    info = _dated(FolderInfo(folder, "series", len(files)), files, max_problems)
    if not info.dates:
        info.kind, info.problems = "static", []
    groups = []                                   # [(grid, [names])], grids equal within tolerance merged
    for p in files:
        try:
            g = Grid.of(p)
        except Exception as err:  # noqa: BLE001 - GDAL raises RuntimeError or SMFusionError
            info.problems.append(f"{p.name}: cannot be read ({err})")
            continue
        same = next((names for ref, names in groups if not ref.differences(g)), None)
        if same is None:
            groups.append((g, [p.name]))
        else:
            same.append(p.name)
    if groups:
        groups.sort(key=lambda gn: -len(gn[1]))
        info.grid = groups[0][0]
        if len(groups) > 1:
            odd_grid, odd = groups[1][0], [n for _, names in groups[1:] for n in names]
            info.problems.append(f"mixed grids: {len(odd)} file(s) differ from the others, e.g. {odd[0]} "
                                 f"({'; '.join(info.grid.differences(odd_grid))})")
    return info


def _dated(info, files, max_problems=5):
    """Fill ``info.dates`` from the file names; names without a date and repeated dates become problems."""
    seen, bad = {}, []
    for p in files:
        try:
            d = parse_date(p.name)
        except SMFusionError:
            bad.append(p.name)
            continue
        if d in seen and info.kind == "series":
            info.problems.append(f"{p.name}: same date as {seen[d]}")
        seen.setdefault(d, p.name)
    info.dates = sorted(seen)
    if bad and seen:
        more = f" and {len(bad) - max_problems} more" if len(bad) > max_problems else ""
        info.problems.append(f"no date in the name of {', '.join(bad[:max_problems])}{more}")
    return info
