"""The route map: one self-contained HTML page (``routeguard routes --format html``).

Apps, the routers, blueprints and URLconfs mounted in them, and their operations as a tree
of collapsible groups, each operation coloured by its auth state (protected, unprotected,
public read, public) with its guards and where each is declared, the findings about it,
and links to its handler; a search box and filters by state, method and framework.

Everything in the page that comes from the scanned tree (paths, names, messages, file
names) is written as escaped text: the tree may be hostile. The page loads nothing from
the network; its one script and one style sheet are inline and allowed by hash in its
Content-Security-Policy, so that no other script can run in it even if some text were
ever written unescaped. The output is deterministic: no timestamp, no absolute path.
"""
from __future__ import annotations

import base64
import hashlib
import html
import os
from pathlib import Path
from urllib.parse import quote

from ..exposure import public_read
from ..facts import HTTP_METHODS
from ..states import AuthState

STATES = (AuthState.UNPROTECTED, "public-read", AuthState.PUBLIC, AuthState.PROTECTED)
STATE_LABEL = {AuthState.UNPROTECTED: "unprotected", "public-read": "public read", AuthState.PUBLIC: "public",
               AuthState.PROTECTED: "protected"}
# In a map of more operations than this the groups below the apps start collapsed: a large
# project's map opens as an outline of its apps and routers, and the browser lays out only
# what is opened.
OPEN_LIMIT = 300
# A router with more operations than this lists them by view class (or handler module).
SPLIT_OVER = 40


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def render_map(report, link_base: str = "", out_dir: str | Path | None = None) -> str:
    """The route map of ``report`` as an HTML document. Files are linked relative to
    ``out_dir`` (where the page is written; default: the working directory), and to
    ``link_base`` + path + ``#L<line>`` when a web base (http or https) is given."""
    return _Map(report, link_base, out_dir).render()


