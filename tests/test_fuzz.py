"""Fuzzing the readers: damaged copies of the real sample files and of synthetic ones go through every reader
(ISMN in both formats, station CSV, MODIS HDF, GLDAS and GLEAM-like NetCDF, GeoTIFF series). Each must parse
or raise SMFusionError; any other exception, or a case that runs past its time limit, fails the test with its
seed, so that it can be replayed: ``SMFUSION_FUZZ_SEED=<seed> SMFUSION_FUZZ_SECONDS=…``.

The budget is SMFUSION_FUZZ_SECONDS (default 60) for the whole suite, shared by the readers; the cases are
drawn from a fixed seed, so a run is repeatable up to where its budget ends.
"""

import io
import os
import signal
import time
import zipfile

import numpy as np
import pytest
from conftest import REAL_DATA
from smfusion.core import products as P  # noqa: N812 - short module name
from smfusion.core import stations as S  # noqa: N812
from smfusion.core.errors import SMFusionError
from smfusion.core.raster import Grid, read_raster, write_raster
from smfusion.core.series import list_series

BUDGET = float(os.environ.get("SMFUSION_FUZZ_SECONDS", "60"))
SEED = int(os.environ.get("SMFUSION_FUZZ_SEED", "20261201"))
CASE_LIMIT = 20          # seconds one case may take before it counts as a hang


# ------------------------------------------------------------------------------------------------ mutations

def flip_bytes(data, rng):
    b = bytearray(data)
    for at in rng.integers(0, len(b), size=int(rng.integers(1, 16))):
        b[at] ^= 1 << int(rng.integers(0, 8))
    return bytes(b)


def overwrite(data, rng):
    b = bytearray(data)
    at = int(rng.integers(0, max(1, len(b) - 64)))
    b[at:at + 64] = rng.integers(0, 256, 64, dtype=np.uint8).tobytes()
    return bytes(b)


def truncate(data, rng):
    return data[:int(rng.integers(0, len(data)))]


def delete_lines(data, rng):
    lines = data.split(b"\n")
    keep = rng.random(len(lines)) > 0.2
    return b"\n".join(line for line, k in zip(lines, keep) if k)


def swap_columns(data, rng, sep=b","):
    out = []
    for line in data.split(b"\n"):
        cells = line.split(sep)
        if len(cells) > 1:
            i, j = rng.choice(len(cells), 2, replace=False)
            cells[i], cells[j] = cells[j], cells[i]
        out.append(sep.join(cells))
    return b"\n".join(out)


def bad_encoding(data, rng):
    text = data.decode("utf-8", errors="replace")
    return text.encode(["utf-16", "latin-1", "cp1252"][int(rng.integers(0, 3))], errors="replace") + b"\xe9\xff"


def shuffle_tokens(data, rng):
    tokens = data.split(b" ")
    if len(tokens) > 2:
        for _ in range(int(rng.integers(1, 6))):
            i, j = rng.integers(0, len(tokens), 2)
            tokens[i], tokens[j] = tokens[j], tokens[i]
    return b" ".join(tokens)


BINARY = (flip_bytes, overwrite, truncate)
TEXT = (flip_bytes, overwrite, truncate, delete_lines, swap_columns, bad_encoding, shuffle_tokens)


def damage_zip(data, rng):
    """A zip with one member's bytes (or the directory) damaged."""
    return overwrite(data, rng) if rng.random() < 0.5 else flip_bytes(data, rng)


# ------------------------------------------------------------------------------------------------ samples

def _csv_samples():
    daily = "station_id,lon,lat,date,ssm,rzsm\n" + "".join(
        f"S{i},{127 + i * 0.1:.3f},37.0,2021-04-{d:02d},0.{20 + d},0.{30 + d}\n"
        for i in range(3) for d in range(1, 20))
    hourly = "station_id,lon,lat,time,depth_from,depth_to,sm\n" + "".join(
        f"H,127.0,37.0,2021-04-{d:02d} {h:02d}:00,0.0,0.05,0.2{h % 10}\n" for d in range(1, 4) for h in range(24))
    return [("daily.csv", daily.encode()), ("hourly.csv", hourly.encode())]


def _ismn_text():
    return ("NET NET ST1 37.0 127.0 0 0.05 0.05 Probe\n" + "".join(
        f"2020/01/{d:02d} {h:02d}:00 0.{20 + h} G M\n" for d in range(1, 4) for h in range(24))).encode()


def _geotiff(tmp):
    grid = Grid.from_bounds("EPSG:5179", 0, 0, 64_000, 48_000, 1000)
    path = tmp / "ssm_20210401.tif"
    write_raster(path, np.random.default_rng(0).random(grid.shape).astype("float32"), grid)
    return path.read_bytes()


def _gleam_like(tmp):
    """A GLEAM-like NetCDF cube (time, lat, lon) written by GDAL's netCDF driver."""
    from osgeo import gdal
    grid = Grid.from_bounds("EPSG:4326", 126.0, 34.0, 129.0, 38.0, 0.25)
    path = tmp / "ssm_20210401.nc"
    ds = gdal.GetDriverByName("netCDF").Create(str(path), grid.width, grid.height, 3, gdal.GDT_Float32,
                                               ["WRITE_GDAL_HISTORY=NO", "WRITE_GDAL_VERSION=NO"])
    ds.SetGeoTransform(grid.transform)
    ds.SetProjection(grid.crs)
    for k in range(3):
        ds.GetRasterBand(k + 1).WriteArray(np.full(grid.shape, 0.2 + 0.01 * k, "float32"))
    ds = None
    return path.read_bytes()


