"""Worker portal: offline crowd elements (``assets``) and the portal pages (``routes``).

Example:
    >>> from a2i_kit.portal.assets import crowd_elements_js
    >>> "crowd-form" in crowd_elements_js()
    True
"""

from __future__ import annotations
