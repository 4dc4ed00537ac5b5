"""Large-print, accessible patient handouts from Markdown content."""

__version__ = "0.1.0"
