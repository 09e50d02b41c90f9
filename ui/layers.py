"""Results into the QGIS project, styled: a series as one raster layer whose bands are its days (QGIS ≥ 3.38:
a VRT stack with a fixed time range per band), or before 3.38 as a group of one layer per date; the Temporal
Controller steps through the days. Soil moisture and drivers take the QMLs in ui/styles/ (soil moisture on a
fixed 0–0.5 m³/m³ ramp); stations are points coloured by their PCC. An empty project takes the outputs' CRS.
"""

import datetime as dt
from pathlib import Path

from qgis.core import (
    Qgis,
    QgsColorRampShader,
    QgsDateTimeRange,
    QgsGradientColorRamp,
    QgsGradientStop,
    QgsGraduatedSymbolRenderer,
    QgsInterval,
    QgsMarkerSymbol,
    QgsProject,
    QgsRasterLayer,
    QgsRasterShader,
    QgsRendererRange,
    QgsSingleBandPseudoColorRenderer,
    QgsSingleSymbolRenderer,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QDate, QDateTime, QTime
from qgis.PyQt.QtGui import QColor

from ..plugin import compat

STYLES_DIR = Path(__file__).resolve().parent / "styles"
DEM_RAMP = ["#1a9850", "#a6d96a", "#fee08b", "#d8b365", "#8c510a", "#f5f5f5"]
# PCC classes of the station layer: (low, high, colour)
PCC_CLASSES = ((-1.0, 0.5, "#d7191c"), (0.5, 0.7, "#fdae61"), (0.7, 0.8, "#ffffbf"), (0.8, 0.9, "#a6d96a"),
               (0.9, 1.0, "#1a9641"))


def style_for(variable):
    """The QML style name of a variable (``ssm``, ``rzsm`` → soil_moisture; ``lst_day`` → lst…), or None."""
    v = (variable or "").lower()
    for prefix, style in (("ssm", "soil_moisture"), ("rzsm", "soil_moisture"), ("sm", "soil_moisture"),
                          ("ndvi", "ndvi"), ("evi", "ndvi"), ("lst", "lst"), ("albedo", "albedo"),
                          ("lai", "lai"), ("fapar", "lai")):
        if v.startswith(prefix):
            return style
    return None


def style_pseudocolor(layer, colours=DEM_RAMP):
    """A continuous ramp from the band's minimum to its maximum (DEM and variables without a QML)."""
    stats = layer.dataProvider().bandStatistics(1, compat.STAT_MIN | compat.STAT_MAX)
    stops = [(i / (len(colours) - 1), QColor(c)) for i, c in enumerate(colours)]
    ramp = QgsGradientColorRamp(stops[0][1], stops[-1][1], False, [QgsGradientStop(p, c) for p, c in stops[1:-1]])
    fn = QgsColorRampShader(stats.minimumValue, stats.maximumValue, ramp, compat.RAMP_LINEAR)
    fn.classifyColorRamp(len(colours), -1)
    shader = QgsRasterShader()
    shader.setRasterShaderFunction(fn)
    renderer = QgsSingleBandPseudoColorRenderer(layer.dataProvider(), 1, shader)
    renderer.setClassificationMin(stats.minimumValue)
    renderer.setClassificationMax(stats.maximumValue)
    layer.setRenderer(renderer)


def apply_style(layer, style):
    """Style a raster layer: ``style`` is a QML name in ui/styles (soil_moisture, ndvi, lst, albedo, lai),
    ``dem``, or None (min–max ramp). Returns the name applied."""
    qml = STYLES_DIR / f"{style}.qml" if style else None
    if qml is not None and qml.is_file():
        _, ok = layer.loadNamedStyle(str(qml))
        if ok:
            layer.triggerRepaint()
            return style
    style_pseudocolor(layer)
    layer.triggerRepaint()
    return "minmax"


def day_range(date):
    """[date 00:00, next day 00:00) as a QgsDateTimeRange."""
    start = QDateTime(QDate(date.year, date.month, date.day), QTime(0, 0, 0))
    return QgsDateTimeRange(start, start.addDays(1), True, False)


def series_layers(folder, style=None):
    """One styled raster layer per date of the series in ``folder``, each active on its day only."""
    from ..core.series import list_series
    series = list_series(folder, check_grid=False)
    style = style or style_for(series.variable)
    layers = []
    for date, path in series:
        layer = QgsRasterLayer(str(path), f"{series.variable} {date:%Y-%m-%d}")
        if not layer.isValid():
            continue
        apply_style(layer, style)
        props = layer.temporalProperties()
        props.setMode(Qgis.RasterTemporalMode.FixedTemporalRange)
        props.setFixedTemporalRange(day_range(date))
        props.setIsActive(True)
        layers.append(layer)
    return series, layers


STACK = ".{variable}_series.vrt"        # the VRT of a series, in its folder: hidden, so listings and checks skip it


def series_stack(folder, style=None):
    """(series, layer): the series in ``folder`` as one styled raster layer, a VRT with one band per date
    (QGIS ≥ 3.38), each band active on its day."""
    from ..core.raster import write_vrt_stack
    from ..core.series import list_series
    series = list_series(folder, check_grid=False)
    vrt = write_vrt_stack(Path(folder) / STACK.format(variable=series.variable), series.paths,
                          [f"{date:%Y-%m-%d}" for date in series.dates])
    layer = QgsRasterLayer(str(vrt), f"{series.variable} ({series.start:%Y-%m-%d} … {series.end:%Y-%m-%d})")
    apply_style(layer, style or style_for(series.variable))
    props = layer.temporalProperties()
    props.setMode(compat.FIXED_RANGE_PER_BAND)
    props.setFixedRangePerBand({band: day_range(date) for band, date in enumerate(series.dates, start=1)})
    props.setIsActive(True)
    return series, layer


def add_series(folder, name=None, project=None, parent=None, style=None):
    """Add the series in ``folder`` under ``name``: one layer with a band per day (QGIS ≥ 3.38), else a
    collapsed group of dated layers, every one checked (the Temporal Controller draws the checked layers of
    the current day). The project's time range widens to cover it, and an empty project takes its CRS.
    Returns the layer tree node (the layer, or the group)."""
    project = project or QgsProject.instance()
    root = parent or project.layerTreeRoot()
    empty = not project.mapLayers()
    if compat.FIXED_RANGE_PER_BAND is not None:
        series, layer = series_stack(folder, style)
        layers = [layer] if layer.isValid() else []
        if name:
            layer.setName(name)
        project.addMapLayer(layer, False)
        node = root.insertLayer(0, layer)
    else:
        series, layers = series_layers(folder, style)
        node = root.insertGroup(0, name or f"{series.variable} ({series.start:%Y-%m-%d} … {series.end:%Y-%m-%d})")
        for layer in layers:
            project.addMapLayer(layer, False)
            node.addLayer(layer)
        node.setExpanded(False)
    if empty and layers:
        project.setCrs(layers[0].crs())
    extend_time_range(project, series.start, series.end)
    return node


def frame_days(canvas, project=None):
    """Point the Temporal Controller of ``canvas`` (the desktop's) at the project's time range, one day per
    frame, animated from the first day. Does nothing where the canvas has no navigation object."""
    project = project or QgsProject.instance()
    nav = canvas.temporalController() if canvas is not None else None
    span = project.timeSettings().temporalRange()
    if not hasattr(nav, "setTemporalExtents") or not span.begin().isValid():
        return False
    nav.setTemporalExtents(span)
    nav.setFrameDuration(QgsInterval(1, compat.TEMPORAL_DAYS))
    nav.setNavigationMode(compat.TEMPORAL_ANIMATED)
    nav.setCurrentFrameNumber(0)
    return True


def extend_time_range(project, start, end):
    """Make the project's temporal range hold start … end (days, end inclusive)."""
    settings = project.timeSettings()
    wanted = QgsDateTimeRange(day_range(start).begin(), day_range(end).end())
    current = settings.temporalRange()
    if current.begin().isValid() and current.end().isValid():
        wanted = QgsDateTimeRange(min(current.begin(), wanted.begin()), max(current.end(), wanted.end()))
    settings.setTemporalRange(wanted)


def style_stations(layer, field="pcc"):
    """Points coloured by their PCC (``field``) in five classes; a plain triangle when there is no such field."""
    if layer.fields().indexOf(field) < 0:
        symbol = QgsMarkerSymbol.createSimple({"name": "triangle", "color": "#d7301f", "outline_color": "#000000",
                                               "size": "3"})
        layer.setRenderer(QgsSingleSymbolRenderer(symbol))
    else:
        ranges = []
        for low, high, colour in PCC_CLASSES:
            symbol = QgsMarkerSymbol.createSimple({"name": "circle", "color": colour, "outline_color": "#000000",
                                                   "size": "3.2"})
            ranges.append(QgsRendererRange(low, high, symbol, f"PCC {max(low, 0):.1f} – {high:.1f}"))
        layer.setRenderer(QgsGraduatedSymbolRenderer(field, ranges))
    layer.triggerRepaint()


def add_station_metrics(gpkg, series="calibrated", layer="ssm", project=None, parent=None):
    """The stations of a metrics GeoPackage (smfusion:evaluate, the pipeline's metrics.gpkg) as points
    coloured by their PCC for one series and layer. Returns the layer."""
    from ..core.evaluate import MEDIAN, POOLED
    project = project or QgsProject.instance()
    subset = (f"\"series\" = '{series}' AND \"layer\" = '{layer}' AND "
              f"\"station_id\" NOT IN ('{POOLED}', '{MEDIAN}')")
    # the filter in the URI: with setSubsetString, two filtered layers of one GeoPackage opened before either
    # was counted made OGR fail ("unable to open database file") and the first report -1 features
    vl = QgsVectorLayer(f"{gpkg}|layername=metrics|subset={subset}", f"Stations: PCC of {series} {layer}", "ogr")
    style_stations(vl)
    project.addMapLayer(vl, False)
    (parent or project.layerTreeRoot()).insertLayer(0, vl)
    return vl


def add_pipeline_outputs(output, project=None):
    """The pipeline's results: calibrated and downscaled SSM/RZSM as temporal groups, and the stations
    coloured by their PCC, in one group ``SM Fusion <folder name>``. Returns the group."""
    from ..core.pipeline import Layout
    from ..core.variables import LAYERS
    project = project or QgsProject.instance()
    lay = Layout(Path(output))
    top = project.layerTreeRoot().insertGroup(0, f"SM Fusion {lay.root.name} ({dt.date.today():%Y-%m-%d})")
    for stage in ("downscaled", "calibrated"):
        for layer in reversed(LAYERS):                  # SSM ends on top
            folder = lay.series(stage, layer)
            if folder.is_dir() and any(folder.glob("*.tif")):
                add_series(folder, f"{stage} {layer.upper()}", project, top)
    if lay.metrics_gpkg.is_file():
        for layer in reversed(LAYERS):
            add_station_metrics(lay.metrics_gpkg, "calibrated", layer, project, top)
    return top
