"""The desktop: the series widget, the SM Fusion dialog (validation, pairs, timeline, estimate, a run as a
background task), the tool dialogs' series widget, and outputs that load styled and animatable.
A screenshot of the dialog is saved to build/artifacts/pipeline_dialog.png."""

import shutil
import time
from pathlib import Path

import numpy as np
import pytest
from qgis.core import QgsApplication, QgsProcessingContext, QgsProject, QgsRasterLayer
from smfusion.core.demo import DemoConfig, make_demo
from smfusion.core.raster import Grid, write_raster

pytestmark = pytest.mark.slow            # demo regions or qgis_process: `make test-fast` leaves them out

ARTIFACTS = Path(__file__).resolve().parents[1] / "build" / "artifacts"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("ui_demo")
    make_demo(root, DemoConfig(width=80, height=70, days=14, stations=14, seed=3))
    return root


@pytest.fixture
def project():
    QgsProject.instance().clear()
    yield QgsProject.instance()
    QgsProject.instance().clear()


def test_series_widget_shows_count_dates_grid_and_problems(qgis_app, demo, tmp_path):
    from smfusion.ui.series_widget import SeriesFolderWidget

    w = SeriesFolderWidget(kinds=("series",))
    w.setFilePath(demo / "fine" / "ndvi")
    text = w.label.text()
    assert "14 files, 14 dates: 2021-04-01 … 2021-04-14" in text
    assert "EPSG:5179, 80×70 px of 1000 m" in text and w.problem() is None
    # a folder of another kind, and a broken series: one file on another grid, one name without a date
    w.setFilePath(demo / "fine")
    assert w.problem().startswith("expected a series folder")
    assert "3 series: albedo, lst_day, ndvi (14 files each)" in w.label.text()
    bad = tmp_path / "bad"
    shutil.copytree(demo / "fine" / "ndvi", bad)
    g = Grid.of(next(bad.glob("*.tif")))
    write_raster(bad / "ndvi_20210420.tif", __import__("numpy").ones((10, 10), "float32"),
                 Grid(g.crs, (g.transform[0], 2000.0, 0, g.transform[3], 0, -2000.0), 10, 10))
    shutil.copy(bad / "ndvi_20210401.tif", bad / "ndvi_first.tif")
    w.setFilePath(bad)
    assert "mixed grids: 1 file(s) differ" in w.label.text() and "ndvi_20210420.tif" in w.label.text()
    assert "no date in the name of ndvi_first.tif" in w.label.text()
    assert w.problem() and "b71c1c" in w.label.styleSheet()


def test_dialog_validates_shows_pairs_and_estimate(qgis_iface, provider, demo, tmp_path):
    from smfusion.ui.pipeline_dialog import PipelineDialog, demo_inputs

    d = PipelineDialog(qgis_iface)
    assert not d.run_button.isEnabled()
    assert any("Fine drivers" in p for p in d.problems()) and any("Stations" in p for p in d.problems())
    d.set_inputs(**{**demo_inputs(demo), "output": tmp_path / "run"})
    assert d.problems() == [] and d.run_button.isEnabled()
    assert "14 dates × 80×70 px, 3 driver(s), 2 layer(s)" in d.estimate_label.text()
    pairs = d.check(wait=True)                     # a background task; the test waits for it
    assert sorted(pairs) == ["albedo", "lst_day", "ndvi"] and all(len(p) >= 2 for p in pairs.values())
    assert "ndvi:" in d.pairs_label.text() and "Problem:" not in d.pairs_label.text()
    (tmp_path / "few.csv").write_text("station_id,lon,lat,date,ssm,rzsm\nX,0.0,0.0,2021-04-01,0.2,0.3\n")
    d.set_inputs(stations=tmp_path / "few.csv")
    d.check(wait=True)                             # what a later stage needs, checked before the run
    assert "Problem: STATIONS" in d.pairs_label.text() and "none of the 1 stations lies on the fine grid" in \
        d.pairs_label.text()
    d.set_inputs(**{**demo_inputs(demo), "output": tmp_path / "run"})
    d.check(wait=True)
    assert [r[0] for r in d.timeline.rows][:2] == ["fine albedo", "fine lst_day"]
    assert d.timeline.span() == (pairs["ndvi"][0].replace(day=1), pairs["ndvi"][0].replace(day=14))
    d.show()
    d.resize(1100, d.sizeHint().height())
    QgsApplication.processEvents()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    image = d.grab()
    assert image.width() >= 600 and image.save(str(ARTIFACTS / "pipeline_dialog.png"))
    d.set_inputs(fine=demo / "static")
    assert any(p.startswith("Fine drivers: expected a folder of series sub-folders") for p in d.problems())
    assert not d.run_button.isEnabled()
    d.close()


