"""Load algorithm outputs into the project on completion, styled (a layer post-processor per layer)."""

from qgis.core import (
    QgsColorRampShader,
    QgsGradientColorRamp,
    QgsGradientStop,
    QgsMarkerSymbol,
    QgsProcessingContext,
    QgsProcessingLayerPostProcessorInterface,
    QgsRasterBandStats,
    QgsRasterLayer,
    QgsRasterShader,
    QgsSingleBandPseudoColorRenderer,
    QgsSingleSymbolRenderer,
    QgsVectorLayer,
)
from qgis.PyQt.QtGui import QColor

# Post-processors must outlive processAlgorithm (QGIS keeps only a raw pointer to them).
_KEEP = []

_RAMPS = {
    "dem": ["#1a9850", "#a6d96a", "#fee08b", "#d8b365", "#8c510a", "#f5f5f5"],
    "soil_moisture": ["#8c510a", "#d8b365", "#f6e8c3", "#c7eae5", "#5ab4ac", "#01665e"],
}


def _ramp(colours):
    stops = [(i / (len(colours) - 1), QColor(c)) for i, c in enumerate(colours)]
    return QgsGradientColorRamp(stops[0][1], stops[-1][1], False,
                                [QgsGradientStop(p, c) for p, c in stops[1:-1]])


def style_pseudocolor(layer, ramp, vmin=None, vmax=None):
    """Continuous colour ramp on band 1, from vmin to vmax (the band's min/max when None)."""
    if vmin is None or vmax is None:
        stats = layer.dataProvider().bandStatistics(1, QgsRasterBandStats.Min | QgsRasterBandStats.Max)
        vmin, vmax = stats.minimumValue, stats.maximumValue
    shader_fn = QgsColorRampShader(vmin, vmax, _ramp(_RAMPS[ramp]), QgsColorRampShader.Interpolated)
    shader_fn.classifyColorRamp(len(_RAMPS[ramp]), -1)
    shader = QgsRasterShader()
    shader.setRasterShaderFunction(shader_fn)
    renderer = QgsSingleBandPseudoColorRenderer(layer.dataProvider(), 1, shader)
    renderer.setClassificationMin(vmin)
    renderer.setClassificationMax(vmax)
    layer.setRenderer(renderer)
    layer.triggerRepaint()


def style_stations(layer):
    symbol = QgsMarkerSymbol.createSimple({"name": "triangle", "color": "#d7301f", "outline_color": "#000000",
                                           "size": "3"})
    layer.setRenderer(QgsSingleSymbolRenderer(symbol))
    layer.triggerRepaint()


STYLES = {
    "dem": lambda layer: style_pseudocolor(layer, "dem"),
    "soil_moisture": lambda layer: style_pseudocolor(layer, "soil_moisture", 0.0, 0.5),
    "stations": style_stations,
}


class _Styler(QgsProcessingLayerPostProcessorInterface):
    def __init__(self, style):
        super().__init__()
        self.style = style

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802 - QGIS API name
        if isinstance(layer, (QgsRasterLayer, QgsVectorLayer)) and layer.isValid():
            STYLES[self.style](layer)


def load_on_completion(context, source, name, style):
    """Ask Processing to add ``source`` to the project when the algorithm finishes, styled."""
    details = QgsProcessingContext.LayerDetails(name, context.project(), name)
    styler = _Styler(style)
    _KEEP.append(styler)
    details.setPostProcessor(styler)
    context.addLayerToLoadOnCompletion(source, details)
