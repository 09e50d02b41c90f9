"""ESTARFM over time series: a fine, gappy series + a coarse, gap-free series → a daily fine series.

:func:`fuse_series` chooses the pairs (dates with both images and enough valid fine pixels), groups the
prediction dates by the two pairs around them, and runs :func:`.estarfm.fuse_block` tile by tile, so
that steps 1–4 run once per tile and pair segment and every date in the segment reuses them.
:func:`fuse_date` is the classic single prediction from five rasters. The coarse inputs may be on their
own grid: GDAL resamples them onto the fine grid window by window.

Rules (also in the README):
- pair date: both images exist, the coarse is not empty and the fine image has at least
  ``min_pair_valid`` of the observable pixels valid (observable = valid on at least one fine date);
- each date tp is predicted from the nearest pair on or before it and the nearest on or after it; on a
  pair date, the fine observation is kept where valid and the rest is predicted from the neighbouring
  pairs; before the first and after the last pair, and where a pixel is invalid in one pair, the
  single-pair prediction is used; pixels no pair covers stay NaN;
- ``mode="fill"`` also keeps the fine observation wherever it is valid on any date.
"""

import bisect
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import numpy as np

from .errors import SMFusionError
from .estarfm import Sigma, Stats, fuse_block
from .estarfm_options import MODES, RESAMPLINGS, Options
from .progress import Progress
from .raster import ArrayReader, Grid, RasterReader, RasterWriter, tiles
from .scheduler import open_scheduler, parse
from .series import MAX_EMPTY, check_same_grid, list_series, series_filename, written

MAX_DATES = 32          # prediction dates per pass over the tiles (bounds memory; more only re-runs steps 1–4)


def _fmt(date):
    return f"{date:%Y-%m-%d}"


PRELOAD_BYTES = 256 * 2 ** 20   # fuse_date reads its five rasters once, into memory, when they fit this


def _on_grid(path, grid, resampling, band=1, loaded=None):
    """A reader of ``path`` on ``grid`` (:meth:`RasterReader.on_grid`), or its in-memory copy in ``loaded``
    (:func:`_preload`)."""
    if loaded:
        held = loaded.get((str(path), None)) or loaded.get((str(path), resampling))
        if held is not None:
            return held
    return RasterReader.on_grid(path, grid, resampling, band=band)


def _preload(paths, grid, resampling):
    """{(path, None or resampling): ArrayReader} of single-band rasters: a file on ``grid`` as it is, any
    other resampled onto it with ``resampling``; {} when they would take more than PRELOAD_BYTES."""
    if 4 * grid.width * grid.height * len(paths) > PRELOAD_BYTES:
        return {}

    def load(path):
        with RasterReader(path) as r:
            if r.grid.same_as(grid):
                return (str(path), None), ArrayReader(r.read(), grid, path)
        with RasterReader.on_grid(path, grid, resampling) as r:
            return (str(path), resampling), ArrayReader(r.read(), grid, path)

    # GDAL decodes outside Python's lock: two files at a time (4-5 ms less of the Yanco date's 20 ms of reading)
    with ThreadPoolExecutor(2) as pool:
        return dict(pool.map(load, paths))


def _sigma(fine_path, coarse_path, grid, opts, resampling, band=1, loaded=None):
    """:class:`Sigma` thresholds of one pair date (one band), read tile by tile."""
    sig = Sigma(grid.shape, opts.sigma_block, opts.classes)
    with _on_grid(fine_path, grid, "nearest", band, loaded) as f, \
            _on_grid(coarse_path, grid, resampling, band, loaded) as c:
        for t in tiles(grid, 512):
            win = (t.row0, t.col0, t.rows, t.cols)
            sig.add(f.read(win), c.read(win), t.row0, t.col0)
    return sig


