"""Stations: the ISMN parsers on real archives (both formats, CR line ends, flags, name mismatches, static
variables), the two-layer depth weights, CSV import, and the station GeoPackage round trip."""

import datetime as dt
import math
import zipfile

import numpy as np
import pytest
from conftest import real_data
from smfusion.core import stations as S  # noqa: N812 - short module name
from smfusion.core.errors import SMFusionError


def _text(path):
    return path.read_bytes().decode("latin-1")


@pytest.mark.usefixtures("gdal_mode")
def test_narbonne_parses_the_same_in_both_formats():
    hv = next(real_data("ismn", "format_header_values").glob("*.stm"))
    ceop = next(real_data("ismn", "format_ceop_sep").glob("*.stm"))
    raw = hv.read_bytes()
    assert b"\r" in raw and b"\n" not in raw                       # CR-only line ends
    a, b = S.parse_ismn(_text(hv), "hv"), S.parse_ismn(_text(ceop), "ceop")
    for s in (a, b):
        assert (s.network, s.station, s.lat, s.lon, s.elevation) == ("SMOSMANIA", "Narbonne", 43.15, 2.9567, 112.0)
        assert (s.depth_from, s.depth_to) == (0.05, 0.05)
    assert a.sensor == "ThetaProbe-ML2X"
    assert len(a.times) == len(b.times) == 741
    assert a.times == b.times and a.values == b.values and a.flags == b.flags
    assert a.times[0] == dt.datetime(2007, 1, 1, 1, 0) and a.values[0] == 0.214 and a.flags[0] == "U"


def _hand_daily(text, day, accept=("G", "U"), min_hours=12):
    vals = []
    for line in text.splitlines()[1:]:
        tok = line.split()
        if len(tok) >= 4 and tok[0] == day.strftime("%Y/%m/%d"):
            v, flag = float(tok[2]), tok[3]
            if all(f[:1] in accept for f in flag.split(",")) and 0 <= v <= 1:
                vals.append(v)
    return sum(vals) / len(vals) if len(vals) >= min_hours else None


def test_multinetwork_archive():
    zpath = real_data("ismn", "Data_header_values_multinetwork.zip")
    log = []
    stations = S.import_stations(zpath, progress=lambda f, m=None: m and log.append(m))
    by_id = {s.station_id: s for s in stations}
    assert len(stations) == 8
    assert sorted(by_id) == ["AAMU-jtg", "Abrams", "AdamsRanch#1", "CST-01", "CST-02", "node414", "node505",
                             "node703"]
    cst = by_id["CST-01"]
    assert cst.name == "CST_01" and cst.network == "MAQU"              # header name kept, file name is the id
    assert (cst.lat, cst.lon, cst.elevation) == (33.8833, 102.1333, 3431.0)
    assert by_id["AAMU-jtg"].depths == {"ssm": "0.05", "rzsm": ""}     # 5.08 cm sensor: surface only
    assert all(np.isnan(s.rzsm).all() for s in stations)
    # daily mean of one day by hand, from the raw file (C03 values on that day are dropped)
    with zipfile.ZipFile(zpath) as zf:
        text = zf.read("MAQU/CST-01/MAQU_MAQU_CST-01_sm_0.050000_0.050000_ECH20-EC-TM_20070101_20131231.stm"
                       ).decode("latin-1")
    day = dt.date(2008, 7, 2)          # 16 hours C03 (0.46–0.48, dropped) and 8 hours U
    raw_c03 = [ln for ln in text.splitlines() if ln.startswith("2008/07/02") and " C03 " in ln + " "]
    assert len(raw_c03) == 16
    assert _hand_daily(text, day) is None                             # 8 valid hours < MIN_HOURS
    assert day not in cst.dates
    day = dt.date(2008, 7, 5)
    expected = _hand_daily(text, day)
    assert expected is not None
    assert cst.ssm[cst.dates.index(day)] == pytest.approx(expected, abs=1e-12)
    assert cst.ssm[cst.dates.index(day)] == pytest.approx(0.43375, abs=1e-5)
    # with MIN_HOURS = 8, 2008-07-02 has its 8 U hours only: the flagged ones stay out
    loose = {s.station_id: s for s in S.import_stations(zpath, min_hours=8)}["CST-01"]
    assert loose.ssm[loose.dates.index(dt.date(2008, 7, 2))] == pytest.approx(0.46, abs=1e-9)


