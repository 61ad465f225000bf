"""Every rule module; importing this package registers all rules (see `validator.rules`).

Structure (S) rules live with the readers, field (F/D) rules with the field checker; the
rest are here: rows (R, C), tables and package (T), stage records (G), history and roster (H).
"""

from validator.checks import fields, history, package, rows, stages  # noqa: F401
from validator.reading import rules as reading_rules  # noqa: F401
