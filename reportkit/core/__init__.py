"""reportkit.core — the contracts every room shares, each with one owner.

- :mod:`~reportkit.core.errors`: ``ReportkitError``, the root of every exception reportkit raises on purpose;
- :mod:`~reportkit.core.clock`: the one clock of every time stamp in an output (``SOURCE_DATE_EPOCH`` honoured);
- :mod:`~reportkit.core.atomic`: replacing a file all or nothing, never leaving a temporary file behind;
- :mod:`~reportkit.core.redact`: what a reader may see — secrets masked in every form, paths shown relative;
- :mod:`~reportkit.core.params`: the schema of the report notebook's parameters (batch and notebook check alike);
- :mod:`~reportkit.core.record`: the report record (keys, MIME type, validation, read and write).

Light by design: standard library and :mod:`reportkit.vn` only, so every room may import it (vn ← core ← data ←
narrative/export ← batch ← cli).
"""
