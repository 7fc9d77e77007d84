#!/usr/bin/env python3
"""Extract the examples of the manual pages (their EXAMPLES sections) and of
README.md as test scripts, so that the tests run the examples exactly as
they are printed and cannot drift from them (as jq builds its tests from its
manual).

    man_examples.py extract DIR FILE...   one script per example into DIR
    man_examples.py match WANT GOT        does output GOT match WANT?

An example is a literal block (.Bd -literal ... .Ed, or .Dl) of an EXAMPLES
section, or a "# comment" and the command lines after it in an indented
README code block.  Lines starting with "$ " are commands (a line ending in
| or \\ goes on); the lines after a command up to the next one are its
output as the page shows it ("..." stands for anything).  A block of
"# " commands (as root on a system) is not run; a block without commands
(a pipeline file in weir-pipeline(5)) is checked with weir-run --check.

Directives for the test, in the page source before an example (an mdoc
comment, or an HTML comment in README.md); "test-all:" applies to every
example of the page:

    test: skip REASON      not run (keep these few, and say why)
    test: status N         the last command exits N, not 0
    test: until SECONDS    runs until stopped: still running after SECONDS
                           (then stopped) passes, as does exit status 0
    test: stdin FILE       standard input (default /dev/null)
    test: needs PROGRAM    skipped when PROGRAM is not installed
    test: broker           a broker is needed (also when the example names
                           localhost:9092 and starts none itself)

The examples run in a copy of examples/ (files, and pipelines/ through
a link).  localhost:9092 and kafka1:9093 become a weir-broker on a free
port (the test starts one holding 1000 clicks in topic "clicks" unless the
example starts its own), 9464 a free port for metrics, 8080 one for a
dashboard.

DIR/NNN.sh is the script, DIR/NNN.info its page, title and directives
(key=value lines), DIR/NNN.want.K the output command K shows.  The script
writes the standard output and error of such a command to .ex-out.K and
.ex-err.K in its directory; the shown output matches either.  A command
started in the background is waited for as a person would before typing
the next line: until the file it writes is not empty, the port it serves
(--port) takes connections, or its metrics (--metrics) answer.
"""
import os
import re
import sys

DIRECTIVE = re.compile(r'test(-all)?:\s*(\w+)\s*(.*?)\s*$')


def unescape(s):
    s = s.replace('\\e', '\x00').replace('\\&', '').replace('\\-', '-')
    s = s.replace('\\(aq', "'").replace('\\(dq', '"')
    s = s.replace('\\[u2026]', '\u2026')
    return s.replace('\x00', '\\')


def macro_text(line):
    """The words of a prose line, with mdoc macro names dropped."""
    if line.startswith('.'):
        words = line[1:].split()[1:]
        words = [w for w in words if not re.fullmatch(r'[A-Z][a-z][a-z]?', w)]
        return ' '.join(words)
    return line


def continues(line):
    t = line.rstrip()
    return t.endswith('|') or t.endswith('\\') or t.endswith('&&') or \
        t.endswith('||')


def split_commands(lines, prompt):
    """Commands (each a dict text, want, prompt) of a block, or None if the
    block has none."""
    cmds = []
    cur = None
    for line in lines:
        if cur is not None and continues(cur['lines'][-1]) and not cur['want']:
            cur['lines'].append(line)
            continue
        m = re.match(r'^([$#]) (.*)$', line) if prompt else None
        if m:
            cur = {'lines': [m.group(2)], 'want': [], 'prompt': m.group(1)}
            cmds.append(cur)
        elif not prompt and line.strip() and not line.startswith('#'):
            cur = {'lines': [line], 'want': [], 'prompt': '$'}
            cmds.append(cur)
        elif cur is not None and prompt:
            cur['want'].append(line)
        elif prompt and line.strip():
            return None
    for c in cmds:
        c['text'] = '\n'.join(c['lines'])
        while c['want'] and not c['want'][-1].strip():
            c['want'].pop()
    return cmds


