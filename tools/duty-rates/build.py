#!/usr/bin/env python3
"""Generate data/customs/duty-rates/{us,gb,eu,jp}.csv: the MFN ad valorem duty per HS 2022 subheading.

Reads the tariff tables in ../shared/reference/tariffs and the HS 2022 nomenclature in data/hs, and writes one row
per HS 2022 subheading: hs6,percent,min_percent,lines,mapping,note. No rate is typed here: every number comes from
a table. Standard library only; deterministic (same input, same bytes). See README.md beside this file.
"""

import argparse
import csv
import re
import sys
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*%")
PLAIN = re.compile(r"\d+(?:\.\d+)?%")
MONTHS = re.compile(r"\b(JAN|FEB|MAR|APR|MAY|JUNE?|JUL|AUG|SEP|OCT|NOV|DEC)\b")


class Line:
    """One national tariff line: its subheading, its ad valorem percentages (None when it has none) and its kind."""

    __slots__ = ("hs6", "percent", "kind")

    def __init__(self, hs6, percent, kind):
        self.hs6 = hs6
        self.percent = percent  # Decimal or None (skipped: specific, seasonal or other)
        self.kind = kind  # plain | compound | alternative | range | skipped


def percents(text):
    return [Decimal(p) for p in PERCENT.findall(text)]


# --- United States: HTS column 1 General -------------------------------------------------------------------------
# A national line is a row that carries a general rate: the 8-digit tariff line, or the 10-digit statistical line
# where the schedule prints the rate there (6912.00.10.00). Chapters 98 and 99 are not HS and are left out.

def us_rate(text):
    if text == "Free":
        return Decimal(0), "plain"
    if PLAIN.fullmatch(text):
        return Decimal(text[:-1]), "plain"
    found = percents(text)
    if found and not text.startswith("The "):
        # "0.9¢ each + 4% on the case + 2.6% on the battery": the highest ad valorem part, the specific part left out
        return max(found), "compound"
    return None, "skipped"


def read_us(path):
    lines = []
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            digits = row["hts_code"].replace(".", "")
            rate = row["general_rate"].strip()
            if not rate or len(digits) < 8 or digits[:2] in ("98", "99"):
                continue
            percent, kind = us_rate(rate)
            lines.append(Line(digits[:6], percent, kind))
    return lines


# --- UK Global Tariff and EU CET: commodity codes with a duty text -------------------------------------------------
# A national line is an 8-digit CN code; the 10-digit rows the UK split off are taken into the highest and lowest
# rate of their 8-digit line but not counted as lines of their own.

def uk_eu_rate(text):
    if MONTHS.search(text):
        return None, "skipped"  # seasonal: the rate depends on the import date
    if PLAIN.fullmatch(text):
        return Decimal(text[:-1]), "plain"
    lead = re.match(r"(\d+(?:\.\d+)?)%", text)
    if lead:
        # "6.0% + 20 GBP/100kg", "8.3% + EA MAX 24.2% + ADSZ", "2.7% MIN 0.2 EUR / item": the ad valorem part
        return Decimal(lead.group(1)), "compound"
    return None, "skipped"


def read_uk_eu(path, column):
    by_cn8 = defaultdict(list)
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            code = row["commodity"].strip()
            if not re.fullmatch(r"\d{8}(\d{2})?", code):
                raise SystemExit(f"{path}: unexpected commodity code '{code}'")
            percent, kind = uk_eu_rate(row[column].strip())
            by_cn8[code[:8]].append((percent, kind))
    lines = []
    for cn8 in sorted(by_cn8):
        rates = by_cn8[cn8]
        found = [p for p, _ in rates if p is not None]
        kinds = {k for _, k in rates}
        if not found:
            lines.append(Line(cn8[:6], None, "skipped"))
            continue
        kind = "compound" if "compound" in kinds else "plain"
        # the split rows' rates, highest and lowest, as one line
        lines.append(Line(cn8[:6], (max(found), min(found)), kind))
    return lines


# --- Japan: general, temporary and WTO rates ----------------------------------------------------------------------
# A national line is a 9-digit statistical code (a row with hs_code). A row without rates takes them from the nearest
# row above it in the same subheading at a smaller level. The applied MFN rate is the WTO rate unless it is printed in
# parentheses (not applied because the national rate is equal or lower); then the temporary rate if any, else the
# general rate (Japan Customs' schedule convention, see ../shared/reference/tariffs/jp/SOURCE.md).

