"""Dependencies, metadata and the plugin zip."""

import configparser
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import qgis_process
from smfusion.plugin import dependencies

ROOT = Path(__file__).resolve().parents[1]


def test_metadata():
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "metadata.txt", encoding="utf-8")
    meta = cfg["general"]
    assert meta["hasProcessingProvider"] == "yes"
    assert meta["qgisMinimumVersion"] == "3.22"
    assert meta["name"] == "SM Fusion" and len(meta["about"]) > 300 and len(meta["description"]) > 40
    assert (ROOT / meta["icon"]).is_file()


def test_one_version(provider):
    """metadata.txt, core, the provider, the run record's versions and the models' metadata say one version."""
    from smfusion.core import __version__, cnn, cnnmeta, lgbm
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "metadata.txt", encoding="utf-8")
    assert cfg["general"]["version"] == __version__ == provider.versionInfo() == "0.3.0"
    assert lgbm.versions()["smfusion"] == __version__
    model = cnn.build_model(["sm", "ndvi"], layer="ssm")
    assert cnnmeta.read(model)["smfusion_version"] == __version__


def test_licence_and_category():
    """GPL-2.0-or-later (QGIS's own licence allows it), shipped in the zip; the plugin sits under Raster."""
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "metadata.txt", encoding="utf-8")
    assert cfg["general"]["category"] == "Raster"
    licence = (ROOT / "LICENSE").read_text()
    assert "GNU GENERAL PUBLIC LICENSE" in licence and "Version 2, June 1991" in licence
    assert "GPL-2.0-or-later" in cfg["general"]["about"]
    for package in ("lightgbm", "onnxruntime", "onnx", "numba", "llvmlite", "protobuf", "scipy"):
        assert package in cfg["general"]["about"], package
    assert "MB to download" in cfg["general"]["about"]


def test_core_does_not_import_qgis():
    for path in (ROOT / "core").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "import qgis" not in text and "from qgis" not in text, path


def test_every_set_pins_everything_but_numpy_with_hashes():
    for pyset in dependencies.SETS:
        text = pyset.path.read_text()
        reqs = [ln for ln in text.replace("\\\n", " ").splitlines() if ln.strip() and not ln.startswith("#")]
        names = {ln.split("==")[0].lower() for ln in reqs}
        assert {"lightgbm", "numba", "llvmlite", "onnxruntime", "onnx", "protobuf"} <= names, pyset.name
        assert not names & {"numpy", "scipy", "lleaves"}, pyset.name          # never replace QGIS's numpy
        assert all("==" in ln and "--hash=sha256:" in ln for ln in reqs), pyset.name
        assert pyset.scipy_path.read_text().count("scipy==") == 1


@pytest.mark.parametrize("python,numpy,name", [("3.11", "1.24.2", "py311-numpy124"), ("3.13", "2.2.4", "py313-numpy22"),
                                               ("3.12", "2.3.5", "py312-numpy23"), ("3.14", "2.4.6", "py314-numpy24"),
                                               ("3.10", "1.26.4", None), ("3.13", "1.26.4", None)])
def test_the_set_for_each_environment(python, numpy, name):
    pyset = dependencies.package_set(python, numpy)
    assert (pyset.name if pyset else None) == name
    res = subprocess.run([sys.executable, str(ROOT / "plugin" / "dependencies.py"), "--requirements", python, numpy],
                         capture_output=True, text=True)
    if name:
        assert res.returncode == 0 and res.stdout.strip() == str(ROOT / "requirements" / f"{name}.txt")
    else:
        assert res.returncode == 2 and f"no tested package set for Python {python} with numpy {numpy}" in res.stderr


def test_pip_command_installs_the_hashed_set_as_wheels(monkeypatch, tmp_path):
    monkeypatch.setenv("SMFUSION_DEPS_DIR", str(tmp_path / "libs"))
    pyset = dependencies.package_set()
    assert pyset is not None, dependencies.no_set_message()
    cmd = dependencies.pip_command(proxy="http://proxy.example:3128")
    assert cmd[1:4] == ["-m", "pip", "install"]
    assert {"--no-deps", "--only-binary=:all:", "--require-hashes"} <= set(cmd)
    assert cmd[cmd.index("--target") + 1] == str(tmp_path / "libs")
    assert cmd[cmd.index("-r") + 1] == str(pyset.path)
    assert cmd[cmd.index("--proxy") + 1] == "http://proxy.example:3128"
    assert dependencies.interpreter_problem(cmd[0]) is None
    (tmp_path / "libs").mkdir()
    assert dependencies.add_to_sys_path() == tmp_path / "libs" and sys.path[0] == str(tmp_path / "libs")
    sys.path.remove(str(tmp_path / "libs"))


