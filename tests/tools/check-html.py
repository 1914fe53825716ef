#!/usr/bin/env python3
"""Check that an HTML report is self-contained, well-formed polyglot markup.

usage: check-html.py FILE

Exit 0 when FILE, with its <!DOCTYPE html> line dropped, parses as XML and
refers to nothing outside itself: no script, no stylesheet or frame loaded
from elsewhere, no link other than to a #fragment of the same file, no
url(...) or @import in its styles. Otherwise print the first reason and
exit 1. Standard library only, so that end-to-end tests can run it anywhere.
"""

import re
import sys
import xml.etree.ElementTree as ET

# elements that fetch or run something whatever their attributes say
BANNED_ELEMENTS = {"script", "link", "iframe", "frame", "frameset", "object", "embed",
                   "applet", "base", "portal", "noscript"}
# attributes that load a resource or send the reader somewhere else
URL_ATTRIBUTES = {"src", "href", "srcset", "action", "formaction", "data", "poster",
                  "background", "manifest", "codebase", "cite", "longdesc", "ping",
                  "lowsrc", "dynsrc", "xlink:href"}
# in CSS: anything that can fetch (url(), image-set(), @import, @font-face)
CSS_FETCH = re.compile(r"url\s*\(|image-set\s*\(|@import|@font-face|expression\s*\(",
                       re.IGNORECASE)


def local_name(name):
    """Tag or attribute name without an XML namespace, lowercased."""
    return name.rsplit("}", 1)[-1].lower()


def check_element(el):
    """The reason el refers outside the file, or None."""
    tag = local_name(el.tag)
    if tag in BANNED_ELEMENTS:
        return f"<{tag}> element"
    for raw_name, value in el.attrib.items():
        name = local_name(raw_name)
        if name.startswith("on"):
            return f"event handler attribute {name}= on <{tag}>"
        if name == "style" and CSS_FETCH.search(value):
            return f"style attribute on <{tag}> fetches: {value!r}"
        if name in URL_ATTRIBUTES or raw_name.endswith("}href"):
            if tag == "img" and name == "src" and value.strip().lower().startswith("data:"):
                continue
            if name == "href" and tag == "a" and value.startswith("#"):
                continue
            return f"{name}={value!r} on <{tag}>"
    if tag == "meta" and el.get("http-equiv", "").lower() == "refresh":
        return "<meta http-equiv=\"refresh\">"
    if tag == "style" and CSS_FETCH.search("".join(el.itertext())):
        return "<style> fetches (url(), @import or @font-face)"
    return None


def check(text):
    """The reason text is not a self-contained report, or None."""
    lines = text.split("\n", 1)
    if not lines[0].strip().lower().startswith("<!doctype html"):
        return "the first line is not <!DOCTYPE html>"
    body = lines[1] if len(lines) > 1 else ""
    try:
        root = ET.fromstring(body)
    except ET.ParseError as e:
        # the doctype line was dropped: count it back in the line number
        line, col = e.position
        what = re.sub(r":? line \d+, column \d+$", "", str(e))
        return f"not well-formed at line {line + 1}, column {col + 1}: {what}"
    if local_name(root.tag) != "html":
        return f"the root element is <{local_name(root.tag)}>, not <html>"
    for el in root.iter():
        reason = check_element(el)
        if reason:
            return reason
    return None


def main(argv):
    if len(argv) != 2:
        print("usage: check-html.py FILE", file=sys.stderr)
        return 2
    try:
        with open(argv[1], encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as e:
        print(f"check-html: cannot read {argv[1]}: {e}")
        return 1
    reason = check(text)
    if reason:
        print(f"check-html: {argv[1]}: {reason}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
