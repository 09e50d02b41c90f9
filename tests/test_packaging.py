"""Dependencies, metadata and the plugin zip."""

import configparser
import subprocess
import sys
import zipfile
from pathlib import Path

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


def test_core_does_not_import_qgis():
    for path in (ROOT / "core").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "import qgis" not in text and "from qgis" not in text, path


def test_requirements_pin_everything_but_numpy():
    lines = [ln.strip() for ln in dependencies.REQUIREMENTS.read_text().splitlines()
             if ln.strip() and not ln.startswith("#")]
    names = {ln.split("==")[0].lower() for ln in lines}
    assert all("==" in ln for ln in lines)
    assert {"lightgbm", "onnxruntime", "onnx"} <= names
    assert not names & {"numpy", "scipy"}          # never replace QGIS's numpy


def test_pip_command_targets_the_plugin_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("SMFUSION_DEPS_DIR", str(tmp_path / "libs"))
    cmd = dependencies.pip_command()
    assert cmd[1:4] == ["-m", "pip", "install"] and "--no-deps" in cmd
    assert cmd[cmd.index("--target") + 1] == str(tmp_path / "libs")
    assert cmd[cmd.index("-r") + 1] == str(dependencies.REQUIREMENTS)
    assert Path(dependencies.python_executable()).is_file()
    (tmp_path / "libs").mkdir()
    assert dependencies.add_to_sys_path() == tmp_path / "libs" and sys.path[0] == str(tmp_path / "libs")
    sys.path.remove(str(tmp_path / "libs"))


def test_missing_packages_are_reported(monkeypatch):
    monkeypatch.setattr(dependencies, "REQUIRED", (("numpy", "numpy"), ("no_such_module_xyz", "no-such-pkg")))
    missing = dependencies.missing_packages()
    assert [m[0] for m in missing] == ["no-such-pkg"] and "ModuleNotFoundError" in missing[0][1]
    text = dependencies.report(missing)
    assert "no-such-pkg" in text and "--no-deps" in text and "numpy" in text


def test_required_packages_import_after_setup():
    assert dependencies.missing_packages() == [], dependencies.report()
    import lightgbm
    import numpy
    import onnxruntime

    assert numpy.__version__.startswith("1.")     # QGIS's numpy, not a pip one
    assert lightgbm.__version__ and "CPUExecutionProvider" in onnxruntime.get_available_providers()


def test_zip_layout(tmp_path):
    out = tmp_path / "smfusion.zip"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_zip.py"), str(out)], check=True)
    names = zipfile.ZipFile(out).namelist()
    assert all(n.startswith("smfusion/") for n in names)
    for required in ("smfusion/metadata.txt", "smfusion/__init__.py", "smfusion/plugin/plugin.py",
                     "smfusion/processing_provider/provider.py", "smfusion/core/raster.py",
                     "smfusion/requirements.txt", "smfusion/icon.svg", "smfusion/ui/styles/soil_moisture.qml",
                     "smfusion/processing_provider/pipeline_model.model3", "smfusion/ui/pipeline_dialog.py",
                     "smfusion/models/cnn_ssm.onnx"):
        assert required in names
    for n in names:
        parts = n.split("/")
        assert not {"tests", "bench", "build", "ext-libs", ".venv", "__pycache__", ".ci", "docs"} & set(parts), n
        assert not n.endswith(".pyc") and parts[1] != "Makefile"
        assert not any(p.startswith(".") for p in parts), n         # no caches or settings folders


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
    env["SMFUSION_DEPS_DIR"] = str(ROOT / "ext-libs")       # the packages `make setup` installed
    res = qgis_process(env, "plugins", "enable", "smfusion")
    assert res.returncode == 0, res.stdout + res.stderr
    res = qgis_process(env, "list")
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr, res.stderr
    listed = [line.split()[0] for line in res.stdout.splitlines() if line.strip().startswith("smfusion:")]
    assert {"smfusion:pipeline", "smfusion:pipeline_model", "smfusion:estarfm", "smfusion:calibrate"} <= set(listed)
    res = qgis_process(env, "help", "smfusion:downscale")
    assert res.returncode == 0 and "STATIC" in res.stdout
