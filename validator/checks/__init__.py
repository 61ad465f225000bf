"""Rules about the values of rows, tables, the package, stage records and history (R, T, G, H, C).

Owns: the rule definitions beside the code that emits them, and `context.Context`, what they
share while one package is checked. No I/O: the engine hands over parsed values, and earlier
packages and rosters arrive already loaded (`validator.reading.history`).

Each module exposes `row_checks(form, ctx)` (functions called once per row) and/or
`finish(ctx)` (run once every table has been read); `validator.engine.CHECK_MODULES` lists them.

May import: `validator.rules`, `findings`, `tables`, `standard`, `values`. Not `reading`,
`fields`, the engine or anything above.
"""