def mdoc_examples(path):
    page = os.path.basename(path)
    m = re.match(r'(.*)\.([1-8])$', page)
    name = '%s(%s)' % (m.group(1), m.group(2)) if m else page
    src = open(path, encoding='utf-8').read().split('\n')
    out, pending, every = [], [], []
    title, in_ex, i = '', False, 0
    while i < len(src):
        line = src[i]
        i += 1
        if line.startswith('.Sh '):
            in_ex = line.strip() == '.Sh EXAMPLES'
            continue
        if not in_ex:
            continue
        if line.startswith('.\\"'):
            d = DIRECTIVE.search(line)
            if d:
                (every if d.group(1) else pending).append(
                    (d.group(2), d.group(3)))
            continue
        if line.startswith('.Pp'):
            title = ''
            continue
        block = None
        if line.startswith('.Dl '):
            block = [unescape(line[4:])]
        elif line.startswith('.Bd '):
            block = []
            while i < len(src) and not src[i].startswith('.Ed'):
                if not src[i].startswith('.\\"'):
                    block.append(unescape(src[i]))
                i += 1
            i += 1
        else:
            t = macro_text(unescape(line)).strip()
            if t:
                title = (title + ' ' + t).strip()
            continue
        out.append({'page': name, 'title': title.rstrip(':'),
                    'lines': block, 'prompt': True,
                    'directives': every + pending})
        pending = []
    return out


def readme_examples(path):
    src = open(path, encoding='utf-8').read().split('\n')
    out, pending = [], []
    i = 0
    while i < len(src):
        line = src[i]
        d = re.match(r'^<!--\s*(.*?)\s*-->$', line)
        if d and DIRECTIVE.match(d.group(1)):
            m = DIRECTIVE.match(d.group(1))
            pending.append((m.group(2), m.group(3)))
            i += 1
            continue
        if not line.startswith('    '):
            if line.strip():
                pending = [] if not d else pending
            i += 1
            continue
        block = []
        while i < len(src) and (src[i].startswith('    ') or not src[i].strip()):
            block.append(src[i][4:])
            i += 1
        # examples: a "# comment" and the lines after it
        cur = None
        for b in block:
            if b.startswith('#'):
                cur = {'page': 'README.md', 'title': b.lstrip('# '),
                       'lines': [], 'prompt': False,
                       'directives': list(pending)}
                out.append(cur)
            elif b.strip():
                if cur is None:
                    cur = {'page': 'README.md', 'title': b.strip()[:50],
                           'lines': [], 'prompt': False,
                           'directives': list(pending)}
                    out.append(cur)
                cur['lines'].append(b)
        pending = []
    return out


PORTS = [(r'localhost:9092', 'localhost:${EX_KAFKA_PORT}'),
         (r'kafka1:9093', 'localhost:${EX_KAFKA_PORT}'),
         (r'--port 9092', '--port ${EX_KAFKA_PORT}'),
         (r'\b9464\b', '${EX_METRICS_PORT}'),
         (r'\b8080\b', '${EX_HTTP_PORT}')]


