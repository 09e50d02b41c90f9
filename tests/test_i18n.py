"""Translations: under a Korean QGIS the tool names, groups, parameter labels, the dialog and its messages show
in Korean; the shipped .ts holds every string of the code and the shipped .qm is compiled from it."""

import importlib.util
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TS = ROOT / "i18n" / "smfusion_ko.ts"


@pytest.fixture
def korean():
    from smfusion.plugin import i18n
    i18n.uninstall()
    assert i18n.install("ko") == ROOT / "i18n" / "smfusion_ko.qm"
    yield
    i18n.uninstall()


def test_a_korean_qgis_shows_the_tools_and_the_dialog_in_korean(provider, qgis_iface, korean):
    from smfusion.ui.pipeline_dialog import PipelineDialog
    alg = provider.algorithm("pipeline").create()          # a new instance labels its parameters now
    assert alg.displayName() == "전체 파이프라인 실행" and alg.group() == "파이프라인"
    assert alg.shortDescription().startswith("SSM과 RZSM에 대해 전체 방법을 실행합니다")
    assert alg.parameterDefinition("OVERWRITE").description() == "모든 단계 다시 실행"
    assert "<h3>매개변수</h3>" in alg.shortHelpString()
    assert provider.algorithm("export").create().displayName() == "시계열을 NetCDF 큐브로 내보내기"
    d = PipelineDialog(qgis_iface)
    assert d.windowTitle() == "SM Fusion — 일별 1 km 토양수분" and d.run_button.text() == "실행"
    assert "출력 폴더: 폴더를 선택하세요" in d.problems()
    d.close()
    from smfusion.plugin.i18n import tr
    assert tr("Pipeline done: {}").format("r.html") == "파이프라인 완료: r.html"
    assert tr("A sentence with no translation") == "A sentence with no translation"     # English stays


def test_english_is_back_without_the_translator(provider):
    from smfusion.plugin import i18n
    i18n.uninstall()
    assert provider.algorithm("pipeline").create().displayName() == "Run the whole pipeline"
    assert i18n.install("en") is None and i18n.install("xx") is None      # nothing shipped: English


def _update_translations():
    spec = importlib.util.spec_from_file_location("update_translations", ROOT / "scripts" / "update_translations.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_ts_holds_every_string_and_the_qm_is_compiled_from_it(tmp_path, qgis_app):
    """`make translations` would change nothing: the .ts lists exactly the code's strings, and lrelease
    gives the shipped .qm byte for byte. At least the tool names, groups and the dialog are translated."""
    module = _update_translations()
    wanted = {text for text, _ in module.literal_strings() + module.tool_strings() if text}
    messages = list(ET.parse(TS).getroot().iter("message"))
    live = {m.findtext("source") for m in messages if m.find("translation").get("type") != "vanished"}
    assert live == wanted, (sorted(wanted - live)[:5], sorted(live - wanted)[:5])
    done = {m.findtext("source") for m in messages if m.find("translation").get("type") is None}
    from smfusion.processing_provider.provider import ALGORITHMS
    for cls in ALGORITHMS:
        assert {cls.DISPLAY_NAME, cls.GROUP, cls.SHORT} <= done, cls.NAME
    assert {"Run", "Inputs", "Pipeline done: {}", "Fine drivers"} <= done
    lrelease = shutil.which("lrelease")
    if lrelease is None:
        pytest.skip("lrelease is not installed (make setup installs qttools5-dev-tools)")
    subprocess.run([lrelease, "-silent", str(TS), "-qm", str(tmp_path / "ko.qm")], check=True)
    assert (tmp_path / "ko.qm").read_bytes() == (ROOT / "i18n" / "smfusion_ko.qm").read_bytes(), \
        "run `make translations`"


def test_the_language_follows_qgis_settings(qgis_app):
    """QGIS's own override (Settings → Options → General → User interface translation) picks the language."""
    from qgis.core import QgsSettings
    from smfusion.plugin import i18n
    settings = QgsSettings()
    before = (settings.value("locale/overrideFlag"), settings.value("locale/userLocale"))
    try:
        settings.setValue("locale/overrideFlag", True)
        settings.setValue("locale/userLocale", "ko_KR")
        assert i18n.language() == "ko"
        i18n.uninstall()
        assert i18n.install() == ROOT / "i18n" / "smfusion_ko.qm"
        assert i18n.tr("Run") == "실행"
        settings.setValue("locale/userLocale", "en_US")
        assert i18n.language() == "en"
    finally:
        i18n.uninstall()
        for key, value in zip(("locale/overrideFlag", "locale/userLocale"), before):
            if value is None:
                settings.remove(key)
            else:
                settings.setValue(key, value)
