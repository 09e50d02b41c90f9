"""A series folder → one CF-1.8 NetCDF cube (time, y, x): the format in which GLEAM and ESA CCI deliver soil
moisture, for users who work in xarray, Panoply or GDAL's multidimensional API.

The variable keeps the series' name (``ssm``, ``rzsm_p90``, ``ndvi``…); ``time`` counts days since
1970-01-01 (the series' dates, at 00:00); x/y (lon/lat on a geographic grid) are the pixel centres; the CRS is
the grid mapping; missing values are :data:`~.raster.NC_FILL`. The values are the GeoTIFFs' float32 values.
"""

import datetime as dt
from pathlib import Path

from .progress import Progress
from .raster import write_netcdf_cube
from .series import list_series
from .variables import LAYER_DEPTHS, unit

EPOCH = dt.date(1970, 1, 1)
TIME_UNITS = "days since 1970-01-01 00:00:00"
SM_STANDARD_NAME = "volume_fraction_of_condensed_water_in_soil"     # CF standard name table


def variable_attributes(name):
    """CF attributes of a series variable: ``units``, ``long_name`` and, for soil moisture, its
    ``standard_name``, the layer's depths and, for ``<layer>_p10``/``_p90``, the percentile."""
    layer, _, tag = name.partition("_")
    if layer in LAYER_DEPTHS:
        top, bottom = LAYER_DEPTHS[layer]
        what = {"ssm": "surface", "rzsm": "root-zone"}[layer]
        long_name = f"{what} soil moisture, {100 * top:g}-{100 * bottom:g} cm"
        if tag in ("p10", "p90"):
            long_name = f"{tag[1:]}th percentile of the {long_name}"
        return {"standard_name": SM_STANDARD_NAME, "long_name": long_name, "units": "m3 m-3",
                "layer_top_m": top, "layer_bottom_m": bottom}
    return {"long_name": name, "units": unit(name) or "1"}


def export_netcdf(folder, output, start=None, end=None, progress=None, is_cancelled=None):
    """Write the series in ``folder`` (``<var>_YYYYMMDD.tif``, one grid; START…END inclusive) as the CF-1.8
    NetCDF-4 file ``output``; returns its path. Nothing is left at ``output`` unless the whole cube was
    written (cancel included)."""
    from . import __version__
    prog = Progress.of(progress, is_cancelled)
    series = list_series(folder, start, end)
    name = series.variable
    prog.info(f"Export {name}: {len(series)} date(s), {series.start} … {series.end}, "
              f"{series.grid.width}×{series.grid.height} px → {output}")

    def read(k):
        prog.check()
        return series.read(series.dates[k])

    global_attrs = {"title": f"SM Fusion: daily {variable_attributes(name)['long_name']}",
                    "source": f"SM Fusion {__version__} (QGIS plugin): ESTARFM fusion, LightGBM downscaling, "
                              "CNN calibration",
                    "history": f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%dT%H:%M:%SZ} smfusion:export of "
                               f"{Path(folder).name}"}
    write_netcdf_cube(output, series.grid, [(d - EPOCH).days for d in series.dates], read, name,
                      variable_attributes(name), global_attrs, TIME_UNITS,
                      progress=lambda k: prog.update((k + 1) / len(series)))
    prog.info(f"Wrote {output}")
    return Path(output)
