"""Drafts of long forms: what a person typed and saved with «Salva bozza», to finish later.

A draft belongs to its author only (one per user and form key), is never validated, never reaches the process
engine, its journal or the process data, and is deleted by `flask tessere retention` once it is 30 days old.
`services` holds the domain functions (save, load, discard, purge); `web` the small glue the form pages share.
"""
