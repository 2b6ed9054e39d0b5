"""Build step only: a wheel carries the bundled data (data/, scenarios/, registry/, programme/) inside the
package as interbudget/bundled/, so `bundled:` paths work from an installed wheel as from a checkout
(src/interbudget/bundled.py). Everything else about the package is in pyproject.toml."""
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

FOLDERS = ("data", "scenarios", "registry", "programme")


class BuildWithBundledData(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the checkout's own folders
        top = Path(__file__).resolve().parent
        target = Path(self.build_lib) / "interbudget" / "bundled"
        for name in FOLDERS:
            if (top / name).is_dir():
                shutil.copytree(top / name, target / name, dirs_exist_ok=True,
                                ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".*"))


setup(cmdclass={"build_py": BuildWithBundledData})
