// Turns every <input data-suggest="/search/suggest"> into an accessible combobox (WAI-ARIA 1.2 list autocomplete):
// suggestions as you type, arrow keys to move, Enter to pick, Escape to close. Without JavaScript the form still works.
(() => {
  const DEBOUNCE_MS = 150;
  let counter = 0;

  function enhance(input) {
    const url = input.getAttribute('data-suggest');
    const listId = `suggest-list-${++counter}`;
    const wrapper = document.createElement('div');
    wrapper.className = 'suggest';
    input.parentNode.insertBefore(wrapper, input);
    wrapper.appendChild(input);
    const list = document.createElement('ul');
    list.id = listId;
    list.className = 'suggest__list';
    list.setAttribute('role', 'listbox');
    list.setAttribute('aria-label', 'Suggestions');
    list.hidden = true;
    wrapper.appendChild(list);
    input.setAttribute('role', 'combobox');
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-controls', listId);
    input.setAttribute('aria-expanded', 'false');

    let active = -1;
    let timer = null;
    let lastAsked = '';
    let controller = null;

    const options = () => Array.from(list.children);
    function close() {
      list.hidden = true;
      input.setAttribute('aria-expanded', 'false');
      input.removeAttribute('aria-activedescendant');
      active = -1;
    }
    function highlight(index) {
      const all = options();
      all.forEach((o, i) => o.setAttribute('aria-selected', String(i === index)));
      active = index;
      if (index >= 0) input.setAttribute('aria-activedescendant', all[index].id);
      else input.removeAttribute('aria-activedescendant');
    }
    function choose(text) {
      input.value = text;
      close();
      if (input.form) input.form.requestSubmit ? input.form.requestSubmit() : input.form.submit();
    }
    function show(suggestions) {
      list.replaceChildren(
        ...suggestions.map((text, i) => {
          const li = document.createElement('li');
          li.id = `${listId}-${i}`;
          li.className = 'suggest__option';
          li.setAttribute('role', 'option');
          li.setAttribute('aria-selected', 'false');
          li.textContent = text;
          // mousedown, not click: it fires before the input loses focus and closes the list.
          li.addEventListener('mousedown', (event) => {
            event.preventDefault();
            choose(text);
          });
          return li;
        }),
      );
      active = -1;
      if (suggestions.length === 0) return close();
      list.hidden = false;
      input.setAttribute('aria-expanded', 'true');
    }
    async function ask(text) {
      lastAsked = text;
      if (controller) controller.abort();
      controller = new AbortController();
      try {
        const response = await fetch(`${url}?q=${encodeURIComponent(text)}`, { headers: { Accept: 'application/json' }, credentials: 'same-origin', signal: controller.signal });
        if (!response.ok) return close();
        const body = await response.json();
        if (text === lastAsked && document.activeElement === input) show(Array.isArray(body.suggestions) ? body.suggestions : []);
      } catch {
        // Aborted by a newer keystroke, or offline: suggestions are optional.
      }
    }

    input.addEventListener('input', () => {
      clearTimeout(timer);
      const text = input.value.trim();
      if (text.length < 2) return close();
      timer = setTimeout(() => ask(text), DEBOUNCE_MS);
    });
    input.addEventListener('keydown', (event) => {
      const count = options().length;
      if (event.key === 'ArrowDown') {
        if (list.hidden) {
          if (count > 0) { list.hidden = false; input.setAttribute('aria-expanded', 'true'); }
        } else highlight(count === 0 ? -1 : (active + 1) % count);
        event.preventDefault();
      } else if (event.key === 'ArrowUp') {
        if (!list.hidden && count > 0) highlight(active <= 0 ? count - 1 : active - 1);
        event.preventDefault();
      } else if (event.key === 'Enter' && !list.hidden && active >= 0) {
        event.preventDefault();
        choose(options()[active].textContent);
      } else if (event.key === 'Escape' && !list.hidden) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener('blur', close);
  }

  document.querySelectorAll('input[data-suggest]').forEach(enhance);
})();
