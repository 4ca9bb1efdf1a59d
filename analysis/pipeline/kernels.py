"""The build's kernels: started warm, run notebooks with a cell timeout, noticed dead, ended on interrupt.

* **Asynchronous clients.** Each :class:`Kernel` owns an ``AsyncKernelManager``, its
  ``AsyncKernelClient`` and an event loop of its own (a kernel is used by one thread at a time: the pool
  thread that starts it, then the worker that runs notebooks in it). nbclient gets that client, so its
  per-cell timeout and its once-a-second check that the kernel process is alive both work: a cell that
  never returns ends in :class:`KernelLost` after ``timeout`` seconds, a kernel that dies within about a
  second. (A blocking client, as before, let nbclient wait for output forever.)
* **Nothing left behind.** A :class:`KernelPool` knows every kernel process it started; on an interrupt
  :meth:`KernelPool.kill_all` kills their process groups at once (from any thread), and a kernel
  that finishes starting after that is killed as it registers. The workers blocked in those kernels
  then see a dead kernel within a second and return.
* **No state outside the build.** Kernels run without IPython history and with a private, temporary
  IPython directory (removed at shutdown): nothing is written to ``~/.ipython``, and the user's
  startup files and configuration cannot change what a report shows.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..core.config import CACHE_ENV, DATA_ENV

KERNEL = "python3"
#: default of ``build --cell-timeout``: seconds one cell may run (the slowest real cell takes about 2 s)
CELL_TIMEOUT = 300
START_TIMEOUT = 120
#: seconds :meth:`Kernel.kill` waits for the killed process to be gone before it removes the kernel's folder
KILL_WAIT = 5
#: how often a wait that nbclient does not watch (the warm-up, the reset) checks the kernel is alive
ALIVE_POLL = 0.5

#: keeps ipykernel's console chatter (the TCP warning at start, KeyboardInterrupt at shutdown) out of the
#: progress, and IPython's history database out of the user's home
KERNEL_ARGS = ["--IPKernelApp.log_level=CRITICAL", "--HistoryManager.enabled=False"]
#: environment of every kernel: reproducible outputs (stable hash seed and cell names, no progress bars)
KERNEL_ENV = {"PYTHONHASHSEED": "0", "IPYKERNEL_CELL_NAME": "<IPY-INPUT>", "TQDM_DISABLE": "1"}
#: and of the warm kernels: the data loaded once per kernel (analysis.core.config.CACHE_ENV, read by analysis.load)
WARM_ENV = {CACHE_ENV: "1"}
#: the garbage collector's thresholds in a warm kernel after its warm-up (Python's are 700, 10, 10): a hundred
#: times fewer young collections (a notebook allocates millions of small objects, few of them in cycles). With
#: ``gc.freeze`` after the imports, a build's kernels spend about 8 % less CPU (``python -m analysis build --out
#: DIR``: 48.8 → 44.4 CPU-s); the pages are the same bytes.
GC_THRESHOLDS = (100_000, 50, 50)
#: the end of every warm-up: what the kernel holds by then stays for its life, the collector leaves it alone and
#: runs less often (each notebook's %reset collects twice; a full collection walked the whole stack each time)
FREEZE = f"import gc; gc.collect(); gc.freeze(); gc.set_threshold(*{GC_THRESHOLDS!r})"
#: imported once per warm kernel, before its first notebook
WARM_UP = (
    "import pandas, numpy, scipy.stats, seaborn, matplotlib.pyplot, jinja2\n"
    "import analysis.stats.results, analysis.present.charts, analysis.present.tables, analysis.present.prose, analysis.present.notebook, "
    "analysis.stats.projection, analysis.stats.calibration\n"
    # the font registered and Agg's caches filled, so that the first notebook is as fast as the rest
    "analysis.present.charts.setup_style('zh'); analysis.present.charts.png(analysis.present.charts._new('narrow', 1.0))\n"
    + FREEZE
)
#: run in the kernel before each notebook: a clean namespace in the unit's own folder, and the data folder
#: (``load(None)`` reads it from the environment: no absolute path enters the executed notebook)
#: (into the folder first: after a failed notebook the kernel's folder is gone, and %reset reads the cwd)
RESET = (
    "import os as _os\n_os.chdir({cwd!r})\n_os.environ[{env!r}] = {data!r}\ndel _os\n"
    "get_ipython().run_line_magic('reset', '-f')"
)


class BuildError(Exception):
    """A report could not be built: the message names the notebook and the cell (or what else failed).

    The build fails that report only, keeps its earlier version and goes on; the command line prints the
    message in one line.
    """


class KernelLost(BuildError):
    """The kernel can no longer be used: a cell timed out (it may still be running) or the kernel died."""


class Kernel:
    """One kernel, one client and one event loop for its lifetime.

    A warm kernel imports the analysis stack once at start, and each notebook runs after ``%reset -f`` in
    its own folder; otherwise the kernel starts in ``cwd`` and runs one notebook (a fresh kernel, for
    comparison). It runs with :data:`KERNEL_ENV`, a private IPython folder and no history.

    Parameters
    ----------
    warm : bool, optional
        Warm (imports once, many notebooks, the data cached: :data:`WARM_ENV`) or fresh.
    cwd : pathlib.Path, optional
        The kernel's working folder at start (a fresh kernel's unit folder); None for this process's.
    env : dict, optional
        Added to the kernel's environment.
    warm_up : str, optional
        The code a warm kernel runs at start; None for :data:`WARM_UP`.
    on_start : callable, optional
        Called with the kernel as soon as its process exists (the pool registers it there, and may refuse it
        by raising).
    """

    def __init__(
        self,
        warm: bool = True,
        cwd: Path | None = None,
        env: dict | None = None,
        warm_up: str | None = None,
        on_start=None,
    ):
        from jupyter_client import AsyncKernelManager

        self.warm = warm
        self.loop = asyncio.new_event_loop()
        self.ipython_dir = tempfile.mkdtemp(prefix="analysis-ipython-")
        # Unix sockets in the kernel's own folder, not TCP ports: jupyter_client picks free ports before the kernel
        # binds them, and a kernel started meanwhile elsewhere (another build, a test worker's) could take one
        # (``Address already in use`` in the kernel's heartbeat thread)
        self.km = AsyncKernelManager(kernel_name=KERNEL, transport="ipc", ip=os.path.join(self.ipython_dir, "kernel"))
        self.kc = None
        full_env = {
            **os.environ,
            **KERNEL_ENV,
            "IPYTHONDIR": self.ipython_dir,
            **(WARM_ENV if warm else {}),
            **(env or {}),
        }
        full_env.pop("MPLBACKEND", None)
        try:
            self._run(
                self.km.start_kernel(extra_arguments=KERNEL_ARGS, env=full_env, **({"cwd": str(cwd)} if cwd else {}))
            )
            if on_start is not None:
                on_start(self)
            self._run(self._connect())
            if warm:
                self.run(WARM_UP if warm_up is None else warm_up, START_TIMEOUT)
        except BaseException:
            self.shutdown()
            raise

    def _run(self, coro):
        return self.loop.run_until_complete(coro)

    async def _connect(self) -> None:
        self.kc = self.km.client()
        self.kc.start_channels()
        await self.kc.wait_for_ready(timeout=START_TIMEOUT)

    async def _watched(self, coro, what: str):
        """Await ``coro``, checking every :data:`ALIVE_POLL` s that the kernel lives (KernelLost if not)."""
        task = asyncio.ensure_future(coro)
        while True:
            done, _ = await asyncio.wait({task}, timeout=ALIVE_POLL)
            if done:
                return task.result()
            if not await self.km.is_alive():
                task.cancel()
                raise KernelLost(f"the kernel died during {what}")

    def run(self, code: str, timeout: float) -> None:
        """Run preparation code silently (not part of any notebook).

        Parameters
        ----------
        code : str
            Python code for the kernel (the warm-up, the reset before a notebook).
        timeout : float
            Seconds it may take before :class:`KernelLost`.

        Raises
        ------
        KernelLost
            It timed out or the kernel died.
        BuildError
            The code raised.
        """
        coro = self.kc.execute_interactive(
            code, silent=True, store_history=False, timeout=timeout, output_hook=lambda msg: None
        )
        try:
            reply = self._run(self._watched(coro, "its preparation"))
        except TimeoutError:
            raise KernelLost(f"kernel preparation did not finish in {timeout} s") from None
        if reply["content"]["status"] != "ok":
            raise BuildError(
                f"kernel preparation failed: {reply['content'].get('ename')}: {reply['content'].get('evalue')}"
            )

    def execute(
        self,
        nb_path: Path,
        parameters: dict | None,
        cwd: Path,
        name: str = "",
        *,
        timeout: int = CELL_TIMEOUT,
        data_dir: Path | None = None,
    ):
        """Run the notebook at ``nb_path`` in ``cwd``, each cell within ``timeout`` seconds.

        Raises BuildError naming the notebook and cell (KernelLost when the kernel is no longer usable).

        Parameters
        ----------
        nb_path : pathlib.Path
            The notebook.
        parameters : dict or None
            Injected (papermill's way) after its ``parameters`` cell; None runs it as it is.
        cwd : pathlib.Path
            The folder it runs in (the unit's folder: its figures and metrics.json land there).
        name : str, optional
            The unit's name, for messages.
        timeout : int, optional
            Seconds one cell may run (``--cell-timeout``).
        data_dir : pathlib.Path, optional
            The data folder, given to a warm kernel through the environment (never written into the
            notebook); None for the default.

        Returns
        -------
        nbformat.NotebookNode
            The executed notebook (not yet cleaned: :func:`clean_notebook`).
        """
        import nbformat
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

        if self.warm:
            # (an empty data folder: the default, analysis.core.config.default_data_dir)
            reset = RESET.format(cwd=str(cwd), env=DATA_ENV, data=str(data_dir) if data_dir else "")
            self.run(reset, min(timeout, START_TIMEOUT))
        if parameters is not None:
            from papermill.iorw import load_notebook_node
            from papermill.parameterize import parameterize_notebook

            nb = load_notebook_node(str(nb_path))  # with the metadata papermill's injection expects
            nb = parameterize_notebook(nb, parameters, kernel_name=KERNEL, language="python")
        else:
            nb = nbformat.read(nb_path, as_version=4)
        current = {"cell": "?"}

        def on_cell_start(cell, cell_index):
            current["cell"] = cell_index

        client = NotebookClient(
            nb,
            km=self.km,
            timeout=timeout,
            startup_timeout=START_TIMEOUT,
            kernel_name=KERNEL,
            record_timing=False,
            resources={"metadata": {"path": str(cwd)}},
            on_cell_start=on_cell_start,
        )
        client.kc = self.kc
        where = f"{nb_path.name} (report {name})"
        try:
            self._run(client.async_execute())
        except CellExecutionError as exc:
            failed = next(
                (
                    i
                    for i, c in enumerate(nb.cells)
                    if any(o.get("output_type") == "error" for o in c.get("outputs", []))
                ),
                "?",
            )
            raise BuildError(f"{where} failed in cell {failed}: {exc.ename}: {exc.evalue}") from None
        except CellTimeoutError:
            raise KernelLost(
                f"{where} timed out in cell {current['cell']}: it ran longer than {timeout} s (--cell-timeout)"
            ) from None
        except DeadKernelError:
            raise KernelLost(f"{where}: the kernel died in cell {current['cell']}") from None
        return nb

    def kill(self) -> None:
        """Kill the kernel's process group at once, and remove its files once the process is gone.

        Safe from any thread, also while the kernel runs a cell. Its connection file and IPython folder are removed
        after the process has ended (at most :data:`KILL_WAIT` s later): an interrupted build leaves nothing in
        the temporary folder.
        """
        prov = getattr(self.km, "provisioner", None)
        pid, pgid = getattr(prov, "pid", None), getattr(prov, "pgid", None)
        try:
            if pgid and pgid != os.getpgid(0):  # its own session (jupyter_client starts kernels so)
                os.killpg(pgid, signal.SIGKILL)
            elif pid:
                os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        process = getattr(prov, "process", None)
        if process is not None:
            with contextlib.suppress(Exception):  # (gone already, or not a child: reaped elsewhere)
                process.wait(timeout=KILL_WAIT)
        self.km.cleanup_connection_file()
        shutil.rmtree(self.ipython_dir, ignore_errors=True)

    def shutdown(self) -> None:
        """End the kernel (killed when it does not shut down), close its loop and remove its IPython folder."""
        try:
            if self.kc is not None:
                self.kc.stop_channels()
            self._run(asyncio.wait_for(self.km.shutdown_kernel(now=True), START_TIMEOUT))
        except BaseException:
            self.kill()
        finally:
            if not self.loop.is_running():
                self.loop.close()
            shutil.rmtree(self.ipython_dir, ignore_errors=True)


class KernelPool:
    """Every kernel of a build: ``n`` warm ones started in the background, and any started later.

    The CLI starts the pool before it loads the data; the pool knows each kernel process so that
    :meth:`kill_all` ends them all.

    Parameters
    ----------
    n : int
        Warm kernels to start at once (0 for none: a build of fresh kernels).
    warm_up : str, optional
        The code each warm kernel runs at start; None for :data:`WARM_UP`.
    """

    def __init__(self, n: int, warm_up: str | None = None):
        self.warm_up = warm_up
        self._lock = threading.Lock()
        self._live: set[Kernel] = set()
        self.stopped = False
        self._exec = ThreadPoolExecutor(max_workers=max(1, n))
        self._futures = [self._exec.submit(self.start) for _ in range(n)]

    def _register(self, kernel: Kernel) -> None:
        with self._lock:
            if not self.stopped:
                self._live.add(kernel)
                return
        kernel.kill()
        raise KernelLost("the build was interrupted")

    def start(self, warm: bool = True, cwd: Path | None = None, env: dict | None = None) -> Kernel:
        """A new kernel of this pool (warm, or fresh in ``cwd``).

        Parameters
        ----------
        warm : bool, optional
            Warm, or fresh (one notebook).
        cwd : pathlib.Path, optional
            A fresh kernel's working folder.
        env : dict, optional
            Added to the kernel's environment.

        Returns
        -------
        Kernel

        Raises
        ------
        KernelLost
            The pool was stopped (an interrupt).
        """
        if self.stopped:
            raise KernelLost("the build was interrupted")
        return Kernel(warm, cwd, env, self.warm_up, on_start=self._register)

    def take(self) -> Kernel:
        """A started warm kernel: one of those started in the background, or a new one.

        Returns
        -------
        Kernel
        """
        with self._lock:
            fut = self._futures.pop(0) if self._futures else None
        return fut.result() if fut is not None else self.start()

    def release(self, kernel: Kernel) -> None:
        """Shut a kernel down (after its last notebook, or when it can no longer be used).

        Parameters
        ----------
        kernel : Kernel
            A kernel of this pool.
        """
        with self._lock:
            self._live.discard(kernel)
        kernel.shutdown()

    def kill_all(self) -> None:
        """Kill every kernel process of the pool now, and any that starts later (an interrupt)."""
        with self._lock:
            self.stopped = True
            live = list(self._live)
        for kernel in live:
            kernel.kill()

    def close(self) -> None:
        """Shut down the kernels nobody took."""
        with self._lock:
            left, self._futures = self._futures, []
        for fut in left:
            if fut.cancel():
                continue
            try:
                self.release(fut.result())
            except BaseException:
                pass
        self._exec.shutdown(wait=False, cancel_futures=True)


def join_streams(outputs: list) -> list:
    r"""Consecutive stream outputs of one stream (stdout, stderr) as one output.

    How a kernel cuts a print into messages depends on timing (under load ``print("a", x)`` may arrive as
    two), the text does not.

    Parameters
    ----------
    outputs : list of dict
        A code cell's outputs (joined outputs are changed in place).

    Returns
    -------
    list of dict

    Examples
    --------
    >>> out = [{"output_type": "stream", "name": "stdout", "text": "a "},
    ...        {"output_type": "stream", "name": "stdout", "text": ["1\n"]},
    ...        {"output_type": "stream", "name": "stderr", "text": "!"}]
    >>> [(o["name"], o["text"]) for o in join_streams(out)]
    [('stdout', 'a 1\n'), ('stderr', '!')]
    """
    out: list = []
    for o in outputs:
        if (
            o.get("output_type") == "stream"
            and out
            and out[-1].get("output_type") == "stream"
            and out[-1].get("name") == o.get("name")
        ):
            out[-1]["text"] = "".join(out[-1]["text"]) + "".join(o["text"])
        else:
            out.append(o)
    return out


def clean_notebook(nb):
    """Drop what changes from run to run and number the cells 1, 2, …

    Dropped: papermill's metadata (timings, paths), cells' execution timings and random ids (the injected
    parameters cell gets a fixed one), and how streams were cut into messages (:func:`join_streams`).

    Parameters
    ----------
    nb : nbformat.NotebookNode
        An executed notebook, changed in place.

    Returns
    -------
    nbformat.NotebookNode
        ``nb``.
    """
    nb.metadata.pop("papermill", None)
    count = 0
    for _i, cell in enumerate(nb.cells):
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"
        if cell.cell_type == "code":
            cell["outputs"] = join_streams(cell.get("outputs", []))
            if cell.get("execution_count") is not None:
                count += 1
                cell["execution_count"] = count
                for out in cell.get("outputs", []):
                    if "execution_count" in out:
                        out["execution_count"] = count
    return nb
