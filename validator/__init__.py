"""fpjc validator: check a township's monthly 防返贫监测 submission against the standard.

The core (reading, checks, findings) uses only the standard library plus small pure-Python
packages so that it runs unchanged in CPython and in the browser (Pyodide).
"""

__version__ = "0.1.0"
