// The main navigation's groups are <details> disclosure menus, which open and close without JavaScript. This adds
// what the disclosure pattern expects on top: the toggle is a button whose aria-expanded follows the menu and which
// names the list it controls; Escape closes the open menu and returns focus to its button; one menu is open at a
// time; a click elsewhere or moving focus out of a menu closes it.
(() => {
  const groups = [...document.querySelectorAll('details[data-navgroup]')];
  if (groups.length === 0) return;

  const toggleOf = (details) => details.querySelector('summary');

  function close(details, focusToggle) {
    if (!details.open) return;
    details.open = false;
    if (focusToggle) toggleOf(details).focus();
  }

  for (const details of groups) {
    const toggle = toggleOf(details);
    toggle.setAttribute('role', 'button');
    toggle.setAttribute('aria-controls', toggle.getAttribute('data-controls'));
    toggle.setAttribute('aria-expanded', String(details.open));
    details.addEventListener('toggle', () => {
      toggle.setAttribute('aria-expanded', String(details.open));
      if (details.open) for (const other of groups) if (other !== details) close(other, false);
    });
    details.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && details.open) {
        event.preventDefault();
        close(details, true);
      }
    });
    details.addEventListener('focusout', (event) => {
      if (details.open && event.relatedTarget instanceof Node && !details.contains(event.relatedTarget)) close(details, false);
    });
  }

  document.addEventListener('click', (event) => {
    for (const details of groups) if (details.open && !details.contains(event.target)) close(details, false);
  });
})();
