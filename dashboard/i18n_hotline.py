"""Texts of the Hotline page's KPI sections (issue 14), in English and Simplified Chinese.

Merged into dashboard/i18n.py's tables through its EXTENSIONS; imports nothing from dashboard.
"""

from __future__ import annotations

TEXT: dict[str, tuple[str, str]] = {
    "page.hotline": ("Hotline", "热线"),
    "hl.title": ("Hotline", "热线"),
}

COLUMNS: dict[str, tuple[str, str]] = {}

VALUES: dict[str, dict[str, tuple[str, str]]] = {}
