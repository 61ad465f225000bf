"""The county's household ledger (台账): every monitored household across months, in SQLite.

“每月一复核、每月一研判”（二（四））and “直至警情解除”（二（六））mean the county follows each
household from its first warning to its release. The submitted files stay the record; the
ledger is an index rebuilt from them (one SQLite file per county, standard library `sqlite3`
only, so it runs under Pyodide too):

- `store`: the database itself — schema and its version, migrations, the checks that refuse a
  damaged, half-written, newer or foreign file, transactions, and the Chinese errors
  (`LedgerError` and its kinds);
- `ingest`: packages and county records into the ledger: content hashes (adding the same file
  twice changes nothing), validation at submission stage (through `county.intake` and
  `county.record`), month by month so the history rules see the earlier months, replacement of a
  township's month by its corrected package, closing, and one transaction for the whole run;
- `queries`: what the county asks — the townships' monthly status, the monitoring stock at the
  end of a month, overdue items, one household's timeline — and the `tables.History` the history
  rules use (`fpjc validate --ledger`), the same as reading the folder of packages.

May import the core below it (county, engine, reading, fields, basics); nothing of `outputs`,
`builders` or `commands`. The command line and the site's bridge decide where files come from
and where outputs go; the renderers (`render.ledger_formats`) turn the answers into pages.
"""
