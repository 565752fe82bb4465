#!/usr/bin/env python3
"""coverage.py -- write COVERAGE.md: every diagnostic the checker can emit
(found by reading lang/*.c, lang/lexer.l and lang/parser.y) and the golden
cases whose expected output shows it.

    python3 tests/golden/coverage.py [SRCDIR]      (rewrites COVERAGE.md)

For maintainers; `make check` does not run it.  Run it after adding cases
or diagnostics and after HM_REGEN=1, and give every diagnostic that no case
shows a reason in NOT_COVERED below."""
import glob
import os
import re
import sys

SRC = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                      os.path.join(os.path.dirname(__file__), '..', '..'))
GOLDEN = os.path.join(SRC, 'tests', 'golden')

# Diagnostics no golden case shows, and why (matched on the format text).
NOT_COVERED = {
    'cannot read `%s`: %s':
        'unreadable input (exit 2): needs a missing or unreadable path, which a '
        'case file in the source tree cannot be',
    'cannot read directory `%s`: %s':
        'needs a directory without read permission (not storable in git)',
    'path too long': 'needs a path argument of more than 4096 bytes',
    '`%s`: folders nested more than 32 deep':
        'needs 33 nested folders; tests/compile/run-compile.sh makes them',
    'huimin: too many errors':
        'needs more than 1000 errors in one case; its expected file would be a few '
        'hundred kilobytes',
    'internal error: the compiler produced %s':
        'a compiler bug: the verifier refusing what code generation made',
    'this rule is too large to compile':
        'needs 300 values held at once or a jump over 32,767 instructions (a case file of '
        'about 80 kilobytes); tests/compile/run-compile.sh makes them',
    'the pack has more than %d %s':
        'needs more than 16,777,216 constants, strings or functions in one pack',
    'records of records are not supported':
        'unreachable: sema_resolve_type() already reports "records cannot hold records of …"',
    'write `from DATE` before each of several values':
        'unreachable: the grammar only makes lists of values that all have `from DATE`',
    '`%s` takes at least %d arguments, but %d %s given':
        'unreachable: no built-in takes a variable number of arguments',
    '`%s` cannot be used as a variable name':
        'unreachable: `person` and `household` are keywords, so `for person in …` is a syntax error',
    'a list in brackets can only follow `in`':
        'unreachable: the grammar makes a bracketed list only after `in` and for `members`',
    'this is not an expression': 'unreachable: defensive default of the expression checker',
    'parameter `%s` is named twice':
        'pending checker bug 14 (a bogus "never used" warning comes with it); '
        'case kept outside the corpus until it is fixed',
    'comparisons cannot be chained':
        'pending checker bug 8 (a bogus second error comes with it); case kept '
        'outside the corpus until it is fixed',
    'write each comparison on its own and join them with `and`, e.g.':
        'hint of "comparisons cannot be chained" (pending bug 8)',
}

CALL = re.compile(r'\b(ERR|WARN|diag_error|diag_warning|diag_note|NOTE|lex_error|diag_hint|mismatch)\s*\(')
LIT = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
KIND = {'WARN': 'warning', 'diag_warning': 'warning', 'diag_hint': 'hint',
        'diag_note': 'note', 'NOTE': 'note'}


def formats():
    out = []
    files = sorted(glob.glob(os.path.join(SRC, 'lang', '*.c')) +
                   [os.path.join(SRC, 'lang', 'lexer.l'), os.path.join(SRC, 'lang', 'parser.y')])
    for f in files:
        if not os.path.exists(f):
            continue
        text = open(f, encoding='utf-8').read()
        for m in CALL.finditer(text):
            ls = text.rfind('\n', 0, m.start()) + 1
            if re.match(r'\s*(#define|int |void |static )', text[ls:m.start() + 40]):
                continue
            depth, i = 0, m.end() - 1
            while i < len(text):
                c = text[i]
                if c == '"':
                    j = i + 1
                    while text[j] != '"':
                        j += 2 if text[j] == '\\' else 1
                    i = j
                elif c == "'" and text[i:i + 3] in ("'\"'", "'('", "')'"):
                    i += 2
                elif c == '(':
                    depth += 1
                elif c == ')':
                    depth -= 1
                    if depth == 0:
                        break
                i += 1
            args = text[m.end():i]
            lm = LIT.search(args)
            if not lm:
                continue
            fmt, pos = '', lm.start()
            while True:
                lm = LIT.match(args, pos)
                if lm:
                    fmt += lm.group(1)
                    pos = lm.end()
                    continue
                mm = re.match(r'\s*PRId64\s*', args[pos:])
                if mm:
                    fmt += 'd'
                    pos += mm.end()
                    continue
                mm = re.match(r'\s+', args[pos:])
                if mm and LIT.match(args, pos + mm.end()):
                    pos += mm.end()
                    continue
                break
            if fmt == '%s':
                continue
            fmt = fmt.replace('\\"', '"').replace('\\\\', '\\').replace('%%', '%')
            line = text.count('\n', 0, m.start()) + 1
            out.append((KIND.get(m.group(1), 'error'), '%s:%d' % (os.path.relpath(f, SRC), line), fmt))
    # messages put together outside such calls
    out.append(('error', 'lang/parser.y (syntax errors)', 'expected %s, found %s'))
    out.append(('error', 'lang/sema_expr.c (arith)', 'cannot add %s and %s'))
    out.append(('error', 'lang/diag.c (diag_print)', 'huimin: too many errors (%d); showing the first %d'))
    return out


