"""A throw-away JupyterLab and a headless Chromium for the browser tests.

Everything the server writes (config, data, runtime files, settings, workspaces, IPython
profile) goes to a temporary folder, and it serves a temporary copy of ``notebooks/``, so a test
run never touches the user's Jupyter set-up or the repository's lessons. The labextensions
installed in ``sys.prefix/share/jupyter`` (anywidget, ipywidgets) stay on Jupyter's data path:
``JUPYTER_DATA_DIR`` only replaces the per-user folder.

The kernels import ``autogradviz`` (and the widgets' JavaScript and CSS) from this checkout:
the repository comes first on their ``PYTHONPATH``, whichever checkout an editable install of the
package points at.

A missing Chromium is an error, never a skip: the browser tests are part of the test command.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]
# User settings written before the server starts: no kernel-choice dialog, every cell rendered
# (no virtual scrolling), no news / update notifications.
USER_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings":
        {"autoStartDefaultKernel": True, "windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        {"fetchNews": "false", "checkForUpdates": False},
}
# The front-end extensions the widgets need (federated labextensions in sys.prefix).
NEEDED_EXTENSIONS = ("anywidget", "@jupyter-widgets/jupyterlab-manager")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class JupyterLab:
    """``jupyter lab`` on 127.0.0.1 with a temporary token and temporary folders."""

    def __init__(self, notebooks: Path, *, timeout=60.0):
        self.home = Path(tempfile.mkdtemp(prefix="agv-jupyter-"))
        self.root = self.home / "notebooks"
        shutil.copytree(notebooks, self.root,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        self.token = secrets.token_hex(16)
        self.log_path = self.home / "server.log"
        env = dict(os.environ)
        for var, folder in [("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                            ("JUPYTER_RUNTIME_DIR", "runtime"),
                            ("JUPYTERLAB_SETTINGS_DIR", "settings"),
                            ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"),
                            ("IPYTHONDIR", "ipython")]:
            path = self.home / folder
            path.mkdir()
            env[var] = str(path)
        env.pop("JUPYTER_PATH", None)  # only sys.prefix's share/jupyter besides the temp one
        env["PYTHONPATH"] = os.pathsep.join(
            [str(REPO)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
        for name, value in USER_SETTINGS.items():
            path = self.home / "settings" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(value))
        # A free port can be taken between asking and binding (port_retries=0 makes that an
        # exit, not a silent other port): then start again on another one.
        for attempt in range(3):
            self.port = free_port()
            self.url = f"http://127.0.0.1:{self.port}"
            command = [
                sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1",
                f"--port={self.port}", "--ServerApp.port_retries=0",
                f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}",
            ]
            if hasattr(os, "geteuid") and os.geteuid() == 0:
                command.append("--allow-root")
            self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
            self.process = subprocess.Popen(command, env=env, cwd=self.root, stdout=self._log,
                                            stderr=subprocess.STDOUT)
            try:
                self._wait_ready(timeout)
                return
            except RuntimeError:
                port_taken = "already in use" in self.log()
                self._log.close()
                if not port_taken or attempt == 2:
                    self.stop()
                    raise
            except BaseException:
                self.stop()
                raise

    def _wait_ready(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyter lab exited ({self.process.returncode}):\n"
                                   + self.log())
            try:
                status = self.api("status")
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.1)
                continue
            if "started" in status:
                return
        raise TimeoutError(f"jupyter lab not ready after {timeout} s:\n" + self.log())

    def api(self, path, method="GET", body=None):
        """A call to the server's REST API (``/api/<path>``), answered as JSON."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.url}/api/{path}", data=data, method=method,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read()
        return json.loads(text) if text else None

    def page_config(self, path="lab"):
        """The page config JupyterLab embeds in its HTML (lists the federated extensions)."""
        request = urllib.request.Request(f"{self.url}/{path}?token={self.token}")
        with urllib.request.urlopen(request, timeout=10) as response:
            html = response.read().decode()
        start = html.index('id="jupyter-config-data"')
        start = html.index(">", start) + 1
        return json.loads(html[start:html.index("</script>", start)])

    def lab_url(self, notebook):
        return f"{self.url}/lab/tree/{notebook}?token={self.token}&reset"

    def notebook_url(self, notebook):
        """The same notebook in Notebook 7 (the ``notebook`` package's pages on this server)."""
        return f"{self.url}/notebooks/{notebook}?token={self.token}"

    def log(self):
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        if not self._log.closed:
            self._log.close()
        shutil.rmtree(self.home, ignore_errors=True)


def launch_chromium(playwright):
    """Debian's Chromium driven by Playwright (``playwright install`` cannot download here)."""
    if not os.access(CHROMIUM, os.X_OK):
        raise RuntimeError(f"{CHROMIUM} is missing: install Debian's chromium package "
                           "(.ci/run does: apt-get install chromium)")
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                      args=CHROMIUM_ARGS)


def watched_page(browser, timeout):
    """A new page that records dialogs (dismissed) and uncaught page errors.

    Returns ``(page, dialogs, errors)``; ``errors`` holds ``(message, stack)`` pairs.
    """
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(timeout)
    dialogs, errors = [], []

    def on_dialog(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda error: errors.append((error.message, error.stack or "")))
    return page, dialogs, errors