def _run_segment(grid, opts, pair1, pair2, dates, outputs, overlays, resampling, progress, stats, loaded=None,
                 watch=None):
    """Predict ``dates`` (each: (date, coarse path)) from pair1/pair2 ((fine, coarse, Sigma) or None)
    into ``outputs`` (paths), keeping the fine observation of ``overlays[date]`` (a path or None);
    ``loaded``: rasters already in memory (:func:`_preload`). Counts the NaN of the outputs into
    ``stats.nan``, and those inside ``watch`` (a (rows, cols) bool mask of the grid) into ``stats.watched``."""
    h = opts.half
    tile_list = tiles(grid, opts.tile_size(len(dates)), h)
    with ExitStack() as stack:
        def reader(path, resample=resampling):
            return stack.enter_context(_on_grid(path, grid, resample, loaded=loaded))

        pairs = []
        for pair in (pair1, pair2):
            pairs.append(None if pair is None else (reader(pair[0], "nearest"), reader(pair[1]), pair[2]))
        cts = [reader(path) for _, path in dates]
        obs = [reader(overlays[d], "nearest") if overlays.get(d) else None for d, _ in dates]
        writers = [stack.enter_context(RasterWriter(out, grid, description=f"{out.stem}"))
                   for out in outputs]
        for n, tile in enumerate(tile_list):
            progress.check()
            blocks = []
            for pair in pairs:
                if pair is None:
                    blocks += [None, None, None]
                else:
                    blocks += [pair[0].read_tile(tile), pair[1].read_tile(tile),
                               pair[2].threshold(tile.row0, tile.col0, tile.rows, tile.cols)]
            f1, c1, s1, f2, c2, s2 = blocks
            if f1 is None:
                f1, c1, s1, f2, c2, s2 = f2, c2, s2, None, None, None
            pred = fuse_block(f1, c1, f2, c2, [r.read_tile(tile) for r in cts], s1, s2, opts, h, stats)
            for d, (writer, ob) in enumerate(zip(writers, obs)):
                out = pred[d]
                if ob is not None:
                    seen = ob.read((tile.row0, tile.col0, tile.rows, tile.cols))
                    out = np.where(np.isfinite(seen), seen, out)
                empty = np.isnan(out)
                stats.nan += int(empty.sum())
                if watch is not None:
                    core = watch[tile.row0:tile.row0 + tile.rows, tile.col0:tile.col0 + tile.cols]
                    stats.watched += int(empty[core].sum())
                writer.write_tile(tile, out)
            progress.update((n + 1) / len(tile_list))


def fuse_chunk(grid, opts, pair1, pair2, dates, outputs, overlays, resampling, progress=None):
    """A task of :func:`fuse_series` (core/scheduler.py): one chunk of a pair segment into ``outputs``;
    returns the work counters of :class:`Stats` as a dict."""
    stats = Stats()
    stats.nan = 0
    _run_segment(grid, opts, pair1, pair2, dates, outputs, overlays, resampling, Progress.of(progress), stats)
    return vars(stats)


def _scan_fine(series, progress):
    """Valid pixel count of each fine date, and the observable mask (valid on at least one date)."""
    counts, seen = {}, None
    for n, (date, path) in enumerate(series):
        progress.check()
        with RasterReader(path) as r:
            valid = np.isfinite(r.read())
        counts[date] = int(valid.sum())
        seen = valid if seen is None else (seen | valid)
        progress.update((n + 1) / len(series))
    return counts, seen


def _scan_coarse(series, progress):
    """Dates of the coarse series whose image holds at least one valid value; warns about the others."""
    keep = {}
    for date, path in series:
        progress.check()
        with RasterReader(path) as r:
            if np.isfinite(r.read()).any():
                keep[date] = path
            else:
                progress.info(f"Warning: {path} holds no valid value; {_fmt(date)} is skipped")
    return keep


def check_cover(coarse_path, grid, max_empty, fine_valid=None, loaded=None):
    """Fail before any compute when the coarse image at ``coarse_path``, taken onto the fine ``grid``, leaves
    more than ``max_empty`` (0–1) of the fine pixels (of ``fine_valid``, a boolean mask, when given) without
    a value: ESTARFM would write mostly empty files (e.g. series of two different regions)."""
    with _on_grid(coarse_path, grid, "nearest", loaded=loaded) as r:
        valid = np.isfinite(r.read())
    if fine_valid is not None:
        valid = valid[fine_valid]
    cover = float(valid.mean()) if valid.size else 0.0
    if 1.0 - cover > max_empty:
        with RasterReader(coarse_path) as r:
            coarse_grid = r.grid.describe()
        raise SMFusionError(f"{coarse_path}: the coarse image covers {cover:.0%} of the fine grid "
                            f"({grid.describe()}), so ESTARFM would leave {1 - cover:.0%} of its pixels empty "
                            f"(MAX_EMPTY allows {max_empty:.0%}). Do the two series cover the same region? The "
                            f"coarse grid: {coarse_grid}", coarse_path)
    return cover