# ------------------------------------------------------------------------------------------------ readers

def _read_product(path, variable):
    reader = P.detect(path)
    return reader.read(path, variable)


def _read_series(path):
    return list_series(path.parent).paths, read_raster(path)


def _targets(tmp):
    """(name, file name, bytes, mutations, reader(path)) for every reader; real files where present."""
    out = []
    for name, data in _csv_samples():
        out.append((f"csv {name}", name, data, TEXT, S.read_csv))
    out.append(("ismn .stm", "NET_NET_ST1_sm_0.050000_0.050000_Probe_20200101_20200103.stm", _ismn_text(), TEXT,
                lambda p: S.read_ismn(p)))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("NET/ST1/NET_NET_ST1_sm_0.050000_0.050000_Probe_20200101_20200103.stm", _ismn_text())
    out.append(("ismn zip", "ismn.zip", buf.getvalue(), (damage_zip, truncate), lambda p: S.read_ismn(p)))
    out.append(("geotiff series", "ssm_20210401.tif", _geotiff(tmp), BINARY, _read_series))
    out.append(("netcdf cube", "ssm_20210401.nc", _gleam_like(tmp), BINARY,
                lambda p: P.reader_for("generic").read(p, "Band1")))
    real = [("ismn", "Data_header_values_multinetwork.zip", (damage_zip, truncate), lambda p: S.read_ismn(p)),
            ("ismn", "Data_separate_files_ceop_COSMOS.zip", (damage_zip, truncate), lambda p: S.read_ismn(p)),
            ("modis", "MOD11A1.A2019305.h14v09.006.2019306084028.hdf", BINARY,
             lambda p: _read_product(p, "lst_day")),
            ("gldas", "GLDAS_NOAH025_3H.A20160101.0300.021.nc4", BINARY, lambda p: _read_product(p, "ssm"))]
    for folder, name, mutations, reader in real:
        path = REAL_DATA / folder / name
        if path.is_file():
            out.append((f"real {name}", name, path.read_bytes(), mutations, reader))
    return out


class Hang(Exception):
    pass


def _alarm(_signum, _frame):
    raise Hang()


@pytest.mark.slow
def test_damaged_files_parse_or_fail_with_a_message(tmp_path, gdal_mode):
    """Half the budget in each of GDAL's error modes (QGIS 3.40's Processing turns exceptions on)."""
    targets = _targets(tmp_path)
    assert len(targets) >= 6
    rng = np.random.default_rng(SEED)
    failures, counts, t_end = [], {}, time.monotonic() + BUDGET / 2
    previous = signal.signal(signal.SIGALRM, _alarm)
    try:
        case = 0
        while time.monotonic() < t_end and len(failures) < 5:
            label, name, data, mutations, reader = targets[case % len(targets)]
            seed = int(rng.integers(0, 2**31))
            crng = np.random.default_rng(seed)
            mutation = mutations[int(crng.integers(0, len(mutations)))]
            folder = tmp_path / f"case{case}"
            folder.mkdir()
            path = folder / name
            path.write_bytes(mutation(data, crng))
            signal.alarm(CASE_LIMIT)
            try:
                reader(path)
                outcome = "parsed"
            except SMFusionError as err:
                outcome = "refused"
                assert str(err).strip(), f"{label}: an empty message"
            except Hang:
                failures.append(f"{label} / {mutation.__name__} / seed {seed}: ran past {CASE_LIMIT} s")
                outcome = "hang"
            except Exception as err:  # noqa: BLE001 - exactly what the test looks for
                failures.append(f"{label} / {mutation.__name__} / seed {seed}: {type(err).__name__}: {err}")
                outcome = "traceback"
            finally:
                signal.alarm(0)
            counts[(label, outcome)] = counts.get((label, outcome), 0) + 1
            for p in folder.iterdir():
                p.unlink()
            folder.rmdir()
            case += 1
    finally:
        signal.signal(signal.SIGALRM, previous)
    assert not failures, "\n".join(failures)
    labels = {label for label, _ in counts}
    assert labels == {t[0] for t in targets}, f"every reader got a case in the budget ({BUDGET / 2} s): {counts}"
    assert any(outcome == "refused" for _, outcome in counts), counts
    print(f"fuzz ({gdal_mode}): {case} cases in {BUDGET / 2:.0f} s: "
          + ", ".join(f"{k[0]} {k[1]} {v}" for k, v in sorted(counts.items())))


def test_the_mutations_change_the_bytes():
    rng = np.random.default_rng(1)
    samples = (_csv_samples()[0][1], _ismn_text())
    for mutation in TEXT:
        assert any(mutation(data, rng) != data for data in samples), mutation.__name__


def test_the_undamaged_samples_parse(tmp_path):
    """The baseline: every reader takes its sample whole, so that a refusal in the fuzz is the damage's."""
    for label, name, data, _, reader in _targets(tmp_path):
        path = tmp_path / "whole" / label.replace(" ", "_") / name
        path.parent.mkdir(parents=True)
        path.write_bytes(data)
        assert reader(path), label
