// The CSS of the flame graph page that html.ts writes (its script is html-page/page.ts).
// (No backticks or dollar-brace in here: this is a template literal.)

export const HTML_STYLE = `
* { box-sizing: border-box; }
body { margin: 0; font: 13px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: #1d1d1f; background: #fff; }
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 16px;
  padding: 8px 12px 4px; }
h1 { font-size: 16px; margin: 0; }
#summary, #matched, .muted { color: #666; }
.controls { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 16px; padding: 4px 12px; }
#search { width: 260px; padding: 2px 6px; font: inherit; }
#matched { font-variant-numeric: tabular-nums; }
#selection { padding: 2px 12px; color: #444; font-variant-numeric: tabular-nums; min-height: 1.4em; }
details { padding: 2px 12px; }
summary { cursor: pointer; color: #444; }
details table { border-collapse: collapse; margin: 4px 0; font-variant-numeric: tabular-nums; }
details .wrap { max-height: 160px; overflow: auto; }
th, td { padding: 1px 10px 1px 0; text-align: right; white-space: nowrap; }
th:first-child, td:first-child, th:nth-child(2), td:nth-child(2) { text-align: left; }
th { font-weight: 600; color: #444; border-bottom: 1px solid #ddd; }
tbody tr { cursor: pointer; }
tbody tr:hover { background: #f2f2f7; }
tbody tr.selected { background: #e3ecff; }
#crumbs { display: flex; flex-wrap: wrap; align-items: center; gap: 4px; padding: 6px 12px;
  min-height: 32px; }
#crumbs button { font: inherit; font-size: 12px; padding: 1px 6px; max-width: 320px;
  overflow: hidden; text-overflow: ellipsis; white-space: nowrap; cursor: pointer; }
#crumbs .sep { color: #999; }
main { padding: 0 12px 16px; }
#flame { position: relative; overflow: hidden; min-height: 40px;
  font: 11px/17px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
#flame .empty { color: #666; font: 13px/1.4 system-ui, sans-serif; padding: 12px 0; }
.frame { position: absolute; height: 17px; padding: 0 3px; overflow: hidden; white-space: nowrap;
  text-overflow: ellipsis; color: #000; cursor: pointer; box-shadow: inset -1px 0 #fff; }
.frame:hover { box-shadow: inset 0 0 0 1px #000; }
.frame.ancestor { opacity: 0.6; }
#flame.searching .frame { filter: saturate(0.15) opacity(0.55); }
#flame.searching .frame.match { filter: none; background: #d23cf0 !important; color: #fff; }
#tip { position: fixed; z-index: 10; display: none; max-width: 560px; padding: 6px 8px;
  border-radius: 4px; background: rgba(28, 28, 30, 0.94); color: #fff; font-size: 12px;
  pointer-events: none; word-break: break-all; }
#tip .name { font-weight: 600; }
#tip .where { color: #bbb; }
#tip .hint { color: #999; margin-top: 2px; }
`;
