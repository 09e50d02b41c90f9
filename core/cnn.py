"""The calibration CNN as ONNX: its architecture, inference through ONNX Runtime, and the head refit.

The network is fully convolutional: (1, C, H, W) normalised planes → ``correction`` (1, 1, H, W) in m³/m³
(calibrated = input SM + correction) and ``features`` (1, F, H, W), the penultimate activations. ``depth``
3×3 convolutions with ReLU give a receptive field of 2·depth + 1 px; tiles carry a halo of ``depth`` px,
so tiled inference equals whole-image inference. The head is a 1×1 convolution (weights ``head.w``
(1, F, 1, 1), bias ``head.b`` (1,)): :func:`ridge_loso` re-estimates it without PyTorch (core/calibrate.py's
``train_head``) and :func:`replace_head` writes it back.
"""

import math

import numpy as np

from . import cnnmeta
from .errors import SMFusionError

HEAD_W, HEAD_B = "head.w", "head.b"
DEVICES = ("auto", "cpu", "cuda")           # auto: CUDA when ONNX Runtime has it, else the CPU
OPSET = 17


def build_model(inputs, layer, hidden=24, depth=7, seed=0, mean=None, std=None, **meta):
    """An ONNX ModelProto of the architecture, with He-initialised weights (``seed``) and a zero head.

    ``inputs``: plane names (C = len(inputs)); the receptive field is 2·depth + 1 px."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    rng = np.random.default_rng(seed)
    c = len(inputs)
    nodes, inits = [], []
    prev, prev_c = cnnmeta.INPUT, c
    for k in range(depth):
        w = (rng.standard_normal((hidden, prev_c, 3, 3)) * math.sqrt(2.0 / (prev_c * 9))).astype("float32")
        inits += [numpy_helper.from_array(w, f"conv{k}.w"), numpy_helper.from_array(np.zeros(hidden, "float32"),
                                                                                   f"conv{k}.b")]
        out = cnnmeta.OUTPUT_FEATURES if k == depth - 1 else f"h{k}"
        nodes.append(helper.make_node("Conv", [prev, f"conv{k}.w", f"conv{k}.b"], [f"c{k}"], pads=[1, 1, 1, 1],
                                      kernel_shape=[3, 3]))
        nodes.append(helper.make_node("Relu", [f"c{k}"], [out]))
        prev, prev_c = out, hidden
    inits += [numpy_helper.from_array(np.zeros((1, hidden, 1, 1), "float32"), HEAD_W),
              numpy_helper.from_array(np.zeros(1, "float32"), HEAD_B)]
    nodes.append(helper.make_node("Conv", [cnnmeta.OUTPUT_FEATURES, HEAD_W, HEAD_B], [cnnmeta.OUTPUT_CORRECTION],
                                  kernel_shape=[1, 1]))
    x = helper.make_tensor_value_info(cnnmeta.INPUT, TensorProto.FLOAT, ["N", c, "H", "W"])
    y = helper.make_tensor_value_info(cnnmeta.OUTPUT_CORRECTION, TensorProto.FLOAT, ["N", 1, "H", "W"])
    f = helper.make_tensor_value_info(cnnmeta.OUTPUT_FEATURES, TensorProto.FLOAT, ["N", hidden, "H", "W"])
    graph = helper.make_graph(nodes, "smfusion_cnn", [x], [y, f], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="smfusion")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return cnnmeta.write(model, {"inputs": list(inputs), "mean": list(mean or [0.0] * c),
                                 "std": list(std or [1.0] * c), "receptive_field": 2 * depth + 1, "layer": layer,
                                 "outputs": [cnnmeta.OUTPUT_CORRECTION, cnnmeta.OUTPUT_FEATURES], **meta})


def parameter_count(model):
    from onnx import numpy_helper
    return int(sum(numpy_helper.to_array(t).size for t in model.graph.initializer))


def normalise(meta, planes):
    """Raw planes (..., C, H, W) → float32 normalised with the model's mean/std, NaN → 0 (the mean)."""
    m = np.asarray(meta["mean"], "float32")[:, None, None]
    s = np.asarray(meta["std"], "float32")[:, None, None]
    x = (np.asarray(planes, "float32") - m) / s
    return np.where(np.isfinite(x), x, 0.0).astype("float32")