class _Map:
    def __init__(self, report, link_base, out_dir):
        self.report = report
        self.graph = report.graph
        self.link_base = link_base if link_base.startswith(("https://", "http://")) else ""
        root = Path(report.root) if report.root else None
        base = Path(out_dir) if out_dir is not None else Path(".")
        self.prefix = ""
        self.chains: dict = {}  # router id: its mount chains from the apps
        if root is not None:
            rel = os.path.relpath(root.resolve(), base.resolve()).replace(os.sep, "/")
            self.prefix = "" if rel == "." else rel + "/"

    # -- links --------------------------------------------------------------------
    def link(self, loc, text: str | None = None) -> str:
        """file:line as a link to the file (relative) and, with a link base, to its web page."""
        if loc is None:
            return ""
        label = text or f"{loc.file}:{loc.line}"
        out = f'<a class="loc" href="{_e(quote(self.prefix + loc.file))}">{_e(label)}</a>'
        if self.link_base:
            url = self.link_base.rstrip("/") + "/" + quote(loc.file) + f"#L{int(loc.line)}"
            out += f' <a class="web" href="{_e(url)}" aria-label="{_e(label)} on the web">web</a>'
        return out

    # -- the tree -----------------------------------------------------------------
    def _chain(self, route) -> tuple:
        """The mount chain of ``route``: ((router id, mount location or None), ...) from the app."""
        g = self.graph
        key = ("route", route.path, route.method, route.handler, route.location)
        if g is None or key not in g.graph:
            return ()
        leaves = sorted(u[1] for u, _, d in g.graph.in_edges(key, data=True) if d.get("relation") == "registers")
        for leaf in leaves:
            if leaf not in self.chains:
                self.chains[leaf] = g.route_expander.chains(leaf)
            chains = self.chains[leaf]
            for chain in chains:
                if tuple(m.location for _, m in chain if m) == tuple(route.mounts):
                    return tuple((rid, m.location if m else None) for rid, m in chain)
            if chains:
                return tuple((rid, m.location if m else None) for rid, m in chains[0])
        return ()

    def render(self) -> str:
        report = self.report
        routes = report.routes
        findings = self._findings()
        tree: dict = {"children": {}, "ops": []}
        for i, r in enumerate(routes):
            node = tree
            for step in self._chain(r):
                node = node["children"].setdefault(step, {"children": {}, "ops": []})
            node["ops"].append(i)
        states = [self.state(r) for r in routes]
        counts = {s: states.count(s) for s in STATES}
        methods = sorted({r.method for r in routes},
                         key=lambda m: (HTTP_METHODS.index(m) if m in HTTP_METHODS else 99, m))
        frameworks = sorted({r.framework for r in routes})
        body = []
        for step, node in sorted(tree["children"].items(), key=_step_key):
            body.append(self._group(step, node, routes, states, findings, depth=0))
        if tree["ops"]:
            body.append(self._ops(tree["ops"], routes, states, findings, depth=0))
        name = Path(report.root).name if report.root else "in-memory sources"
        title = f"routeguard route map: {name}"
        total_findings = len(report.visible())
        summary = (f"{len(routes)} operation{'s' if len(routes) != 1 else ''}, {total_findings} "
                   f"finding{'s' if total_findings != 1 else ''} in {report.files} file{'s' if report.files != 1 else ''}")
        controls = [
            '<form id="controls" role="search" aria-label="Filter operations">',
            '<div class="search"><label for="q">Search</label> '
            '<input id="q" type="search" autocomplete="off" spellcheck="false" '
            'placeholder="path, handler, guard, file, rule" aria-describedby="shown"></div>',
            _fieldset("Auth state", "state", [(s, STATE_LABEL[s], counts[s]) for s in STATES]),
            _fieldset("Method", "method", [(m, m, sum(r.method == m for r in routes)) for m in methods]),
            _fieldset("Framework", "fw", [(f, f, sum(r.framework == f for r in routes)) for f in frameworks]),
            '<fieldset><legend>Findings</legend><label><input type="checkbox" id="only-findings"> '
            'only operations with findings</label></fieldset>',
            '<div class="buttons"><button type="button" id="expand">Expand all</button> '
            '<button type="button" id="collapse">Collapse all</button></div>',
            '</form>',
        ]
        other = self._other_findings(findings["other"])
        notes = self._notifications()
        page = [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
            f"script-src '{_hash(_SCRIPT)}'; style-src '{_hash(_STYLE)}'; img-src 'none'; "
            f"base-uri 'none'; form-action 'none'\">",
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<meta name="generator" content="routeguard">',
            f"<title>{_e(title)}</title>",
            f"<style>{_STYLE}</style>",
            "</head>",
            f'<body data-total="{len(routes)}">',
            '<a class="skip" href="#map">Skip to the route map</a>',
            "<header>",
            f"<h1>{_e(title)}</h1>",
            f'<p class="summary">{_e(summary)}: '
            + ", ".join(f'<span class="st st-{s}">{counts[s]} {STATE_LABEL[s]}</span>' for s in STATES)
            + ".</p>",
            "<noscript><p>Search and filters need JavaScript; the map below works without it.</p></noscript>",
            "</header>",
            *controls,
            f'<p id="shown" role="status" aria-live="polite">{len(routes)} of {len(routes)} operations shown.</p>',
            '<main id="map" tabindex="-1">',
            *body,
            *(['<p class="empty">No routes found.</p>'] if not routes else []),
            "</main>",
            *other,
            *notes,
            f"<script>{_SCRIPT}</script>",
            "</body>",
            "</html>",
        ]
        return "\n".join(page) + "\n"

    def state(self, r) -> str:
        if r.auth == AuthState.UNPROTECTED and self.graph is not None and public_read(self.graph, r):
            return "public-read"
        return r.auth if r.auth in STATES else AuthState.UNPROTECTED

    def _findings(self) -> dict:
        """Findings by operation index, and those about no operation ("other")."""
        index = {(r.path, r.method, r.handler, r.location): i for i, r in enumerate(self.report.routes)}
        at = {}
        for i, r in enumerate(self.report.routes):
            at.setdefault((r.location.file, r.location.line), []).append(i)
        by_op: dict = {"other": []}
        for f in self.report.visible():
            ops = [index[k] for k in ((r.path, r.method, r.handler, r.location) for r in f.routes) if k in index]
            ops = ops or at.get((f.location.file, f.location.line), [])
            for i in dict.fromkeys(ops):
                by_op.setdefault(i, []).append(f)
            if not ops:
                by_op["other"].append(f)
        return by_op

    def _group(self, step, node, routes, states, findings, depth) -> str:
        rid, mount = step
        router = self.graph.routers.get(rid) if self.graph is not None else None
        head = f'<span class="kind">{_e(router.kind if router else "router")}</span> <code class="rid">{_e(rid)}</code>'
        if router and router.prefix:
            head += f' <code class="prefix">{_e(router.prefix)}</code>'
        where = []
        if router and router.location:
            where.append(f"defined at {self.link(router.location)}")
        if mount:
            where.append(f"mounted at {self.link(mount)}")
        inner = [f'<p class="where">{"; ".join(where)}</p>'] if where else []
        if router and router.guards:
            inner.append('<p class="where">applied to every operation below: '
                         + ", ".join(f"<code>{_e(g.display)}</code>" for g in router.guards) + "</p>")
        for child, sub in sorted(node["children"].items(), key=_step_key):
            inner.append(self._group(child, sub, routes, states, findings, depth + 1))
        if node["ops"]:
            inner.append(self._ops(node["ops"], routes, states, findings, depth + 1))
        return self._details(head, _all_ops(node), states, inner, depth)

    def _details(self, head: str, ops: list[int], states, inner: list[str], depth: int) -> str:
        """A collapsible group of operations: its title, its count and states, then ``inner``."""
        st = [states[i] for i in ops]
        badges = " ".join(f'<span class="st st-{s}">{st.count(s)} {STATE_LABEL[s]}</span>'
                          for s in STATES if st.count(s))
        opened = " open" if depth == 0 or len(self.report.routes) <= OPEN_LIMIT else ""
        return "\n".join([f'<details class="group"{opened} data-total="{len(ops)}">',
                          f'<summary>{head} <span class="count">{len(ops)} operation{"s" if len(ops) != 1 else ""}'
                          f'</span> {badges}</summary>', '<div class="inner">', *inner, "</div></details>"])

    def _ops(self, ops, routes, states, findings, depth=0) -> str:
        """The operations of a router; a router with many is split by view class (or, for
        function handlers, by module), one group each."""
        if len(ops) > SPLIT_OVER:
            by: dict = {}
            for i in ops:
                r = routes[i]
                by.setdefault(("view", r.view_class) if r.view_class else ("module", r.handler.rpartition(".")[0]),
                              []).append(i)
            if len(by) > 1:
                return "\n".join(self._details(f'<span class="kind">{kind}</span> <code class="rid">{_e(name)}</code>',
                                               members, states, [self._ops(members, routes, states, findings)], depth)
                                 for (kind, name), members in sorted(by.items()))
        out = ['<ul class="ops">']
        for i in ops:
            out.append(self._op(routes[i], states[i], findings.get(i, [])))
        out.append("</ul>")
        return "\n".join(out)

    def _op(self, r, state, found) -> str:
        h = r.handler_location or r.location
        nf = (f' <span class="nf sev-{_e(max(found, key=lambda f: f.severity).severity.level)}">'
              f'{len(found)} finding{"s" if len(found) != 1 else ""}</span>') if found else ""
        head = (f'<span class="st st-{state}">{STATE_LABEL[state]}</span> '
                f'<span class="m m-{_e(r.method.lower())}">{_e(r.method)}</span> '
                f'<code class="path">{_e(r.path)}</code> '
                f'<span class="handler">{_e(r.handler.rpartition(".")[2])}</span>{nf}')
        body = [f'<p>Handler <code>{_e(r.handler)}</code> at {self.link(h)}'
                + (f'; registered at {self.link(r.registration)}' if r.registration else "")
                + f' ({_e(r.framework)})</p>']
        if state == "public-read":
            body.append(f'<p class="why">Public read: {_e(public_read(self.graph, r))}.</p>')
        if r.guards:
            body.append('<table class="guards"><caption>Guards</caption><thead><tr><th scope="col">guard</th>'
                        '<th scope="col">kind</th><th scope="col">layer</th><th scope="col">effect</th>'
                        '<th scope="col">declared at</th></tr></thead><tbody>')
            for g in r.guards:
                reason = f'<div class="reason">{_e(g.reason)}</div>' if g.reason else ""
                body.append(f"<tr><td><code>{_e(g.name)}</code>{reason}</td><td>{_e(g.kind)}</td>"
                            f"<td>{_e(g.layer)}</td><td>{_e(g.effect)}</td><td>{self.link(g.location) or '-'}</td></tr>")
            body.append("</tbody></table>")
        else:
            body.append('<p class="none">No guard: anyone can call it.</p>' if state != "public-read"
                        else '<p class="none">No guard.</p>')
        for label, guards in (("Written above the route decorator (never runs)", r.misplaced),
                              ("Applied but never runs on this route", r.inert)):
            if guards:
                body.append(f'<p class="where">{label}: '
                            + ", ".join(f"<code>{_e(g.name)}</code> {self.link(g.location)}" for g in guards) + "</p>")
        if found:
            body.append('<ul class="findings" aria-label="Findings">')
            body.extend(self._finding(f) for f in found)
            body.append("</ul>")
        return (f'<li class="op" data-state="{state}" data-method="{_e(r.method)}" data-fw="{_e(r.framework)}"'
                f'{" data-findings" if found else ""}><details><summary>{head}</summary>'
                f'<div class="body">{"".join(body)}</div></details></li>')

    def _finding(self, f) -> str:
        return (f'<li class="finding sev-{_e(f.severity.level)}"><span class="rule">{_e(f.rule_id)}</span> '
                f'<span class="sev">{_e(f.severity.level)}</span> {_e(f.message)} {self.link(f.location)}</li>')

    def _other_findings(self, found) -> list[str]:
        if not found:
            return []
        return ['<section id="other" aria-labelledby="other-h">',
                f'<h2 id="other-h">Findings about no single operation ({len(found)})</h2>',
                '<ul class="findings">', *(self._finding(f) for f in found), "</ul>", "</section>"]

    def _notifications(self) -> list[str]:
        notes = self.report.notifications
        if not notes:
            return []
        return ['<section id="notes" aria-labelledby="notes-h">',
                f'<h2 id="notes-h">Files not analyzed ({len(notes)})</h2><ul>',
                *(f"<li>{_e(n.where)}: {_e(n.level)}: {_e(n.message)}</li>" for n in notes),
                "</ul></section>"]


