"""Worker portal: the reviewer's pages (``routes``, ``work_routes``) and the manager console.

The offline crowd elements the task pages run on live one layer below, in :mod:`a2i_kit.crowd`.

Example:
    >>> from a2i_kit.portal.pages import e
    >>> e("<b>")
    '&lt;b&gt;'
"""

from __future__ import annotations
