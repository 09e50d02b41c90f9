"""The provider registers, and every algorithm is complete: id, group, help for every parameter."""

import re

import pytest
from qgis.core import QgsApplication, QgsProcessingException, QgsProcessingFeedback
from smfusion.processing_provider.base import GROUPS
from smfusion.processing_provider.provider import ALGORITHMS


def test_provider_registers(provider):
    reg = QgsApplication.processingRegistry()
    assert reg.providerById("smfusion") is provider
    assert provider.name() == "SM Fusion"
    ids = sorted(a.id() for a in provider.algorithms())
    assert ids == sorted([f"smfusion:{cls.NAME}" for cls in ALGORITHMS] + ["smfusion:pipeline_model"])
    assert "smfusion:demodata" in ids


def test_the_model_is_registered_and_complete(provider):
    """The shipped .model3: its steps, in order, and help for every input."""
    model = QgsApplication.processingRegistry().algorithmById("smfusion:pipeline_model")
    assert model.group() == "Pipeline" and model.groupId() == GROUPS["Pipeline"]
    assert model.displayName() == "Run the whole pipeline (graphical model)"          # not its id
    copy = QgsApplication.processingRegistry().createAlgorithmById("smfusion:pipeline_model")
    assert copy.displayName() == model.displayName() and copy.id() == "smfusion:pipeline_model"
    children = model.childAlgorithms()
    assert sorted(c.algorithmId() for c in children.values()) == sorted(
        ["smfusion:estarfm"] * 3 + ["smfusion:harmonise", "smfusion:downscale", "smfusion:calibratetrain",
                                    "smfusion:calibrate"] * 2 + ["smfusion:evaluate"])
    assert model.dependsOnChildAlgorithms("evaluate") >= {"calibrate_ssm", "calibrate_rzsm", "estarfm_ndvi"}
    assert model.dependsOnChildAlgorithms("downscale_ssm") == {"estarfm_ndvi", "estarfm_lst_day", "estarfm_albedo"}
    inputs = [p.name() for p in model.parameterDefinitions() if not p.isDestination()]
    assert sorted(inputs) == sorted(["FINE", "COARSE", "SSM", "RZSM", "STATIC", "GRID", "STATIONS", "HOLDOUT", "SEED"])
    help_text = model.shortHelpString()
    for p in model.parameterDefinitions():
        if not p.isDestination():
            assert f"<h3>{p.description()}</h3>" in help_text
    ok, issues = model.create().validate()           # children attach to the registered tools
    assert ok, issues


@pytest.mark.parametrize("cls", ALGORITHMS, ids=lambda c: c.NAME)
def test_algorithm_is_complete(provider, cls):
    alg = QgsApplication.processingRegistry().algorithmById(f"smfusion:{cls.NAME}")
    assert alg is not None
    assert re.fullmatch(r"[a-z]+", alg.name())
    assert alg.displayName() and alg.group() in GROUPS and alg.groupId() == GROUPS[alg.group()]
    help_text = alg.shortHelpString()
    assert len(help_text) > 200 and "qgis_process run smfusion:" + alg.name() in help_text
    params = [p.name() for p in alg.parameterDefinitions()]
    assert params and set(params) == set(cls.PARAM_HELP), "every parameter, and only those, has help"
    for p in alg.parameterDefinitions():
        assert p.description(), p.name()
        assert f"<b>{p.name()}</b>" in help_text
    assert alg.outputDefinitions()


def test_demodata_runs_in_process(provider, tmp_path):
    import processing

    out = processing.run("smfusion:demodata", {"OUTPUT": str(tmp_path), "WIDTH": 30, "HEIGHT": 25, "DAYS": 5,
                                               "STATIONS": 4, "START": "2021-07-01"},
                         feedback=QgsProcessingFeedback())
    assert out["OUTPUT"] == str(tmp_path)
    assert sorted(p.name for p in (tmp_path / "truth" / "ssm").iterdir()) == [
        f"ssm_2021070{d}.tif" for d in range(1, 6)]
    assert out["DEM"].endswith("static/dem.tif")
    assert out["STATIONS_LAYER"].endswith("stations.gpkg|layername=stations")


def test_bad_parameters_raise_processing_exceptions(provider, tmp_path):
    import processing

    with pytest.raises(QgsProcessingException):
        processing.run("smfusion:demodata", {"OUTPUT": str(tmp_path), "WIDTH": 5})
    with pytest.raises(QgsProcessingException, match="stations do not fit"):
        processing.run("smfusion:demodata", {"OUTPUT": str(tmp_path), "WIDTH": 20, "HEIGHT": 20,
                                             "STATIONS": 500, "DAYS": 2})


@pytest.mark.slow
def test_estarfm_runs_in_process(provider, tmp_path):
    import processing

    processing.run("smfusion:demodata", {"OUTPUT": str(tmp_path / "demo"), "WIDTH": 40, "HEIGHT": 30,
                                         "DAYS": 20, "STATIONS": 3, "CLOUD_COVER": 0.3},
                   feedback=QgsProcessingFeedback())
    out = processing.run("smfusion:estarfm", {
        "FINE": str(tmp_path / "demo" / "fine" / "albedo"), "COARSE": str(tmp_path / "demo" / "coarse" / "albedo"),
        "MODE": "fill", "WINDOW": 9, "METHOD": "ubestarfm", "START": "2021-04-03", "END": "2021-04-12",
        "OUTPUT": str(tmp_path / "fused")}, feedback=QgsProcessingFeedback())
    assert out["FILES"] == 10 and out["PAIRS"].startswith("2021-04-0")
    assert sorted(p.name for p in (tmp_path / "fused").iterdir())[0] == "albedo_20210403.tif"
    with pytest.raises(QgsProcessingException, match="WINDOW must be an odd"):
        processing.run("smfusion:estarfm", {"FINE": str(tmp_path / "demo" / "fine" / "albedo"),
                                            "COARSE": str(tmp_path / "demo" / "coarse" / "albedo"),
                                            "WINDOW": 8, "OUTPUT": str(tmp_path / "bad")})