JP_NORMALISE = str.maketrans({"（": "(", "）": ")", "％": "%", "＋": "+"})
JP_MARKERS = "◎※*●"
JP_NOT_AD_VALOREM = ("キログラムにつき", "課税価格", "基準輸入価格", "頭につき")


def jp_clean(text):
    return text.translate(JP_NORMALISE).strip().lstrip(JP_MARKERS).strip()


def jp_rate(text):
    if not text or any(word in text for word in JP_NOT_AD_VALOREM):
        return None, "skipped"
    inner = text[1:-1] if text.startswith("(") and text.endswith(")") and text.count("(") == 1 else text
    if inner == "無税":
        return Decimal(0), "plain"
    if PLAIN.fullmatch(inner):
        return Decimal(inner[:-1]), "plain"
    found = percents(inner)
    if "無税" in inner:
        found.append(Decimal(0))
    if not found:
        return None, "skipped"
    if "いずれか" in inner:
        return max(found), "alternative"  # "x% or y yen/kg, whichever is higher (or lower)"
    if "円" in inner:
        return max(found), "compound"
    return max(found), "range"  # "(無税)〜(3.9%)" or one percentage per kind of goods


def jp_applied(general, temporary, wto):
    national = jp_clean(temporary) or jp_clean(general)
    wto = jp_clean(wto)
    if wto and not wto.startswith("("):
        if "(" in wto:
            # "●2.5%〜(4.4%)": the WTO rate applies to some goods; the parenthesised part is not applied, the national
            # rate applies to those goods instead
            return re.sub(r"\([^)]*\)", "", wto) + "〜" + national
        return wto
    return national


def read_jp(path, stats):
    lines = []
    chain = []  # (level, row) of rows above that carry a rate, in the current subheading
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            level = int(row["level"])
            code = row["stat_code"].replace(".", "")
            chain = [(lv, r) for lv, r in chain if lv < level and r["stat_code"] == row["stat_code"]]
            has_rate = any(row[c].strip() for c in ("rate_general", "rate_temporary", "rate_wto"))
            if not row["hs_code"].strip():
                if has_rate:
                    chain.append((level, row))
                continue
            source = row if has_rate else (chain[-1][1] if chain else None)
            if source is None:
                lines.append(Line(code, None, "skipped"))
                stats["jp_no_rate"] += 1
                continue
            text = jp_applied(source["rate_general"], source["rate_temporary"], source["rate_wto"])
            percent, kind = jp_rate(text)
            national, _ = jp_rate(jp_clean(source["rate_temporary"]) or jp_clean(source["rate_general"]))
            wto, _ = jp_rate(jp_clean(source["rate_wto"]))
            if percent is not None and national is not None and wto is not None and percent > min(national, wto):
                stats["jp_applied_above_lower_rate"] += 1  # a check on the parenthesis rule: expected 0
            lines.append(Line(code, percent, kind))
    return lines


# --- Rows -----------------------------------------------------------------------------------------------------------

