"""The evaluation report: one self-contained HTML file (plots embedded as PNG data URIs).

Sections (HTML ids): ``metrics`` (pooled and median metrics side by side, with the seed paper's figures
as the reference rows), ``scatter`` (density scatter of predicted vs observed per series), ``timeseries``
(the best, median and worst station), ``map`` (per-station PCC), ``taylor`` (Taylor diagram), ``stations``
(per-station table). Plots need matplotlib; without it the report keeps its tables and says why.
"""

import base64
import datetime as dt
import html
import io
import math

import numpy as np

from .evaluate import MEDIAN, POOLED
from .metrics import PAPER
from .raster import atomic_path


def _f(v, nd):
    return "–" if v is None or (isinstance(v, float) and not math.isfinite(v)) else f"{v:.{nd}f}"


def _png(fig):
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    import matplotlib.pyplot as plt
    plt.close(fig)
    return f'<img alt="" src="data:image/png;base64,{base64.b64encode(buf.getvalue()).decode()}">'


def _matplotlib():
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        return plt, None
    except Exception as err:  # noqa: BLE001 - any failure: tables only
        return None, f"{type(err).__name__}: {err}"


def _groups(result):
    return sorted({(r.layer, r.group) for r in result["rows"]})


def _metrics_table(result):
    rows = result["rows"]
    out = ['<table><tr><th>layer</th><th>stations</th><th>series</th><th>N</th><th>PCC</th><th>RMSE</th>'
           '<th>ubRMSE</th><th>bias</th><th>median PCC</th><th>median RMSE</th><th>stations</th></tr>']
    for layer, group in _groups(result):
        labels = [r.series for r in rows if r.layer == layer and r.group == group and r.station_id == POOLED]
        for label in labels:
            key = (label, layer, group)
            pooled = next(r for r in rows if (r.series, r.layer, r.group) == key and r.station_id == POOLED)
            med = next(r for r in rows if (r.series, r.layer, r.group) == key and r.station_id == MEDIAN)
            n_st = sum(1 for r in rows if (r.series, r.layer, r.group) == (label, layer, group)
                       and r.station_id not in (POOLED, MEDIAN))
            out.append(f"<tr><td>{layer}</td><td>{group}</td><td>{html.escape(label)}</td><td>{pooled.n}</td>"
                       f"<td>{_f(pooled.pcc, 3)}</td><td>{_f(pooled.rmse, 4)}</td><td>{_f(pooled.ubrmse, 4)}</td>"
                       f"<td>{_f(pooled.bias, 4)}</td><td>{_f(med.pcc, 3)}</td><td>{_f(med.rmse, 4)}</td>"
                       f"<td>{n_st}</td></tr>")
    for stage, ref in PAPER.items():
        out.append(f'<tr class="ref"><td>both</td><td>–</td><td>seed paper, {stage}</td><td>–</td>'
                   f"<td>{ref['pcc'][0]:.3f}–{ref['pcc'][1]:.3f}</td><td>{ref['rmse'][0]:.3f}–{ref['rmse'][1]:.3f}"
                   f"</td><td>–</td><td>–</td><td>–</td><td>–</td><td>–</td></tr>")
    out.append("</table>")
    return "".join(out)


def _station_table(result):
    out = ['<table><tr><th>series</th><th>layer</th><th>stations</th><th>station</th><th>N</th><th>PCC</th>'
           '<th>RMSE</th><th>ubRMSE</th><th>bias</th></tr>']
    for r in result["rows"]:
        if r.station_id in (POOLED, MEDIAN):
            continue
        out.append(f"<tr><td>{html.escape(r.series)}</td><td>{r.layer}</td><td>{r.group}</td>"
                   f"<td>{html.escape(r.station_id)}</td><td>{r.n}</td><td>{_f(r.pcc, 3)}</td><td>{_f(r.rmse, 4)}"
                   f"</td><td>{_f(r.ubrmse, 4)}</td><td>{_f(r.bias, 4)}</td></tr>")
    out.append("</table>")
    return "".join(out)


def _scatter(plt, result, layer, group):
    keys = [k for k in result["pairs"] if k[1] == layer and k[2] == group]
    fig, axes = plt.subplots(1, len(keys), figsize=(3.6 * len(keys), 3.4), squeeze=False)
    for ax, key in zip(axes[0], keys):
        p, o = result["pairs"][key][:2]
        top = float(max(np.max(p), np.max(o), 0.05))
        ax.hexbin(o, p, gridsize=40, extent=(0, top, 0, top), mincnt=1, bins="log", cmap="viridis")
        ax.plot([0, top], [0, top], color="k", lw=0.8)
        ax.set(title=key[0], xlabel="observed (m³/m³)", ylabel="predicted (m³/m³)", xlim=(0, top), ylim=(0, top))
    return _png(fig)


def _per_station(result, label, layer, group):
    return [r for r in result["rows"] if (r.series, r.layer, r.group) == (label, layer, group)
            and r.station_id not in (POOLED, MEDIAN) and math.isfinite(r.pcc)]


