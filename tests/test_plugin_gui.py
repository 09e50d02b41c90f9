"""The plugin in the desktop: initGui with an iface adds its menu under Raster and the provider; unload removes
both."""

from qgis.core import QgsApplication


def test_init_gui_and_unload(qgis_iface, qgis_processing):
    import smfusion

    registry = QgsApplication.processingRegistry()
    existing = registry.providerById("smfusion")
    if existing is not None:                    # registered by the session fixture of other tests
        registry.removeProvider(existing)
    plugin = smfusion.classFactory(qgis_iface)
    plugin.initGui()
    try:
        assert registry.providerById("smfusion") is plugin.provider
        names = [a.objectName() for a in plugin.actions]
        assert names == ["smfusionPipeline", "smfusionShowToolbox", "smfusionDependencies"]
        assert qgis_iface.raster_menu == [("&SM Fusion", "SM Fusion…"), ("&SM Fusion", "SM Fusion tools…"),
                                          ("&SM Fusion", "Check Python packages…")]
        assert plugin.missing == []             # make setup installed lightgbm and onnxruntime
    finally:
        plugin.unload()
    assert registry.providerById("smfusion") is None and plugin.actions == [] and qgis_iface.raster_menu == []


def test_headless_init_processing_without_iface(qgis_processing):
    import smfusion

    registry = QgsApplication.processingRegistry()
    existing = registry.providerById("smfusion")
    if existing is not None:
        registry.removeProvider(existing)
    plugin = smfusion.classFactory(None)
    plugin.initProcessing()
    assert registry.providerById("smfusion").algorithm("demodata") is not None
    plugin.unload()
    assert registry.providerById("smfusion") is None
