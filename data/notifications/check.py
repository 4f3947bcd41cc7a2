#!/usr/bin/env python3
"""Checks the notification texts (messages.*.json) in this directory.

Usage: python3 check.py [directory]      Exits 1 on any problem, 0 when every file is fine.

Checks: JSON shape (exact top-level, common and kind keys, all strings), locale matches the file name, the
same 14 kinds in every file, Liquid tags limited to {{ var }}, {% if var %}, {% else %}, {% endif %} with
allowed variable names and proper nesting, optional variables only used inside {% if that_variable %},
each kind uses the variables it is about, subjects on one line, actions one paragraph, plain text (no HTML or
Markdown). Each template is then rendered with every combination of its optional variables set or absent,
and the result is checked for stray spaces, empty brackets and leftover template syntax.
"""
import itertools
import json
import pathlib
import re
import sys

TOP_KEYS = {"locale", "language", "source", "licence", "common", "kinds"}
COMMON_KEYS = {"greeting", "track_button", "signature", "footer", "what_to_do"}
KIND_KEYS = {"subject", "body", "action"}
BUYER_KINDS = [
    "shipped", "approaching_customs", "at_customs", "customs_held", "customs_cleared", "at_delivery_office",
    "out_for_delivery", "delivery_attempted", "available_for_pickup", "delayed", "delivered", "returned_to_sender",
]
SELLER_KINDS = ["seller_exception", "seller_stalled"]
KINDS = BUYER_KINDS + SELLER_KINDS

ALWAYS = ["buyer_name", "seller_name", "tracking_number", "tracking_url", "carrier", "destination_country"]
OPTIONAL = [
    "order_reference", "expected_window", "new_expected_window", "event_time", "event_place", "duties_due",
    "duties_paid", "pickup_place", "pickup_until", "attempt", "exception_reason", "stalled_for", "milestone",
]
ALLOWED = set(ALWAYS) | set(OPTIONAL)
# Seller alerts are rendered without the order: the destination country may be absent there too.
OPTIONAL_IN_SELLER = set(OPTIONAL) | {"destination_country"}

# What each kind is about: it must use these variables somewhere in subject, body or action.
REQUIRED = {
    "shipped": {"carrier", "expected_window"},
    "approaching_customs": {"destination_country", "duties_due", "duties_paid"},
    "at_customs": {"destination_country"},
    "customs_held": {"destination_country", "duties_due"},
    "out_for_delivery": {"duties_due"},
    "at_delivery_office": {"event_place"},
    "delivery_attempted": {"attempt"},
    "available_for_pickup": {"pickup_place", "pickup_until", "tracking_number"},
    "delayed": {"new_expected_window"},
    "delivered": {"seller_name"},
    "returned_to_sender": {"seller_name"},
    "seller_exception": {"tracking_number", "milestone", "exception_reason", "event_place", "event_time"},
    "seller_stalled": {"tracking_number", "stalled_for", "milestone", "carrier"},
}

SAMPLE = {
    "buyer_name": "Alex Martin", "seller_name": "Northwind Goods", "order_reference": "NW-10482",
    "tracking_number": "LX123456789DE", "tracking_url": "https://track.example.com/track/LX123456789DE",
    "carrier": "Deutsche Post", "expected_window": "8 Dec – 11 Dec", "new_expected_window": "12 Dec – 15 Dec",
    "event_time": "Tuesday, 8 December 2026 14:30", "event_place": "Lyon, France",
    "destination_country": "France", "duties_due": "EUR 12.40", "duties_paid": "true",
    "pickup_place": "Lyon, France", "pickup_until": "15 December", "attempt": "2",
    "exception_reason": "Addressee not available", "stalled_for": "5 days", "milestone": "customs held",
}

