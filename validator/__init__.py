"""fpjc validator: check a township's monthly 防返贫监测 submission against the standard.

Layers, lowest first; a module imports its own layer and those below it, never one above
(tests/test_architecture.py enforces it, docs/developers/architecture.md explains it):

- basics: `findings`, `tables`, `standard`, `rules`, `report_schema`, `values/` (parsing, ID
  numbers, masking, working days, the Chinese wording of each field type);
- `fields/`: the per-cell checks compiled from the standard, with the F and D rules;
- `reading/`: files → tables of raw cells (S rules), earlier packages and the roster;
- `checks/`: row, table, package, stage, history and settings rules (R, T, G, H, C);
- `catalogue`, `engine`, `api`: the rule registry, one package checked, the Python entry points;
- `render/`: the report as text, HTML and an annotated workbook;
- `county/`: the county office's month over many packages.

Everything above runs unchanged in CPython and in the browser (Pyodide). On top of it, and
never imported by it: `outputs/` (the blank templates a clerk receives), `builders/` (what only
maintainers run: compile forms/, publish schemas/, synthesise examples) and `commands/` (the CLI).
"""

__version__ = "0.1.0"
