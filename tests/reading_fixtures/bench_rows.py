"""Time `Table.rows` against a bare csv.reader over the same generated CSV (run by hand).

.venv/bin/python tests/reading_fixtures/bench_rows.py [rows] [--encoding gb18030]
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
from pathlib import Path

from validator import standard
from validator.reading import open_package


def generate(path: Path, n: int, encoding: str) -> None:
    header = [f["title"] for f in standard.form("annex1")["fields"]] + ["附加列"]
    sample = [
        "1",
        "黄坪镇",
        "东山村委会",
        "上村组",
        "段春生",
        "532932195803120013",
        "5329320100001",
        "2018",
        "一般贫困户",
        "4",
        "13900000011",
        "重病户",
        "5200",
        "18000",
        "否",
        "因病",
        "户主患慢性病，长期住院",
        "农户申请",
        "2020-07-10",
        "2020-07-15",
        "医疗救助、就业扶持",
        "办理大病再救助",
        "王明",
        "",
        "x",
    ]
    with path.open("w", encoding=encoding, newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        for i in range(1, n + 1):
            sample[0] = str(i)
            w.writerow(sample)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("rows", type=int, nargs="?", default=1_000_000)
    ap.add_argument("--encoding", default="utf-8")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "annex1.csv"
        generate(path, args.rows, args.encoding)
        size = path.stat().st_size
        bare, opening, rows = [], [], []
        for _ in range(args.repeat):  # interleaved, best of N: the machine may be busy
            t0 = time.perf_counter()
            with path.open(encoding=args.encoding, newline="") as f:
                n_bare = sum(1 for _ in csv.reader(f))
            t1 = time.perf_counter()
            pkg = open_package([path])
            t2 = time.perf_counter()
            n_ours = sum(1 for _ in pkg.tables[0].rows)
            t3 = time.perf_counter()
            bare.append(t1 - t0)
            opening.append(t2 - t1)
            rows.append(t3 - t2)
        b, o, r = min(bare), min(opening), min(rows)
        print(f"{args.rows} rows x 25 columns, {size / 1e6:.0f} MB, {args.encoding}, best of {args.repeat}")
        print(f"bare csv.reader      {b:6.2f} s ({n_bare} records)")
        print(f"open_package         {o:6.2f} s (encoding check, header detection)")
        print(f"Table.rows           {r:6.2f} s ({n_ours} rows)")
        print(f"ratio rows / bare = {r / b:.2f}; (open + rows) / bare = {(o + r) / b:.2f}")


if __name__ == "__main__":
    main()
