"""Help where QGIS looks for it: every tool's help link opens its shipped page (current with the README),
every parameter has a tooltip, the tuning parameters are advanced, and the toolbox finds the tools by tags."""

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _make_help():
    spec = importlib.util.spec_from_file_location("make_help", ROOT / "scripts" / "make_help.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_shipped_help_pages_are_current():
    """help/ is what `make help-pages` writes from README.md and PARAM_HELP today."""
    pages = _make_help().pages()
    assert len(pages) == 12
    for name, text in pages.items():
        shipped = ROOT / "help" / name
        assert shipped.is_file() and shipped.read_text(encoding="utf-8") == text, f"{name}: run `make help-pages`"


def test_markdown_subset():
    md = _make_help().markdown
    assert md("# T\n\nA *b* **c** `d<e>` [f](http://x)\n") == (
        '<h1>T</h1>\n<p>A <i>b</i> <b>c</b> <code>d&lt;e&gt;</code> <a href="http://x">f</a></p>')
    assert md("- a\n  more\n  - b\n- c") == "<ul><li>a more<ul><li>b</li></ul></li><li>c</li></ul>"
    assert md("| x | y |\n|---|---|\n| 1 | 2 |") == ("<table><tr><th>x</th><th>y</th></tr>\n"
                                                 "<tr><td>1</td><td>2</td></tr></table>")
    assert md("```\na < b\n```") == "<pre>a &lt; b</pre>"


def test_every_tool_has_help_tooltips_tags_and_advanced_parameters(provider):
    from qgis.core import QgsProcessingParameterDefinition
    from qgis.PyQt.QtCore import QUrl
    from smfusion.plugin import compat
    tools = [a for a in provider.algorithms() if a.name() != "pipeline_model"]
    assert len(tools) == 12
    for alg in tools:
        page = Path(QUrl(alg.helpUrl()).toLocalFile())
        assert page.is_file() and page.name == f"{alg.name()}.html", alg.helpUrl()
        short = alg.shortDescription()
        assert short.endswith(".") and 20 < len(short) < 120, (alg.name(), short)
        assert "soil moisture" in alg.tags() and len(alg.tags()) > 3, alg.name()
        names = {p.name() for p in alg.parameterDefinitions()}
        assert set(alg.ADVANCED) <= names, (alg.name(), set(alg.ADVANCED) - names)
        for param in alg.parameterDefinitions():
            tags = re.search(r"</?(b|i|code|p|br|ul|li|a|dl|dt|dd|h[1-6])[ />]", param.help())
            assert len(param.help()) > 10 and not tags, (alg.name(), param.name())
            advanced = bool(param.flags() & compat.FLAG_ADVANCED)
            assert advanced == (param.name() in alg.ADVANCED), (alg.name(), param.name())
    downscale = provider.algorithm("downscale")
    assert {"LEARNING_RATE", "NUM_LEAVES", "N_ESTIMATORS", "THREADS", "MIN_COVER"} <= set(downscale.ADVANCED)
    assert {"WINDOW", "CLASSES", "SIGMA_BLOCK"} <= set(provider.algorithm("estarfm").ADVANCED)
    assert isinstance(downscale.parameterDefinition("LAYER"), QgsProcessingParameterDefinition)


@pytest.mark.slow
def test_a_cancelled_run_reports_cancelled_not_an_error(provider, tmp_path):
    import processing
    from qgis.core import QgsProcessingFeedback
    from smfusion.core.demo import DemoConfig, make_demo

    make_demo(tmp_path / "d", DemoConfig(width=40, height=40, days=8, stations=6))
    feedback = QgsProcessingFeedback()
    infos = []
    feedback.pushInfo = infos.append
    feedback.cancel()                                       # cancelled before its first step
    try:
        result = processing.run("smfusion:estarfm", {"FINE": str(tmp_path / "d" / "fine" / "ndvi"),
                                                     "COARSE": str(tmp_path / "d" / "coarse" / "ndvi"),
                                                     "OUTPUT": str(tmp_path / "out")}, feedback=feedback)
    except Exception as err:                                # noqa: BLE001 - the point of the test
        pytest.fail(f"a cancelled run raised {err!r}")
    assert result is not None
    assert any("Cancelled by the user" in t for t in infos), infos
    assert not list((tmp_path / "out").glob("*.tif")) if (tmp_path / "out").exists() else True


def test_every_tool_has_a_readme_example_whose_parameters_exist(provider):
    """Each tool has a `qgis_process run smfusion:<tool> -- …` example in README.md, and every KEY= of every
    example is a parameter (or, for the graphical model, a model input) of its tool."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    calls = re.findall(r"qgis_process(?:\.bin)? run smfusion:(\w+) --((?:\\\n|[^\n])*)", text)
    seen = set()
    for name, args in calls:
        alg = provider.algorithm(name)
        assert alg is not None, name
        seen.add(name)
        keys = re.findall(r"(?:^|\s)\"?([A-Za-z_][\w:]*)=", args.replace("\\\n", " "))
        known = {p.name() for p in alg.parameterDefinitions()}
        for key in keys:
            if ":" in key:                                   # a graphical model's output: child:OUTPUT
                child, output = key.split(":")
                assert output in alg.childAlgorithm(child).modelOutputs(), (name, key)
            else:
                assert key in known, (name, key)
    assert {a.name() for a in provider.algorithms()} <= seen
