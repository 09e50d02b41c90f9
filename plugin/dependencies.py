"""Find, check and install the pip packages that SM Fusion needs beyond QGIS (no qgis import at module level).

**One pinned set per environment.** ``requirements/<set>.txt`` pins the complete dependency closure of the
tools' packages, *without numpy*, with the sha256 of every wheel on the set's platforms; SETS below says
which Python minor version and numpy major.minor each set is for. The installer takes the set of the
running interpreter, refuses when none fits, and runs ``pip install --no-deps --only-binary=:all:
--require-hashes``: what lands in a user's QGIS is exactly what was tested, and QGIS's own numpy is kept.
scipy (lightgbm needs it) normally comes with QGIS; where it does not, ``<set>-scipy.txt`` adds it.

**Where.** A folder per set in the user's data folder (``~/.local/share/smfusion/packages/<set>`` on Linux,
``%APPDATA%\\smfusion\\packages\\<set>`` on Windows, ``~/Library/Application Support/smfusion/packages/<set>``
on macOS), so that plugin updates do not wipe it; ``SMFUSION_DEPS_DIR`` overrides it. At QGIS start the
packages are only found (``importlib.util.find_spec``), never imported: they load when a tool runs.

This file also runs as a script::

    python3 plugin/dependencies.py --check                   # exit 1 and list what is missing
    python3 plugin/dependencies.py --install                 # install what is missing (idempotent)
    python3 plugin/dependencies.py --command                 # print the pip command
    python3 plugin/dependencies.py --requirements 3.13 2.2   # the set for that Python and numpy (exit 2: none)
"""

import importlib
import importlib.util
import os
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

PLUGIN_DIR = Path(__file__).resolve().parents[1]
REQUIREMENTS_DIR = PLUGIN_DIR / "requirements"
# import name → pip name, of what the tools need at run time
PACKAGES = {"numba": "numba", "lightgbm": "lightgbm", "onnxruntime": "onnxruntime", "onnx": "onnx",
            "dask": "dask", "distributed": "distributed"}         # the last two: SCHEDULER (core/scheduler.py)
REQUIRED = tuple(PACKAGES.items())
# the manylinux tags pip may take for Linux x86_64 (glibc 2.17 to that of the newest Debian tested)
MANYLINUX_GLIBC = (17, 41)


@dataclass(frozen=True)
class PackageSet:
    """A pinned set: for Python ``python`` (minor) with numpy ``numpy`` (major.minor), on ``platforms``."""
    name: str
    python: str
    numpy: str
    platforms: tuple
    where: str

    @property
    def path(self):
        return REQUIREMENTS_DIR / f"{self.name}.txt"

    @property
    def scipy_path(self):
        return REQUIREMENTS_DIR / f"{self.name}-scipy.txt"

    def files(self):
        return [self.path, self.scipy_path]


LINUX, WINDOWS, MACOS = "manylinux_x86_64", "win_amd64", "macosx_arm64"
SETS = (
    PackageSet("py311-numpy124", "3.11", "1.24", (LINUX, WINDOWS, MACOS), "Debian 12, QGIS 3.22"),
    PackageSet("py312-numpy23", "3.12", "2.3", (LINUX, WINDOWS, MACOS), "Windows (OSGeo4W) and macOS, QGIS 3.40/3.44"),
    PackageSet("py313-numpy22", "3.13", "2.2", (LINUX, WINDOWS, MACOS), "Debian 13, QGIS 3.40"),
    PackageSet("py314-numpy24", "3.14", "2.4", (LINUX, WINDOWS, MACOS), "Debian unstable, QGIS 3.44"),
)


def platform_tags(platform):
    """pip's ``--platform`` tags that stand for one of the set platforms."""
    if platform == LINUX:
        lo, hi = MANYLINUX_GLIBC
        return ["manylinux2014_x86_64"] + [f"manylinux_2_{v}_x86_64" for v in range(lo, hi + 1)]
    if platform == MACOS:
        return [f"macosx_{v}_0_arm64" for v in range(11, 16)]
    return [platform]


def host_numpy():
    """Version of the numpy that this Python (QGIS's) already has, or None."""
    try:
        import numpy
    except Exception:  # noqa: BLE001 - any failure means "no usable numpy"
        return None
    return numpy.__version__


def _minor(version):
    return ".".join(str(version).split(".")[:2])


