"""Throwaway virtual environments that see the test environment's packages, offline.

``python -m venv --system-site-packages`` from a venv's python only sees the *base*
interpreter's site-packages, not the running venv's (where credtrail, pytest and
setuptools are). A ``.pth`` file that calls ``site.addsitedir`` on the running
environment's site-packages fixes that, with its own ``.pth`` files (credtrail's
editable finder) processed too. Packages are then installed with
``--no-deps --no-build-isolation``: nothing is downloaded.
"""

from __future__ import annotations

import os
import site
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Venv:
    root: Path

    @property
    def bin(self) -> Path:
        return self.root / "bin"

    @property
    def python(self) -> Path:
        return self.bin / "python"

    def run(
        self, *args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run a command with this venv first on PATH; never raises on a non-zero exit."""
        full_env = {**os.environ, **(env or {})}
        full_env["PATH"] = f"{self.bin}{os.pathsep}{full_env.get('PATH', '')}"
        full_env["VIRTUAL_ENV"] = str(self.root)
        full_env.pop("PYTHONPATH", None)
        # The tests' own settings must not leak into the child (plugin selection, tracing).
        for name in ("CREDTRAIL_LOAD_PLUGINS", "CREDTRAIL_TRACE_PLUGINS", "CREDTRAIL_STORE"):
            if env is None or name not in env:
                full_env.pop(name, None)
        return subprocess.run(
            [str(a) for a in args],
            cwd=cwd,
            env=full_env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    @property
    def site_packages(self) -> Path:
        version = f"python{sys.version_info.major}.{sys.version_info.minor}"
        return self.root / "lib" / version / "site-packages"

    def hide(self, module: str) -> None:
        """Make ``import module`` fail in this venv, as if it were not installed."""
        (self.site_packages / f"{module}.py").write_text(
            f"raise ModuleNotFoundError('No module named {module!r}', name={module!r})\n"
        )

    def pip_install_editable(self, project: Path) -> subprocess.CompletedProcess[str]:
        done = self.run(
            self.python,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-e",
            project,
        )
        assert done.returncode == 0, f"pip install -e {project} failed:\n{done.stderr}"
        return done

    def pip_uninstall(self, distribution: str) -> None:
        done = self.run(self.python, "-m", "pip", "uninstall", "--yes", distribution)
        assert done.returncode == 0, f"pip uninstall {distribution} failed:\n{done.stderr}"


def make_venv(root: Path) -> Venv:
    """A venv at ``root`` seeing this environment's packages, with a ``credtrail`` script."""
    subprocess.run(
        [sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(root)],
        check=True,
        timeout=120,
    )
    venv = Venv(root)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    own_site = root / "lib" / version / "site-packages"
    parents = [p for p in site.getsitepackages() if Path(p).is_dir()]
    lines = [f"import site; site.addsitedir({p!r})" for p in parents]
    (own_site / "_credtrail_parent_env.pth").write_text("\n".join(lines) + "\n")
    # credtrail's console script lives in the parent env's bin: give this venv its own.
    script = venv.bin / "credtrail"
    script.write_text(
        f"#!{venv.python}\nimport sys\nfrom credtrail.cli.main import main\nsys.exit(main())\n"
    )
    script.chmod(0o755)
    return venv
