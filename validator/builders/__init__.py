"""What only maintainers run, in a checkout: from forms/ to everything derived from it.

Owns: compiling forms/*.yaml into data/standard.json (`standard_json`), the released versions
under schemas/ and what changed since each (`releases`, compiled into data/versions.json; the
files of each version come from `validator.published`), synthetic data and the committed examples (`synth`, `examples`,
`examples_readme`, `workbook_edit`), and the rules' runnable examples (`rule_examples`).
May import anything below it; nothing but the commands and the tests imports it.
"""
