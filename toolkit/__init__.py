"""School Improvement Toolkit: designation reviews, calendar rules and committee reports
for a multi-academy trust's School Improvement Strategy."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("school-improvement-toolkit")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+local"
