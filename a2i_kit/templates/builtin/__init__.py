"""Data package: the built-in templates (``*.html``), their metadata and sample inputs
(``*.json``) and sample images (``assets/``). Load them with
:func:`a2i_kit.templates.builtin` rather than importing this package.
"""
