"""SM Fusion numerical engine.

Plain Python (numpy, GDAL, LightGBM, ONNX Runtime); no qgis import anywhere in this package, so every
function here can be used and tested outside QGIS. Processing algorithms call into it with two callbacks,
``progress(fraction, message)`` and ``is_cancelled()`` (see :mod:`.progress`).
"""

__version__ = "0.3.0"       # the same as metadata.txt (tests/test_packaging.py)