class Session:
    """An ONNX Runtime session of a model: CUDA first when available and allowed (``device`` auto/cuda),
    else the CPU. ``provider`` is the one actually used and ``note`` says why CUDA was not."""

    def __init__(self, model, device="auto", threads=0):
        import onnxruntime as ort
        if device not in DEVICES:
            raise SMFusionError(f"DEVICE must be one of {', '.join(DEVICES)} (got {device!r})")
        proto = cnnmeta.load(model)
        self.meta = cnnmeta.read(proto)
        available = ort.get_available_providers()
        self.note = ""
        providers = ["CPUExecutionProvider"]
        if device in ("auto", "cuda"):
            if "CUDAExecutionProvider" in available:
                providers.insert(0, "CUDAExecutionProvider")
            elif device == "cuda":
                self.note = (f"CUDA was asked for, but this onnxruntime offers {', '.join(available)} "
                             f"(install onnxruntime-gpu with a matching CUDA to use the GPU); running on the CPU")
        opts = ort.SessionOptions()
        if threads:
            opts.intra_op_num_threads = int(threads)
        self._session = ort.InferenceSession(proto.SerializeToString(), sess_options=opts, providers=providers)
        self.provider = self._session.get_providers()[0]
        if device == "cuda" and self.provider != "CUDAExecutionProvider" and not self.note:
            self.note = "CUDA was asked for, but the CUDA provider could not start; running on the CPU"
        self.halo = self.meta["receptive_field"] // 2

    def _block(self, planes, features=False):
        outs = self._session.run(None, {cnnmeta.INPUT: normalise(self.meta, planes)[None]})
        return (outs[0][0, 0], outs[1][0]) if features else outs[0][0, 0]

    def run(self, planes, features=False):
        """Correction (H, W) (and features (F, H, W)) of raw planes (C, H, W). Past the image edges the
        planes count as missing (the mean) for ``halo`` px, as in every tile, so that tiles agree."""
        h = self.halo
        padded = np.pad(np.asarray(planes, "float32"), ((0, 0), (h, h), (h, h)), constant_values=np.nan)
        res = self._block(padded, features)
        if features:
            return res[0][h:-h, h:-h], res[1][:, h:-h, h:-h]
        return res[h:-h, h:-h]

    def run_patches(self, patches, batch=256):
        """(correction (N,), features (N, F)) at the centre of raw patches (N, C, 2·halo+1, 2·halo+1)."""
        corr, feats = [], []
        for i in range(0, len(patches), batch):
            c, f = self._session.run(None, {cnnmeta.INPUT: normalise(self.meta, patches[i:i + batch])})
            corr.append(c[:, 0, self.halo, self.halo])
            feats.append(f[:, :, self.halo, self.halo])
        return np.concatenate(corr), np.concatenate(feats)

    def run_tiled(self, planes, tile=512, features=False):
        """:meth:`run` over tiles with a halo of the receptive radius (equal to a whole-image run)."""
        from .raster import tiles
        planes = np.asarray(planes, "float32")
        _, rows, cols = planes.shape
        out = np.empty((rows, cols), "float32")
        feats = None
        for t in tiles((rows, cols), tile, self.halo):
            block = t.extract(planes, fill=np.nan)
            res = self._block(block, features)
            if features:
                corr, f = res
                if feats is None:
                    feats = np.empty((f.shape[0], rows, cols), "float32")
                feats[:, t.core[0], t.core[1]] = t.crop(f)
            else:
                corr = res
            out[t.core] = t.crop(corr)
        return (out, feats) if features else out


def ridge_loso(features, residual, groups, alphas=(1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0, 1e4), prior=None,
               free=()):
    """Ridge regression of ``residual`` (n,) on ``features`` (n, F) with an intercept; alpha chosen by
    leave-stations-out CV over ``groups`` (n,) with the one-standard-error rule: the largest alpha whose
    per-station CV error is within one standard error (of the per-station differences) of the best one's.
    With ``prior`` = (w0, b0) (the pretrained head), the penalty pulls toward it: w = w0 + δ with ‖δ‖²
    penalised, so a large alpha keeps the pretrained head. The columns ``free`` (indices) are not penalised.
    Returns (w (F,), b, alpha, cv predictions (n,))."""
    X = np.asarray(features, "float64")
    y = np.asarray(residual, "float64")
    g = np.asarray(groups)
    if prior is not None:
        w0, b0 = np.asarray(prior[0], "float64").ravel(), float(prior[1])
        base = X @ w0 + b0
        dw, db, alpha, cv = ridge_loso(X, y - base, g, alphas, free=free)
        return w0 + dw, b0 + db, alpha, cv + base
    penalty = np.ones(X.shape[1])
    penalty[list(free)] = 0.0
    stations = np.unique(g)
    per, preds = {}, {}
    for alpha in alphas:
        pred = np.empty_like(y)
        for grp in stations:
            te = g == grp
            w, b = _ridge(X[~te], y[~te], alpha, penalty)
            pred[te] = X[te] @ w + b
        err = (pred - y) ** 2
        per[alpha] = np.array([err[g == grp].mean() for grp in stations])
        preds[alpha] = pred
    best = min(alphas, key=lambda a: per[a].mean())
    alpha = best
    for a in sorted(alphas, reverse=True):           # the strongest penalty within one standard error
        d = per[a] - per[best]
        se = float(np.std(d, ddof=1) / math.sqrt(len(d))) if len(d) > 1 else 0.0
        if a >= best and d.mean() <= se:
            alpha = a
            break
    w, b = _ridge(X, y, alpha, penalty)
    return w, b, alpha, preds[alpha]


