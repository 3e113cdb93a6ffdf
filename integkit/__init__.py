"""integkit: turn municipal survey answers on integration work into themes, charts and reports."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("integkit")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"
