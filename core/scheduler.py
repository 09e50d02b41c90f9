"""Where independent tasks run: in this process, on a local dask cluster, or on an existing one.

SCHEDULER, a parameter of the long tools, is one of:

- empty: in this process, one task after the other (numba's threads use the cores);
- ``local:N``: a ``dask.distributed.LocalCluster`` of N worker processes, started for the run and
  stopped after it; each worker's numba threads get cores / N cores;
- ``tcp://host:port``: the scheduler of an existing cluster, whose workers can import ``smfusion.core``
  and its packages (README, "Scaling out").

A task is a module-level function of the engine and its arguments (paths, settings, small arrays), with
a keyword ``progress`` (a Progress in this process, None on a cluster): it reads its inputs, writes its
outputs atomically and returns a small result. Results come back in task
order, so that a run gives the same files wherever its tasks ran. dask is imported only when a cluster
is asked for.
"""

import datetime
import os
import re
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

from .errors import SMFusionError

LOCAL = "local:"
_TCP = re.compile(r"^(tcp|tls)://[^\s/:]+:\d+$")
START_TIMEOUT = 30           # s: for the scheduler of an existing cluster to answer


@dataclass(frozen=True)
class Scheduler:
    """A parsed SCHEDULER: ``workers`` processes of a local cluster, or the ``address`` of one."""
    workers: int = 0
    address: str = ""

    @property
    def in_process(self):
        return not self.workers and not self.address

    def describe(self):
        if self.workers:
            return f"a local dask cluster of {self.workers} worker process(es)"
        if self.address:
            return f"the dask cluster at {self.address}"
        return "this process"


def parse(text):
    """A :class:`Scheduler` from SCHEDULER's text (empty or None → in process); a Scheduler, or one
    already opened by :func:`open_scheduler`, is kept. SMFusionError on anything else."""
    if isinstance(text, (Scheduler, InProcess, Cluster, Lazy)):
        return text
    text = (text or "").strip()
    if not text:
        return Scheduler()
    if text.startswith(LOCAL):
        n = text[len(LOCAL):]
        if n.isdigit() and int(n) >= 1:
            return Scheduler(workers=int(n))
    elif _TCP.match(text):
        return Scheduler(address=text)
    raise SMFusionError(f"SCHEDULER must be empty, local:N (N ≥ 1 worker processes) or tcp://host:port "
                        f"(got {text!r})")


def _python():
    """The Python interpreter that worker processes run: QGIS's own (under ``sys.exec_prefix``). Inside
    QGIS ``sys.executable`` is QGIS itself, or whatever ``python3`` PATH finds first (a pyenv shim, say)."""
    from ..plugin.dependencies import python_executable  # one home: no qgis import there
    return python_executable()


class InProcess:
    """Runs tasks here, one after the other; each gets its share of the bar as ``progress``."""

    def map(self, fn, tasks, progress):
        out = []
        for n, task in enumerate(tasks):
            progress.check()
            out.append(fn(*task, progress=progress.sub(n / len(tasks), (n + 1) / len(tasks))))
        return out


_SMALL = (str, bytes, int, float, bool, type(None), os.PathLike, datetime.date)


def _small(value, depth=0):
    """True for plain values (and short containers of them), which go with each task as they are."""
    if isinstance(value, _SMALL):
        return True
    if isinstance(value, (tuple, list)) and depth < 3 and len(value) <= 64:
        return all(_small(v, depth + 1) for v in value)
    if isinstance(value, dict) and depth < 3 and len(value) <= 64:
        return all(_small(k, depth + 1) and _small(v, depth + 1) for k, v in value.items())
    return False


class Cluster:
    """Runs tasks on a dask cluster through ``client``; cancel cancels what has not finished. An argument
    object that several tasks share (a model, the predictors, a grid's weights) is sent to the workers once."""

    def __init__(self, client):
        self.client = client
        self._sent = {}                         # id(object) → (object, its future on the workers)

    def _arg(self, value):
        if _small(value):
            return value
        key = id(value)
        if key not in self._sent:              # the object is kept with its future, so that its id stays its own
            self._sent[key] = (value, self.client.scatter(value, broadcast=True, hash=False))
        return self._sent[key][1]

    def submit(self, fn, args):
        """The future of ``fn(*args)``, shared arguments sent once."""
        return self.client.submit(fn, *[self._arg(a) for a in args], pure=False)

    def release(self):
        """Let the workers drop the shared arguments."""
        futures = [f for _, f in self._sent.values()]
        self._sent.clear()
        if futures:
            self.client.cancel(futures)

    def map(self, fn, tasks, progress):
        from distributed import as_completed
        if not tasks:
            return []
        futures = [self.submit(fn, task) for task in tasks]
        done = 0
        try:
            for future in as_completed(futures, loop=self.client.loop):
                future.result()                       # a task's error is raised here, with its traceback
                done += 1
                progress.update(done / len(tasks))
                progress.check()
            return [f.result() for f in futures]
        finally:
            self.client.cancel([f for f in futures if not f.done()])
            self.release()


