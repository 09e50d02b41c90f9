"""One table of driver names (core/variables.py): aliases across case and products, and the predictors and
demo regions that use it."""

import numpy as np
import pytest
from smfusion.core import variables as V  # noqa: N812 - short module name
from smfusion.core.errors import SMFusionError


@pytest.mark.parametrize("name,want", [("LST", "lst_day"), ("lst", "lst_day"), ("lst_day", "lst_day"),
                                       ("LST_Day_1km", "lst_day"), ("LST_Night_1km", "lst_night"),
                                       ("NDVI", "ndvi"), ("1 km 16 days EVI", "evi"), ("Elevation", "dem"),
                                       ("Albedo_WSA_shortwave", "albedo"), ("soil_ph", "soil_ph")])
def test_names_map_to_one_canonical_name(name, want):
    assert V.canonical(name) == want


def test_units_follow_the_canonical_name():
    assert V.unit("LST_Day_1km") == "K" and V.unit("lst_aqua") == "K" and V.unit("NDVI") == "1"
    assert V.unit("soil_ph") == ""


def test_predictors_take_canonical_names_and_refuse_two_of_one(tmp_path):
    from smfusion.core.predictors import Predictors
    from smfusion.core.raster import Grid, write_raster
    grid = Grid.from_bounds("EPSG:5179", 0, 0, 20_000, 20_000, 1000)
    a = np.ones(grid.shape, "float32")
    for var in ("LST", "NDVI"):
        write_raster(tmp_path / "p" / var / f"{var}_20210401.tif", a, grid)
    write_raster(tmp_path / "p" / "static" / "Elevation.tif", a, grid)
    preds = Predictors(tmp_path / "p")
    assert preds.names == ["dem", "lst_day", "ndvi"]
    assert preds.renamed == {"LST": "lst_day", "NDVI": "ndvi", "Elevation": "dem"}
    write_raster(tmp_path / "p" / "lst_day" / "lst_day_20210401.tif", a, grid)
    with pytest.raises(SMFusionError, match=r"a second series of lst_day"):
        Predictors(tmp_path / "p")


@pytest.mark.slow
def test_a_demo_region_with_other_drivers_and_names(tmp_path):
    from smfusion.core.demo import DemoConfig, make_demo
    make_demo(tmp_path, DemoConfig(width=24, height=24, days=2, stations=2, drivers=("LST", "NDVI")))
    assert sorted(p.name for p in (tmp_path / "fine").iterdir()) == ["LST", "NDVI"]
    assert sorted(p.name for p in (tmp_path / "coarse" / "LST").iterdir())[0] == "LST_20210401.tif"
    with pytest.raises(SMFusionError, match="DRIVERS must name one or more of ndvi, lst_day, albedo"):
        make_demo(tmp_path / "x", DemoConfig(width=24, height=24, days=2, stations=2, drivers=("LST", "lst_day")))