def test_flags_g_alone_gives_no_observation_with_a_reason():
    log = []
    stations = S.import_stations(real_data("ismn", "Data_header_values_multinetwork.zip"), accept=("G",),
                                 progress=lambda f, m=None: m and log.append(m))
    assert len(stations) == 8 and all(len(s.dates) == 0 for s in stations)
    assert all("flag U" in s.note for s in stations)
    assert any("add U to FLAGS" in m for m in log)


@pytest.mark.parametrize("archive", ["Data_separate_files_header_COSMOS.zip", "Data_separate_files_ceop_COSMOS.zip"])
def test_cosmos_probes_feed_both_layers_with_overlap_weights(archive):
    stations = {s.station_id: s for s in S.import_stations(real_data("ismn", archive))}
    arm, barrow = stations["ARM-1"], stations["Barrow-ARM"]
    assert arm.depths == {"ssm": "0.00-0.19", "rzsm": "0.00-0.19"}
    # overlap of 0–0.19 m with 0–0.10 m is 0.10 m and with 0.10–1.00 m is 0.09 m (0.11 m for 0–0.21 m)
    assert arm.weights == {"ssm": "0.100", "rzsm": "0.090"} and barrow.weights == {"ssm": "0.100", "rzsm": "0.110"}
    # one probe: each layer value is its daily mean
    np.testing.assert_allclose(arm.ssm, arm.rzsm, rtol=1e-12)
    assert arm.attrs["clay"] == 23.0 and arm.attrs["sand"] == 36.0 and arm.attrs["landcover"] == "Grassland"
    assert arm.attrs["saturation"] == 0.46
    assert len(arm.dates) == 301 and np.nanmean(arm.ssm) == pytest.approx(0.13275, abs=1e-4)


def test_both_cosmos_formats_give_the_same_values():
    a = S.import_stations(real_data("ismn", "Data_separate_files_header_COSMOS.zip"))
    b = S.import_stations(real_data("ismn", "Data_separate_files_ceop_COSMOS.zip"))
    for x, y in zip(a, b):
        assert x.dates == y.dates
        np.testing.assert_array_equal(x.ssm, y.ssm)


def test_layer_weights_by_hand():
    depths = [(0.05, 0.05), (0.2, 0.2), (0.5, 0.5), (0.0, 0.3)]
    # surface: the 5 cm point covers [−∞, 0.125] ∩ [0, 0.1] = 0.1; the 0–0.3 probe overlaps 0.1
    assert S.layer_weights(depths, "ssm") == [(0, pytest.approx(0.1)), (3, pytest.approx(0.1))]
    # root zone: 20 cm covers [0.125, 0.35]; 50 cm covers [0.35, 1.0]; the probe overlaps 0.2
    assert S.layer_weights(depths, "rzsm") == [(1, pytest.approx(0.225)), (2, pytest.approx(0.65)),
                                               (3, pytest.approx(0.2))]
    sensors = []
    for (a, b), v in zip(depths, (0.30, 0.20, 0.10, 0.40)):
        sensors.append(S.Sensor("NET", "st", "st", 37.0, 127.0, 50.0, a, b, "x",
                                [dt.datetime(2021, 5, 1, h) for h in range(24)], [v] * 24, ["G"] * 24))
    st = S.build_stations(sensors)[0]
    assert st.ssm[0] == pytest.approx((0.1 * 0.30 + 0.1 * 0.40) / 0.2)
    assert st.rzsm[0] == pytest.approx((0.225 * 0.20 + 0.65 * 0.10 + 0.2 * 0.40) / 1.075)
    assert st.depths == {"ssm": "0.00-0.30;0.05", "rzsm": "0.00-0.30;0.20;0.50"}


def test_same_depth_sensors_are_averaged_and_duplicate_names_get_the_network(tmp_path):
    mk = S.Sensor
    hours = [dt.datetime(2021, 5, 1, h) for h in range(24)]
    sensors = [mk("A", "s1", "s1", 1, 1, 0, 0.05, 0.05, "x", hours, [0.2] * 24, ["G"] * 24),
               mk("A", "s1", "s1", 1, 1, 0, 0.05, 0.05, "y", hours, [0.3] * 24, ["U"] * 24),
               mk("B", "s1", "s1", 2, 2, 0, 0.05, 0.05, "x", hours, [0.1] * 24, ["G"] * 24)]
    out = {s.station_id: s for s in S.build_stations(sensors)}
    assert sorted(out) == ["A_s1", "B_s1"]
    assert out["A_s1"].ssm[0] == pytest.approx(0.25)