def package_set(python=None, numpy=None):
    """The :class:`PackageSet` for ``python`` and ``numpy`` versions (default: this interpreter's), or None.
    ``SMFUSION_PACKAGE_SET`` names a set to take whatever the versions."""
    forced = os.environ.get("SMFUSION_PACKAGE_SET")
    if forced and python is None and numpy is None:
        return next((s for s in SETS if s.name == forced), None)
    python = _minor(python or f"{sys.version_info.major}.{sys.version_info.minor}")
    numpy = _minor(numpy or host_numpy() or "")
    return next((s for s in SETS if s.python == python and s.numpy == numpy), None)


def no_set_message(python=None, numpy=None):
    python = python or f"{sys.version_info.major}.{sys.version_info.minor}"
    numpy = numpy or host_numpy() or "none"
    known = "; ".join(f"Python {s.python} with numpy {s.numpy} ({s.where})" for s in SETS)
    return (f"SM Fusion has no tested package set for Python {python} with numpy {numpy}. Tested sets: {known}. "
            "Set SMFUSION_PACKAGE_SET to one of " + ", ".join(s.name for s in SETS) + " to try one anyway.")


def data_dir():
    """The user's data folder for SM Fusion (not inside the plugin folder: plugin updates replace that)."""
    if os.name == "nt":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "smfusion"


def deps_dir():
    """The folder for the pip packages of this interpreter's set (``SMFUSION_DEPS_DIR`` overrides it)."""
    if os.environ.get("SMFUSION_DEPS_DIR"):
        return Path(os.environ["SMFUSION_DEPS_DIR"])
    pyset = package_set()
    name = pyset.name if pyset else f"py{sys.version_info.major}{sys.version_info.minor}-untested"
    return data_dir() / "packages" / name


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


def missing_packages(modules=None, load=False):
    """[(pip name, reason)] for each required package (or each of ``modules``) that is not there. Without
    ``load`` a package counts as there when it is found (nothing is imported, nothing is locked); with
    ``load`` it must import."""
    out = []
    for module in modules or PACKAGES:
        pip_name = PACKAGES.get(module, module)
        if not load:
            try:
                found = importlib.util.find_spec(module) is not None
            except (ImportError, ValueError):
                found = False
            if not found:
                out.append((pip_name, "not installed"))
            continue
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


