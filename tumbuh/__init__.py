"""Tumbuh: an information system for Indonesia's stunting-reduction teams (TPPS)."""

__version__ = "0.1.0"