@pytest.mark.usefixtures("gdal_mode")
def test_csv_daily_hourly_units_and_round_trip(tmp_path):
    daily = tmp_path / "daily.csv"
    daily.write_text("station_id,lon,lat,date,ssm,rzsm\nK1,127.1,37.2,2021-05-01,0.21,0.30\n"
                     "K1,127.1,37.2,2021-05-02,0.22,\nK2,128.0,36.0,2021-05-01,0.11,0.20\n")
    st = {s.station_id: s for s in S.import_stations(daily)}
    assert st["K1"].dates == [dt.date(2021, 5, 1), dt.date(2021, 5, 2)]
    assert st["K1"].ssm.tolist() == [0.21, 0.22] and math.isnan(st["K1"].rzsm[1])
    out = S.write_stations(tmp_path / "s.gpkg", list(st.values()))
    back = {s.station_id: s for s in S.read_stations(out)}
    assert back["K2"].lon == 128.0 and back["K1"].ssm.tolist() == [0.21, 0.22] and math.isnan(back["K1"].rzsm[1])
    hourly = tmp_path / "hourly.csv"
    rows = ["station_id,lon,lat,time,depth_from,depth_to,sm"]
    rows += [f"H1,127,37,2021-05-01 {h:02d}:00,0.05,0.05,0.2" for h in range(14)]
    rows += [f"H1,127,37,2021-05-01 {h:02d}:00,0.30,0.30,0.4" for h in range(14)]
    rows += [f"H1,127,37,2021-05-02 {h:02d}:00,0.05,0.05,0.2" for h in range(5)]         # < 12 hours
    hourly.write_text("\n".join(rows) + "\n")
    h1 = S.import_stations(hourly)[0]
    assert h1.dates == [dt.date(2021, 5, 1)] and h1.ssm[0] == pytest.approx(0.2) and h1.rzsm[0] == pytest.approx(0.4)
    pct = tmp_path / "pct.csv"
    pct.write_text("station_id,lon,lat,date,ssm\nK1,127,37,2021-05-01,23.5\n")
    with pytest.raises(SMFusionError, match="look like %"):
        S.import_stations(pct)
    with pytest.raises(SMFusionError, match="missing column"):
        bad = tmp_path / "bad.csv"
        bad.write_text("id,x,y\n1,2,3\n")
        S.import_stations(bad)


@pytest.mark.usefixtures("gdal_mode")
def test_unknown_files_in_an_archive_are_listed_and_the_rest_imported(tmp_path):
    src = real_data("ismn", "Data_separate_files_header_COSMOS.zip")
    z = tmp_path / "mixed.zip"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(z, "w") as zout:
        for item in zin.infolist():
            zout.writestr(item, zin.read(item))
        zout.writestr("COSMOS/ARM-1/photo.jpg", b"\xff\xd8")
    log = []
    stations = S.import_stations(z, progress=lambda f, m=None: m and log.append(m))
    assert len(stations) == 2
    assert any("unknown type" in m and "photo.jpg" in m for m in log)
    kept = S.import_stations(z, extent=(-100, 30, -90, 40))
    assert [s.station_id for s in kept] == ["ARM-1"]


def test_a_full_disk_never_leaves_a_station_geopackage(mounted):
    """importstations' GeoPackage on a full filesystem: an error naming it, and no file (it used to be written
    without its observations table, and the tool exited 0)."""
    import datetime as dt

    from smfusion.core.stations import Station, write_stations
    disk = mounted("300k")
    days = [dt.date(2020, 1, 1) + dt.timedelta(d) for d in range(3000)]
    rng = np.random.default_rng(0)
    stations = [Station(f"S{i}", "NET", f"s{i}", 127.0 + i * 0.01, 37.0, dates=days, ssm=rng.random(3000),
                        rzsm=rng.random(3000)) for i in range(20)]
    with pytest.raises(SMFusionError, match=r"stations.gpkg: writing failed .*disk is full.*no space left"):
        write_stations(disk / "stations.gpkg", stations)
    assert list(disk.iterdir()) == []