def test_the_plugin_menu_and_toolbar_open_the_dialog(qgis_iface, qgis_processing):
    import smfusion

    registry = QgsApplication.processingRegistry()
    if registry.providerById("smfusion") is not None:
        registry.removeProvider(registry.providerById("smfusion"))
    plugin = smfusion.classFactory(qgis_iface)
    plugin.initGui()
    try:
        assert [a.objectName() for a in plugin.toolbar_actions] == ["smfusionPipeline"]
        dialog = plugin.show_dialog()
        assert dialog.isVisible() and dialog.objectName() == "smfusionPipelineDialog"
        assert plugin.show_dialog() is dialog                 # one dialog, kept between openings
    finally:
        plugin.unload()
    assert plugin.dialog is None and plugin.toolbar_actions == []


def _history_has(algorithm_id, text):
    """Whether the Processing history holds a run of ``algorithm_id`` whose command mentions ``text``."""
    try:
        from processing.core.ProcessingLog import ProcessingLog
    except ImportError:                                          # QGIS 3.32+: the history registry
        from qgis.gui import QgsGui
        entries = QgsGui.historyProviderRegistry().queryEntries()
        return any(e.entry.get("algorithm_id") == algorithm_id and text in e.entry.get("python_command", "")
                   for e in entries)
    return any(algorithm_id in line and text in line for line in open(ProcessingLog.logFilename(), encoding="utf-8"))


def _days(node):
    """[(layer, band, QgsDateTimeRange)] of a loaded series: the bands of one layer (QGIS ≥ 3.38) or the layers
    of a group (before)."""
    from smfusion.plugin import compat
    if compat.FIXED_RANGE_PER_BAND is not None:
        layer = node.layer()
        props = layer.temporalProperties()
        assert props.isActive() and props.mode() == compat.FIXED_RANGE_PER_BAND
        ranges = props.fixedRangePerBand()
        assert sorted(ranges) == list(range(1, layer.bandCount() + 1))
        return [(layer, band, ranges[band]) for band in sorted(ranges)]
    layers = [n.layer() for n in node.findLayers()]
    assert all(x.temporalProperties().isActive() for x in layers)
    return [(x, 1, x.temporalProperties().fixedTemporalRange()) for x in layers]