def _step_key(item):
    (rid, mount), _ = item
    return (rid, (mount.file, mount.line, mount.col) if mount else ("", 0, 0))


def _all_ops(node) -> list[int]:
    return node["ops"] + [i for sub in node["children"].values() for i in _all_ops(sub)]


def _fieldset(legend: str, name: str, options) -> str:
    items = "".join(f'<label class="opt"><input type="checkbox" name="{name}" value="{_e(value)}" checked> '
                    f'<span class="{"st st-" + _e(value) if name == "state" else "lbl"}">{_e(label)}</span> '
                    f'<span class="n">({n})</span></label>' for value, label, n in options)
    return f'<fieldset class="filter" id="f-{name}"><legend>{_e(legend)}</legend>{items}</fieldset>'


def _hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


_STYLE = """
:root{--fg:#1b1b1b;--bg:#fff;--muted:#4a4a4a;--line:#c8c8c8;--focus:#0b57d0}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg);margin:0 1.5rem 2rem}
h1{font-size:1.35rem;margin:1rem 0 .25rem}h2{font-size:1.1rem}
code{font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;overflow-wrap:anywhere}
a{color:#0b4fa8}a:focus-visible,summary:focus-visible,input:focus-visible,button:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:.5rem;background:#fff;padding:.25rem .5rem}
.summary{margin:.25rem 0 .75rem;color:var(--muted)}
#controls{position:sticky;top:0;z-index:1;background:var(--bg);border-bottom:1px solid var(--line);padding:.5rem 0;display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:flex-start}
#controls fieldset{border:1px solid var(--line);border-radius:4px;margin:0;padding:.2rem .5rem;display:flex;flex-wrap:wrap;gap:.1rem .6rem}
#controls legend{font-weight:600;padding:0 .25rem}
.search label{font-weight:600;margin-right:.25rem}#q{font:inherit;padding:.3rem .5rem;width:22rem;max-width:80vw;border:1px solid #767676;border-radius:4px}
.opt{white-space:nowrap}.n{color:var(--muted)}
button{font:inherit;padding:.25rem .6rem;border:1px solid #767676;border-radius:4px;background:#f3f3f3;color:var(--fg);cursor:pointer}
#shown{font-weight:600;margin:.5rem 0}
details.group{border-left:3px solid var(--line);margin:.3rem 0 .3rem .2rem;padding-left:.6rem}
details.group>summary{cursor:pointer;padding:.15rem 0}
.kind{display:inline-block;min-width:4.5rem;font-size:12px;text-transform:uppercase;letter-spacing:.03em;color:var(--muted)}
.prefix{color:#5b2a86}.count{color:var(--muted);margin:0 .3rem}.where{color:var(--muted);margin:.15rem 0}
ul.ops{list-style:none;margin:.2rem 0;padding:0}
li.op{border-bottom:1px solid #eee;content-visibility:auto;contain-intrinsic-size:auto 1.7rem}li.op>details>summary{cursor:pointer;padding:.15rem .2rem}
li.op>details[open]>summary{background:#f6f6f6}
.st{display:inline-block;border-radius:3px;padding:0 .35rem;font-size:12px;font-weight:600;border:1px solid}
.st-protected{background:#e3f4e6;color:#14532d;border-color:#5f9e6e}
.st-unprotected{background:#fde7e7;color:#8a1010;border-color:#c86464}
.st-public-read{background:#fff3d6;color:#6b4500;border-color:#c49a3c}
.st-public{background:#e4eefc;color:#123f7a;border-color:#6d8fc4}
li.op .st{min-width:6.5rem;text-align:center}
.m{display:inline-block;min-width:4.2rem;font:600 12px ui-monospace,Menlo,Consolas,monospace}
.handler{color:var(--muted)}
.nf{font-size:12px;font-weight:600;border-radius:3px;padding:0 .35rem;background:#fde7e7;color:#8a1010}
.nf.sev-note{background:#eee;color:#333}.nf.sev-warning{background:#fff3d6;color:#6b4500}
.body{padding:.3rem .5rem .6rem 1.5rem}.body p{margin:.2rem 0}
table.guards{border-collapse:collapse;margin:.3rem 0}table.guards caption{text-align:left;font-weight:600}
table.guards th,table.guards td{border:1px solid var(--line);padding:.15rem .4rem;text-align:left;vertical-align:top}
.reason{color:var(--muted);font-size:12px}
ul.findings{margin:.3rem 0;padding-left:1.2rem}.rule{font-weight:700}.sev{font-size:12px;color:var(--muted)}
.finding.sev-error .sev{color:#8a1010}.web{font-size:12px}
[hidden]{display:none!important}
"""

