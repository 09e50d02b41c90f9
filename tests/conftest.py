"""Shared test set-up: the plugin importable as ``smfusion``, its pip folder on sys.path, the provider
registered once per session (pytest-qgis initialises QGIS and Processing), and the real data in
../shared/data/real (tests skip with the reason where it is absent)."""

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]
PLUGINS = ROOT / "build" / "plugins"
REAL_DATA = ROOT.parent / "shared" / "data" / "real"


def _link_plugin():
    """build/plugins/smfusion → the checkout, so the package is ``smfusion`` whatever the folder name."""
    PLUGINS.mkdir(parents=True, exist_ok=True)
    link = PLUGINS / "smfusion"
    if not link.exists():
        try:
            link.symlink_to(ROOT, target_is_directory=True)
        except FileExistsError:         # another pytest-xdist worker made it first
            pass
    if str(PLUGINS) not in sys.path:
        sys.path.insert(0, str(PLUGINS))


_link_plugin()
from smfusion.plugin import dependencies  # noqa: E402

dependencies.add_to_sys_path()


def real_data(*parts):
    """Path of a real data file in ../shared/data/real, or skip the test saying why."""
    path = REAL_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data {path} is absent (../shared/data/real is not beside this checkout)")
    return path


_KEEP_ALIVE = []


@pytest.fixture
def qgis_iface(qgis_iface):
    """pytest-qgis's iface with the Raster menu of QGIS's own (it has only the Plugins menu): ``raster_menu``
    lists the (menu, action text) pairs added and not removed. The recorder holds no reference to the iface
    (a cycle through a Qt object, collected after QGIS has gone, crashes the interpreter at exit)."""
    items = []
    qgis_iface.raster_menu = items
    qgis_iface.addPluginToRasterMenu = lambda menu, action: items.append((menu, action.text()))
    qgis_iface.removePluginRasterMenu = lambda menu, action: items.remove((menu, action.text()))
    yield qgis_iface
    del qgis_iface.raster_menu, qgis_iface.addPluginToRasterMenu, qgis_iface.removePluginRasterMenu


@pytest.fixture
def provider(qgis_app, qgis_processing):
    """The registered SM Fusion provider (registered again if a test unloaded the plugin)."""
    from qgis.core import QgsApplication
    from smfusion.processing_provider.provider import SMFusionProvider

    registry = QgsApplication.processingRegistry()
    prov = registry.providerById("smfusion")
    if prov is None:
        prov = SMFusionProvider()
        assert registry.addProvider(prov)
        _KEEP_ALIVE.append(prov)        # the Python half of the provider must outlive this fixture
    yield prov


@pytest.fixture(scope="session")
def qgis_env(tmp_path_factory):
    """Environment for qgis_process.bin subprocesses: offscreen, this checkout as plugin, a fresh profile."""
    profile = tmp_path_factory.mktemp("qgis-profile")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QGIS_PLUGINPATH=str(PLUGINS),
               QGIS_CUSTOM_CONFIG_PATH=str(profile))
    env.pop("QGIS_OPTIONS_PATH", None)
    return env


QGIS_PROCESS = "/usr/bin/qgis_process.bin"


def qgis_process(env, *args, timeout=300):
    """Run qgis_process.bin with ``args``; the CompletedProcess (text)."""
    import subprocess
    return subprocess.run([QGIS_PROCESS, *args], env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="session")
def enabled(qgis_env):
    """qgis_env with the plugin enabled in its profile (what `qgis_process plugins enable` does)."""
    if not Path(QGIS_PROCESS).is_file():
        pytest.fail(f"{QGIS_PROCESS} not found: `make setup` installs qgis")
    res = qgis_process(qgis_env, "plugins", "enable", "smfusion")
    assert res.returncode == 0 or "already enabled" in res.stderr, res.stderr
    return qgis_env


@pytest.fixture(params=["gdal-errors-as-codes", "gdal-exceptions"])
def gdal_mode(request):
    """Runs a test in both of GDAL's error modes: the engine must say the same whether or not QGIS, another
    plugin or GDAL 4 turned ``gdal.UseExceptions()`` on. The mode before the test is restored."""
    from osgeo import gdal, ogr, osr
    modules = (gdal, ogr, osr)            # GDAL stacks their handlers: on in this order, off in the reverse

    def set_mode(on):
        for m in modules[::-1]:
            m.DontUseExceptions()
        for m in modules:
            if on[m]:
                m.UseExceptions()

    before = {m: bool(m.GetUseExceptions()) for m in modules}
    set_mode(dict.fromkeys(modules, request.param == "gdal-exceptions"))
    yield request.param
    set_mode(before)


@pytest.fixture
def mounted(tmp_path):
    """mounted(size, read_only=False) → a folder that is a tmpfs of ``size`` (e.g. "1m"): a real full or
    read-only filesystem. Skips, saying why, where this user cannot mount one; unmounted after the test."""
    import subprocess
    points = []

    def mount(size, read_only=False):
        point = tmp_path / f"fs{len(points)}"
        point.mkdir()
        opts = f"size={size}" + (",ro" if read_only else "")
        res = subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(point)], capture_output=True, text=True)
        if res.returncode:
            pytest.skip(f"cannot mount a tmpfs here (mount says: {res.stderr.strip() or res.returncode})")
        points.append(point)
        return point

    yield mount
    for point in points:
        subprocess.run(["umount", "-l", str(point)], capture_output=True)
