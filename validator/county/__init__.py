"""The county office's month (二（三）–二（六）): intake, the 研判 meeting, the record, the feedback.

Owns: `intake` (one township package validated and counted in a single read, via the engine's
observer), `rollup` (the month's roll-up: who reported, late, missing, zero reports, which
packages go to the meeting; only alike flows added), `meeting` (the 县级研判表 rows and the
agenda's counts), `record` (the county's own record read back, checked and traced to the
month's packages) and `feedback` (feedback sheets and the releases to mark nationally). May
import everything of the core below it (engine, reading, fields, basics); nothing of
`outputs`, `builders` or `commands`. Pure: it reads packages and returns plain data; the
commands and the site's bridge write the files.
"""
