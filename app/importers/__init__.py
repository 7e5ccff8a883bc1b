"""Readers of activity batch files (domain.md §3): Excel, tab-delimited or comma-separated
text (current columns or the legacy Template C/D layout) and MEMS-based XML.

Every reader turns a file into :class:`~app.importers.base.SourceRow` objects whose cells
are keyed by the current column headings of :func:`app.schema.fields.file_columns`, so one
validator serves every format. :func:`app.importers.open.open_batch` picks the reader.
"""
