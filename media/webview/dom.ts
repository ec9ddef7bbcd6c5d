/** Tiny DOM builder: text always goes through textContent, so no data from a token or report becomes markup. */
export type Child = Node | string | undefined | false;

export function h(
  tag: string,
  attrs: Record<string, string | boolean | undefined> = {},
  ...children: Child[]
): HTMLElement {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    el.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children) {
    if (child === undefined || child === false) continue;
    el.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return el;
}

/** A vscode-table of label/value rows, each value selectable text. */
export function keyValueTable(label: string, rows: [string, Child][]): HTMLElement {
  return h(
    'vscode-table',
    { 'aria-label': label, zebra: true, 'bordered-rows': true, columns: undefined },
    h(
      'vscode-table-body',
      { slot: 'body' },
      ...rows.map(([key, value]) =>
        h(
          'vscode-table-row',
          {},
          h('vscode-table-cell', { class: 'key' }, key),
          h('vscode-table-cell', { class: 'value' }, value ?? '—'),
        ),
      ),
    ),
  );
}

export function button(
  id: string,
  label: string,
  onClick: () => void,
  opts: { secondary?: boolean; disabled?: boolean; title?: string } = {},
): HTMLElement {
  // A stable id lets a re-render give the focus back to the same button.
  const el = h('vscode-button', { id, secondary: opts.secondary, disabled: opts.disabled, title: opts.title }, label);
  el.addEventListener('click', () => {
    if (!el.hasAttribute('disabled')) onClick();
  });
  return el;
}

/** A link the host opens (https only, checked again there); the page itself never navigates. */
export function externalLink(
  id: string,
  url: string,
  label: string,
  send: (m: { type: 'openLink'; url: string }) => void,
): HTMLElement {
  const a = h('a', { href: url, id }, label);
  a.addEventListener('click', (e) => {
    e.preventDefault();
    send({ type: 'openLink', url });
  });
  return a;
}
