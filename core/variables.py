"""The names of the variables: the soil-moisture layers and their depths, one table of aliases of the drivers and
static layers, and one of units.

A region's files are named as their products name them (``LST_Day_1km``, ``NDVI``, ``elevation``…); the
models know one canonical name per variable. :func:`canonical` maps a name, compared in lower case with
every run of other characters than letters and digits read as ``_``; a name that is in no alias list is
kept as written (LightGBM uses it; the CNN does not know it).
"""

import re

LAYERS = ("ssm", "rzsm")                                  # the soil-moisture layers, surface first
LAYER_DEPTHS = {"ssm": (0.0, 0.10), "rzsm": (0.10, 1.00)}   # m below the surface: top, bottom

ALIASES = {
    "lst_day": ("lst", "lst_day", "lst_day_1km", "lstd", "lst_d", "lst_daytime", "land_surface_temperature"),
    "lst_night": ("lst_night", "lst_night_1km", "lstn", "lst_n", "lst_nighttime"),
    "ndvi": ("ndvi", "1_km_16_days_ndvi", "250m_16_days_ndvi", "500m_16_days_ndvi", "1_km_monthly_ndvi"),
    "evi": ("evi", "1_km_16_days_evi", "250m_16_days_evi", "500m_16_days_evi", "1_km_monthly_evi"),
    "albedo": ("albedo", "abd", "bsa", "wsa", "albedo_bsa", "albedo_wsa", "black_sky_albedo", "white_sky_albedo",
               "albedo_bsa_shortwave", "albedo_wsa_shortwave", "broadband_albedo"),
    "lai": ("lai", "lai_500m", "lai_1km", "leaf_area_index"),
    "fapar": ("fapar", "fpar", "fpar_500m", "fpar_1km"),
    "dem": ("dem", "elevation", "elev", "srtm", "altitude", "gmted"),
    "slope": ("slope", "slope_deg", "slope_degree"),
    "clay": ("clay", "clay_fraction", "clay_content"),
    "sand": ("sand", "sand_fraction", "sand_content"),
    "silt": ("silt", "silt_fraction", "silt_content"),
    "porosity": ("porosity", "theta_s", "thetas", "saturated_water_content", "wcsat"),
    "landcover": ("landcover", "land_cover", "lc", "lulc", "lc_type1", "lccs"),
}

_LOOKUP = {alias: name for name, aliases in ALIASES.items() for alias in aliases}

UNITS = {"ndvi": "1", "evi": "1", "albedo": "1", "lai": "m2/m2", "fapar": "1", "lst_day": "K", "lst_night": "K",
         "dem": "m", "slope": "degree", "clay": "fraction", "sand": "fraction", "silt": "fraction",
         "porosity": "m3/m3", "landcover": "class", "doy_sin": "1", "doy_cos": "1"}


def _key(name):
    return re.sub(r"[^0-9a-z]+", "_", str(name).strip().lower()).strip("_")


def canonical(name):
    """The canonical name of ``name`` (``LST_Day_1km`` → ``lst_day``), or ``name`` itself when unknown."""
    return _LOOKUP.get(_key(name), name)


def unit(name):
    """The unit of a variable ('' when unknown; any LST is in K)."""
    name = canonical(name)
    return "K" if name not in UNITS and _key(name).startswith("lst") else UNITS.get(name, "")
