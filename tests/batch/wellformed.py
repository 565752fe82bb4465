#!/usr/bin/env python3
"""wellformed.py PAGE.html: check that a page huimin wrote is well formed:
every element closed in order (void elements excepted, SVG ones closed by
`/>`), one <html>, <head> and <body>, UTF-8 declared, no script and nothing
loaded from the network (a link within the page, href="#id", loads nothing;
its target must be there), ids unique.  Prints what is wrong and exits 1; exit 0 when the
page is fine."""
import sys
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
SVG_NS = "http://www.w3.org/2000/svg"


class Checker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.seen = [], [], {}
        self.ids, self.links = set(), []

    def where(self):
        line, col = self.getpos()
        return "line %d, column %d" % (line, col + 1)

    def handle_starttag(self, tag, attrs):
        # an SVG <title> is a tooltip, not the page's
        if tag != "title" or (self.stack and self.stack[-1][0] == "head"):
            self.seen[tag] = self.seen.get(tag, 0) + 1
        for name, value in attrs:
            if value is None:
                continue
            if name == "id":
                if value in self.ids:
                    self.errors.append("%s: id %r twice" % (self.where(), value))
                self.ids.add(value)
            if name == "href" and value.startswith("#") and "url(" not in value:
                self.links.append((value[1:], self.where()))
                continue
            if name in ("src", "href") or (name == "xmlns" and value != SVG_NS) or "url(" in value:
                self.errors.append("%s: <%s %s=%r> loads something" % (self.where(), tag, name, value))
            if name.startswith("on"):
                self.errors.append("%s: <%s %s> is a script" % (self.where(), tag, name))
        if tag == "script":
            self.errors.append("%s: a <script>" % self.where())
        if tag == "meta" and dict(attrs).get("charset", "").lower() == "utf-8":
            self.seen["utf-8"] = 1
        if tag not in VOID:
            self.stack.append((tag, self.where()))

    def handle_startendtag(self, tag, attrs):
        self.seen[tag] = self.seen.get(tag, 0) + 1

    def handle_endtag(self, tag):
        if tag in VOID:
            self.errors.append("%s: </%s> closes a void element" % (self.where(), tag))
            return
        if not self.stack:
            self.errors.append("%s: </%s> closes nothing" % (self.where(), tag))
            return
        open_tag, at = self.stack.pop()
        if open_tag != tag:
            self.errors.append("%s: </%s> closes <%s> of %s" % (self.where(), tag, open_tag, at))


def main():
    text = open(sys.argv[1], encoding="utf-8").read()   # fails on bytes that are not UTF-8
    c = Checker()
    if not text.startswith("<!DOCTYPE html>\n"):
        c.errors.append("no <!DOCTYPE html> first")
    c.feed(text)
    c.close()
    for tag, at in c.stack:
        c.errors.append("<%s> of %s is never closed" % (tag, at))
    for target, at in c.links:
        if target not in c.ids:
            c.errors.append("%s: a link to #%s, which is not in the page" % (at, target))
    for tag in ("html", "head", "body", "title"):
        if c.seen.get(tag) != 1:
            c.errors.append("%d <%s> elements" % (c.seen.get(tag, 0), tag))
    if not c.seen.get("utf-8"):
        c.errors.append("no <meta charset=\"utf-8\">")
    for e in c.errors:
        print("%s: %s" % (sys.argv[1], e))
    return 1 if c.errors else 0


sys.exit(main())
