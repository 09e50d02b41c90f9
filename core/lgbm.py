"""The LightGBM models of the downscaling: training with spatially blocked cross-validation at the coarse
scale, the model file and its JSON sidecar (DESIGN.md), the fast predictor (core/forest.py), and the versions
a run records. Settings come from :class:`~.downscale.Settings`."""

import json
import math
import platform
import time
from pathlib import Path

import numpy as np

from .errors import SMFusionError
from .metrics import scores

MIN_SAMPLES = 50          # training rows (cell-dates) below which no model is fitted


def lightgbm():
    """The lightgbm module, or an error that says how to install it."""
    try:
        import lightgbm
    except Exception as err:  # noqa: BLE001 - broken binaries raise all sorts
        raise SMFusionError(f"LightGBM cannot be imported ({type(err).__name__}: {err}); install the plugin's "
                            f"packages: python3 plugin/dependencies.py --install") from err
    return lightgbm


def params(s):
    """LightGBM's parameters of :class:`~.downscale.Settings` ``s`` (deterministic, row-wise)."""
    return {"objective": "regression", "learning_rate": s.learning_rate, "num_leaves": s.num_leaves,
            "min_data_in_leaf": 10, "feature_fraction": 0.9, "bagging_fraction": 0.8, "bagging_freq": 1,
            "seed": s.seed, "deterministic": True, "force_row_wise": True, "num_threads": s.threads,
            "verbosity": -1}


def _blocks(cells, width, size=2):
    """Spatial block id of each cell index (blocks of size×size cells)."""
    r, c = cells // width, cells % width
    return (r // size) * 10_000 + (c // size)


def train(X, y, cells, width, s, names, folds=5, rounds=None):
    """Fit a LightGBM booster on (X, y). With ``folds`` ≥ 2: spatially blocked K-fold cross-validation at
    the coarse scale (early stopping on a further fold) gives the R², RMSE and the number of rounds of the
    final model; with ``folds`` = 0 the model is fitted with ``rounds`` rounds and no CV (cv None)."""
    lgb = lightgbm()
    if len(y) < MIN_SAMPLES:
        raise SMFusionError(f"Only {len(y)} training samples (coarse cells × dates with a coarse value and at "
                            f"least MIN_COVER of their area under valid fine pixels); at least {MIN_SAMPLES} are "
                            f"needed: widen TRAIN_START/TRAIN_END, lower MIN_COVER, or use SCHEME=pooled")
    if folds < 2:
        final = lgb.train(params(s), lgb.Dataset(X, y, feature_name=names, free_raw_data=False),
                          num_boost_round=rounds or s.n_estimators)
        return final, None
    blocks = _blocks(cells, width)
    ub = np.unique(blocks)
    rng = np.random.default_rng(s.seed)
    fold_of = dict(zip(ub, rng.permutation(len(ub)) % folds))
    fold = np.array([fold_of[b] for b in blocks])
    pred = np.full(len(y), np.nan)
    best = []
    for k in range(folds):
        test = fold == k
        if test.all() or not test.any():
            continue
        tr, va = _split_early(~test, fold, k, folds)
        booster = _fit(lgb, X, y, tr, va, s, names)
        best.append(booster.best_iteration or s.n_estimators)
        pred[test] = booster.predict(X[test], num_threads=s.threads)
    ok = np.isfinite(pred)
    sc = scores(pred[ok], y[ok])
    r2 = 1.0 - np.sum((pred[ok] - y[ok]) ** 2) / np.sum((y[ok] - y[ok].mean()) ** 2) if ok.any() else math.nan
    rounds = int(np.median(best)) if best else s.n_estimators
    final = lgb.train(params(s), lgb.Dataset(X, y, feature_name=names, free_raw_data=False),
                      num_boost_round=max(rounds, 10))
    return final, {"r2": float(r2), "rmse": sc.rmse, "pcc": sc.pcc, "n": sc.n, "folds": folds,
                   "rounds": max(rounds, 10)}


def _split_early(train_mask, fold, k, folds):
    """Training rows minus one further fold (for early stopping), and that fold."""
    va_fold = (k + 1) % folds
    va = train_mask & (fold == va_fold)
    tr = train_mask & ~va
    if not va.any() or not tr.any():
        return train_mask, None
    return tr, va


def _fit(lgb, X, y, tr, va, s, names):
    train_set = lgb.Dataset(X[tr], y[tr], feature_name=names, free_raw_data=False)
    if va is None:
        return lgb.train(params(s), train_set, num_boost_round=s.n_estimators)
    valid = lgb.Dataset(X[va], y[va], reference=train_set, free_raw_data=False)
    return lgb.train(params(s), train_set, num_boost_round=s.n_estimators, valid_sets=[valid],
                     callbacks=[lgb.early_stopping(30, verbose=False)])


def sidecar_path(model_path):
    return Path(str(model_path) + ".json")


def save_model(path, booster, meta):
    """LightGBM text model + JSON sidecar (DESIGN.md), both written atomically."""
    from .raster import atomic_path
    with atomic_path(path) as tmp:
        booster.save_model(str(tmp))
    with atomic_path(sidecar_path(path)) as tmp:
        tmp.write_text(json.dumps(meta, indent=2, default=str), encoding="utf-8")
    return Path(path)


def load_model(path, names=None, layer=None):
    """(booster, sidecar) of a saved model; with ``names``/``layer``, an error that lists the differences."""
    lgb = lightgbm()
    path = Path(path)
    side = sidecar_path(path)
    if not path.is_file() or not side.is_file():
        raise SMFusionError(f"{path}: model not found (a LightGBM text file with its {side.name} sidecar)", path)
    meta = json.loads(side.read_text(encoding="utf-8"))
    if names is not None and meta["predictors"] != list(names):
        want, have = meta["predictors"], list(names)
        missing = [n for n in want if n not in have]
        extra = [n for n in have if n not in want]
        why = []
        if missing:
            why.append(f"missing: {', '.join(missing)}")
        if extra:
            why.append(f"not in the model: {', '.join(extra)}")
        if not why:
            why.append(f"order differs: the model has {', '.join(want)}")
        raise SMFusionError(f"{path}: the predictors do not match the model ({'; '.join(why)})", path)
    if layer is not None and meta.get("layer") != layer:
        raise SMFusionError(f"{path}: the model is for layer {meta.get('layer')}, not {layer}", path)
    return lgb.Booster(model_file=str(path)), meta


def predictor(booster, prog=None):
    """The booster's :class:`~core.forest.Forest` (LightGBM's values, several times faster), or the booster
    itself when its trees are of a kind the forest does not take."""
    from .forest import Forest, Unsupported
    try:
        t0 = time.perf_counter()
        forest = Forest.from_booster(booster)
    except Unsupported as err:
        if prog is not None:
            prog.info(f"Predicting with LightGBM ({err})")
        return booster
    if prog is not None:
        prog.info(f"{forest.n_trees} trees flattened for the compiled predictor in {time.perf_counter() - t0:.2f} s")
    return forest


def versions():
    """The versions that shape the outputs: Python, numpy, LightGBM (when it imports) and SM Fusion."""
    import numpy
    out = {"python": platform.python_version(), "numpy": numpy.__version__}
    try:
        out["lightgbm"] = lightgbm().__version__
    except SMFusionError:
        pass
    from . import __version__
    out["smfusion"] = __version__
    return out
