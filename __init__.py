"""SM Fusion: daily 1-km surface and root-zone soil moisture from satellite, reanalysis and stations.

QGIS loads this package and calls :func:`classFactory`; everything else is imported lazily from there.
"""


def classFactory(iface):  # noqa: N802 - the name QGIS calls
    from .plugin import i18n
    from .plugin.plugin import SMFusionPlugin

    i18n.install()                               # QGIS's language, where SM Fusion ships a translation

    return SMFusionPlugin(iface)
