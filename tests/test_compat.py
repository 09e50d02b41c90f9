"""Qt6 / QGIS 4 readiness: the shipped code uses scoped enums, exec(), qgis.PyQt and no removed name
outside plugin/compat.py; metadata lets QGIS 4 list the plugin."""

import configparser
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = [p for d in ("plugin", "ui", "processing_provider", "core") for p in (ROOT / d).rglob("*.py")] + \
          [ROOT / "__init__.py"]
# Class.Member with Member a CamelCase name that is not itself followed by a name or a call: an unscoped enum
# (Qt.AlignRight, QgsTask.CanCancel); Qt.AlignmentFlag.AlignRight and Class.method() do not match.
UNSCOPED = re.compile(r"\b(Q[A-Za-z0-9]*)\.([A-Z][a-z][A-Za-z0-9_]*)\b(?![.(A-Za-z0-9_])")
# names that QGIS 3.36+ deprecates and QGIS 4 removes: only plugin/compat.py may hold them
REMOVED = ("QgsProcessingParameterNumber.Type", "QgsProcessingParameterDateTime.Type",
           "QgsProcessingParameterFile.Behavior", "QgsProcessingParameterDefinition.Flag",
           "QgsRasterBandStats.Stats", "QgsColorRampShader.Type", "FileWidgetWrapper",
           "QgsProcessing.TypeVector", "QgsProcessing.SourceType", "QgsProcessingAlgorithm.Flag")
# nested classes, not enums (a constructor call or a type)
NOT_ENUMS = {("QgsProcessingContext", "LayerDetails")}


def _code_lines(path):
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        code = line.split("#", 1)[0]
        if code.strip():
            yield n, code


def scan(paths=SHIPPED):
    """[(file:line, what)] of every unscoped enum, exec_(), PyQt5 import and removed name."""
    found = []
    for path in paths:
        rel = path.relative_to(ROOT)
        for n, code in _code_lines(path):
            for cls, member in UNSCOPED.findall(code):
                if (cls, member) not in NOT_ENUMS:
                    found.append((f"{rel}:{n}", f"unscoped enum {cls}.{member}"))
            if "exec_(" in code:
                found.append((f"{rel}:{n}", "exec_()"))
            if re.search(r"\b(from|import)\s+PyQt[56]\b", code):
                found.append((f"{rel}:{n}", "PyQt import (use qgis.PyQt)"))
            if path.name != "compat.py":
                found += [(f"{rel}:{n}", f"removed name {name}") for name in REMOVED if name in code]
    return found


def test_the_scan_finds_what_qgis_4_rejects(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from PyQt5.QtCore import Qt\nx = Qt.AlignRight\nd.exec_()\n"
                   "QgsProcessingParameterNumber.Type.Double\ny = Qt.AlignmentFlag.AlignRight  # Qt.AlignLeft\n"
                   "QgsApplication.instance()\n")
    global ROOT
    root, ROOT = ROOT, tmp_path
    try:
        found = [what for _, what in scan([bad])]
    finally:
        ROOT = root
    assert found == ["PyQt import (use qgis.PyQt)", "unscoped enum Qt.AlignRight", "exec_()",
                     "removed name QgsProcessingParameterNumber.Type"]


def test_shipped_code_is_ready_for_qt6_and_qgis_4():
    found = scan()
    assert not found, "\n".join(f"{where}: {what}" for where, what in found)


def test_metadata_allows_qgis_4():
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "metadata.txt", encoding="utf-8")
    assert cfg["general"]["qgisMaximumVersion"] == "4.99"
    assert cfg["general"]["qgisMinimumVersion"] == "3.22"


@pytest.mark.usefixtures("qgis_app")
def test_compat_names_resolve_in_this_qgis():
    from qgis.core import Qgis
    from smfusion.plugin import compat
    names = ("INTEGER", "DOUBLE", "DATE", "FOLDER", "FLAG_OPTIONAL", "STAT_MIN", "STAT_MAX", "RAMP_LINEAR")
    assert all(getattr(compat, n) is not None for n in names)
    newer = Qgis.QGIS_VERSION_INT >= 33600
    assert (type(compat.DOUBLE).__name__ == "ProcessingNumberParameterType") == newer