TAG = re.compile(r"\{\{(.*?)\}\}|\{%(.*?)%\}", re.S)
NAME = r"[a-z_][a-z0-9_]*"
HTML = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(\s[^<>]*)?/?>|&(#\d+|#x[0-9a-fA-F]+|[A-Za-z]+);")
MARKDOWN = re.compile(r"\*\*|__|\]\(|`|^\s*#|^\s*[-*] ", re.M)
NBSP = "\u00a0\u202f"


def parse(text):
    """Splits a template into ('text', s), ('var', name), ('if', name), ('else',), ('endif',) or raises ValueError."""
    tokens, pos = [], 0
    for m in TAG.finditer(text):
        tokens.append(("text", text[pos:m.start()]))
        pos = m.end()
        if m.group(1) is not None:
            inner = m.group(1)
            if "{" in inner or "}" in inner or "%" in inner:
                raise ValueError(f"malformed output tag {m.group(0)!r}")
            name = inner.strip()
            if not re.fullmatch(NAME, name):
                raise ValueError(f"only a bare variable is allowed in {m.group(0)!r} (no filters, no expressions)")
            tokens.append(("var", name))
        else:
            inner = m.group(2)
            if "{" in inner or "}" in inner or "%" in inner:
                raise ValueError(f"malformed tag {m.group(0)!r}")
            words = inner.split()
            if len(words) == 2 and words[0] == "if" and re.fullmatch(NAME, words[1]):
                tokens.append(("if", words[1]))
            elif words == ["else"]:
                tokens.append(("else",))
            elif words == ["endif"]:
                tokens.append(("endif",))
            else:
                raise ValueError(f"unsupported tag {m.group(0)!r} (only if VAR / else / endif)")
    tokens.append(("text", text[pos:]))
    for kind, *rest in tokens:
        if kind == "text":
            for stray in ("{{", "}}", "{%", "%}"):
                if stray in rest[0]:
                    raise ValueError(f"unbalanced {stray!r}")
    return tokens


def structure(tokens, optional):
    """Checks nesting and guards; returns the set of variables used. Raises ValueError."""
    used, stack = set(), []  # stack of [var, seen_else]
    for tok in tokens:
        if tok[0] == "var":
            name = tok[1]
            if name not in ALLOWED:
                raise ValueError(f"unknown variable {{{{ {name} }}}}")
            if name in optional and not any(v == name and not e for v, e in stack):
                raise ValueError(f"{{{{ {name} }}}} may be absent: use it only inside {{% if {name} %}}")
            used.add(name)
        elif tok[0] == "if":
            if tok[1] not in ALLOWED:
                raise ValueError(f"unknown variable in {{% if {tok[1]} %}}")
            used.add(tok[1])
            stack.append([tok[1], False])
        elif tok[0] == "else":
            if not stack:
                raise ValueError("{% else %} outside {% if %}")
            if stack[-1][1]:
                raise ValueError("two {% else %} in one {% if %}")
            stack[-1][1] = True
        elif tok[0] == "endif":
            if not stack:
                raise ValueError("{% endif %} without {% if %}")
            stack.pop()
    if stack:
        raise ValueError(f"{{% if {stack[-1][0]} %}} is never closed")
    return used


def render(tokens, values):
    out, stack = [], []  # stack of booleans: is this branch shown
    for tok in tokens:
        shown = all(stack)
        if tok[0] == "text":
            if shown:
                out.append(tok[1])
        elif tok[0] == "var":
            if shown:
                out.append(values.get(tok[1], ""))
        elif tok[0] == "if":
            stack.append(bool(values.get(tok[1])))
        elif tok[0] == "else":
            stack[-1] = not stack[-1]
        elif tok[0] == "endif":
            stack.pop()
    return "".join(out).strip()  # the program trims every rendered template


def rendered_problems(text, locale, field):
    problems = []
    if field != "action" and not text:
        problems.append("renders empty")
    if re.search(r"[ \t\u00a0\u202f]{2,}", text):
        problems.append("double space")
    if re.search(r"[ \t]\n|\n[ \t\u00a0]", text):
        problems.append("space at a line end or start")
    if "\n\n\n" in text:
        problems.append("more than one blank line")
    if re.search(r"[ \t\u00a0\u202f][.,)\]]", text) or re.search(r"[(\[][ \t]", text):
        problems.append("space before . , ) or after (")
    if re.search(r"[ \t\u00a0\u202f][，。：；！？）」]", text):
        problems.append("space before full-width punctuation")
    if locale == "fr":
        if re.search(r" [:;!?»]|« ", text):
            problems.append("French: use a no-break space (U+00A0) before : ; ! ? » and after «")
    else:
        if re.search(r"[ \t\u00a0][:;!?]", text):
            problems.append("space before : ; ! ?")
    if re.search(r"\(\s*\)|（\s*）|“\s*”|«\s*»", text):
        problems.append("empty brackets or quotes")
    if re.search(r"(?<!\.)\.\.(?!\.)|,,|,\.|\.,|;\.|:\.", text):
        problems.append("doubled punctuation")
    if any(s in text for s in ("{{", "}}", "{%", "%}")):
        problems.append("template syntax left over")
    if field == "subject" and "\n" in text:
        problems.append("subject spans several lines")
    if field == "action" and "\n" in text:
        problems.append("action is more than one paragraph")
    if field == "body" and len(text.split("\n\n")) > 2:
        problems.append("body has more than two paragraphs")
    return problems


def check_template(where, text, locale, field, optional, errors):
    if not isinstance(text, str):
        errors.append(f"{where}: not a string")
        return set()
    if field == "subject" and ("\n" in text or "\r" in text):
        errors.append(f"{where}: the subject has a newline")
    if field in ("action", "common") and "\n" in text:
        errors.append(f"{where}: must be one paragraph without line breaks")
    if "\r" in text or "\t" in text:
        errors.append(f"{where}: contains a carriage return or tab")
    if text != text.strip():
        errors.append(f"{where}: leading or trailing whitespace")
    if HTML.search(text):
        errors.append(f"{where}: looks like HTML ({HTML.search(text).group(0)!r}); write plain text")
    if MARKDOWN.search(text):
        errors.append(f"{where}: looks like Markdown ({MARKDOWN.search(text).group(0)!r}); write plain text")
    try:
        tokens = parse(text)
        used = structure(tokens, optional)
    except ValueError as e:
        errors.append(f"{where}: {e}")
        return set()
    opts = sorted(v for v in used if v in optional)
    base = {k: SAMPLE[k] for k in ALWAYS if k not in optional}
    seen = set()
    for combo in itertools.product((False, True), repeat=len(opts)):
        values = dict(base)
        values.update({v: SAMPLE[v] for v, on in zip(opts, combo) if on})
        out = render(tokens, values)
        for p in rendered_problems(out, locale, field):
            if p not in seen:
                seen.add(p)
                set_vars = [v for v, on in zip(opts, combo) if on]
                errors.append(f"{where}: {p} when rendered with {set_vars or 'no optional variable'}: {out!r}")
    return used


def no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    dup = {k for k in keys if keys.count(k) > 1}
    if dup:
        raise ValueError(f"duplicate keys {sorted(dup)}")
    return dict(pairs)


def main():
    directory = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent)
    files = sorted(directory.glob("messages.*.json"))
    errors, locales = [], []
    if not any(f.name == "messages.en.json" for f in files):
        errors.append("messages.en.json (the fallback locale) is missing")
    for path in files:
        name = path.name
        m = re.fullmatch(r"messages\.([a-z]{2,3}(?:-[A-Za-z0-9]+)?)\.json", name)
        if not m:
            errors.append(f"{name}: file name must be messages.<locale>.json")
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=no_duplicates)
        except (ValueError, UnicodeDecodeError) as e:
            errors.append(f"{name}: not valid UTF-8 JSON: {e}")
            continue
        if not isinstance(data, dict) or set(data) != TOP_KEYS:
            errors.append(f"{name}: top-level keys must be exactly {sorted(TOP_KEYS)}")
            continue
        locale = data["locale"]
        locales.append(locale)
        if locale != m.group(1):
            errors.append(f"{name}: locale {locale!r} does not match the file name")
        for key in ("language", "source", "licence"):
            if not isinstance(data[key], str) or not data[key].strip():
                errors.append(f"{name}: {key} must be a non-empty string")
        common = data["common"]
        if not isinstance(common, dict) or set(common) != COMMON_KEYS:
            errors.append(f"{name}: common keys must be exactly {sorted(COMMON_KEYS)}")
        else:
            for key, text in common.items():
                check_template(f"{name} common.{key}", text, locale, "common", set(OPTIONAL), errors)
        kinds = data["kinds"]
        if not isinstance(kinds, dict):
            errors.append(f"{name}: kinds must be an object")
            continue
        if set(kinds) != set(KINDS):
            missing, extra = sorted(set(KINDS) - set(kinds)), sorted(set(kinds) - set(KINDS))
            errors.append(f"{name}: kinds differ from the 14 expected (missing {missing}, unexpected {extra})")
        for kind, message in kinds.items():
            if not isinstance(message, dict) or set(message) != KIND_KEYS:
                errors.append(f"{name} {kind}: keys must be exactly {sorted(KIND_KEYS)}")
                continue
            optional = OPTIONAL_IN_SELLER if kind in SELLER_KINDS else set(OPTIONAL)
            used = set()
            for field in ("subject", "body", "action"):
                used |= check_template(f"{name} {kind}.{field}", message[field], locale, field, optional, errors)
            if not message["subject"].strip() or not message["body"].strip():
                errors.append(f"{name} {kind}: subject and body must not be empty")
            missing_vars = REQUIRED.get(kind, set()) - used
            if missing_vars:
                errors.append(f"{name} {kind}: does not mention {sorted(missing_vars)}")
    for e in errors:
        print(f"ERROR {e}")
    status = "FAILED" if errors else "OK"
    print(f"check.py: {status}: {len(files)} files ({', '.join(locales)}), {len(KINDS)} kinds each, {len(errors)} problem(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
