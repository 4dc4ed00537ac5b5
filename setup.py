"""The one build step beyond pyproject.toml: the shipped sample goes into the wheel.

The repository's top-level `content/` (the sample clinic profile, the documents, their editions in
`content/<language>/`) and `layouts/` are mapped into the package as `handouts/sample/content/` and
`handouts/sample/layouts/` (their files are package data, in pyproject.toml), so that `handouts init` works from
any installation (`shipped_sample` in handouts/load/home.py). They are mapped, not copied: the repository holds
each file once. Everything else about the build is in pyproject.toml; `packages` is here only because
pyproject.toml cannot both find the code's packages and add the mapped ones.
"""

from setuptools import find_namespace_packages, setup

SAMPLE = {"handouts.sample.content": "content", "handouts.sample.layouts": "layouts"}

setup(packages=[*find_namespace_packages(include=["handouts*"]), *SAMPLE], package_dir=SAMPLE)