def test_packages_live_outside_the_plugin_folder(monkeypatch, tmp_path):
    """Plugin updates replace the plugin folder: the packages go to a folder per set in the user's data."""
    monkeypatch.delenv("SMFUSION_DEPS_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    folder = dependencies.deps_dir()
    assert folder.parent == tmp_path / "smfusion" / "packages" and ROOT not in folder.parents
    assert folder.name == dependencies.package_set().name


def test_a_pip_of_another_python_is_refused(tmp_path):
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\necho 2.7\n")
    fake.chmod(0o755)
    assert "is Python 2.7, but QGIS runs Python" in dependencies.interpreter_problem(str(fake))


def test_qgis_proxy_settings_become_pips_proxy():
    url = dependencies.proxy_url
    assert url({"proxy/proxyEnabled": "false", "proxy/proxyHost": "p"}) is None
    assert url({"proxy/proxyEnabled": True, "proxy/proxyType": "DefaultProxy", "proxy/proxyHost": "p"}) is None
    assert url({"proxy/proxyEnabled": "true", "proxy/proxyType": "HttpProxy", "proxy/proxyHost": "proxy.lan",
                "proxy/proxyPort": "8080"}) == "http://proxy.lan:8080"
    assert url({"proxy/proxyEnabled": "true", "proxy/proxyHost": "proxy.lan", "proxy/proxyPort": 3128,
                "proxy/proxyUser": "kim", "proxy/proxyPassword": "p@ss:w"}) == "http://kim:p%40ss%3Aw@proxy.lan:3128"
    assert url({"proxy/proxyEnabled": "true", "proxy/proxyType": "Socks5Proxy", "proxy/proxyHost": "s",
                "proxy/proxyPort": "1080"}) == "socks5://s:1080"


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("SMFUSION_OFFLINE") == "1", reason="SMFUSION_OFFLINE=1: PyPI is not reached")
def test_every_set_resolves_as_hashed_wheels_on_its_platforms():
    """pip's dry run for every set × platform (manylinux x86_64, win_amd64, macOS arm64): binary wheels only,
    every hash as pinned (a changed or missing wheel fails here before it fails a user)."""
    res = subprocess.run([sys.executable, str(ROOT / "scripts" / "pin_sets.py"), "--check"], capture_output=True,
                         text=True, timeout=900)
    assert res.returncode == 0, res.stdout + res.stderr
    ok = [ln for ln in res.stdout.splitlines() if ln.startswith("ok ")]
    assert len(ok) == sum(2 * len(s.platforms) for s in dependencies.SETS) == 24, res.stdout


def test_missing_packages_are_reported(monkeypatch):
    monkeypatch.setattr(dependencies, "PACKAGES", {"numpy": "numpy", "no_such_module_xyz": "no-such-pkg"})
    for load in (False, True):
        missing = dependencies.missing_packages(load=load)
        assert [m[0] for m in missing] == ["no-such-pkg"]
    assert "ModuleNotFoundError" in dependencies.missing_packages(load=True)[0][1]
    text = dependencies.report(dependencies.missing_packages(load=True))
    assert "no-such-pkg" in text and "--require-hashes" in text and "numpy" in text


def test_required_packages_import_after_setup():
    assert dependencies.missing_packages(load=True) == [], dependencies.report()
    import lightgbm
    import numpy
    import onnxruntime

    assert ".".join(numpy.__version__.split(".")[:2]) == dependencies.package_set().numpy   # QGIS's numpy
    assert str(dependencies.deps_dir()) not in numpy.__file__
    assert lightgbm.__version__ and "CPUExecutionProvider" in onnxruntime.get_available_providers()


STARTUP = """
import sys
sys.path.insert(0, sys.argv[1])
from qgis.core import QgsApplication
app = QgsApplication([], False)
app.initQgis()
sys.path.insert(0, "/usr/share/qgis/python/plugins")
from processing.core.Processing import Processing
Processing.initialize()
import smfusion
plugin = smfusion.classFactory(None)
plugin.initProcessing()
print(len(QgsApplication.processingRegistry().providerById("smfusion").algorithms()))
print(" ".join(sorted(m for m in ("numba", "llvmlite", "lightgbm", "onnxruntime", "onnx") if m in sys.modules)))
"""


