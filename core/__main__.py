"""``python3 -m smfusion.core``: the engine from the command line, without QGIS, for batch runs and clusters.

    python3 -m smfusion.core demodata --output demo --width 200 --height 200 --days 60
    python3 -m smfusion.core pipeline --fine demo/fine --coarse demo/coarse --ssm demo/gleam/ssm \\
        --rzsm demo/gleam/rzsm --static demo/static --stations demo/stations/stations.gpkg --output run \\
        --scheduler local:2
    python3 -m smfusion.core estarfm --fine demo/fine/ndvi --coarse demo/coarse/ndvi --output fused/ndvi

The folder that holds ``smfusion/`` must be on PYTHONPATH (README, "Scaling out"); SM Fusion's own package
folder (plugin/dependencies.py) is added to sys.path here. Exit status: 0 done, 2 bad input (the message
names it), 130 interrupted.
"""

import argparse
import datetime as dt
import sys

from .errors import Cancelled, SMFusionError


def _date(text):
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {text!r}") from None


def _progress(quiet):
    """A progress callback that prints log lines (and, unless ``quiet``, whole percents) to stderr."""
    last = [-1]

    def report(fraction, message=None):
        if message:
            print(message, file=sys.stderr, flush=True)
        if fraction is not None and not quiet and int(100 * fraction) > last[0]:
            last[0] = int(100 * fraction)
            print(f"{last[0]:3d} %", file=sys.stderr, flush=True)
    return report


def parser():
    p = argparse.ArgumentParser(prog="python3 -m smfusion.core",
                                description="SM Fusion's engine without QGIS: daily 1-km soil moisture.")
    p.add_argument("--quiet", action="store_true", help="print log lines only, not the percentage")
    sub = p.add_subparsers(dest="command", required=True)
    sched = {"help": "empty: this process; local:N: a local dask cluster of N processes; tcp://host:port: a cluster"}

    from .demo import DemoConfig
    from .estarfm_options import METHODS, MODES, Options
    demo, opts = DemoConfig(), Options()                # the defaults, from their homes
    d = sub.add_parser("demodata", help="write a synthetic demo region with its truth (smfusion:demodata)")
    d.add_argument("--output", required=True)
    d.add_argument("--width", type=int, default=demo.width)
    d.add_argument("--height", type=int, default=demo.height)
    d.add_argument("--start", type=_date, default=demo.start)
    d.add_argument("--days", type=int, default=demo.days)
    d.add_argument("--seed", type=int, default=demo.seed)
    d.add_argument("--stations", type=int, default=demo.stations)

    e = sub.add_parser("estarfm", help="ESTARFM over a series (smfusion:estarfm)")
    e.add_argument("--fine", required=True, help="fine series folder")
    e.add_argument("--coarse", required=True, help="coarse series folder")
    e.add_argument("--output", required=True)
    e.add_argument("--mode", default=MODES[0], choices=MODES)
    e.add_argument("--window", type=int, default=opts.window)
    e.add_argument("--classes", type=int, default=opts.classes)
    e.add_argument("--method", default=opts.method, choices=METHODS)
    e.add_argument("--start", type=_date)
    e.add_argument("--end", type=_date)
    e.add_argument("--scheduler", default="", **sched)

    q = sub.add_parser("pipeline", help="the whole method for SSM and RZSM (smfusion:pipeline)")
    q.add_argument("--fine", required=True, help="folder of fine driver series (ndvi/, lst_day/…)")
    q.add_argument("--coarse", required=True, help="folder of coarse driver series, the same sub-folders")
    q.add_argument("--ssm", help="coarse SSM series folder")
    q.add_argument("--rzsm", help="coarse RZSM series folder")
    q.add_argument("--static", required=True, help="folder of static GeoTIFFs on the fine grid")
    q.add_argument("--stations", required=True, help="station GeoPackage")
    q.add_argument("--output", required=True)
    q.add_argument("--holdout", default="0.25", help="a fraction, or station ids separated by commas")
    q.add_argument("--seed", type=int, default=0)
    q.add_argument("--memory", type=float, help="days of the detail's and the correction's memory")
    q.add_argument("--truth", help="folder of ssm/ and rzsm/ reference series, scored alongside")
    q.add_argument("--overwrite", action="store_true")
    q.add_argument("--netcdf", action="store_true")
    q.add_argument("--scheduler", default="", **sched)
    return p


def run(args):
    """Run the parsed command; returns what the engine returned."""
    progress = _progress(args.quiet)
    if args.command == "demodata":
        from .demo import DemoConfig, make_demo
        cfg = DemoConfig(width=args.width, height=args.height, start=args.start, days=args.days, seed=args.seed,
                         stations=args.stations)
        return make_demo(args.output, cfg, progress=progress)
    if args.command == "estarfm":
        from .estarfm_options import Options
        from .fusion import fuse_series
        opts = Options(window=args.window, classes=args.classes, method=args.method)
        return fuse_series(args.fine, args.coarse, args.output, opts, mode=args.mode, start=args.start,
                           end=args.end, progress=progress, scheduler=args.scheduler)
    from .calibrate import parse_holdout
    from .pipeline import run_pipeline
    return run_pipeline(args.fine, args.coarse, {"ssm": args.ssm, "rzsm": args.rzsm}, args.static, args.stations,
                        args.output, holdout=parse_holdout(args.holdout), seed=args.seed, memory=args.memory,
                        truth=args.truth, overwrite=args.overwrite, netcdf=args.netcdf, scheduler=args.scheduler,
                        progress=progress)


def main(argv=None):
    args = parser().parse_args(argv)
    from ..plugin import dependencies  # SM Fusion's package folder (no qgis import there)
    dependencies.add_to_sys_path()
    try:
        run(args)
    except (KeyboardInterrupt, Cancelled):
        print("interrupted", file=sys.stderr)
        return 130
    except SMFusionError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
