"""Build the plugin zip: folder ``smfusion/`` at the zip root, without tests, benchmarks or caches.

Usage: python3 scripts/make_zip.py [OUT.zip]. Files come from git (tracked + untracked, not ignored) when
this is a git checkout, else from the folder; entries have fixed timestamps, so the zip is reproducible.
"""

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "smfusion"
EXCLUDE_DIRS = {"tests", "bench", "scripts", "docs", ".ci", "build", "dist", ".venv", "ext-libs", ".git", "__pycache__",
                ".pytest_cache", ".ruff_cache", ".github", ".qgis-settings"}
EXCLUDE_FILES = {"Makefile", "requirements-dev.txt", "pyproject.toml", ".gitignore", "smfusion.zip"}


def plugin_files(root=ROOT):
    try:
        out = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=root,
                             check=True, capture_output=True).stdout.decode()
        names = [n for n in out.split("\0") if n]
    except (OSError, subprocess.CalledProcessError):
        names = [str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()]
    keep = []
    for name in sorted(set(names)):
        parts = Path(name).parts
        if parts[0] in EXCLUDE_DIRS or any(p in EXCLUDE_DIRS for p in parts) or name in EXCLUDE_FILES:
            continue
        if name.endswith((".pyc", ".aux.xml")) or not (root / name).is_file():
            continue
        keep.append(name)
    return keep


def make_zip(out):
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".zip.part")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in plugin_files():
            info = zipfile.ZipInfo(f"{PACKAGE}/{name}", date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, (ROOT / name).read_bytes())
    tmp.replace(out)
    return out


if __name__ == "__main__":
    path = make_zip(sys.argv[1] if len(sys.argv) > 1 else ROOT / "dist" / "smfusion.zip")
    with zipfile.ZipFile(path) as zf:
        print(f"{path}: {len(zf.namelist())} files under {PACKAGE}/")
