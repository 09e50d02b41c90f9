"""The metadata of SM Fusion's CNN models: one JSON document in the ONNX ``metadata_props`` under the key
:data:`KEY` (DESIGN.md). This module is the only place that names its fields.

Fields: ``inputs`` (plane names in channel order), ``mean``/``std`` (per-plane normalisation),
``receptive_field`` (px; the tile halo is half of it), ``layer`` (ssm/rzsm), ``outputs`` (the output names:
the correction, then the penultimate features), ``training`` (data summary), ``validation`` (metrics),
``holdout`` (station ids never trained on), ``memory`` (days of the correction's memory, core/memory.py;
absent = 0), ``gain`` (g of calibrated = sm + g·sm + correction; absent = 0), ``optional`` (input planes a
region may lack: each has a presence plane ``has_<name>`` among the inputs, 1 where the region has the plane and
0 where it does not, and the plane itself is then fed as its mean), ``version`` (the model's own, set by
models/train_cnn.py), ``smfusion_version`` (the SM Fusion version that wrote the metadata, core/__init__.py),
``format`` (:data:`FORMAT_VERSION`).
"""

import json
from pathlib import Path

from .errors import SMFusionError
from .variables import LAYERS

KEY = "smfusion"
FORMAT_VERSION = 1
REQUIRED = ("inputs", "mean", "std", "receptive_field", "layer", "outputs")
OUTPUT_CORRECTION, OUTPUT_FEATURES, INPUT = "correction", "features", "planes"
PRESENCE = "has_"


def presence(name):
    """The name of the presence plane of the optional plane ``name``."""
    return PRESENCE + name


def required(meta):
    """The input planes a region must have: the inputs less the optional ones and the presence planes."""
    optional = set(meta.get("optional", ()))
    return [p for p in meta["inputs"] if p not in optional and not p.startswith(PRESENCE)]


def write(model, meta):
    """Set the metadata of an ``onnx.ModelProto`` (in place, replacing any earlier one); returns it."""
    from . import __version__
    check(meta)
    doc = json.dumps({**meta, "format": FORMAT_VERSION, "smfusion_version": __version__}, sort_keys=True, default=str)
    for prop in list(model.metadata_props):
        if prop.key == KEY:
            model.metadata_props.remove(prop)
    entry = model.metadata_props.add()
    entry.key, entry.value = KEY, doc
    return model


def read(model_or_path):
    """The metadata dict of an ONNX model (a ModelProto, a path, or an onnxruntime session)."""
    props = None
    if hasattr(model_or_path, "get_modelmeta"):                     # onnxruntime.InferenceSession
        props = model_or_path.get_modelmeta().custom_metadata_map
    else:
        model = load(model_or_path) if isinstance(model_or_path, (str, Path)) else model_or_path
        props = {p.key: p.value for p in model.metadata_props}
    if KEY not in props:
        raise SMFusionError(f"{model_or_path}: not an SM Fusion model (no '{KEY}' metadata)")
    meta = json.loads(props[KEY])
    check(meta)
    return meta


def check(meta):
    missing = [k for k in REQUIRED if k not in meta]
    if missing:
        raise SMFusionError(f"CNN metadata lacks {', '.join(missing)}")
    n = len(meta["inputs"])
    if len(meta["mean"]) != n or len(meta["std"]) != n:
        raise SMFusionError(f"CNN metadata: {n} inputs but {len(meta['mean'])} means and {len(meta['std'])} stds")
    if any(not (float(v) > 0) for v in meta["std"]):
        raise SMFusionError("CNN metadata: every normalisation std must be > 0")
    if meta["layer"] not in LAYERS:
        raise SMFusionError(f"CNN metadata: layer {meta['layer']!r} is not one of {', '.join(LAYERS)}")
    return meta


def load(path):
    """An ONNX ModelProto of a file (a ModelProto is returned as it is, serialised bytes are parsed);
    SMFusionError naming the file when it is not ONNX."""
    import onnx
    if hasattr(path, "graph"):
        return path
    if isinstance(path, bytes):
        return onnx.load_from_string(path)
    path = Path(path)
    if not path.is_file():
        raise SMFusionError(f"{path}: model file not found", path)
    try:
        model = onnx.load(str(path))
        onnx.checker.check_model(model)
    except Exception as err:  # noqa: BLE001 - protobuf and checker errors alike
        raise SMFusionError(f"{path}: not a valid ONNX model ({type(err).__name__}: {str(err)[:200]})", path) \
            from err
    return model


def check_inputs(meta, available, source="the input series"):
    """Stop with both lists when a required input plane is not in ``available``; returns the optional planes
    that are absent (the model runs with their presence planes at 0)."""
    need = required(meta)
    missing = [p for p in need if p not in available]
    if missing:
        raise SMFusionError(f"The model needs the planes {', '.join(need)}; {source} give "
                            f"{', '.join(sorted(available))} (missing: {', '.join(missing)})")
    return [p for p in meta.get("optional", ()) if p not in available]
