"""Load algorithm outputs into the project on completion, styled (a layer post-processor per layer).
The styles themselves live in ui/layers.py and ui/styles/*.qml."""

from qgis.core import (
    QgsProcessingContext,
    QgsProcessingLayerPostProcessorInterface,
    QgsRasterLayer,
    QgsVectorLayer,
)

# Post-processors must outlive processAlgorithm (QGIS keeps only a raw pointer to them).
_KEEP = []


class _Styler(QgsProcessingLayerPostProcessorInterface):
    def __init__(self, style):
        super().__init__()
        self.style = style

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802 - QGIS API name
        from ..ui import layers
        if isinstance(layer, QgsVectorLayer) and layer.isValid():
            layers.style_stations(layer)
        elif isinstance(layer, QgsRasterLayer) and layer.isValid():
            layers.apply_style(layer, self.style)


def load_on_completion(context, source, name, style):
    """Ask Processing to add ``source`` to the project when the algorithm finishes, styled (``style``: a
    QML name of ui/styles, ``dem``, or ``stations``)."""
    details = QgsProcessingContext.LayerDetails(name, context.project(), name)
    styler = _Styler(style)
    _KEEP.append(styler)
    details.setPostProcessor(styler)
    context.addLayerToLoadOnCompletion(source, details)