def _timeseries(plt, result, layer, group):
    keys = [k for k in result["pairs"] if k[1] == layer and k[2] == group]
    ranked = sorted(_per_station(result, keys[-1][0], layer, group), key=lambda r: r.pcc)
    if not ranked:
        return "<p>No station with a defined PCC.</p>"
    picks = [("best", ranked[-1]), ("median", ranked[len(ranked) // 2]), ("worst", ranked[0])]
    fig, axes = plt.subplots(len(picks), 1, figsize=(9, 2.3 * len(picks)), squeeze=False)
    for ax, (what, row) in zip(axes[:, 0], picks):
        observed = None
        for key in keys:
            p, o, sids, dates = result["pairs"][key]
            m = sids == row.station_id
            ds = [d for d, keep in zip(dates, m) if keep]
            ax.plot(ds, p[m], lw=1, label=key[0])
            if observed is None:
                observed = (ds, o[m])
        if observed:
            ax.plot(*observed, "k.", ms=3, label="station")
        ax.set_title(f"{what}: {row.station_id} (PCC {row.pcc:.3f} for {keys[-1][0]})", fontsize=9)
        ax.set_ylabel("m³/m³")
        ax.legend(fontsize=7, loc="upper right")
    fig.tight_layout()
    return _png(fig)


def _map(plt, result, layer, group):
    keys = [k for k in result["pairs"] if k[1] == layer and k[2] == group]
    fig, axes = plt.subplots(1, len(keys), figsize=(3.8 * len(keys), 3.4), squeeze=False)
    for ax, key in zip(axes[0], keys):
        rows = _per_station(result, key[0], layer, group)
        sc = ax.scatter([r.lon for r in rows], [r.lat for r in rows], c=[r.pcc for r in rows], cmap="RdYlBu",
                        vmin=0, vmax=1, s=30, edgecolors="k", linewidths=0.3)
        ax.set(title=key[0], xlabel="longitude", ylabel="latitude")
        fig.colorbar(sc, ax=ax, label="PCC")
    return _png(fig)


def _taylor(plt, result, layer, group):
    keys = [k for k in result["pairs"] if k[1] == layer and k[2] == group]
    fig = plt.figure(figsize=(4.6, 4.2))
    ax = fig.add_subplot(111, projection="polar")
    ax.set_thetamin(0)
    ax.set_thetamax(90)
    top = 1.5
    for key in keys:
        p, o = result["pairs"][key][:2]
        sd_o = float(np.std(o))
        r = float(np.corrcoef(p, o)[0, 1]) if np.std(p) > 0 and sd_o > 0 else 0.0
        ratio = float(np.std(p)) / sd_o if sd_o > 0 else math.nan
        top = max(top, ratio * 1.1 if math.isfinite(ratio) else top)
        ax.plot(math.acos(max(min(r, 1.0), 0.0)), ratio, "o", label=f"{key[0]} (r={r:.2f})")
    ax.plot(0, 1.0, "k*", ms=10, label="stations")
    ax.set_rmax(top)
    ax.set_title("radius σ(pred)/σ(obs), angle arccos(PCC)", fontsize=9)
    ax.legend(fontsize=7, loc="upper right", bbox_to_anchor=(1.45, 1.1))
    return _png(fig)


CSS = ("body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}"
       "table{border-collapse:collapse;font-size:13px;margin:1em 0}"
       "td,th{border:1px solid #ccc;padding:3px 7px;text-align:right}th{background:#eee}"
       "tr.ref td{background:#fff6dd;font-style:italic}img{max-width:100%}")


def _intervals(plt, intervals):
    """The ``intervals`` section: coverage table, reliability diagram and a map of the width of one day."""
    rows = "".join(f"<tr><td>{layer}</td><td>{iv['n']}</td><td>{100 * iv['coverage80']:.1f} %</td>"
                   f"<td>{_f(iv['width_mean'], 4)}</td></tr>" for layer, iv in intervals.items())
    parts = ["<p>[p10, p90] of the calibrated value per pixel and day (<code>calibrated/&lt;layer&gt;_p10</code>, "
             "<code>_p90</code>), fitted on the training stations' leave-one-station-out residuals; its width "
             "grows with the distance to the nearest training station, with the detail the downscaling added, and "
             "where the drivers leave the range they had at the stations. Scored at the held-out stations:</p>"
             "<table><tr><th>layer</th><th>N</th><th>inside [p10, p90] (nominal 80 %)</th>"
             f"<th>mean width (m³/m³)</th></tr>{rows}</table>"]
    if plt is None:
        return "".join(parts)
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    ax = axes[0]
    ax.plot([0, 1], [0, 1], "k--", lw=1, label="perfect")
    for layer, iv in intervals.items():
        lv, cv = zip(*iv["reliability"])
        ax.plot(lv, cv, "o-", label=layer)
    ax.set(xlabel="nominal coverage of the central interval", ylabel="observed at held-out stations",
           title="Reliability", xlim=(0, 1), ylim=(0, 1))
    ax.legend(fontsize=8)
    layer, iv = next(((k, v) for k, v in intervals.items() if v.get("width_map") is not None), (None, None))
    if layer is not None:
        date, width = iv["width_map"]
        im = axes[1].imshow(width, cmap="magma_r")
        fig.colorbar(im, ax=axes[1], label="p90 − p10 (m³/m³)")
        axes[1].set_title(f"{layer} interval width, {date:%Y-%m-%d}")
        axes[1].set_axis_off()
    fig.tight_layout()
    parts.append(_png(fig))
    return "".join(parts)


def write_report(path, result, title="SM Fusion evaluation", context="", intervals=None):
    """Write the HTML report of :func:`.evaluate.evaluate`'s result to ``path`` (atomically). ``intervals``:
    {layer: :func:`.uncertainty.score_intervals` dict, with ``width_map`` = (date, (rows, cols) array)}."""
    plt, why = _matplotlib()
    parts = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
             f"<style>{CSS}</style></head><body><h1>{html.escape(title)}</h1>",
             f"<p>{html.escape(context)} Written {dt.datetime.now():%Y-%m-%d %H:%M}. Metrics in m³/m³: "
             f"PCC (Pearson r), RMSE, ubRMSE = √(RMSE² − bias²), bias = mean(predicted − observed). "
             f"Stations used in training and held-out stations are never pooled together.</p>",
             '<h2 id="metrics">Metrics</h2>', _metrics_table(result)]
    sections = (("scatter", "Predicted vs observed", _scatter), ("timeseries", "Best, median and worst station",
                _timeseries), ("map", "PCC per station", _map), ("taylor", "Taylor diagram", _taylor))
    for sid, heading, fn in sections:
        parts.append(f'<h2 id="{sid}">{heading}</h2>')
        if plt is None:
            parts.append(f"<p>No plot: matplotlib is not available ({html.escape(why)}); on Debian install "
                         f"python3-matplotlib.</p>")
            continue
        for layer, group in _groups(result):
            if any(k[1] == layer and k[2] == group for k in result["pairs"]):
                parts.append(f"<h3>{layer}, {group} stations</h3>{fn(plt, result, layer, group)}")
    if intervals:
        parts += ['<h2 id="intervals">Intervals</h2>', _intervals(plt, intervals)]
    parts += ['<h2 id="stations">Per station</h2>', _station_table(result), "</body></html>"]
    with atomic_path(path) as tmp:
        tmp.write_text("".join(parts), encoding="utf-8")
    return path


def write_downscale_report(path, summary, residual_map, coarse_grid):
    """The downscaling report: cross-validated scores, detail skill, feature importance, a residual map."""
    plt, why = _matplotlib()
    cv, detail = summary.get("cv") or {}, summary.get("detail") or {}
    parts = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>SM Fusion downscaling</title>"
             f"<style>{CSS}</style></head><body><h1>Downscaling of {summary['layer']}</h1>",
             f"<p>{len(summary['paths'])} dates written to {html.escape(str(summary['output']))}.</p>",
             '<h2 id="cv">Cross-validated skill at the coarse scale</h2><table><tr><th>R²</th><th>RMSE</th>'
             f"<th>PCC</th><th>N</th></tr><tr><td>{_f(cv.get('r2'), 3)}</td><td>{_f(cv.get('rmse'), 4)}</td>"
             f"<td>{_f(cv.get('pcc'), 3)}</td><td>{cv.get('n', '–')}</td></tr></table>",
             '<h2 id="detail">Detail</h2><table><tr><th>skill (PCC, one scale up)</th><th>weight used</th></tr>'
             f"<tr><td>{_f(detail.get('skill'), 3)}</td><td>{_f(detail.get('weight'), 2)}</td></tr></table>"]
    imp = summary.get("importance_gain") or {}
    parts.append('<h2 id="importance">Feature importance (gain)</h2>')
    if plt is None:
        parts.append(f"<p>No plot: matplotlib is not available ({html.escape(why)}).</p>")
    else:
        if imp:
            names = sorted(imp, key=imp.get)
            fig, ax = plt.subplots(figsize=(5, 0.3 * len(names) + 1))
            ax.barh(names, [imp[n] for n in names])
            ax.set_xlabel("total gain")
            parts.append(_png(fig))
        if residual_map is not None:
            date, res = residual_map
            fig, ax = plt.subplots(figsize=(5, 4))
            lim = float(np.nanmax(np.abs(res))) if np.isfinite(res).any() else 0.01
            im = ax.imshow(res, cmap="RdBu", vmin=-lim, vmax=lim)
            fig.colorbar(im, ax=ax, label="coarse − model (m³/m³)")
            ax.set_title(f"coarse residual, {date:%Y-%m-%d}")
            parts.append(f'<h2 id="residual">Residual</h2>{_png(fig)}')
    parts.append("</body></html>")
    with atomic_path(path) as tmp:
        tmp.write_text("".join(parts), encoding="utf-8")
    return path
