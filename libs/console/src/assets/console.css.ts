/** The console's one stylesheet: plain CSS, readable at 200 % zoom, visible focus, AA contrast. */
export const CONSOLE_CSS = `
:root { --ink: #1b1f24; --muted: #57606a; --line: #d0d7de; --accent: #0b5cad; --bad: #a40e26; --ok: #116329; --bg: #fff; --soft: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, "Segoe UI", Roboto, "Noto Sans", sans-serif; color: var(--ink); background: var(--bg); }
a { color: var(--accent); }
:focus-visible { outline: 3px solid #e8a317; outline-offset: 2px; }
.skip { position: absolute; left: -9999px; top: 0; background: var(--bg); padding: .5rem 1rem; }
.skip:focus { left: .5rem; z-index: 10; }
header { display: flex; flex-wrap: wrap; gap: 1rem 2rem; align-items: center; padding: .75rem 1.5rem; border-bottom: 1px solid var(--line); background: var(--soft); }
header nav { display: flex; gap: 1.25rem; }
header nav a[aria-current="page"] { font-weight: 700; text-decoration-thickness: 3px; }
.brand { font-weight: 700; color: var(--ink); text-decoration: none; }
.who { display: flex; gap: .75rem; align-items: center; margin-left: auto; }
.who form { margin: 0; }
main { padding: 1rem 1.5rem 3rem; max-width: 72rem; }
main:focus { outline: none; }
h1 { font-size: 1.6rem; margin: .5rem 0 1rem; }
h2 { font-size: 1.2rem; margin: 1.5rem 0 .5rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--soft); }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.muted { color: var(--muted); }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 1rem 1.25rem; margin: 0 0 1.5rem; }
form.narrow { max-width: 24rem; }
label { display: block; margin: .75rem 0 .25rem; font-weight: 600; }
label.inline { display: inline-flex; gap: .4rem; align-items: center; font-weight: 400; margin-right: 1rem; }
input:not([type=radio]):not([type=checkbox]), textarea { width: 100%; max-width: 28rem; padding: .45rem .55rem; font: inherit; border: 1px solid #8c959f; border-radius: 4px; }
input[aria-invalid="true"], textarea[aria-invalid="true"], fieldset[aria-invalid="true"] { border-color: var(--bad); }
fieldset { border: 1px solid var(--line); border-radius: 4px; margin: .5rem 0; }
button { margin-top: 1rem; padding: .5rem 1.1rem; font: inherit; font-weight: 600; color: #fff; background: var(--accent); border: 0; border-radius: 4px; cursor: pointer; }
button.danger { background: var(--bad); }
button.link { margin: 0; padding: 0; background: none; color: var(--accent); text-decoration: underline; font-weight: 400; }
.buttons { display: flex; gap: 1rem; }
.notice { border-left: 4px solid var(--accent); background: var(--soft); padding: .25rem 1rem; margin: 1rem 0; }
.notice.error { border-color: var(--bad); }
.notice.warning { border-color: #9a6700; }
.field-error { color: var(--bad); margin: .25rem 0 0; font-weight: 600; }
.facts { display: grid; grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr)); gap: .5rem 1.5rem; margin: 0 0 1rem; }
.facts dt { color: var(--muted); font-size: .9rem; }
.facts dd { margin: 0; font-weight: 600; }
progress { width: 10rem; vertical-align: middle; margin-right: .5rem; }
.state-completed { color: var(--ok); } .state-failed, .state-cancelled { color: var(--bad); }
.chart { max-width: 40rem; margin: 1rem 0; }
.tabs { display: flex; gap: 1.5rem; margin-bottom: 1rem; }
.tabs a[aria-current="page"] { font-weight: 700; }
tr.own td { background: #fff8c5; }
.secret { font-size: 1.1rem; letter-spacing: .05em; }
.qr svg { width: 200px; height: 200px; }
.reason { white-space: pre-wrap; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.filters { display: flex; flex-wrap: wrap; gap: .5rem 1.25rem; align-items: flex-end; }
.filters label { margin-top: 0; }
.filters select { font: inherit; padding: .35rem; max-width: 22rem; }
.filters button { margin-top: 0; }
.pager { display: flex; gap: 1.5rem; margin: 0 0 1rem; }
.side-by-side td.differs { background: #ffebe9; }
.differs-mark { color: var(--bad); font-weight: 700; }
.waterfall { margin: .5rem 0 1.5rem; max-width: 48rem; }
.waterfall canvas { max-height: 260px; }
.detail { font-weight: 600; }
dl.plain { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 0; }
dl.plain dt { color: var(--muted); }
dl.plain dd { margin: 0; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr)); gap: 1rem; }
.tile { border: 1px solid var(--line); border-radius: 6px; padding: .75rem 1rem; }
.tile h2 { margin: 0 0 .5rem; font-size: 1.05rem; }
.figure { font-size: 1.6rem; font-weight: 700; font-variant-numeric: tabular-nums; margin: 0; }
.plain-figures { display: grid; grid-template-columns: 1fr max-content; gap: .2rem 1rem; margin: 0; }
.plain-figures div { display: contents; }
.plain-figures dt { color: var(--muted); }
.plain-figures dd { margin: 0; font-size: 1.2rem; }
.inline-form { display: inline-block; margin: 0 1rem 0 0; }
.hash { word-break: break-all; font-size: .85rem; }
.receipt { max-width: 18rem; }
.result-review, .result-retry { color: var(--bad); } .result-done { color: var(--ok); }
h3 { font-size: 1.05rem; margin: 1rem 0 .25rem; }
@media print {
  header, form, .skip, .no-print, #live-note { display: none; }
  main { max-width: none; padding: 0; }
  body { font-size: 11pt; }
  table { page-break-inside: auto; } tr { page-break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
`;
