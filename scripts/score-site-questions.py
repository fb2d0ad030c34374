#!/usr/bin/env python3
"""Scores site questions natively: packs each site once (`tome pack`), asks every question
(`tome ask PACK QUESTION --json`) and counts the first citation on a gold page (the nearest section
when tome abstains), as `tome bench pack` scores the widget, and (`with_see_also`) the first
citation or one of the other pages the answer lists ("see also") on a gold page. Prints JSON:
counts per file and per site, and each question's cited page.

    scripts/score-site-questions.py [--tome target/release/tome] [--packs DIR] tests/eval/site-questions*.jsonl

With --packs, each site is packed into DIR/<site> once and reused by later runs (remove DIR after
changing how tome packs); without it, into a new temporary folder every run.

The sites are the built documentation folders on this machine that tests/eval/README.md names.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile


def sites():
    sysroot = subprocess.run(["rustc", "--print", "sysroot"], capture_output=True, text=True, check=True).stdout.strip()
    rust = os.path.join(sysroot, "share/doc/rust/html")
    return {
        "rust-book": os.path.join(rust, "book"),
        "nomicon": os.path.join(rust, "nomicon"),
        "cargo": os.path.join(rust, "cargo"),
        "rustc": os.path.join(rust, "rustc"),
        "std": os.path.join(rust, "std"),
        "sphinx": "/usr/share/doc/sphinx-doc/html",
        "requests": "/usr/share/doc/python-requests-doc/html",
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tome", default="target/release/tome")
    ap.add_argument("--packs", help="folder of packs kept between runs")
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()
    folders = sites()
    packs = args.packs or tempfile.mkdtemp(prefix="tome-site-questions-")
    packed = {}
    report = {"files": {}, "sites": {}, "questions": []}
    for path in args.files:
        name = os.path.basename(path)
        with open(path, encoding="utf-8") as f:
            items = [json.loads(line) for line in f if line.strip()]
        for q in items:
            site = q["site"]
            if site not in packed:
                out = os.path.join(packs, site)
                if not os.path.exists(os.path.join(out, "tome-pack.json")):
                    subprocess.run([args.tome, "pack", folders[site], "-o", out], capture_output=True, check=True)
                packed[site] = out
            run = subprocess.run([args.tome, "ask", packed[site], q["question"], "--json"],
                                 capture_output=True, text=True, check=True)
            answer = json.loads(run.stdout)
            cites = answer.get("citations") or []
            url = (cites[0]["url"] if cites else None) or answer.get("nearest") or ""
            page = url.split("#")[0]
            hit = any(page == g["page"] for g in q["gold"])
            others = {r["url"].split("#")[0] for r in answer.get("see_also") or []}
            listed = hit or any(g["page"] in others for g in q["gold"])
            for key, table in ((name, report["files"]), (site, report["sites"])):
                row = table.setdefault(key, {"gold_page_first": 0, "with_see_also": 0, "questions": 0})
                row["gold_page_first"] += hit
                row["with_see_also"] += listed
                row["questions"] += 1
            report["questions"].append({"id": q["id"], "hit": hit, "cited": page,
                                        "gold": sorted({g["page"] for g in q["gold"]})})
    json.dump(report, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
