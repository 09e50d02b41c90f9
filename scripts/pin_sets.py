"""Write the hashes of the pinned package sets (requirements/*.txt), or check that every set resolves.

    python3 scripts/pin_sets.py              # rewrite each set with the sha256 of its wheels on its platforms
    python3 scripts/pin_sets.py --check      # every set resolves, as binary wheels with those hashes (no download)
    python3 scripts/pin_sets.py --download D # download every set for every platform into D, hashes enforced

The sets and their platforms are ``plugin/dependencies.py``'s SETS. The pins (``name==version``) in each
file are the input; only the hashes are rewritten. pip's dry run (``--report``) names the wheel it would
take for a platform and its sha256, without downloading it. pip runs without this machine's local wheel
folders (PIP_CONFIG_FILE=/dev/null, no PIP_FIND_LINKS): what is checked is what PyPI serves to users.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugin"))
import dependencies  # noqa: E402

PARALLEL_PIP = 8
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s\\;]+)")


def pins(path):
    """[(name, version)] of a set file, in order."""
    out = []
    for line in Path(path).read_text().splitlines():
        m = PIN.match(line.strip())
        if m:
            out.append((m.group(1), m.group(2)))
    return out


def pip_env():
    env = {k: v for k, v in os.environ.items() if k not in ("PIP_FIND_LINKS", "PIP_EXTRA_INDEX_URL", "PIP_INDEX_URL")}
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1")
    return env


def pip_target(pyset, platform):
    """pip's options that stand for ``platform`` of ``pyset`` (binary wheels only)."""
    return ["--only-binary=:all:", "--implementation", "cp", "--python-version", pyset.python,
            *[a for tag in dependencies.platform_tags(platform) for a in ("--platform", tag)]]


def resolve(pyset, platform, requirements, require_hashes=False):
    """{name: (version, sha256, filename)} that pip would install for ``platform`` (dry run, no deps)."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        cmd = [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--no-deps", "-q",
               "--target", str(Path(tmp) / "t"), "--report", str(report), *pip_target(pyset, platform)]
        cmd += ["--require-hashes", "-r", str(requirements)] if require_hashes else \
            [f"{n}=={v}" for n, v in pins(requirements)]
        res = subprocess.run(cmd, capture_output=True, text=True, env=pip_env())
        if res.returncode:
            raise RuntimeError(f"{requirements.name} on {platform}: {res.stderr.strip()[-800:]}")
        out = {}
        for item in json.loads(report.read_text())["install"]:
            info = item["download_info"]
            out[item["metadata"]["name"].lower()] = (item["metadata"]["version"],
                                                     info["archive_info"]["hashes"]["sha256"],
                                                     info["url"].rsplit("/", 1)[-1])
        return out


def write_hashes(pyset, path):
    hashes = {}
    for platform in pyset.platforms:
        for name, (_, sha, filename) in resolve(pyset, platform, path).items():
            if not filename.endswith(".whl"):
                raise RuntimeError(f"{name} is not a wheel on {platform}: {filename}")
            hashes.setdefault(name, set()).add(sha)
    head = [ln for ln in path.read_text().splitlines() if ln.startswith("#")]
    lines = head + [f"{n}=={v} \\\n" + " \\\n".join(f"    --hash=sha256:{h}" for h in sorted(hashes[n.lower()]))
                    for n, v in pins(path)]
    path.write_text("\n".join(lines) + "\n")
    print(f"{path.relative_to(ROOT)}: {len(hashes)} packages, {sum(map(len, hashes.values()))} wheels "
          f"({', '.join(pyset.platforms)})")


def check_one(pyset, path, platform, download=None):
    """One line: ``ok …`` where ``path``'s set resolves for ``platform`` with its hashes (or downloads into
    ``download``), else ``FAILED …`` with pip's message."""
    try:
        if download:
            dest = download / path.stem / platform
            cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(dest),
                   *pip_target(pyset, platform), "--require-hashes", "-r", str(path)]
            res = subprocess.run(cmd, capture_output=True, text=True, env=pip_env())
            if res.returncode:
                raise RuntimeError(res.stderr.strip()[-800:])
            wheels = sorted(dest.glob("*.whl"))
            size = sum(w.stat().st_size for w in wheels) / 1e6
            return f"ok {path.name} {platform}: {len(wheels)} wheels, {size:.0f} MB"
        got = resolve(pyset, platform, path, require_hashes=True)
        return f"ok {path.name} {platform}: {len(got)} wheels"
    except RuntimeError as err:
        return f"FAILED {path.name} {platform}: {err}"


def main(argv):
    check, download = "--check" in argv, None
    if "--download" in argv:
        download = Path(argv[argv.index("--download") + 1])
    if not (check or download):
        for pyset in dependencies.SETS:
            for path in pyset.files():
                write_hashes(pyset, path)
        return 0
    jobs = [(pyset, path, platform) for pyset in dependencies.SETS for path in pyset.files()
            for platform in pyset.platforms]
    # pip's runs wait on the index more than on the CPU: PARALLEL_PIP at a time, printed in the order above
    lines = []
    with ThreadPoolExecutor(PARALLEL_PIP) as pool:
        for line in pool.map(lambda job: check_one(*job, download=download), jobs):
            print(line, flush=True)                     # each as soon as it and those before it are done
            lines.append(line)
    return 1 if any(ln.startswith("FAILED") for ln in lines) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