def interpreter_problem(exe=None):
    """None when ``exe`` (default :func:`python_executable`) is this Python's version, else what is wrong:
    pip run by another Python would install wheels that QGIS cannot load."""
    exe = exe or python_executable()
    want = f"{sys.version_info.major}.{sys.version_info.minor}"
    try:
        res = subprocess.run([exe, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                             capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as err:
        return f"{exe} does not run ({err})"
    got = res.stdout.strip()
    if res.returncode or got != want:
        return f"{exe} is Python {got or '?'}, but QGIS runs Python {want}"
    return None


def proxy_url(settings):
    """pip's ``--proxy`` URL of QGIS's proxy settings (a dict of the ``proxy/…`` keys), or None when QGIS uses
    no proxy of its own (disabled, or the system's, which pip takes from the environment)."""
    enabled = str(settings.get("proxy/proxyEnabled", "false")).lower() in ("true", "1")
    host = (settings.get("proxy/proxyHost") or "").strip()
    kind = settings.get("proxy/proxyType") or "HttpProxy"
    if not enabled or not host or kind in ("DefaultProxy", "NoProxy"):
        return None
    scheme = "socks5" if kind == "Socks5Proxy" else "http"
    user = (settings.get("proxy/proxyUser") or "").strip()
    auth = ""
    if user:
        from urllib.parse import quote
        auth = quote(user, safe="") + (":" + quote(settings["proxy/proxyPassword"], safe="")
                                       if settings.get("proxy/proxyPassword") else "") + "@"
    port = settings.get("proxy/proxyPort")
    return f"{scheme}://{auth}{host}" + (f":{port}" if port not in (None, "", 0, "0") else "")


def qgis_proxy():
    """:func:`proxy_url` of the running QGIS's settings (None outside QGIS)."""
    try:
        from qgis.core import QgsSettings
    except ImportError:
        return None
    s = QgsSettings()
    keys = ("proxyEnabled", "proxyType", "proxyHost", "proxyPort", "proxyUser", "proxyPassword")
    return proxy_url({f"proxy/{k}": s.value(f"proxy/{k}", "") for k in keys})


def _scipy_missing():
    return not missing_packages(["scipy"]) == []


def pip_command(target=None, pyset=None, proxy=None):
    """The exact pip command (a list) that installs this interpreter's set into ``target``; None without a set."""
    pyset = pyset or package_set()
    if pyset is None:
        return None
    cmd = [python_executable(), "-m", "pip", "install", "--upgrade", "--no-deps", "--only-binary=:all:",
           "--require-hashes", "--disable-pip-version-check", "--target", str(target or deps_dir()),
           "-r", str(pyset.path)]
    if _scipy_missing():
        cmd += ["-r", str(pyset.scipy_path)]
    proxy = qgis_proxy() if proxy is None else proxy
    if proxy:
        cmd += ["--proxy", proxy]
    return cmd


def format_command(cmd):
    if cmd is None:
        return "(no command: " + no_set_message() + ")"
    if os.name == "nt":
        return subprocess.list2cmdline(cmd)
    return shlex.join(cmd)


def install_hint():
    """One line: how to install the packages (for messages)."""
    return ("Install them with Raster → SM Fusion → Check Python packages…, or run: "
            + format_command(pip_command(proxy="")))


def report(missing=None):
    """A message for the user: what is missing, why, and the command that installs it."""
    missing = missing_packages(load=True) if missing is None else missing
    if not missing:
        return "SM Fusion: all required packages import."
    lines = ["SM Fusion: these Python packages are missing or do not import:"]
    lines += [f"  - {name} ({reason})" for name, reason in missing]
    pyset = package_set()
    if pyset is None:
        lines.append(no_set_message())
        return "\n".join(lines)
    lines.append(f"Install the tested set {pyset.name} ({pyset.where}) into {deps_dir()} with "
                 f"(QGIS's numpy {host_numpy()} is kept):")
    lines.append("  " + format_command(pip_command(proxy="")))
    return "\n".join(lines)


def _stamp(target=None):
    return Path(target or deps_dir()) / ".installed-requirements.txt"


def _wanted(pyset=None):
    pyset = pyset or package_set()
    return "".join(p.read_text() for p in pyset.files()) if pyset else ""


def up_to_date(target=None):
    """True when ``target`` holds exactly the current set (as last installed there)."""
    stamp = _stamp(target)
    return stamp.is_file() and stamp.read_text() == _wanted()


def mark_installed(target=None):
    """Record that ``target`` now holds the current set (see :func:`up_to_date`)."""
    _stamp(target).write_text(_wanted())


def install(target=None, output=None):
    """Run :func:`pip_command`; ``output`` receives each line. Returns (ok, missing after install)."""
    target = Path(target or deps_dir())
    cmd = pip_command(target)
    if cmd is None:
        if output:
            output(no_set_message())
        return False, missing_packages()
    problem = interpreter_problem(cmd[0])
    if problem:
        if output:
            output(f"SM Fusion: not installing: {problem}.")
        return False, missing_packages()
    target.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    for line in proc.stdout:
        if output:
            output(line.rstrip())
    ok = proc.wait() == 0
    if ok:
        mark_installed(target)
    add_to_sys_path()
    return ok, missing_packages(load=True)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if "--requirements" in argv:
        i = argv.index("--requirements")
        python, numpy = (argv[i + 1:i + 3] + [None, None])[:2]
        if not (python and numpy):
            print("usage: dependencies.py --requirements PYTHON_VERSION NUMPY_VERSION", file=sys.stderr)
            return 2
        pyset = package_set(python, numpy)
        if pyset is None:
            print(no_set_message(python, numpy), file=sys.stderr)
            return 2
        print(pyset.path)
        return 0
    add_to_sys_path()
    if "--command" in argv:
        print(format_command(pip_command()))
        return 0 if package_set() else 2
    missing = missing_packages(load=True)
    if "--install" in argv:
        if package_set() is None:
            print(no_set_message(), file=sys.stderr)
            return 2
        if not missing and up_to_date():
            print(f"SM Fusion: the pinned set {package_set().name} is in {deps_dir()} (nothing to install).")
            return 0
        print(report(missing) if missing else f"SM Fusion: installing {package_set().name} into {deps_dir()}")
        ok, missing = install(output=print)
        print(report(missing))
        return 0 if ok and not missing else 1
    print(report(missing))
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