def test_qgis_start_imports_none_of_the_packages():
    """Loading the plugin and its provider finds the packages but imports none (fast start, no DLL locked)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    res = subprocess.run(["/usr/bin/python3", "-c", STARTUP, str(ROOT / "build" / "plugins")], capture_output=True,
                         text=True, env=env, timeout=120)
    assert res.returncode == 0, res.stderr[-2000:]
    count, loaded = res.stdout.split("\n")[-3:-1]          # the last two lines printed
    assert (count, loaded) == ("13", ""), res.stdout


def test_tools_say_what_is_missing_before_they_run(provider, monkeypatch):
    """canExecute() of a tool whose packages are not there names them and the install command."""
    real = dependencies.missing_packages
    monkeypatch.setattr(dependencies, "missing_packages",
                        lambda modules=None, load=False: [("lightgbm", "not installed")]
                        if modules and "lightgbm" in modules else real(modules, load))
    ok, message = provider.algorithm("downscale").canExecute()
    assert not ok and "lightgbm" in message and "--require-hashes" in message
    from qgis.core import QgsProcessingContext, QgsProcessingException, QgsProcessingFeedback
    alg = provider.algorithm("downscale").create()      # qgis_process runs a tool without asking canExecute
    with pytest.raises(QgsProcessingException, match="needs the Python package.s. lightgbm"):
        alg.processAlgorithm({}, QgsProcessingContext(), QgsProcessingFeedback())
    assert provider.algorithm("estarfm").canExecute() == (True, "")
    assert provider.algorithm("demodata").canExecute()[0]


def test_zip_layout(tmp_path):
    out = tmp_path / "smfusion.zip"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_zip.py"), str(out)], check=True)
    names = zipfile.ZipFile(out).namelist()
    assert all(n.startswith("smfusion/") for n in names)
    for required in ("smfusion/metadata.txt", "smfusion/__init__.py", "smfusion/plugin/plugin.py",
                     "smfusion/processing_provider/provider.py", "smfusion/core/raster.py",
                     "smfusion/requirements/py313-numpy22.txt", "smfusion/plugin/compat.py", "smfusion/icon.svg",
                     "smfusion/ui/styles/soil_moisture.qml",
                     "smfusion/processing_provider/pipeline_model.model3", "smfusion/ui/pipeline_dialog.py",
                     "smfusion/models/cnn_ssm.onnx", "smfusion/LICENSE", "smfusion/i18n/smfusion_ko.qm",
                     "smfusion/help/pipeline.html"):
        assert required in names
    for n in names:
        parts = n.split("/")
        assert not {"tests", "bench", "build", "ext-libs", ".venv", "__pycache__", ".ci", "docs"} & set(parts), n
        assert not n.endswith(".pyc") and parts[1] != "Makefile"
        assert not any(p.startswith(".") for p in parts), n         # no caches or settings folders


@pytest.mark.slow
def test_the_zip_installs_into_a_fresh_profile(tmp_path, qgis_env):
    """`make zip`, unzipped into profiles/default/python/plugins of an empty QGIS profile (no
    QGIS_PLUGINPATH), enables, and qgis_process lists its tools and the model: a broken zip layout fails."""
    out = tmp_path / "smfusion.zip"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_zip.py"), str(out)], check=True)
    config = tmp_path / "config"
    plugins = config / "profiles" / "default" / "python" / "plugins"
    plugins.mkdir(parents=True)
    zipfile.ZipFile(out).extractall(plugins)
    env = {k: v for k, v in qgis_env.items() if k != "QGIS_PLUGINPATH"}
    env["QGIS_CUSTOM_CONFIG_PATH"] = str(config)
    env["SMFUSION_DEPS_DIR"] = str(dependencies.deps_dir())     # the packages `make setup` installed
    res = qgis_process(env, "plugins", "enable", "smfusion")
    assert res.returncode == 0, res.stdout + res.stderr
    res = qgis_process(env, "list")
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr, res.stderr
    listed = [line.split()[0] for line in res.stdout.splitlines() if line.strip().startswith("smfusion:")]
    assert {"smfusion:pipeline", "smfusion:pipeline_model", "smfusion:estarfm", "smfusion:calibrate"} <= set(listed)
    res = qgis_process(env, "help", "smfusion:downscale")
    assert res.returncode == 0 and "STATIC" in res.stdout