class Feed:
    """The results of ``fn(*args_of(key))`` taken in the order of ``keys`` (:meth:`take`), for a loop that
    must run in date order (a memory) around work that need not. In process each is computed when taken;
    on a cluster up to ``ahead`` are computed in advance (``args_of`` is called in key order either way)."""

    def __init__(self, where, fn, keys, args_of, ahead=8):
        self.where, self.fn, self.args_of = where, fn, args_of
        self.keys = list(keys)
        self.ahead = max(1, int(ahead))
        self.next = 0                           # index of the next key to take
        self.futures = []                       # (key, future) submitted ahead, in order

    def _submit(self):
        while isinstance(self.where, Cluster) and len(self.futures) < self.ahead and \
                self.next + len(self.futures) < len(self.keys):
            key = self.keys[self.next + len(self.futures)]
            self.futures.append((key, self.where.submit(self.fn, self.args_of(key))))

    def take(self, key):
        """The result of ``key``, which must be the next of ``keys``."""
        if self.next >= len(self.keys) or self.keys[self.next] != key:
            raise RuntimeError(f"Feed: {key} taken out of order")
        if not isinstance(self.where, Cluster):
            self.next += 1
            return self.fn(*self.args_of(key))
        self._submit()
        _, future = self.futures.pop(0)
        self.next += 1
        result = future.result()
        self._submit()
        return result

    def close(self):
        """Cancel what was submitted and not taken, and let the workers drop the shared arguments."""
        if self.futures:
            self.where.client.cancel([f for _, f in self.futures])
            self.futures = []
        if isinstance(self.where, Cluster):
            self.where.release()


class Lazy:
    """A scheduler opened on first use (:func:`open_scheduler` with ``lazy``): a run that fails its checks,
    or skips every stage, starts no cluster."""

    def __init__(self, scheduler, progress, exits):
        self.scheduler, self.progress, self.exits = scheduler, progress, exits
        self.opened = None

    def get(self):
        if self.opened is None:
            self.opened = self.exits.enter_context(open_scheduler(self.scheduler, self.progress))
        return self.opened


@contextmanager
def open_scheduler(scheduler, progress=None, lazy=False):
    """An object with ``map(fn, tasks, progress) → [results]`` for ``scheduler`` (a :class:`Scheduler` or
    SCHEDULER's text), opened for a ``with`` block; a local cluster is stopped at its end. One already
    opened is used as it is; ``lazy`` gives a :class:`Lazy` that opens on first use (a pipeline opens its
    cluster once, for every stage that needs it)."""
    scheduler = parse(scheduler)
    if isinstance(scheduler, Lazy):
        yield scheduler.get()
        return
    if isinstance(scheduler, (InProcess, Cluster)):
        yield scheduler
        return
    if lazy:
        with ExitStack() as exits:
            yield Lazy(scheduler, progress, exits)
        return
    if scheduler.in_process:
        yield InProcess()
        return
    try:
        import distributed
    except ImportError as err:
        raise SMFusionError(f"SCHEDULER {scheduler.describe()} needs the packages dask and distributed "
                            f"({err}); install SM Fusion's packages again (Raster › SM Fusion › Check Python "
                            f"packages…, or python3 plugin/dependencies.py --install)") from None
    import logging
    if progress is not None:
        progress.info(f"Running the tasks on {scheduler.describe()}")
    if scheduler.address:
        try:
            client = distributed.Client(scheduler.address, timeout=START_TIMEOUT, set_as_default=False)
        except (OSError, TimeoutError) as err:
            raise SMFusionError(f"SCHEDULER {scheduler.address}: no dask scheduler answers there ({err})") from None
        with client:
            yield Cluster(client)
        return
    import multiprocessing
    multiprocessing.set_executable(_python())            # worker processes run Python, not QGIS
    threads = max(1, (os.cpu_count() or 1) // scheduler.workers)
    env = {"NUMBA_NUM_THREADS": str(threads), "OMP_NUM_THREADS": str(threads)}
    with distributed.LocalCluster(n_workers=scheduler.workers, threads_per_worker=1, processes=True,
                                  dashboard_address=None, silence_logs=logging.ERROR, env=env) as cluster, \
            distributed.Client(cluster, set_as_default=False) as client:
        yield Cluster(client)
