"""The county office's month: every township package checked on its own and rolled up.

Owns: `rollup` (intake counts by township, risk type, measure and release way, never personal
data). May import everything of the core below it (engine, reading, fields, basics); nothing
of `outputs`, `builders` or `commands`. Pure: it reads packages and returns plain data.
"""
