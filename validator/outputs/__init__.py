"""What a clerk receives from `fpjc template` and the site: blank workbooks, CSV and print forms.

Owns: the submission workbook and per-form workbooks (`workbook`), CSV templates (`csvfiles`),
printable forms (`printable`, laid out by the Jinja2 template and stylesheet in `print/`, which
are package data) and all of them at once (`templates`). Built from the standard alone. May import the basics (`standard`, `values.wording`); the core never imports this.

This file imports nothing, so the command line can offer `FORMATS` without loading openpyxl.
"""

FORMATS = ("xlsx", "csv", "html")  # what `templates.write_templates` can write