def choose_pairs(fine_counts, observable, coarse_dates, min_pair_valid):
    """Pair dates: in both series, with ≥ ``min_pair_valid`` of the observable pixels valid in the fine
    image. Raises SMFusionError (saying why) when there are none."""
    common = sorted(set(fine_counts) & set(coarse_dates))
    if not common:
        raise SMFusionError("No date has both a fine and a coarse image, so ESTARFM has no pair to start "
                            "from (check that the two series cover the same period and that their file "
                            "names hold the dates)")
    frac = {d: fine_counts[d] / observable if observable else 0.0 for d in common}
    pairs = [d for d in common if frac[d] >= min_pair_valid]
    if not pairs:
        best = max(common, key=frac.get)
        raise SMFusionError(f"No pair date: {len(common)} date(s) have both images, but none has "
                            f"{min_pair_valid:.0%} of its fine pixels valid (the best, {_fmt(best)}, has "
                            f"{frac[best]:.0%}); lower MIN_PAIR_VALID")
    return pairs


def segments(pairs, dates):
    """{(pair before or None, pair after or None): [dates]} — the pairs each date is predicted from."""
    out = {}
    for tp in dates:
        i = bisect.bisect_left(pairs, tp)
        if i < len(pairs) and pairs[i] == tp:           # a pair date: its gaps come from its neighbours
            before = pairs[i - 1] if i > 0 else None
            after = pairs[i + 1] if i + 1 < len(pairs) else None
        else:
            before = pairs[i - 1] if i > 0 else None
            after = pairs[i] if i < len(pairs) else None
        out.setdefault((before, after), []).append(tp)
    return out


def plan_pairs(fine_folder, coarse_folder, min_pair_valid=0.7, progress=None, is_cancelled=None):
    """The pair dates :func:`fuse_series` would use, without fusing (for a preview): reads every fine
    image once and skips empty coarse ones. Raises SMFusionError as fuse_series does when there is none."""
    prog = Progress.of(progress, is_cancelled)
    fine, coarse = list_series(fine_folder), list_series(coarse_folder, check_grid=False)
    counts, seen = _scan_fine(fine, prog.sub(0.0, 0.9))
    return choose_pairs(counts, int(seen.sum()), _scan_coarse(coarse, prog.sub(0.9, 1.0)), min_pair_valid)


