"""The QGIS plugin class and its dependency check."""
