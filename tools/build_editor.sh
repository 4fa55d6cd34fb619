#!/usr/bin/env bash
# Rebuild a2i_kit/widgets/static/codemirror.js: CodeMirror 6 bundled with esbuild into one IIFE
# (global A2ICodeMirror) that the TemplateDesigner's ES module is concatenated with (no CDN, no
# build step at run time). npm packages go to build/editor (gitignored), never into the repo.
#
#   tools/build_editor.sh            # needs node >= 18 and the npm registry
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$ROOT/build/editor"
OUT="$ROOT/a2i_kit/widgets/static/codemirror.js"
PACKAGES=(
  @codemirror/state@6.7.6 @codemirror/view@6.43.15 @codemirror/language@6.13.1
  @codemirror/commands@6.11.1 @codemirror/lang-html@6.4.12 @codemirror/lint@6.9.8
  @codemirror/search@6.7.2 esbuild@0.24.2
)
mkdir -p "$WORK"
cd "$WORK"
[ -f package.json ] || echo '{"name": "a2i-kit-editor-build", "private": true, "version": "0.0.0"}' > package.json
npm install --no-audit --no-fund --save-exact "${PACKAGES[@]}" >/dev/null
cp "$ROOT/tools/editor_entry.mjs" "$WORK/entry.mjs"
VERSIONS="$(node -e '
  const l = require("./package-lock.json").packages;
  const names = Object.keys(l).filter((k) => /node_modules\/(@codemirror|@lezer|@marijn)\/|node_modules\/(style-mod|w3c-keyname|crelt)$/.test(k)).sort();
  console.log(names.map((k) => `${k.replace(/.*node_modules\//, "")}@${l[k].version} (${l[k].license || "MIT"})`).join(", "));
')"
{
  echo "// a2i-kit: CodeMirror 6 for the TemplateDesigner, bundled by tools/build_editor.sh (esbuild $(./node_modules/.bin/esbuild --version), minified)."
  echo "// Do not edit: change tools/editor_entry.mjs and run tools/build_editor.sh."
  echo "// Packages (all MIT licensed, (c) Marijn Haverbeke and others; https://codemirror.net):"
  echo "$VERSIONS" | fold -s -w 110 | sed 's|^|//   |'
  ./node_modules/.bin/esbuild entry.mjs --bundle --minify --format=iife --global-name=A2ICodeMirror --legal-comments=none --target=es2020
} > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "wrote $OUT ($(wc -c < "$OUT") bytes)"
