"""Find, check and install the pip packages that SM Fusion needs beyond QGIS (no qgis import).

The packages go into a folder of the plugin's own (``ext-libs/`` in the plugin folder, or the folder in
the ``SMFUSION_DEPS_DIR`` environment variable), which :func:`add_to_sys_path` puts first on
``sys.path``. They are installed with ``pip install --no-deps`` from ``requirements.txt``, which pins the
complete dependency closure except numpy and scipy: QGIS's own numpy is kept (Debian's GDAL bindings
break on numpy 2). This file also runs as a script::

    python3 plugin/dependencies.py --check      # exit 1 and list what is missing
    python3 plugin/dependencies.py --install    # install what is missing (idempotent)
    python3 plugin/dependencies.py --command    # print the pip command
"""

import importlib
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

PLUGIN_DIR = Path(__file__).resolve().parents[1]
REQUIREMENTS = PLUGIN_DIR / "requirements.txt"
# (import name, pip name) of what the tools need at run time
REQUIRED = (("numba", "numba"), ("lightgbm", "lightgbm"), ("onnxruntime", "onnxruntime"), ("onnx", "onnx"))
# scipy (needed by lightgbm) normally comes with QGIS; where it does not, this one works with numpy 1.x
SCIPY_FALLBACK = "scipy==1.11.4"


def deps_dir():
    """The plugin-local folder for pip packages."""
    return Path(os.environ.get("SMFUSION_DEPS_DIR") or PLUGIN_DIR / "ext-libs")


def add_to_sys_path():
    """Put :func:`deps_dir` first on ``sys.path`` (when it exists); return it."""
    folder = deps_dir()
    if folder.is_dir():
        entry = str(folder)
        if entry in sys.path:
            sys.path.remove(entry)
        sys.path.insert(0, entry)
        importlib.invalidate_caches()
    return folder


def host_numpy():
    """Version of the numpy that this Python (QGIS's) already has, or None."""
    try:
        import numpy
    except Exception:  # noqa: BLE001 - any failure means "no usable numpy"
        return None
    return numpy.__version__


def missing_packages():
    """[(pip name, reason)] for each required package that does not import."""
    out = []
    for module, pip_name in REQUIRED:
        try:
            importlib.import_module(module)
        except Exception as err:  # noqa: BLE001 - broken binaries raise all sorts
            out.append((pip_name, f"{type(err).__name__}: {err}"))
    return out


def python_executable():
    """The Python interpreter of the running QGIS.

    Inside QGIS, ``sys.executable`` is the QGIS binary or whatever ``python3`` PATH finds first (a pyenv
    shim, say), so the interpreter under ``sys.exec_prefix`` (QGIS's own Python) is preferred.
    """
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    prefix = Path(sys.exec_prefix)
    candidates = [prefix / "python.exe", prefix / "bin" / f"python{version}", prefix / "bin" / "python3"]
    exe = Path(sys.executable)
    if exe.name.lower().startswith("python"):
        candidates.append(exe)
    candidates += [Path(p) for p in (shutil.which(f"python{version}"), shutil.which("python3")) if p]
    for cand in candidates:
        if cand.is_file():
            return str(cand)
    return "python3"


def _scipy_missing():
    try:
        importlib.import_module("scipy")
    except Exception:  # noqa: BLE001
        return True
    return False


def pip_command(target=None):
    """The exact pip command (a list) that installs the requirements into ``target``."""
    cmd = [python_executable(), "-m", "pip", "install", "--upgrade", "--no-deps", "--disable-pip-version-check",
           "--target", str(target or deps_dir()), "-r", str(REQUIREMENTS)]
    if _scipy_missing():
        cmd.append(SCIPY_FALLBACK)
    return cmd


def format_command(cmd):
    if os.name == "nt":
        return subprocess.list2cmdline(cmd)
    return shlex.join(cmd)


def report(missing=None):
    """A message for the user: what is missing, why, and the command that installs it."""
    missing = missing_packages() if missing is None else missing
    if not missing:
        return "SM Fusion: all required packages import."
    lines = ["SM Fusion: these Python packages are missing or do not import:"]
    lines += [f"  - {name} ({reason})" for name, reason in missing]
    lines.append(f"Install them into the plugin's folder with (QGIS's numpy {host_numpy()} is kept):")
    lines.append("  " + format_command(pip_command()))
    return "\n".join(lines)


def _stamp(target=None):
    return Path(target or deps_dir()) / ".installed-requirements.txt"


def up_to_date(target=None):
    """True when ``target`` holds exactly the current requirements.txt (as last installed there)."""
    stamp = _stamp(target)
    return stamp.is_file() and stamp.read_text() == REQUIREMENTS.read_text()


def mark_installed(target=None):
    """Record that ``target`` now holds the current requirements.txt (see :func:`up_to_date`)."""
    _stamp(target).write_text(REQUIREMENTS.read_text())


def install(target=None, output=None):
    """Run :func:`pip_command`; ``output`` receives each line. Returns (ok, missing after install)."""
    target = Path(target or deps_dir())
    target.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1")
    proc = subprocess.Popen(pip_command(target), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env=env)
    for line in proc.stdout:
        if output:
            output(line.rstrip())
    ok = proc.wait() == 0
    if ok:
        mark_installed(target)
    add_to_sys_path()
    return ok, missing_packages()


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    add_to_sys_path()
    if "--command" in argv:
        print(format_command(pip_command()))
        return 0
    missing = missing_packages()
    if "--install" in argv:
        if not missing and up_to_date():
            print(f"SM Fusion: the pinned packages are in {deps_dir()} (nothing to install).")
            return 0
        print(report(missing) if missing else f"SM Fusion: installing {REQUIREMENTS.name} into {deps_dir()}")
        ok, missing = install(output=print)
        print(report(missing))
        return 0 if ok and not missing else 1
    print(report(missing))
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
