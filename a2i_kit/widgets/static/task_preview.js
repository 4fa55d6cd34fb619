// a2i-kit TaskPreview: one task rendered for a given input, with a test submit.

function render({ model, el }) {
  const errors = a2iErrorBox(model);
  const preview = a2iMountPreview(model, errors, { title: model.get("title") || "Task preview" });
  a2iRoot(el, "a2i-task-preview");
  el.replaceChildren(errors.box, preview.node);
  return () => { preview.stop(); errors.stop(); };
}

export default { render };