def script(ex, cmds, want_status):
    s = ['#!/bin/bash', '# %s: %s' % (ex['page'], ex['title']),
         'set -o pipefail',
         '_ex_wait() { local i; for i in $(seq 200); do '
         '[ -s "$1" ] && return 0; sleep 0.05; done; }',
         '_ex_port() { local i; for i in $(seq 200); do '
         '(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; '
         'sleep 0.05; done; }',
         '_ex_http() { local i; for i in $(seq 200); do '
         'curl -sf -o /dev/null "http://127.0.0.1:$1/status" && return 0; '
         'sleep 0.05; done; }',
         "trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null' EXIT"]
    for k, c in enumerate(cmds, 1):
        text = c['text']
        for a, b in PORTS:
            text = re.sub(a, b, text)
        last = k == len(cmds)
        st = want_status if last else 0
        if re.search(r'&\s*$', text):
            s.append(text)
            f = re.search(r'>\s*(\S+)\s*&\s*$', text)
            if f:
                s.append('_ex_wait %s' % f.group(1))
            p = re.search(r'--port\s+(\S+)', text)
            if p:
                s.append('_ex_port %s' % p.group(1))
            p = re.search(r'--metrics\s+(\S+)', text)
            if p:
                s.append('_ex_http %s' % p.group(1))
            continue
        if c['want']:
            s.append('{ %s\n} > .ex-out.%d 2> .ex-err.%d' % (text, k, k))
        else:
            s.append(text)
        s.append('_st=$?; [ "$_st" -eq %d ] || { echo "command %d exited '
                 '$_st, not %d" >&2; exit 1; }' % (st, k, st))
    s.append('exit 0')
    return '\n'.join(s) + '\n'


def extract(outdir, files):
    os.makedirs(outdir, exist_ok=True)
    n = 0
    for f in files:
        exs = readme_examples(f) if f.endswith('.md') else mdoc_examples(f)
        for ex in exs:
            n += 1
            d = dict(ex['directives'])
            cmds = split_commands(ex['lines'], ex['prompt'])
            info = {'page': ex['page'], 'title': ex['title']}
            want_status = int(d.get('status', '0'))
            if 'skip' in d:
                info['skip'] = d['skip'] or 'marked in the page'
            elif cmds is None:
                # a file, not commands: a pipeline is checked, else shown
                body = '\n'.join(ex['lines']) + '\n'
                if re.search(r'^stages:', body, re.M):
                    with open(os.path.join(outdir, '%03d.yaml' % n), 'w') as y:
                        y.write(body)
                    cmds = [{'text': 'weir-run --check "$EX_DIR/%03d.yaml"'
                             % n, 'want': [], 'prompt': '$'}]
                else:
                    info['skip'] = 'not commands'
            elif not cmds:
                info['skip'] = 'no commands'
            elif any(c['prompt'] == '#' for c in cmds):
                info['skip'] = 'runs as root on an installed system'
            if 'skip' not in info:
                text = '\n'.join(c['text'] for c in cmds)
                if 'broker' in d or (re.search(r':909[23]\b', text) and
                                     'weir-broker' not in text):
                    info['broker'] = '1'
                for key in ('until', 'stdin', 'needs'):
                    if key in d:
                        info[key] = d[key]
                with open(os.path.join(outdir, '%03d.sh' % n), 'w') as o:
                    o.write(script(ex, cmds, want_status))
                for k, c in enumerate(cmds, 1):
                    if c['want']:
                        with open(os.path.join(outdir, '%03d.want.%d'
                                               % (n, k)), 'w') as w:
                            w.write('\n'.join(c['want']) + '\n')
            with open(os.path.join(outdir, '%03d.info' % n), 'w') as o:
                for k, v in info.items():
                    o.write('%s=%s\n' % (k, v.replace('\n', ' ')))
    return n


def match(want, got):
    """The shown output, "..." for anything, against the whole standard
    output, or the whole standard error (an error message; GOT with .out.
    replaced by .err.)."""
    w = open(want, encoding='utf-8').read().rstrip('\n')
    rx = '.*'.join(re.escape(p) for p in w.split('...'))
    for f in (got, got.replace('.ex-out.', '.ex-err.')):
        if not os.path.exists(f):
            continue
        g = open(f, encoding='utf-8', errors='replace').read().rstrip('\n')
        if re.fullmatch(rx, g, re.S):
            return True
    return False


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == 'extract':
        n = extract(sys.argv[2], sys.argv[3:])
        print(n)
        return 0
    if len(sys.argv) == 4 and sys.argv[1] == 'match':
        return 0 if match(sys.argv[2], sys.argv[3]) else 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main())