def test_a_run_from_the_dialog_loads_styled_temporal_results_and_opens_the_report(qgis_iface, provider, demo,
                                                                                 tmp_path, project, monkeypatch):
    """A run from the dialog, as a background task: each series loads as one node (a layer with a band per day
    on QGIS ≥ 3.38, a group of dated layers before), soil-moisture styled; the empty project takes the outputs'
    CRS; the Temporal Controller steps through the run's days one day at a time; both station layers count
    their stations; the report opens, or the message bar gives its path; the "runs in the background" message
    is gone."""
    from qgis.core import QgsTemporalNavigationObject
    from smfusion.ui import pipeline_dialog
    from smfusion.ui.pipeline_dialog import PipelineDialog, demo_inputs

    opened = []
    monkeypatch.setattr(pipeline_dialog.QDesktopServices, "openUrl",
                        lambda url: opened.append(url.toLocalFile()) or True)
    nav = QgsTemporalNavigationObject(qgis_iface.mapCanvas())         # owned by the canvas, as in the desktop
    qgis_iface.mapCanvas().setTemporalController(nav)
    d = PipelineDialog(qgis_iface)
    d.set_inputs(**{**demo_inputs(demo), "output": tmp_path / "run"})
    task = d.start()
    assert task is not None and not d.run_button.isEnabled()
    deadline = time.time() + 300
    while d.task is not None and time.time() < deadline:
        QgsApplication.processEvents()
        time.sleep(0.05)
    assert d.task is None and d.error is None, d.error
    assert opened == [str(tmp_path / "run" / "report.html")]
    assert _history_has("smfusion:pipeline", str(tmp_path / "run"))     # run through Processing, in its history
    top = project.layerTreeRoot().children()[0]
    assert top.name().startswith("SM Fusion run")
    nodes = {n.name(): n for n in top.children()}
    assert {"calibrated SSM", "calibrated RZSM", "downscaled SSM", "downscaled RZSM"} <= set(nodes)
    days = _days(nodes["calibrated SSM"])
    assert len(days) == 14
    assert days[0][2].begin().toString("yyyy-MM-dd") == "2021-04-01"
    assert days[-1][2].begin().toString("yyyy-MM-dd") == "2021-04-14"
    assert all(rg.end() == rg.begin().addDays(1) and not rg.includeEnd() for _, _, rg in days)
    renderer = days[0][0].renderer()
    assert renderer.classificationMin() == 0.0 and renderer.classificationMax() == 0.5
    assert project.crs().authid() == "EPSG:5179"
    span = project.timeSettings().temporalRange()
    assert span.begin().toString("yyyy-MM-dd") == "2021-04-01" and span.end().toString("yyyy-MM-dd") == "2021-04-15"
    assert nav.temporalExtents() == span and nav.totalFrameCount() == 14
    assert nav.frameDuration().days() == 1
    stations = [n.layer() for n in top.findLayers() if n.layer().type() == 0]
    assert len(stations) == 2 and stations[0].renderer().type() == "graduatedSymbol"
    assert stations[0].renderer().classAttribute() == "pcc" and len(stations[0].renderer().ranges()) == 5
    assert [x.featureCount() for x in stations] == [14, 14]
    texts = [item.text() for item in qgis_iface.messageBar().items()]
    assert not any("runs in the background" in t for t in texts), texts
    monkeypatch.setattr(pipeline_dialog.QDesktopServices, "openUrl", lambda url: False)      # no browser
    d.on_done({"output": tmp_path / "run", "report": tmp_path / "run" / "report.html", "table": ""}, None)
    texts = [item.text() for item in qgis_iface.messageBar().items()]
    assert any(f"No browser opened the report: open {tmp_path / 'run' / 'report.html'}" in t for t in texts), texts


def test_series_styles_and_temporal_properties(qgis_app, demo, project):
    from smfusion.ui.layers import add_series, style_for

    assert [style_for(v) for v in ("ssm", "rzsm", "lst_day", "ndvi", "albedo", "lai", "dem")] == [
        "soil_moisture", "soil_moisture", "lst", "ndvi", "albedo", "lai", None]
    days = _days(add_series(demo / "fine" / "lst_day", "LST", project))
    assert len(days) == 14 and all(isinstance(x, QgsRasterLayer) for x, _, _ in days)
    r = days[0][0].renderer()
    assert (r.classificationMin(), r.classificationMax()) == (270.0, 330.0)
    items = r.shader().rasterShaderFunction().colorRampItemList()
    assert len(items) == 7 and items[0].color.name() == "#313695"
    assert all(rg.end() == rg.begin().addDays(1) and not rg.includeEnd() for _, _, rg in days)
    assert [rg.begin().toString("dd") for _, _, rg in days] == [f"{k:02d}" for k in range(1, 15)]
    assert project.crs().authid() == "EPSG:5179"                     # the empty project took the series' CRS


def test_a_series_stack_lists_its_days_and_stays_out_of_the_series(qgis_app, demo, tmp_path):
    """The VRT of a series (QGIS ≥ 3.38's one-layer view; built on any version here) has a band per date,
    described by its date and equal to its file; it is hidden in the folder, so the folder is still the series."""
    import shutil

    from smfusion.core.raster import read_raster
    from smfusion.core.series import check_folder, list_series
    from smfusion.ui.layers import STACK, series_stack
    folder = tmp_path / "ndvi"
    shutil.copytree(demo / "fine" / "ndvi", folder)
    if __import__("smfusion.plugin.compat", fromlist=["x"]).FIXED_RANGE_PER_BAND is None:
        from smfusion.core.raster import write_vrt_stack
        series = list_series(folder)
        write_vrt_stack(folder / STACK.format(variable="ndvi"), series.paths, [str(x) for x in series.dates])
    else:
        series, layer = series_stack(folder)
        assert layer.isValid() and layer.bandCount() == 14
    vrt = folder / STACK.format(variable="ndvi")
    assert vrt.is_file() and str(folder) not in vrt.read_text()                # relative sources
    a, _ = read_raster(vrt, band=5)
    assert np.array_equal(a, list_series(folder).read(series.dates[4]), equal_nan=True)
    assert len(list_series(folder)) == 14 and check_folder(folder, ("series",)) is None


