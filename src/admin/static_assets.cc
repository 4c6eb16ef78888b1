#include "admin/static_assets.h"

#include <string>

namespace opencapf::admin {

std::string_view StyleSheet() {
  // A plain administration look in the manner of CUCM's: a dark header bar, a navigation row,
  // forms as label/field rows, tables with zebra rows, and status colours that also differ in
  // shape (a badge), not only in colour.
  static constexpr std::string_view kCss = R"css(
:root {
  --bar: #1d3c5a;
  --bar-text: #ffffff;
  --accent: #0b6bb5;
  --line: #c9d3dd;
  --zebra: #f3f6f9;
  --text: #1b1f23;
  --muted: #5b6670;
  --ok: #1e7b34;
  --ok-bg: #e3f4e7;
  --warn: #8a5a00;
  --warn-bg: #fff2cc;
  --bad: #b3261e;
  --bad-bg: #fde7e5;
}
* { box-sizing: border-box; }
body {
  margin: 0;
  font-family: "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 14px;
  color: var(--text);
  background: #ffffff;
}
header {
  display: flex;
  align-items: center;
  gap: 1.5em;
  padding: 0 1.2em;
  background: var(--bar);
  color: var(--bar-text);
  min-height: 3em;
  flex-wrap: wrap;
}
header .brand { color: var(--bar-text); font-weight: 700; font-size: 1.15em; text-decoration: none; }
header nav { display: flex; gap: 0.2em; flex-wrap: wrap; flex: 1; }
header nav a {
  color: #dbe6f0;
  text-decoration: none;
  padding: 0.9em 0.8em;
  border-bottom: 3px solid transparent;
}
header nav a:hover { color: #ffffff; }
header nav a.active { color: #ffffff; border-bottom-color: #7fc1f5; }
header form.logout { margin: 0; display: flex; align-items: center; gap: 0.6em; }
header form.logout button { background: transparent; color: var(--bar-text); border-color: #7f98b0; }
main { padding: 1em 1.6em 3em; max-width: 1400px; }
h1 { font-size: 1.45em; font-weight: 600; margin: 0.4em 0 0.8em; }
h2 {
  font-size: 1.1em;
  font-weight: 600;
  margin: 1.6em 0 0.6em;
  padding-bottom: 0.3em;
  border-bottom: 1px solid var(--line);
}
a { color: var(--accent); }
code, pre { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.92em; }
pre {
  background: #f6f8fa;
  border: 1px solid var(--line);
  padding: 0.8em;
  overflow-x: auto;
  line-height: 1.35;
}
table { border-collapse: collapse; width: 100%; margin: 0.4em 0 1em; }
th, td { text-align: left; padding: 0.4em 0.6em; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #e8eef4; font-weight: 600; white-space: nowrap; }
tbody tr:nth-child(even) { background: var(--zebra); }
table.fields { width: auto; min-width: 32em; }
table.fields th { background: transparent; width: 16em; font-weight: 600; }
td.mono, span.mono { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.9em; word-break: break-all; }
.badge {
  display: inline-block;
  padding: 0.1em 0.6em;
  border-radius: 1em;
  font-size: 0.88em;
  font-weight: 600;
  border: 1px solid transparent;
  white-space: nowrap;
}
.badge-installed { color: var(--ok); background: var(--ok-bg); border-color: #9fd3ab; }
.badge-pending { color: var(--warn); background: var(--warn-bg); border-color: #f0cf73; }
.badge-not-installed { color: var(--muted); background: #eef0f2; border-color: #d3d8dd; }
.status-failed { color: var(--bad); font-weight: 600; }
.status-pending { color: var(--warn); font-weight: 600; }
.status-success { color: var(--ok); }
.status-none { color: var(--muted); }
tr.warn td, td.warn { background: var(--warn-bg); }
tr.expired td, td.expired { background: var(--bad-bg); }
.error {
  color: var(--bad);
  background: var(--bad-bg);
  border: 1px solid #f2b8b5;
  padding: 0.6em 0.9em;
  border-radius: 4px;
  margin: 0.6em 0 1em;
}
.error p { margin: 0.2em 0; }
.error ul { margin: 0.4em 0 0.2em 1.2em; padding: 0; }
.flash { padding: 0.6em 0.9em; border-radius: 4px; margin: 0.4em 0 1em; border: 1px solid; }
.flash p { margin: 0.2em 0; }
.flash ul { margin: 0.3em 0 0.2em 1.2em; padding: 0; }
.flash-ok { background: var(--ok-bg); border-color: #9fd3ab; }
.flash-error { background: var(--bad-bg); border-color: #f2b8b5; color: var(--bad); }
.hint { color: var(--muted); font-size: 0.9em; }
.muted { color: var(--muted); }
form.filters {
  display: flex;
  flex-wrap: wrap;
  gap: 0.8em 1.2em;
  align-items: flex-end;
  background: #f6f8fa;
  border: 1px solid var(--line);
  padding: 0.8em 1em;
  margin-bottom: 1em;
}
form.filters label { display: flex; flex-direction: column; gap: 0.25em; font-weight: 600; font-size: 0.92em; }
input[type=text], input[type=password], input:not([type]), select, textarea {
  font: inherit;
  padding: 0.35em 0.5em;
  border: 1px solid #98a6b3;
  border-radius: 3px;
  background: #ffffff;
  min-width: 12em;
}
td.time { white-space: nowrap; }
#complete_by { min-width: 20em; }
textarea { width: 100%; max-width: 60em; font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; }
input.invalid, select.invalid, textarea.invalid { border-color: var(--bad); outline: 2px solid var(--bad-bg); }
button, .button {
  font: inherit;
  padding: 0.4em 1em;
  border: 1px solid #7f8e9c;
  border-radius: 3px;
  background: #eef2f6;
  color: var(--text);
  cursor: pointer;
  text-decoration: none;
  display: inline-block;
}
button.primary, .button.primary { background: var(--accent); border-color: #08568f; color: #ffffff; }
button.danger { background: var(--bad); border-color: #8c1d17; color: #ffffff; }
.actions { margin: 1em 0; display: flex; gap: 0.8em; align-items: center; flex-wrap: wrap; }
form.login { display: grid; grid-template-columns: 8em 18em; gap: 0.6em 1em; align-items: center; max-width: 30em; }
form.login button { grid-column: 2; justify-self: start; }
section.capf { border: 1px solid var(--line); border-radius: 4px; padding: 0 1em 0.6em; margin-top: 1em; max-width: 60em; }
section.capf h2 { border-bottom: none; margin-top: 0.8em; }
section.danger-zone { border: 1px solid #f2b8b5; border-radius: 4px; padding: 0 1em 0.8em; margin-top: 2em; max-width: 60em; }
.cards { display: flex; flex-wrap: wrap; gap: 1em; margin: 0.4em 0 1em; }
.card {
  border: 1px solid var(--line);
  border-radius: 4px;
  padding: 0.7em 1em;
  min-width: 11em;
  text-decoration: none;
  color: var(--text);
  background: #ffffff;
}
.card .count { display: block; font-size: 1.8em; font-weight: 700; }
.card.ok { border-left: 5px solid var(--ok); }
.card.warn { border-left: 5px solid #e0a800; }
.card.bad { border-left: 5px solid var(--bad); }
.card.none { border-left: 5px solid #a0aab4; }
.up { color: var(--ok); font-weight: 600; }
.down { color: var(--bad); font-weight: 600; }
.summary { font-weight: 600; }
)css";
  return kCss;
}

std::string_view AppScript() {
  // Only what a form cannot do by itself: make an authentication string, and ask before
  // deleting. Every form still works without script (the server checks everything).
  static constexpr std::string_view kJs = R"js('use strict';

// Generate String: 8 random digits, as CUCM's button makes, from the browser's CSPRNG.
function generateDigits(count) {
  const digits = [];
  const buf = new Uint32Array(1);
  while (digits.length < count) {
    crypto.getRandomValues(buf);
    // Rejection sampling: values above the largest multiple of 10 would favour low digits.
    if (buf[0] < 4294967290) digits.push(buf[0] % 10);
  }
  return digits.join('');
}

document.addEventListener('DOMContentLoaded', () => {
  for (const button of document.querySelectorAll('button[data-generate-for]')) {
    button.addEventListener('click', () => {
      const input = document.getElementById(button.dataset.generateFor);
      if (!input) return;
      input.value = generateDigits(8);
      input.dispatchEvent(new Event('input', { bubbles: true }));
      const mode = document.getElementById('auth');
      if (mode && mode.value !== 'auth-string') {
        const hint = document.getElementById('auth_string-hint');
        if (hint) hint.textContent = 'The string is used only with Authentication Mode "By Authentication String": choose it before saving.';
      }
    });
  }
  for (const form of document.querySelectorAll('form[data-confirm]')) {
    form.addEventListener('submit', (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }
});
)js";
  return kJs;
}

void RegisterStaticAssets(httplib::Server& server) {
  server.Get("/static/style.css", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(StyleSheet()), "text/css; charset=utf-8");
  });
  server.Get("/static/app.js", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(AppScript()), "text/javascript; charset=utf-8");
  });
}

}  // namespace opencapf::admin