def test_csv_negatives_are_dropped_and_noted_and_one_id_has_one_place(tmp_path):
    from smfusion.core.stations import read_csv
    good = tmp_path / "daily.csv"
    good.write_text("station_id,lon,lat,date,ssm,rzsm\nA,127.0,37.0,2021-04-01,0.20,0.30\n"
                    "A,127.0,37.0,2021-04-02,-0.05,0.31\nB,127.5,37.5,2021-04-01,0.25,-0.01\n")
    a, b = read_csv(good)
    assert np.isnan(a.ssm[1]) and a.rzsm[1] == pytest.approx(0.31) and a.note == "1 negative value(s) dropped"
    assert np.isnan(b.rzsm[0]) and b.note == "1 negative value(s) dropped"
    hourly = tmp_path / "hourly.csv"
    hourly.write_text("station_id,lon,lat,time,depth_from,depth_to,sm\n" + "".join(
        f"H,127.0,37.0,2021-04-01 {h:02d}:00,0.0,0.05,{-0.1 if h == 3 else 0.2}\n" for h in range(24)))
    (h,) = read_csv(hourly)
    assert h.ssm[0] == pytest.approx(0.2) and "1 negative value(s) dropped" in h.note
    twice = tmp_path / "twice.csv"
    twice.write_text("station_id,lon,lat,date,ssm\nA,127.0,37.0,2021-04-01,0.2\nA,128.0,36.0,2021-04-02,0.2\n")
    with pytest.raises(SMFusionError, match=r"twice.csv: station 'A' lies at two places: lon 127, lat 37 \(line 2\) "
                                            r"and lon 128, lat 36 \(line 3\)"):
        read_csv(twice)


@pytest.mark.parametrize("content,message", [
    (b"station_id,lon,lat,date,ssm\nS\xe9oul,127,37,2021-04-01,0.2\n", r"line 2 is not UTF-8 text \(byte 0xe9\)"),
    (b"station_id,lon,lat,date,ssm\nA,127,37,2021-04-01\n", r"line 2 has 4 field\(s\), the header has 5"),
    (b"station_id,lon,lat,date,ssm\nA,127,37,2021-04-01,0.2,9\n", r"line 2 has 6 field\(s\), the header has 5"),
])
def test_bad_csv_text_is_named_not_a_traceback(tmp_path, content, message):
    from smfusion.core.stations import read_csv
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(SMFusionError, match=r"bad.csv: " + message):
        read_csv(path)


@pytest.mark.parametrize("damage", ["crc", "deflate", "encrypted"])
def test_a_damaged_zip_member_is_named(tmp_path, damage):
    import zipfile

    from smfusion.core.stations import read_ismn
    path = tmp_path / "ismn.zip"
    text = "".join(f"2020/01/{d:02d} {h:02d}:00 0.{d:02d}{h:02d} G M\n" for d in range(1, 28) for h in range(24))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("NET/ST1/NET_NET_ST1_sm_0.050000_0.050000_S1_20200101_20200201.stm", "NET NET ST1 37 127 0 0.05 "
                    "0.05\n" + text)
    raw = bytearray(path.read_bytes())
    start = raw.index(b"PK\x03\x04") + 30 + len("NET/ST1/NET_NET_ST1_sm_0.050000_0.050000_S1_20200101_20200201.stm")
    if damage == "crc":
        raw[start + 200] ^= 0x01          # a flipped bit: the CRC or the stream fails
    elif damage == "encrypted":           # bit 0 of the flags, in the local header and the central directory
        raw[raw.index(b"PK\x03\x04") + 6] |= 1
        raw[raw.index(b"PK\x01\x02") + 8] |= 1
    else:
        raw[start + 10:start + 40] = b"\xff" * 30
    path.write_bytes(bytes(raw))
    with pytest.raises(SMFusionError, match=r"ismn.zip: its member NET/ST1/NET_NET_ST1_sm.*\.stm is damaged"):
        read_ismn(path)


def test_a_zip_member_without_a_name_is_skipped(tmp_path):
    """A damaged central directory can give a member an empty name: it is skipped, not a traceback."""
    import zipfile

    from smfusion.core.stations import read_ismn
    path = tmp_path / "ismn.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(zipfile.ZipInfo(""), "x")
    with pytest.raises(SMFusionError, match=r"ismn.zip: no ISMN soil-moisture file \(.stm\) found"):
        read_ismn(path)


def test_values_in_percent_do_not_suggest_u_when_u_is_accepted(tmp_path):
    """An ISMN file in % with every value flagged U and U accepted: the warning points at the notes (values
    outside [0, 1]), not at adding U."""
    text = "NET NET ST1 37.0 127.0 0 0.05 0.05 Probe\n" + "".join(
        f"2020/01/{d:02d} {h:02d}:00 25.0 U M\n" for d in range(1, 4) for h in range(24))
    path = tmp_path / "NET_NET_ST1_sm_0.050000_0.050000_S1_20200101_20200103.stm"
    path.write_text(text)
    log = []
    S.import_stations(path, accept=("G", "U"), progress=lambda f, m=None: m and log.append(m))
    warning = [m for m in log if m.startswith("Warning: no observation passed")]
    assert warning and "add U" not in warning[0] and "in % rather than m³/m³" in warning[0]
