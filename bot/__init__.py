"""helpdesk: the pure core."""

__version__ = "0.1.0"
