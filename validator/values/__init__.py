"""Values: what a single cell means, independent of any table.

Owns: parsing cells (`parse`), resident ID numbers (`idnumber`), masking personal data
(`mask`), working days and deadlines (`workdays`), and the Chinese wording of each field type
and of typed values (`wording`), which every output uses. May import: `standard` only.
"""
