"""SCHEDULER (core/scheduler.py): in process, a local dask cluster and a real `dask scheduler` with two
`dask worker` processes on 127.0.0.1 give byte-identical pipeline outputs (ESTARFM, downscaled, calibrated)."""

import hashlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import PLUGINS
from smfusion.core import fusion
from smfusion.core.demo import DemoConfig, make_demo
from smfusion.core.errors import SMFusionError
from smfusion.core.pipeline import run_pipeline
from smfusion.core.scheduler import Scheduler, open_scheduler, parse
from smfusion.plugin import dependencies


def test_scheduler_text_is_parsed_and_bad_text_is_named():
    assert parse("") == parse(None) == Scheduler()
    assert parse(" local:3 ") == Scheduler(workers=3)
    assert parse("tcp://127.0.0.1:8786") == Scheduler(address="tcp://127.0.0.1:8786")
    for bad in ("local:0", "local:x", "local:", "127.0.0.1:8786", "tcp://host", "http://h:1"):
        with pytest.raises(SMFusionError, match="SCHEDULER must be empty, local:N"):
            parse(bad)
    assert parse("local:2").describe() == "a local dask cluster of 2 worker process(es)"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("scheduler_demo")
    make_demo(out, DemoConfig(width=60, height=60, days=45, stations=12, seed=11))
    return out


def test_a_bad_scheduler_fails_before_any_compute(demo, tmp_path):
    with pytest.raises(SMFusionError, match="SCHEDULER must be"):
        fusion.fuse_series(demo / "fine" / "ndvi", demo / "coarse" / "ndvi", tmp_path / "out", scheduler="local")
    assert not (tmp_path / "out").exists()


def _digests(folder):
    """{relative path: sha256} of every GeoTIFF under ``folder``."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(Path(folder).rglob("*.tif"))}


def _pipeline(demo, out, scheduler):
    run_pipeline(demo / "fine", demo / "coarse", {"ssm": demo / "gleam" / "ssm", "rzsm": demo / "gleam" / "rzsm"},
                 demo / "static", demo / "stations" / "stations.gpkg", out, scheduler=scheduler)
    return _digests(out)


@pytest.fixture(scope="module")
def in_process(demo, tmp_path_factory):
    """{file: sha256} of the whole pipeline on the demo region, run in this process."""
    digests = _pipeline(demo, tmp_path_factory.mktemp("in-process"), "")
    assert sum(k.startswith("fused") for k in digests) == 3 * 45           # three drivers, 45 days
    assert sum(k.startswith("calibrated") for k in digests) >= 2 * 45
    return digests


@pytest.mark.slow
def test_a_local_cluster_writes_the_same_bytes(demo, in_process, tmp_path):
    pytest.importorskip("distributed")
    assert _pipeline(demo, tmp_path, "local:2") == in_process


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def cluster(tmp_path):
    """tcp://127.0.0.1:PORT of a `dask scheduler` with two `dask worker` processes (one thread each) whose
    PYTHONPATH holds the plugin folder and its packages; all stopped after the test."""
    distributed = pytest.importorskip("distributed")
    dask = [sys.executable, "-m", "dask"]            # `dask scheduler` / `dask worker`, from SM Fusion's packages
    address = f"tcp://127.0.0.1:{_free_port()}"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(PLUGINS), str(dependencies.deps_dir())]))
    log = (tmp_path / "dask.log").open("w")
    procs = [subprocess.Popen([*dask, "scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1],
                               "--no-dashboard"], env=env, stdout=log, stderr=subprocess.STDOUT)]
    try:
        time.sleep(1.0)
        procs += [subprocess.Popen([*dask, "worker", address, "--nthreads", "1", "--no-dashboard"],
                                   env=env, stdout=log, stderr=subprocess.STDOUT) for _ in range(2)]
        with distributed.Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
        yield address
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
        log.close()


@pytest.mark.slow
def test_a_real_cluster_on_this_machine_writes_the_same_bytes(demo, in_process, cluster, tmp_path):
    assert _pipeline(demo, tmp_path, cluster) == in_process
    with open_scheduler(cluster) as where:                # the workers are processes of their own
        workers = where.client.run(lambda: os.getpid())
    assert len(workers) == 2 and os.getpid() not in workers.values()


def test_no_scheduler_answering_is_named(tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    from smfusion.core import scheduler
    monkeypatch.setattr(scheduler, "START_TIMEOUT", 2)       # dask retries until then
    address = f"tcp://127.0.0.1:{_free_port()}"
    with pytest.raises(SMFusionError, match="no dask scheduler answers there"):
        with open_scheduler(address):
            pass


@pytest.fixture(scope="module")
def fused_here(demo, tmp_path_factory):
    """{file: sha256} of the demo's NDVI fused by ESTARFM in this process."""
    out = tmp_path_factory.mktemp("fused-here")
    fusion.fuse_series(demo / "fine" / "ndvi", demo / "coarse" / "ndvi", out)
    return _digests(out)


@pytest.mark.slow
def test_qgis_process_runs_local_workers_with_qgis_python(enabled, demo, fused_here, tmp_path):
    """Inside qgis_process sys.executable is not a Python: the workers must start with QGIS's Python."""
    from conftest import qgis_process
    res = qgis_process(enabled, "run", "smfusion:estarfm", "--", f"FINE={demo / 'fine' / 'ndvi'}",
                       f"COARSE={demo / 'coarse' / 'ndvi'}", "SCHEDULER=local:2", f"OUTPUT={tmp_path}", timeout=600)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "Running the tasks on a local dask cluster of 2 worker process(es)" in res.stdout + res.stderr
    assert _digests(tmp_path) == fused_here


def _cli(*args):
    env = dict(os.environ, PYTHONPATH=str(PLUGINS))
    return subprocess.run([sys.executable, "-m", "smfusion.core", "--quiet", *args], env=env, capture_output=True,
                          text=True, timeout=600)


@pytest.mark.slow
def test_the_command_line_runs_the_engine_without_qgis(demo, fused_here, tmp_path):
    res = _cli("estarfm", "--fine", str(demo / "fine" / "ndvi"), "--coarse", str(demo / "coarse" / "ndvi"),
               "--output", str(tmp_path), "--scheduler", "local:2")
    assert res.returncode == 0, res.stderr
    assert "ESTARFM wrote 45 file(s)" in res.stderr
    assert _digests(tmp_path) == fused_here
    bad = _cli("estarfm", "--fine", str(tmp_path / "nope"), "--coarse", str(tmp_path), "--output", str(tmp_path / "o"))
    assert bad.returncode == 2 and "nope: series folder not found" in bad.stderr
    bad = _cli("pipeline", "--fine", "x")
    assert bad.returncode == 2 and "the following arguments are required" in bad.stderr
