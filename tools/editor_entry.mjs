// Entry point of a2i_kit/widgets/static/codemirror.js (built by tools/build_editor.sh).
// One function for the TemplateDesigner: a CodeMirror 6 editor for Liquid + HTML task templates
// with line numbers, lint markers from the kernel's findings and Ctrl/Cmd+S for save.
import { EditorState, RangeSetBuilder } from "@codemirror/state";
import {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection,
  Decoration, ViewPlugin, MatchDecorator,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { syntaxHighlighting, defaultHighlightStyle, indentOnInput, bracketMatching } from "@codemirror/language";
import { searchKeymap, highlightSelectionMatches } from "@codemirror/search";
import { html } from "@codemirror/lang-html";
import { lintGutter, setDiagnostics } from "@codemirror/lint";

// Liquid tags ({{ … }}, {% … %}) over the HTML highlighting: cheap, and enough to see them.
const liquidMarks = new MatchDecorator({
  regexp: /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g,
  decoration: (m) => Decoration.mark({ class: m[0].startsWith("{%") ? "cm-liquid cm-liquid-tag" : "cm-liquid" }),
});
const liquid = ViewPlugin.fromClass(class {
  constructor(view) { this.decorations = liquidMarks.createDeco(view); }
  update(u) { this.decorations = liquidMarks.updateDeco(u, this.decorations); }
}, { decorations: (v) => v.decorations });

function position(doc, line, column) {
  const n = Math.min(Math.max(1, line || 1), doc.lines);
  const info = doc.line(n);
  return Math.min(info.from + Math.max(0, (column || 1) - 1), info.to);
}

/** Create an editor in `parent`. Returns {view, setText, getText, setFindings, jumpTo, destroy}. */
export function createEditor({ parent, text = "", label = "Template source", onChange = () => {}, onSave = () => {} }) {
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: text,
      extensions: [
        lineNumbers(), highlightActiveLineGutter(), history(), drawSelection(), indentOnInput(),
        bracketMatching(), highlightActiveLine(), highlightSelectionMatches(), lintGutter(),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }), html(), liquid,
        keymap.of([{ key: "Mod-s", preventDefault: true, run: () => { onSave(); return true; } },
          indentWithTab, ...defaultKeymap, ...historyKeymap, ...searchKeymap]),
        EditorView.contentAttributes.of({ "aria-label": label }),
        EditorView.updateListener.of((u) => { if (u.docChanged) onChange(u.state.doc.toString()); }),
      ],
    }),
  });
  return {
    view,
    getText: () => view.state.doc.toString(),
    setText(value) {
      if (value === view.state.doc.toString()) return;
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: value } });
    },
    /** findings: [{line, column, severity, code, message}] from a2i_kit.templates.lint. */
    setFindings(findings) {
      const doc = view.state.doc;
      const diagnostics = (findings || []).map((f) => {
        const from = position(doc, f.line, f.column);
        const end = doc.lineAt(from).to;
        return { from, to: Math.max(from, end), severity: f.severity === "error" ? "error" : f.severity === "warning" ? "warning" : "info",
          message: `[${f.code}] ${f.message}` };
      });
      view.dispatch(setDiagnostics(view.state, diagnostics));
    },
    jumpTo(line, column) {
      const pos = position(view.state.doc, line, column);
      view.dispatch({ selection: { anchor: pos }, effects: EditorView.scrollIntoView(pos, { y: "center" }) });
      view.focus();
    },
    destroy: () => view.destroy(),
  };
}