_SCRIPT = """
(function(){
'use strict';
var doc=document, form=doc.getElementById('controls'), q=doc.getElementById('q'),
  shown=doc.getElementById('shown'), only=doc.getElementById('only-findings');
var ops=[].slice.call(doc.querySelectorAll('li.op')), groups=[].slice.call(doc.querySelectorAll('details.group'));
var index=new Map(); groups.forEach(function(g, i){ index.set(g, i); });
var countOf=groups.map(function(g){ return g.querySelector(':scope>summary>.count'); });
var total=ops.length, items=ops.map(function(li){
  var anc=[], el=li.parentElement;
  while(el){ if(index.has(el)) anc.push(index.get(el)); el=el.parentElement; }
  return {li:li, state:li.dataset.state, method:li.dataset.method, fw:li.dataset.fw,
    findings:li.hasAttribute('data-findings'), text:null, anc:anc};
});
function checked(name){
  var s={}; [].forEach.call(form.querySelectorAll('input[name="'+name+'"]'), function(i){ if(i.checked) s[i.value]=1; });
  return s;
}
function apply(){
  var st=checked('state'), me=checked('method'), fw=checked('fw'), text=q.value.trim().toLowerCase(),
    words=text ? text.split(/\\s+/) : [], onlyF=only.checked, n=0, per={}, counts=groups.map(function(){return 0;});
  items.forEach(function(it){
    var ok=!!(st[it.state] && me[it.method] && fw[it.fw] && (!onlyF || it.findings) &&
      (!words.length || words.every(function(w){
        if(it.text===null) it.text=it.li.textContent.toLowerCase();  /* on the first search only */
        return it.text.indexOf(w) >= 0; })));
    if(it.li.hidden===ok) it.li.hidden=!ok;  /* only what changes: no needless style work */
    if(ok){ n++; per[it.state]=(per[it.state]||0)+1; it.anc.forEach(function(g){ counts[g]++; }); }
  });
  groups.forEach(function(g, i){
    if(g.hidden!==(counts[i]===0)) g.hidden=counts[i]===0;
    var c=countOf[i], t=+g.dataset.total,
      label=(counts[i]===t ? t : counts[i]+' of '+t)+(t===1 ? ' operation' : ' operations');
    if(c.textContent!==label) c.textContent=label;
    if(words.length && counts[i] && !g.open) g.open=true;
  });
  var parts=Object.keys(per).sort().map(function(k){ return per[k]+' '+k.replace('-', ' '); });
  shown.textContent=n+' of '+total+' operations shown'+(parts.length ? ' ('+parts.join(', ')+').' : '.');
  doc.body.dataset.shown=n;
}
var timer=0;
q.addEventListener('input', function(){ clearTimeout(timer); timer=setTimeout(apply, 120); });
q.addEventListener('keydown', function(e){ if(e.key==='Escape'){ q.value=''; apply(); } if(e.key==='Enter'){ e.preventDefault(); apply(); } });
form.addEventListener('change', apply);
form.addEventListener('submit', function(e){ e.preventDefault(); apply(); });
doc.getElementById('expand').addEventListener('click', function(){ groups.forEach(function(g){ g.open=true; }); });
doc.getElementById('collapse').addEventListener('click', function(){ groups.forEach(function(g){ g.open=false; }); });
doc.addEventListener('keydown', function(e){
  var a=doc.activeElement, typing=a && (a.tagName==='TEXTAREA' || a.tagName==='INPUT' && /^(text|search)$/.test(a.type));
  if(e.key==='/' && !typing){ e.preventDefault(); q.focus(); q.select(); }
});
doc.body.dataset.shown=total;  /* the page is written with everything shown */
doc.body.dataset.ready='1';
})();
"""