def fuse_series(fine_folder, coarse_folder, output, opts=None, mode="all", start=None, end=None,
                min_pair_valid=0.7, resampling="bilinear", variable=None, resume_after=None, progress=None,
                is_cancelled=None, max_empty=MAX_EMPTY, scheduler=None):
    """ESTARFM over a whole series. Writes ``<variable>_<YYYYMMDD>.tif`` into ``output`` for every
    non-empty coarse date in start..end; returns a summary dict (dates, pairs, paths, counters).
    ``resume_after`` (POSIX seconds): keep the output files already written after that time. Fails before
    any compute when the coarse series would leave more than ``max_empty`` of the fine grid empty, and
    warns when the written files are emptier than that. ``scheduler``: where the chunks of the pair
    segments run (SCHEDULER's text or a :class:`~.scheduler.Scheduler`; None: in this process)."""
    if mode not in MODES:
        raise SMFusionError(f"MODE must be one of {', '.join(MODES)} (got {mode!r})")
    if resampling not in RESAMPLINGS:
        raise SMFusionError(f"RESAMPLING must be one of {', '.join(RESAMPLINGS)} (got {resampling!r})")
    if not 0.0 < min_pair_valid <= 1.0:
        raise SMFusionError(f"MIN_PAIR_VALID must be in (0, 1] (got {min_pair_valid})")
    opts = opts or Options()
    scheduler = parse(scheduler)
    prog = Progress.of(progress, is_cancelled)
    t0 = time.perf_counter()
    fine = list_series(fine_folder)
    coarse = list_series(coarse_folder)
    grid = fine.grid
    variable = variable or fine.variable
    prog.info(f"Fine series {fine.describe()}")
    prog.info(f"Coarse series {coarse.describe()}")
    counts, seen = _scan_fine(fine, prog.sub(0.0, 0.04))
    observable = int(seen.sum())
    coarse_ok = _scan_coarse(coarse, prog.sub(0.04, 0.05))
    pairs = choose_pairs(counts, observable, coarse_ok, min_pair_valid)
    dates = [d for d in sorted(coarse_ok) if (start is None or d >= start) and (end is None or d <= end)]
    if not dates:
        raise SMFusionError(f"{coarse_folder}: no coarse date between {start or '…'} and {end or '…'}",
                            coarse_folder)
    prog.info(f"{len(pairs)} pair date(s): {', '.join(_fmt(d) for d in pairs)}")
    check_cover(coarse_ok[dates[0]], grid, max_empty, seen)
    output = Path(output)
    done = written(output, variable, dates, resume_after, prog)
    all_dates, dates = dates, [d for d in dates if d not in done]
    # a pair date whose fine image covers every observable pixel is its own answer: copy it
    copies = [d for d in dates if d in pairs and counts[d] == observable]
    segs = segments(pairs, [d for d in dates if d not in copies])
    overlays = {d: fine.path_for(d) for d in dates
                if fine.path_for(d) is not None and (d in pairs or mode == "fill")}
    sigmas = {}

    def pair(date):
        if date is None:
            return None
        if date not in sigmas:
            sigmas[date] = _sigma(fine.path_for(date), coarse_ok[date], grid, opts, resampling)
        return (fine.path_for(date), coarse_ok[date], sigmas[date])

    stats = Stats()
    stats.nan = 0
    chunks = [(key, group[i:i + MAX_DATES]) for key, group in sorted(segs.items(), key=lambda kv: kv[1][0])
              for i in range(0, len(group), MAX_DATES)]
    run = prog.sub(0.05, 1.0)
    paths = []
    for date in copies:
        prog.check()
        out = output / series_filename(variable, date)
        with RasterReader(fine.path_for(date)) as src, RasterWriter(out, grid, description=out.stem) as dst:
            for t in tiles(grid, 512):
                dst.write_tile(t, src.read((t.row0, t.col0, t.rows, t.cols)))
        paths.append(out)
    tasks = []
    for (before, after), group in chunks:
        outs = [output / series_filename(variable, d) for d in group]
        what = " + ".join(_fmt(d) for d in (before, after) if d is not None)
        run.info(f"{_fmt(group[0])} … {_fmt(group[-1])}: {len(group)} date(s) from the pair(s) {what}")
        tasks.append((grid, opts, pair(before), pair(after), [(d, coarse_ok[d]) for d in group], outs,
                      {d: overlays[d] for d in group if d in overlays}, resampling))
        paths += outs
    with open_scheduler(scheduler, run) as where:
        for counts in where.map(fuse_chunk, tasks, run):
            for k, v in counts.items():
                setattr(stats, k, getattr(stats, k) + v)
    paths = sorted(paths + [output / series_filename(variable, d) for d in done], key=lambda p: p.name)
    total = max(len(dates), 1) * grid.width * grid.height
    nan_computed = stats.nan
    stats.nan += (grid.width * grid.height - observable) * len(copies)
    summary = {"variable": variable, "dates": all_dates, "resumed": len(done), "pairs": pairs, "paths": paths,
               "output": output,
               "geometries": stats.geometries, "tile_dates": stats.dates, "nan_fraction": stats.nan / total,
               "fallback_pixels": stats.fallback, "seconds": time.perf_counter() - t0}
    prog.info(f"ESTARFM wrote {len(paths)} file(s) of {variable} into {output} in {summary['seconds']:.1f} s "
              f"({stats.geometries} similar-pixel searches for {stats.dates} tile-dates); "
              f"{summary['nan_fraction']:.2%} of the output pixels are covered by no pair (NaN)")
    # empty where a fine image was ever observed (elsewhere no pair can say anything: sea, say)
    computed = len(dates) - len(copies)
    empty = (nan_computed - (grid.width * grid.height - observable) * computed) / max(observable * computed, 1)
    if computed and empty > max_empty:
        prog.info(f"Warning: {empty:.0%} of the written pixels that a fine image ever observed are empty, more than "
                  f"MAX_EMPTY ({max_empty:.0%}): the pairs cover little of the grid")
    return summary


def _band_count(path):
    with RasterReader(path) as r:
        return r.band_count


