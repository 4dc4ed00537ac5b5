"""The one build step beyond pyproject.toml: the shipped sample goes into the wheel.

The repository's top-level `content/` (the sample clinic profile, the documents, their editions in
`content/<language>/`) and `layouts/` are mapped into the package as `handouts/sample/content/` and
`handouts/sample/layouts/` (their files are package data, in pyproject.toml), so that `handouts init` works from
any installation (`shipped_sample` in handouts/load/home.py). They are mapped, not copied: the repository holds
each file once. Everything else about the build is in pyproject.toml; `packages` is here only because
pyproject.toml cannot both find the code's packages and add the mapped ones.
"""

from pathlib import Path

from setuptools import find_namespace_packages, setup

SAMPLE = {"handouts.sample.content": "content", "handouts.sample.layouts": "layouts"}
# Each edition's folder (content/es/ ...) is a package of its own, so that setuptools ships it as one.
EDITIONS = {f"handouts.sample.content.{folder.name}": f"content/{folder.name}"
            for folder in sorted(Path(__file__).parent.joinpath("content").iterdir()) if folder.is_dir()}

setup(packages=[*find_namespace_packages(include=["handouts*"]), *SAMPLE, *EDITIONS],
      package_dir={**SAMPLE, **EDITIONS}, package_data={name: ["*.md"] for name in EDITIONS})
