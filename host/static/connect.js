// The hosted connect page's progressive enhancement: live search and validation messages as
// the user types. Everything also works without it (the server filters and validates).
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const search = document.getElementById("search");
  const count = document.getElementById("search-count");
  const cards = Array.from(document.querySelectorAll(".card"));
  if (search) {
    const total = count ? count.textContent.replace(/^.* of /, "") : "";
    search.addEventListener("input", () => {
      const needle = search.value.trim().toLowerCase();
      let shown = 0;
      for (const card of cards) {
        const match = !needle || card.dataset.search.includes(needle);
        card.hidden = !match;
        if (match) shown += 1;
      }
      if (count) count.textContent = `${shown} of ${total}`;
    });
  }

  // What is wrong with one input, in words, or "" when it is fine.
  const problem = (input) => {
    const value = input.value.trim();
    const label = input.dataset.label || input.name;
    if (!value) {
      return input.required ? input.dataset.missing : "";
    }
    const pattern = input.dataset.pattern;
    if (pattern) {
      let re;
      try {
        re = new RegExp(`^(?:${pattern})$`, "u");
      } catch (_) {
        return ""; // The server checks it.
      }
      if (!re.test(value)) {
        const hint = document.getElementById(`${input.id}-hint`);
        return `${label} must match the form ${pattern}${hint ? ` (${hint.textContent.trim()})` : ""}.`;
      }
    }
    return "";
  };
  const show = (input) => {
    const text = problem(input);
    const slot = document.getElementById(`${input.id}-error`);
    if (slot) slot.textContent = text;
    if (text) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
    return text;
  };
  for (const form of document.querySelectorAll("form.connect-form")) {
    const inputs = Array.from(form.querySelectorAll("input[data-label]"));
    for (const input of inputs) {
      input.addEventListener("input", () => show(input));
      input.addEventListener("blur", () => show(input));
    }
    form.addEventListener("submit", (event) => {
      const invalid = inputs.filter((input) => show(input));
      if (invalid.length) {
        event.preventDefault();
        invalid[0].focus();
      }
    });
  }
  const notice = document.getElementById("notice");
  if (notice) notice.focus();
});