def fuse_date(fine1, coarse1, fine2, coarse2, coarse0, output, opts=None, resampling="bilinear",
              progress=None, is_cancelled=None, max_empty=MAX_EMPTY):
    """ESTARFM for one date from five rasters (``fine2``/``coarse2`` may be None: one pair). The output
    lies on ``fine1``'s grid; the fine rasters must share it, the coarse ones are resampled onto it.
    Rasters of B ≥ 2 bands (all five alike) use the spectral-correlation ESTARFM and give B bands.
    Fails, writing nothing, when the output would be more than ``max_empty`` (0–1) empty."""
    opts = opts or Options()
    prog = Progress.of(progress, is_cancelled)
    grid = Grid.of(fine1)
    if fine2 is not None:
        check_same_grid([fine1, fine2])
    paths = [p for p in (fine1, coarse1, fine2, coarse2, coarse0) if p is not None]
    counts = {str(p): _band_count(p) for p in paths}
    if len(set(counts.values())) > 1:
        raise SMFusionError("The five rasters must have the same number of bands (" +
                            ", ".join(f"{Path(p).name}: {n}" for p, n in counts.items()) + ")")
    bands = counts[str(fine1)]
    loaded = _preload(paths, grid, resampling) if bands == 1 else {}
    fine_valid = None
    for fine in (fine1, fine2):
        if fine is not None:
            with _on_grid(fine, grid, "nearest", loaded=loaded) as r:
                valid = np.isfinite(r.read())
            fine_valid = valid if fine_valid is None else fine_valid | valid
    for coarse in (coarse0, coarse1, coarse2):
        if coarse is not None:
            check_cover(coarse, grid, max_empty, fine_valid, loaded)
    if bands > 1:
        result = _fuse_date_bands(paths, fine2 is not None, bands, grid, output, opts, resampling, prog)
        return _not_empty(result, max_empty, fine_valid)
    stats = Stats()
    stats.nan = stats.watched = 0
    pair1 = (fine1, coarse1, _sigma(fine1, coarse1, grid, opts, resampling, loaded=loaded))
    pair2 = None if fine2 is None else (fine2, coarse2, _sigma(fine2, coarse2, grid, opts, resampling,
                                                                 loaded=loaded))
    _run_segment(grid, opts, pair1, pair2, [(None, coarse0)], [Path(output)], {}, resampling, prog, stats, loaded,
                 watch=fine_valid)
    nan = stats.nan / (grid.width * grid.height)
    prog.info(f"ESTARFM wrote {output}; {nan:.2%} of its pixels are covered by no pair (NaN)")
    return _not_empty({"output": Path(output), "nan_fraction": nan, "fallback_pixels": stats.fallback}, max_empty,
                      fine_valid, stats.watched)


def _not_empty(result, max_empty, fine_valid, empty_count=None):
    """``result`` of :func:`fuse_date`; its file is removed, and SMFusionError raised, when more than
    ``max_empty`` of the pixels that the fine images observed (``fine_valid``) are empty in it.
    ``empty_count``: how many of them are, as counted while writing (None: read back from the file)."""
    observed = int(fine_valid.sum())
    if empty_count is None and observed:
        with RasterReader(result["output"]) as r:
            empty_count = int(np.isnan(r.read())[fine_valid].sum())
    empty = empty_count / observed if observed else 1.0
    if empty > max_empty:
        result["output"].unlink(missing_ok=True)
        raise SMFusionError(f"{result['output']}: {empty:.0%} of the fused pixels would be empty "
                            f"(MAX_EMPTY allows {max_empty:.0%}): the fine images hold too few valid pixels where "
                            f"the coarse ones do; nothing was written", result["output"])
    return result




def _fuse_date_bands(paths, two_pairs, bands, grid, output, opts, resampling, prog):
    """:func:`fuse_date` for B-band stacks, tile by tile."""
    from .estarfm import fuse_block_multiband
    if two_pairs:
        fine1, coarse1, fine2, coarse2, coarse0 = paths
    else:
        (fine1, coarse1, coarse0), fine2, coarse2 = paths, None, None
    sigmas = {}
    for f, c in ((fine1, coarse1), (fine2, coarse2)):
        if f is None:
            continue
        sigmas[str(f)] = [_sigma(f, c, grid, opts, resampling, band=b) for b in range(1, bands + 1)]
    h = opts.half
    tile_list = tiles(grid, opts.tile_size(1, bands), h)
    nan = 0
    with ExitStack() as stack:
        def stacked(path, tile):
            return np.stack([rd.read_tile(tile) for rd in readers[str(path)]]) if path is not None else None

        readers = {}
        for path, resample in ((fine1, "nearest"), (coarse1, resampling), (fine2, "nearest"), (coarse2, resampling),
                               (coarse0, resampling)):
            if path is not None:
                readers[str(path)] = [stack.enter_context(RasterReader.on_grid(path, grid, resample, band=b))
                                      for b in range(1, bands + 1)]
        writer = stack.enter_context(RasterWriter(output, grid, description="band", bands=bands))
        for n, tile in enumerate(tile_list):
            prog.check()

            def thresholds(f, t=tile):
                return None if f is None else np.stack(
                    [s.threshold(t.row0, t.col0, t.rows, t.cols) for s in sigmas[str(f)]])

            out = fuse_block_multiband(stacked(fine1, tile), stacked(coarse1, tile), stacked(fine2, tile),
                                       stacked(coarse2, tile), stacked(coarse0, tile), thresholds(fine1),
                                       thresholds(fine2), opts, h)
            nan += int(np.isnan(out).sum())
            writer.write_tile(tile, out)
            prog.update((n + 1) / len(tile_list))
    frac = nan / (bands * grid.width * grid.height)
    prog.info(f"ESTARFM ({bands} bands) wrote {output}; {frac:.2%} of its values are covered by no pair (NaN)")
    return {"output": Path(output), "nan_fraction": frac, "bands": bands}