def to_regex(fmt):
    rx = ''
    for p in re.split(r'(%[-0-9.*]*l{0,2}[sdcxu])', fmt):
        rx += '.+?' if re.fullmatch(r'%[-0-9.*]*l{0,2}[sdcxu]', p or 'x') else re.escape(p)
    return re.compile(rx + '$')


def shown():
    """(kind, message, case) of every diagnostic in the expected files."""
    res = []
    for err in sorted(glob.glob(os.path.join(GOLDEN, 'invalid', '*.err'))):
        case = os.path.basename(err)[:-4]
        src = case + ('.pol' if os.path.exists(os.path.join(GOLDEN, 'invalid', case + '.pol')) else '.d')
        for line in open(err, encoding='utf-8', errors='replace'):
            line = line.rstrip('\n')
            m = re.match(r'^(?:.*?:\d+:\d+: )?(error|warning|note): (.*)$', line)
            if m:
                res.append((m.group(1), m.group(2), src))
                continue
            m = re.match(r'^\s*= hint: (.*)$', line) or re.match(r'^  hint: (.*)$', line)
            if m:
                res.append(('hint', m.group(1), src))
    return res


def md(s):
    return s.replace('|', '\\|').replace('\n', '\\n')


def main():
    diags = shown()
    rows, seen, missing = [], set(), []
    for kind, loc, fmt in formats():
        if (kind, fmt) in seen:
            continue
        seen.add((kind, fmt))
        rx = to_regex(fmt)
        cases = sorted({c for k, msg, c in diags if k == kind and rx.match(msg)})
        note = ''
        if not cases:
            note = next((why for key, why in NOT_COVERED.items() if fmt.startswith(key)), None)
            if note is None:
                missing.append('%s %s: %s' % (kind, loc, fmt))
                note = '**not covered**'
        rows.append((kind, fmt, loc, ', '.join('`%s`' % c for c in cases) or note))
    order = {'error': 0, 'warning': 1, 'note': 2, 'hint': 3}
    nerr = sum(1 for r in rows if r[0] in ('error', 'warning') and not r[3].startswith(('unreach', 'code gen', 'needs', 'unreadable', 'pending', 'hint of', '**')))
    with open(os.path.join(GOLDEN, 'COVERAGE.md'), 'w', encoding='utf-8') as f:
        f.write('# Diagnostics covered by the golden tests\n\n'
                'Every message the checker can print (read from `lang/`), with the\n'
                '`tests/golden/invalid/` cases whose expected output shows it.\n'
                'Generated by `python3 tests/golden/coverage.py`; the reasons for\n'
                'messages without a case are kept in that script.\n\n'
                '`%%s`, `%%d` … stand for the parts that vary.  %d of %d errors and\n'
                'warnings are shown by at least one case.\n' %
                (nerr, sum(1 for r in rows if r[0] in ('error', 'warning'))))
        for kind in ('error', 'warning', 'note', 'hint'):
            sel = [r for r in rows if r[0] == kind]
            if not sel:
                continue
            f.write('\n## %s\n\n| message | where | case(s) |\n|---|---|---|\n' %
                    {'error': 'Errors', 'warning': 'Warnings', 'note': 'Notes', 'hint': 'Hints'}[kind])
            for _, fmt, loc, cases in sorted(sel, key=lambda r: (r[2].split(':')[0], int(re.sub(r'\D', '', r[2].split(':')[-1]) or 0))):
                f.write('| %s | %s | %s |\n' % (md(fmt), loc, cases))
    for m in missing:
        print('not covered:', m, file=sys.stderr)
    return 1 if missing else 0


sys.exit(main())
