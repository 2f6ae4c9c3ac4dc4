"""The wheel carries the screens: `templates/`, `static/` and `translations/` are copied into the
`facilitation` package at build time, so an installed `idea-factory` serves every page from any
folder while the repository keeps its top-level folders (pyproject.toml holds everything else)."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

FOLDERS = ("templates", "static", "translations")


class build_py_with_screens(build_py):
    """setuptools' build_py, then the three folders into build_lib/facilitation/."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install serves them from the checkout itself
        here = Path(__file__).resolve().parent
        for folder in FOLDERS:
            target = Path(self.build_lib) / "facilitation" / folder
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(here / folder, target,
                            ignore=shutil.ignore_patterns("*.py", "*.pyc", "__pycache__"))


setup(cmdclass={"build_py": build_py_with_screens})