def test_folders_are_checked_before_the_run(provider, tmp_path):
    """checkParameterValues: a folder of the wrong kind, or a broken series, stops the tool before it runs,
    with a message that names the parameter, the folder and what it should be."""
    import processing
    from smfusion.core.demo import DemoConfig, make_demo

    make_demo(tmp_path / "demo", DemoConfig(width=30, height=25, days=3, stations=3))
    demo = tmp_path / "demo"
    with pytest.raises(QgsProcessingException, match=r"Fine driver series \(folder of folders\): .*fine/ndvi: expected "
                                                     r"a folder of series sub-folders"):
        processing.run("smfusion:pipeline", {"FINE": str(demo / "fine" / "ndvi"), "COARSE": str(demo / "coarse"),
                                             "SSM": str(demo / "gleam" / "ssm"), "STATIC": str(demo / "static"),
                                             "STATIONS": str(demo / "stations" / "stations.gpkg"),
                                             "OUTPUT": str(tmp_path / "run")})
    (demo / "fine" / "ndvi" / "ndvi_notes.tif").write_bytes((demo / "fine" / "ndvi" / "ndvi_20210401.tif")
                                                            .read_bytes())
    with pytest.raises(QgsProcessingException, match="no date in the name of ndvi_notes.tif"):
        processing.run("smfusion:estarfm", {"FINE": str(demo / "fine" / "ndvi"),
                                            "COARSE": str(demo / "coarse" / "ndvi"), "OUTPUT": str(tmp_path / "fused")})


@pytest.mark.parametrize("name,value,message", [
    ("WINDOW", 0, r"Window size \(px, odd\) \(WINDOW\) must be a whole number from 3 to 401 \(got 0\)"),
    ("WINDOW", -5, r"\(WINDOW\) must be a whole number from 3 to 401 \(got -5\)"),
    ("WINDOW", 100001, r"\(WINDOW\) must be a whole number from 3 to 401 \(got 100001\)"),
    ("WINDOW", "wide", r"\(WINDOW\): 'wide' is not a number"),
    ("SIGMA_BLOCK", -1, r"\(SIGMA_BLOCK\) must be a whole number of at least 0 \(got -1\)"),
    ("MAX_EMPTY", 1.5, r"\(MAX_EMPTY\) must be a number from 0 to 1 \(got 1.5\)"),
    ("START", "2021-13-45", r"Start date \(START\): '2021-13-45' is not a date \(use YYYY-MM-DD\)"),
])
def test_out_of_range_values_say_what_is_allowed(provider, tmp_path, name, value, message):
    """Processing's own check says only "Incorrect parameter value": the tools name the range or the format."""
    import processing
    from qgis.core import QgsProcessingException
    params = {"FINE": str(tmp_path), "COARSE": str(tmp_path), "OUTPUT": str(tmp_path / "out"), name: value}
    with pytest.raises(QgsProcessingException, match=message):
        processing.run("smfusion:estarfm", params)


def test_every_choice_list_is_the_engines(provider):
    """Each enum parameter offers exactly the choices that the engine accepts (one home: core/)."""
    from smfusion.core import calibrate, cnn, downscale, estarfm_options, evaluate, harmonise, products, variables
    expected = {
        ("harmonise", "PRODUCT"): products.PRODUCTS, ("harmonise", "QC"): products.QC_OPTIONS,
        ("harmonise", "RESAMPLING"): harmonise.RESAMPLINGS,
        ("estarfm", "MODE"): estarfm_options.MODES, ("estarfm", "METHOD"): estarfm_options.METHODS,
        ("estarfm", "CONVERSION"): estarfm_options.CONVERSIONS, ("estarfm", "RESAMPLING"): estarfm_options.RESAMPLINGS,
        ("estarfmdate", "METHOD"): estarfm_options.METHODS, ("estarfmdate", "RESAMPLING"): estarfm_options.RESAMPLINGS,
        ("downscale", "LAYER"): variables.LAYERS, ("downscale", "SCHEME"): downscale.SCHEMES,
        ("downscale", "RESIDUAL"): downscale.RESIDUALS, ("evaluate", "SAMPLING"): evaluate.SAMPLINGS,
        ("calibratetrain", "LAYER"): variables.LAYERS, ("calibratetrain", "MODE"): calibrate.TRAIN_MODES,
        ("calibrate", "LAYER"): variables.LAYERS, ("calibrate", "METHOD"): calibrate.METHODS,
        ("calibrate", "DEVICE"): cnn.DEVICES,
    }
    seen = set()
    for alg in provider.algorithms():
        for param in alg.parameterDefinitions():
            if param.type() == "enum":
                key = (alg.name(), param.name())
                seen.add(key)
                if key in expected:
                    assert tuple(param.options()) == tuple(expected[key]), key
    assert set(expected) <= seen