def fmt(value):
    text = format(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def bounds(line):
    return line.percent if isinstance(line.percent, tuple) else (line.percent, line.percent)


def average(values):
    return sum(values) / len(values) if values else None


def plural(n, word):
    return f"{n} {word}" + ("" if n == 1 else "s")


def build_rows(lines, hs6_codes, mapping_found, estimate_missing):
    by_hs6 = defaultdict(list)
    for line in lines:
        by_hs6[line.hs6].append(line)
    heading, chapter, everything = defaultdict(list), defaultdict(list), []
    for line in lines:
        if line.percent is not None:
            for p in set(bounds(line)):
                heading[line.hs6[:4]].append(p)
                chapter[line.hs6[:2]].append(p)
                everything.append(p)

    def estimate(hs6):
        for scope, values in ((f"heading {hs6[:4]}", heading[hs6[:4]]), (f"chapter {hs6[:2]}", chapter[hs6[:2]])):
            if values:
                return average(values), scope
        return average(everything), "whole table"

    rows, dropped = [], 0
    for hs6 in sorted(by_hs6):
        if hs6 not in hs6_codes:
            dropped += 1  # an HS 2017 code that HS 2022 no longer has
    for hs6 in sorted(hs6_codes):
        group = by_hs6.get(hs6)
        if not group:
            if estimate_missing:
                value, scope = estimate(hs6)
                rows.append((hs6, fmt(value), fmt(value), 0, "estimate",
                             f"no line with this code in the table (new or changed in HS 2022): "
                             f"estimated at the {scope} average of the table's ad valorem rates"))
            continue
        rated = [line for line in group if line.percent is not None]
        skipped = len(group) - len(rated)
        if not rated:
            value, scope = estimate(hs6)
            rows.append((hs6, fmt(value), fmt(value), len(group), "estimate",
                         f"no line has an ad valorem rate ({plural(skipped, 'line')} specific or otherwise non-percentage): "
                         f"estimated at the {scope} average of the table's ad valorem rates"))
            continue
        notes = []
        for kind, text in (("compound", "compound (ad valorem part kept; specific part left out)"),
                           ("alternative", "alternative duty with a specific rate (ad valorem part kept)"),
                           ("range", "several percentages (highest kept)")):
            n = sum(1 for line in rated if line.kind == kind)
            if n:
                notes.append(f"{plural(n, 'line')} {text}")
        if skipped:
            notes.append(f"{plural(skipped, 'line')} with a specific or seasonal or other non-percentage rate left out")
        high = max(bounds(line)[0] for line in rated)
        low = min(bounds(line)[1] for line in rated)
        rows.append((hs6, fmt(high), fmt(low), len(group), mapping_found, "; ".join(notes)))
    return rows, dropped


def write(path, rows):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("hs6,percent,min_percent,lines,mapping,note\n")
        for row in rows:
            cells = [str(c) for c in row]
            if any("," in c or '"' in c or "\n" in c for c in cells):
                raise SystemExit(f"{path}: a cell needs quoting: {cells}")
            f.write(",".join(cells) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=REPO.parent / "shared" / "reference" / "tariffs",
                        help="the tariff tables (default: ../shared/reference/tariffs beside the repository)")
    parser.add_argument("--hs", type=Path, default=REPO / "data" / "hs" / "harmonized-system.csv")
    parser.add_argument("--out", type=Path, default=REPO / "data" / "customs" / "duty-rates")
    args = parser.parse_args()

    with open(args.hs, encoding="utf-8", newline="") as f:
        hs6_codes = {r["hscode"] for r in csv.DictReader(f) if r["level"] == "6" and not r["hscode"].startswith("99")}
    if len(hs6_codes) < 5000:
        raise SystemExit(f"{args.hs}: only {len(hs6_codes)} subheadings: not the HS 2022 nomenclature?")

    stats = defaultdict(int)
    ref = args.reference
    tables = [
        ("us", read_us(ref / "us" / "hts-2026-rev10-general.csv"), "exact", False),
        ("gb", read_uk_eu(ref / "uk" / "ukgt-2021-01-01.csv", "ukgt_duty_rate"), "hs2017_unchanged", True),
        ("eu", read_uk_eu(ref / "eu" / "eu-cet-2020-from-ukgt.csv", "cet_duty_rate"), "hs2017_unchanged", True),
        ("jp", read_jp(ref / "jp" / "jp-tariff-2026-07-09.csv", stats), "exact", False),
    ]
    args.out.mkdir(parents=True, exist_ok=True)
    for name, lines, mapping, estimate_missing in tables:
        rows, dropped = build_rows(lines, hs6_codes, mapping, estimate_missing)
        write(args.out / f"{name}.csv", rows)
        counts = defaultdict(int)
        for row in rows:
            counts[row[4]] += 1
        noted = sum(1 for row in rows if row[5] and row[4] != "estimate")
        summary = ", ".join(f"{k} {counts[k]}" for k in sorted(counts))
        print(f"{name}.csv: {len(rows)} rows ({summary}); {noted} with a note; "
              f"{len(lines)} national lines; {dropped} source subheadings not in HS 2022 left out")
    for key in sorted(stats):
        print(f"jp check {key}: {stats[key]}", file=sys.stderr)


if __name__ == "__main__":
    main()
