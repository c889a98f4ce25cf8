"""Build hook: put the top-level ``templates/``, ``static/`` and the fetch manifests (``shapefiles/*.csv``)
into the wheel as ``geoapp/_data/...``, where :mod:`geoapp.resources` looks in an installed copy.

Everything else is in ``pyproject.toml``. An editable install (``pip install -e .``) copies nothing:
it reads the folders of the checkout. ``MANIFEST.in`` puts the same folders into the sdist, which
``python -m build`` turns into the wheel.
"""
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
#: top-level folder -> file patterns copied into geoapp/_data/<folder>/
DATA = {"templates": ["*.html"], "static": ["*.js", "*.css", "*.svg", "*.png"], "shapefiles": ["*.csv"]}


class BuildWithData(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        for folder, patterns in DATA.items():
            source = HERE / folder
            if not source.is_dir():
                raise SystemExit(f"setup.py: {source} is missing; cannot build a wheel without it")
            target = Path(self.build_lib) / "geoapp" / "_data" / folder
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir(parents=True)
            for pattern in patterns:
                for path in sorted(source.rglob(pattern)):
                    out = target / path.relative_to(source)
                    out.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(path, out)


setup(cmdclass={"build_py": BuildWithData})
