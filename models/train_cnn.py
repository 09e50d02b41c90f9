"""Pretrain the calibration CNN on area data and write the shipped ONNX model (``make train-cnn``).

Area data: synthetic regions from the demo generator with other seeds and other product biases than the
demo region, each run through the plugin's own stage 1 (ESTARFM) and stage 2 (downscaling). The target is
the full-coverage truth minus the downscaled SM, at every pixel. The network is the same architecture as
:func:`smfusion.core.cnn.build_model`; PyTorch trains a twin of it, whose weights are then written into
the ONNX graph (no ONNX export from torch). The same seed reproduces the same model.

    python3 models/train_cnn.py --layer ssm --out models/cnn_ssm.onnx [--regions 6] [--seed 0] [--kind full]
    python3 models/train_cnn.py --layer ssm --out models/cnn_ssm_any.onnx --kind any

``--kind full``: the 11 planes, all required, on regions downscaled without memory (the 0.3.0 models);
``--kind any``: the optional planes with presence planes, hidden at random from a quarter of the samples
(PLANE_DROPOUT), on regions downscaled with the default memory: one base for any subset of the planes.
``--memory`` (days) sets the training regions' detail memory instead. A full model trained with the default
memory did no better on the demo (held-out SSM RMSE 0.0272 against 0.0232 after the head refit).

A user with a high-resolution reference product can pretrain on it the same way: give --data with
folders that hold down/, predictors/, gleam/ and truth/ series.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "build" / "plugins"))

from smfusion.plugin import dependencies  # noqa: E402

dependencies.add_to_sys_path()                   # numba, LightGBM, ONNX from the plugin's ext-libs

from smfusion.core import calibrate as C  # noqa: E402,N812
from smfusion.core import cnn, cnnmeta  # noqa: E402
from smfusion.core import downscale as D  # noqa: E402,N812
from smfusion.core.demo import DemoConfig, make_demo, predictor_folder  # noqa: E402
from smfusion.core.series import list_series  # noqa: E402

HIDDEN, DEPTH = 24, 7
PLANE_DROPOUT = 0.25      # chance that an optional plane is hidden from a training sample (presence 0)


def make_region(folder, seed, layer, memory=0.0):
    """A synthetic region with its own seed and product biases, through ESTARFM and downscaling (with the
    detail's ``memory`` in days)."""
    folder = Path(folder).resolve()
    if (folder / "down" / layer).is_dir():
        return folder
    rng = np.random.default_rng(seed)
    cfg = DemoConfig(width=96, height=96, days=60, stations=4, seed=seed,
                     start=__import__("datetime").date(2021, int(rng.integers(3, 8)), 1),
                     gleam_gain={"ssm": float(rng.uniform(0.7, 1.0)), "rzsm": float(rng.uniform(0.75, 1.0))},
                     gleam_offset={"ssm": float(rng.uniform(0.0, 0.08)), "rzsm": float(rng.uniform(0.0, 0.06))})
    make_demo(folder, cfg)
    pred = predictor_folder(folder)
    D.downscale(folder / "gleam" / layer, pred, folder / "down" / layer, layer,
                D.Settings(n_estimators=200, memory=memory))
    return folder


def region_arrays(folder, layer, names):
    """(x (dates, C, H, W), y (dates, H, W) = truth − downscaled) of one region."""
    planes = C.Planes(folder / "down" / layer, folder / "predictors", folder / "gleam" / layer)
    truth = list_series(folder / "truth" / layer)
    xs, ys = [], []
    for d in planes.dates():
        x = planes.stack(d, names)
        xs.append(x)
        ys.append(truth.read(d) - x[names.index("sm")])
    return np.stack(xs), np.stack(ys), planes


def torch_twin(n_in):
    return cnn.torch_twin(n_in, HIDDEN, DEPTH)


def to_onnx(net, names, layer, mean, std, meta):
    """Write the twin's weights into the ONNX graph of :func:`cnn.build_model` (same layout)."""
    model = cnn.build_model(names, layer, hidden=HIDDEN, depth=DEPTH, mean=mean, std=std, **meta)
    return cnn.onnx_with_twin_weights(model, net)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--layer", choices=("ssm", "rzsm"), required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--regions", type=int, default=6)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--steps", type=int, default=1500)
    ap.add_argument("--work", default=str(ROOT / "build" / "train-cnn"))
    ap.add_argument("--kind", choices=("full", "any"), default="full")
    ap.add_argument("--memory", type=float, default=None,
                    help="the training regions' detail memory, days (default: 0 for full, the default for any)")
    args = ap.parse_args(argv)
    anyset = args.kind == "any"
    memory = args.memory if args.memory is not None else D.Settings().memory if anyset else 0.0
    dropout = PLANE_DROPOUT if anyset else 0.0
    import onnx
    import torch
    torch.manual_seed(args.seed)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    names = list(C.DEFAULT_PLANES) + ([cnnmeta.presence(p) for p in C.OPTIONAL_PLANES] if anyset else [])
    optional = [names.index(p) for p in C.OPTIONAL_PLANES] if anyset else []
    flags = [names.index(cnnmeta.presence(p)) for p in C.OPTIONAL_PLANES] if anyset else []
    t0 = time.time()
    seeds = [1000 + 17 * k + args.seed for k in range(args.regions)]
    work = Path(args.work).resolve() / f"memory_{memory:g}"
    data = [region_arrays(make_region(work / f"region_{s}", s, args.layer, memory), args.layer, names)[:2]
            for s in seeds]
    print(f"{len(data)} regions in {time.time() - t0:.0f} s", flush=True)
    train, valid = data[:-1], data[-1]                      # the last region validates
    xs = np.concatenate([x for x, _ in train])
    mean = np.nanmean(xs, axis=(0, 2, 3))
    std = np.nanstd(xs, axis=(0, 2, 3))
    std = np.where(std < 1e-3, 1.0, std)
    mean[flags], std[flags] = 0.0, 1.0                      # presence planes enter as 0/1

    def prep(x, y):
        xn = (x - mean[None, :, None, None]) / std[None, :, None, None]
        return np.nan_to_num(xn).astype("float32"), np.nan_to_num(y).astype("float32"), np.isfinite(y)

    tx, ty, tm = (np.concatenate(a) for a in zip(*[prep(x, y) for x, y in train]))
    vx, vy, vm = prep(*valid)
    net = torch_twin(len(names))
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    rng = np.random.default_rng(args.seed)
    crop, batch = 48, 16
    best, best_state = np.inf, None
    for step in range(args.steps):
        idx = rng.integers(0, len(tx), batch)
        r, c = rng.integers(0, tx.shape[2] - crop), rng.integers(0, tx.shape[3] - crop)
        x = tx[idx, :, r:r + crop, c:c + crop].copy()
        hide = rng.random((batch, len(optional))) < dropout          # a region without these planes
        for k, (plane, flag) in enumerate(zip(optional, flags)):
            x[hide[:, k], plane] = 0.0
            x[hide[:, k], flag] = 0.0
        xb = torch.from_numpy(x)
        yb = torch.from_numpy(ty[idx, None, r:r + crop, c:c + crop])
        mb = torch.from_numpy(tm[idx, None, r:r + crop, c:c + crop].astype("float32"))
        loss = (((net(xb) - yb) ** 2) * mb).sum() / mb.sum().clamp(min=1)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 100 == 99 or step == args.steps - 1:
            with torch.no_grad():
                pv = net(torch.from_numpy(vx)).numpy()[:, 0]
            err = float(np.sqrt(np.mean(((pv - vy) ** 2)[vm])))
            if err < best:
                best, best_state = err, {k: v.clone() for k, v in net.state_dict().items()}
            print(f"step {step + 1}: train {float(loss.detach()):.5f}, validation RMSE {err:.4f}", flush=True)
    net.load_state_dict(best_state)
    with torch.no_grad():
        pv = net(torch.from_numpy(vx)).numpy()[:, 0]
    before = float(np.sqrt(np.mean((vy ** 2)[vm])))
    after = float(np.sqrt(np.mean(((pv - vy) ** 2)[vm])))
    without = {}
    for plane in ("albedo", "ndvi", "lst_day") if anyset else ():
        hx = vx.copy()
        hx[:, names.index(plane)] = 0.0
        hx[:, names.index(cnnmeta.presence(plane))] = 0.0
        with torch.no_grad():
            ph = net(torch.from_numpy(hx)).numpy()[:, 0]
        without[plane] = float(np.sqrt(np.mean(((ph - vy) ** 2)[vm])))
        print(f"validation without {plane}: RMSE {before:.4f} → {without[plane]:.4f}")
    meta = {"training": {"regions": seeds[:-1], "days_per_region": 60, "size_px": [96, 96],
                         "target": "truth - downscaled (full coverage)", "steps": args.steps, "seed": args.seed,
                         **({"downscaling_memory_days": memory} if memory else {}),
                         **({"plane_dropout": dropout} if anyset else {}),
                         "torch": torch.__version__},
            "validation": {"region": seeds[-1], "rmse_downscaled": before, "rmse_calibrated": after,
                           **({"rmse_calibrated_without": without} if anyset else {})},
            **({"optional": list(C.OPTIONAL_PLANES)} if anyset else {}),
            "version": "1"}
    model = to_onnx(net, names, args.layer, mean.tolist(), std.tolist(), meta)
    onnx.save(model, args.out)
    print(f"{args.out}: validation region RMSE {before:.4f} → {after:.4f} m³/m³ ({time.time() - t0:.0f} s)")
    print(json.dumps(meta))


if __name__ == "__main__":
    main()
