"""Field checks: one compiled checker per table, from the standard's field definitions.

Owns: `check.compile_table` (the per-cell fast and slow paths) and, side by side with it, the
F and D rules it reports (`rules`). May import: the basics (`rules`, `findings`, `tables`,
`standard`, `values`).
"""
