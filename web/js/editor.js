// The playground's manifest editor: CodeMirror 6 with YAML, bundled by esbuild (scripts/setup.sh) into
// crates/stowage-web/js/cm.js and loaded from Rust as a wasm-bindgen snippet.
//
// API (all the Rust side uses):
//   mount(parent, doc, onChange, onApply) -> handle
//   handle.setDoc(text)                       replaces the document without calling onChange
//   handle.getDoc() -> string
//   handle.setDiagnostics([{line, column, message, severity?}])   1-based line/column, as the engine reports
//   handle.focus(), handle.destroy()
//
// Colours come from CSS custom properties (web/styles/app.css), so the light and dark themes switch without
// reconfiguring the editor.

import { Annotation, EditorState, Prec } from "@codemirror/state";
import {
  EditorView,
  crosshairCursor,
  drawSelection,
  dropCursor,
  highlightActiveLine,
  highlightActiveLineGutter,
  highlightSpecialChars,
  keymap,
  lineNumbers,
  rectangularSelection,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import {
  HighlightStyle,
  bracketMatching,
  foldGutter,
  foldKeymap,
  indentOnInput,
  indentUnit,
  syntaxHighlighting,
} from "@codemirror/language";
import { highlightSelectionMatches, search, searchKeymap } from "@codemirror/search";
import { lintGutter, lintKeymap, setDiagnostics } from "@codemirror/lint";
import { yaml } from "@codemirror/lang-yaml";
import { tags as t } from "@lezer/highlight";

/** Marks transactions that come from the host (setDoc), so they are not echoed back through onChange. */
const external = Annotation.define();

const highlight = HighlightStyle.define([
  { tag: [t.propertyName, t.definition(t.propertyName)], color: "var(--syn-key)" },
  { tag: [t.string, t.special(t.string)], color: "var(--syn-string)" },
  { tag: [t.number, t.bool, t.null, t.atom], color: "var(--syn-number)" },
  { tag: [t.keyword, t.meta, t.processingInstruction], color: "var(--syn-keyword)" },
  { tag: [t.comment, t.lineComment, t.blockComment], color: "var(--syn-comment)", fontStyle: "italic" },
  { tag: [t.separator, t.punctuation, t.squareBracket, t.brace], color: "var(--syn-punct)" },
  { tag: [t.labelName, t.typeName], color: "var(--syn-type)" },
  { tag: t.content, color: "var(--syn-value)" },
  { tag: t.invalid, color: "var(--danger)" },
]);

const theme = EditorView.theme({
  "&": { height: "100%", color: "var(--fg)", backgroundColor: "var(--editor-bg)", fontSize: "13px" },
  "&.cm-focused": { outline: "none" },
  ".cm-scroller": { fontFamily: "var(--font-mono)", lineHeight: "1.55" },
  ".cm-content": { caretColor: "var(--accent)", padding: "8px 0" },
  ".cm-cursor, .cm-dropCursor": { borderLeftColor: "var(--accent)" },
  "&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, ::selection":
    { backgroundColor: "var(--selection)" },
  ".cm-activeLine": { backgroundColor: "var(--active-line)" },
  ".cm-gutters": {
    backgroundColor: "var(--editor-bg)",
    color: "var(--fg-faint)",
    border: "none",
    borderRight: "1px solid var(--border-soft)",
  },
  ".cm-activeLineGutter": { backgroundColor: "var(--active-line)", color: "var(--fg-muted)" },
  ".cm-lineNumbers .cm-gutterElement": { padding: "0 8px 0 12px" },
  ".cm-foldPlaceholder": { backgroundColor: "var(--surface-2)", border: "1px solid var(--border)", color: "var(--fg-muted)" },
  ".cm-matchingBracket, &.cm-focused .cm-matchingBracket": { backgroundColor: "var(--match)", outline: "none" },
  ".cm-selectionMatch": { backgroundColor: "var(--match)" },
  ".cm-searchMatch": { backgroundColor: "var(--search-match)", outline: "1px solid var(--warning)" },
  ".cm-searchMatch.cm-searchMatch-selected": { backgroundColor: "var(--selection)" },
  ".cm-panels": { backgroundColor: "var(--surface-2)", color: "var(--fg)" },
  ".cm-panels.cm-panels-bottom": { borderTop: "1px solid var(--border)" },
  ".cm-panels.cm-panels-top": { borderBottom: "1px solid var(--border)" },
  ".cm-panel input, .cm-panel button, .cm-textfield, .cm-button": { fontFamily: "var(--font-ui)", fontSize: "12px" },
  ".cm-textfield": {
    backgroundColor: "var(--surface)",
    color: "var(--fg)",
    border: "1px solid var(--border)",
    borderRadius: "4px",
  },
  ".cm-button": {
    backgroundImage: "none",
    backgroundColor: "var(--surface)",
    color: "var(--fg)",
    border: "1px solid var(--border)",
    borderRadius: "4px",
  },
  ".cm-tooltip": {
    backgroundColor: "var(--surface-2)",
    color: "var(--fg)",
    border: "1px solid var(--border)",
    borderRadius: "6px",
    boxShadow: "var(--shadow)",
  },
  ".cm-diagnostic": { fontFamily: "var(--font-ui)", fontSize: "12px", padding: "4px 8px" },
  ".cm-diagnostic-error": { borderLeft: "3px solid var(--danger)" },
  ".cm-diagnostic-warning": { borderLeft: "3px solid var(--warning)" },
  ".cm-lintRange-error": {
    backgroundImage: "none",
    textDecoration: "underline wavy var(--danger)",
    textUnderlineOffset: "3px",
  },
  ".cm-lintRange-warning": {
    backgroundImage: "none",
    textDecoration: "underline wavy var(--warning)",
    textUnderlineOffset: "3px",
  },
});

/** Converts an engine diagnostic (1-based line and column) to a CodeMirror range, clamped to the document. */
function toDiagnostic(doc, d) {
  const lineNo = Math.min(Math.max(1, Math.floor(Number(d.line) || 1)), doc.lines);
  const line = doc.line(lineNo);
  const column = Math.max(1, Math.floor(Number(d.column) || 1));
  const from = Math.min(line.from + column - 1, line.to);
  // Underline the token that starts at the column (up to the next space or colon), or the rest of the line.
  const rest = doc.sliceString(from, line.to);
  const word = /^[^\s:]+/.exec(rest);
  let to = word ? from + word[0].length : line.to;
  if (to === from) to = Math.min(from + 1, doc.length);
  const severity = d.severity === "warning" || d.severity === "info" ? d.severity : "error";
  return { from, to, severity, message: String(d.message ?? ""), source: d.source ?? undefined };
}

export function mount(parent, doc, onChange, onApply) {
  const apply = () => {
    onApply();
    return true;
  };
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        Prec.highest(keymap.of([{ key: "Mod-Enter", run: apply }, { key: "Ctrl-Enter", run: apply }])),
        lineNumbers(),
        highlightActiveLineGutter(),
        highlightSpecialChars(),
        history(),
        foldGutter(),
        drawSelection(),
        dropCursor(),
        EditorState.allowMultipleSelections.of(true),
        indentOnInput(),
        indentUnit.of("  "),
        EditorState.tabSize.of(2),
        syntaxHighlighting(highlight),
        bracketMatching(),
        rectangularSelection(),
        crosshairCursor(),
        highlightActiveLine(),
        highlightSelectionMatches(),
        search({ top: true }),
        lintGutter(),
        keymap.of([...defaultKeymap, ...searchKeymap, ...historyKeymap, ...foldKeymap, ...lintKeymap, indentWithTab]),
        yaml(),
        theme,
        EditorView.contentAttributes.of({ "aria-label": "Manifest editor (YAML)", spellcheck: "false" }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged && !update.transactions.some((tr) => tr.annotation(external))) {
            onChange(update.state.doc.toString());
          }
        }),
      ],
    }),
  });

  return {
    setDoc(text) {
      const current = view.state.doc.toString();
      if (current === text) return;
      view.dispatch({
        changes: { from: 0, to: current.length, insert: text },
        annotations: external.of(true),
      });
    },
    getDoc() {
      return view.state.doc.toString();
    },
    setDiagnostics(list) {
      const items = Array.from(list ?? [], (d) => toDiagnostic(view.state.doc, d));
      view.dispatch(setDiagnostics(view.state, items));
    },
    focus() {
      view.focus();
    },
    destroy() {
      view.destroy();
    },
  };
}