def test_tool_dialogs_show_the_series_widget(qgis_iface, provider, monkeypatch):
    from processing.gui.AlgorithmDialog import AlgorithmDialog
    from qgis.gui import QgsBrowserGuiModel
    from smfusion.ui.series_widget import SeriesFolderWidget, SeriesWidgetWrapper

    browser = QgsBrowserGuiModel()
    monkeypatch.setattr(qgis_iface, "browserModel", lambda: browser, raising=False)   # pytest-qgis mocks it
    alg = QgsApplication.processingRegistry().createAlgorithmById("smfusion:estarfm")
    dialog = AlgorithmDialog(alg, False, None)
    wrappers = dialog.mainWidget().wrappers
    assert isinstance(wrappers["FINE"], SeriesWidgetWrapper)
    assert isinstance(wrappers["FINE"].widget, SeriesFolderWidget)
    wrappers["FINE"].setValue("/nonexistent")
    assert wrappers["FINE"].value() == "/nonexistent" and "not found" in wrappers["FINE"].widget.label.text()
    dialog.close()


def test_batch_and_modeler_dialogs_get_processings_own_folder_widget(qgis_iface, provider):
    """The series wrapper stays out of the batch and modeler dialogs: there Processing's own (C++) folder
    widget serves, the modeler's with model inputs and step outputs."""
    from processing.gui.wrappers import WidgetWrapperFactory
    from qgis.core import QgsProcessingModelAlgorithm
    from qgis.gui import QgsAbstractProcessingParameterWidgetWrapper, QgsProcessingModelerParameterWidget
    from qgis.PyQt.QtWidgets import QDialog
    from smfusion.ui.series_widget import SeriesWidgetWrapper

    alg = QgsApplication.processingRegistry().createAlgorithmById("smfusion:estarfm")
    param = alg.parameterDefinition("FINE")

    class BatchAlgorithmDialog(QDialog):   # the dialog is told apart by its class name, as Processing does
        pass

    class ModelerParametersDialog(QDialog):
        model, childId, context = QgsProcessingModelAlgorithm(), "estarfm_1", QgsProcessingContext()  # noqa: N815

    batch = WidgetWrapperFactory.create_wrapper(param, BatchAlgorithmDialog())
    assert isinstance(batch, QgsAbstractProcessingParameterWidgetWrapper)
    assert not isinstance(batch, SeriesWidgetWrapper)
    modeler = WidgetWrapperFactory.create_wrapper(param, ModelerParametersDialog())
    assert isinstance(modeler, QgsProcessingModelerParameterWidget)


def test_series_tools_load_their_output_in_the_desktop(provider, demo, tmp_path, project, monkeypatch):
    """In the desktop (platform "desktop", main thread) a series tool adds its output, temporal (one layer with
    a band per day on QGIS ≥ 3.38, else a group of dated layers); headless it adds nothing."""
    import processing

    params = {"INPUT": str(demo / "coarse" / "ndvi"), "PRODUCT": "generic", "VARIABLE": "ndvi",
              "TARGET": str(demo / "static" / "dem.tif"), "RESAMPLING": "bilinear"}
    processing.run("smfusion:harmonise", {**params, "OUTPUT": str(tmp_path / "headless")})
    assert project.layerTreeRoot().children() == []
    monkeypatch.setattr(QgsApplication, "platform", lambda self: "desktop")
    processing.run("smfusion:harmonise", {**params, "OUTPUT": str(tmp_path / "desktop")})
    node = project.layerTreeRoot().children()[0]
    days = _days(node)
    assert node.name() == "harmonised ndvi" and len(days) == 14
    layer = days[0][0]
    assert layer.temporalProperties().isActive() and layer.renderer().classificationMax() == 0.9
