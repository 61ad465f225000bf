"""What only maintainers run, in a checkout: from forms/ to everything derived from it.

Owns: compiling forms/*.yaml into data/standard.json (`standard_json`), publishing schemas/
(`schemagen`), synthetic data and the committed examples (`synth`, `examples`,
`examples_readme`, `workbook_edit`), and the rules' runnable examples (`rule_examples`).
May import anything below it; nothing but the commands and the tests imports it.
"""
