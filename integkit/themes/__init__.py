"""Themes: a YAML codebook, explained multi-label assignment, evaluation and discovery."""

from integkit.themes.assign import Assignment, assign, assign_frame, explode_themes
from integkit.themes.codebook import Codebook, Theme, load_codebook
from integkit.themes.discover import DiscoveryResult, discover, discover_frame
from integkit.themes.evaluate import Evaluation, evaluate

__all__ = [
    "Assignment",
    "Codebook",
    "DiscoveryResult",
    "Evaluation",
    "Theme",
    "assign",
    "assign_frame",
    "discover",
    "discover_frame",
    "evaluate",
    "explode_themes",
    "load_codebook",
]