def _ridge(X, y, alpha, penalty=None):
    if len(y) == 0:
        return np.zeros(X.shape[1]), 0.0
    xm, ym = X.mean(axis=0), y.mean()
    Xc = X - xm
    pen = np.ones(X.shape[1]) if penalty is None else penalty
    w = np.linalg.solve(Xc.T @ Xc + alpha * len(y) * np.diag(pen), Xc.T @ (y - ym))
    return w, float(ym - xm @ w)


def head_of(model):
    """(w (F,), b) of a model's head."""
    from onnx import numpy_helper
    inits = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    return inits[HEAD_W].ravel().astype("float64"), float(inits[HEAD_B].ravel()[0])


def replace_head(model, w, b, meta_update=None):
    """A copy of ``model`` whose head weights are ``w`` (F,) and ``b``; nothing else changes."""
    import onnx
    from onnx import numpy_helper
    new = onnx.ModelProto()
    new.CopyFrom(model)
    for init in new.graph.initializer:
        if init.name == HEAD_W:
            init.CopyFrom(numpy_helper.from_array(np.asarray(w, "float32").reshape(1, -1, 1, 1), HEAD_W))
        elif init.name == HEAD_B:
            init.CopyFrom(numpy_helper.from_array(np.asarray([b], "float32"), HEAD_B))
    if meta_update:
        cnnmeta.write(new, {**cnnmeta.read(model), **meta_update})
    return new


# ---------------------------------------------------------------------------------------------- PyTorch twin

def torch_twin(n_in, hidden=24, depth=7):
    """The same network in PyTorch (optional: only for training and MODE full)."""
    import torch.nn as nn
    layers, c = [], n_in
    for _ in range(depth):
        layers += [nn.Conv2d(c, hidden, 3, padding=1), nn.ReLU()]
        c = hidden
    return nn.Sequential(*layers, nn.Conv2d(hidden, 1, 1))


def twin_from_onnx(model):
    """A PyTorch twin carrying the ONNX model's weights."""
    import torch
    from onnx import numpy_helper
    inits = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    depth = sum(1 for k in inits if k.startswith("conv") and k.endswith(".w"))
    hidden, n_in = inits["conv0.w"].shape[:2]
    net = torch_twin(n_in, hidden, depth)
    convs = [m for m in net if m.__class__.__name__ == "Conv2d"]
    names = [(f"conv{k}.w", f"conv{k}.b") for k in range(depth)] + [(HEAD_W, HEAD_B)]
    with torch.no_grad():
        for conv, (w, b) in zip(convs, names):
            conv.weight.copy_(torch.from_numpy(inits[w].copy()))
            conv.bias.copy_(torch.from_numpy(inits[b].copy()))
    return net


def onnx_with_twin_weights(model, net, meta_update=None):
    """A copy of ``model`` with every weight taken from the twin ``net`` (the graph is unchanged)."""
    import onnx
    from onnx import numpy_helper
    convs = [m for m in net if m.__class__.__name__ == "Conv2d"]
    weights = {}
    for k, conv in enumerate(convs[:-1]):
        weights[f"conv{k}.w"], weights[f"conv{k}.b"] = conv.weight, conv.bias
    weights[HEAD_W], weights[HEAD_B] = convs[-1].weight, convs[-1].bias
    new = onnx.ModelProto()
    new.CopyFrom(model)
    for init in new.graph.initializer:
        init.CopyFrom(numpy_helper.from_array(weights[init.name].detach().numpy().astype("float32"), init.name))
    if meta_update:
        cnnmeta.write(new, {**cnnmeta.read(model), **meta_update})
    return new
