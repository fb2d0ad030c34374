// The outline as a collapsible ARIA tree (role=tree/treeitem/group) with keyboard navigation:
// Up/Down move, Right opens or enters, Left closes or goes to the parent, Home/End, Enter/Space
// activate (show the section), '*' opens all siblings. One item is tabbable at a time.

export function renderOutline(container, outline, onActivate, showPages = true) {
  container.replaceChildren();
  const tree = document.createElement('ul');
  tree.setAttribute('role', 'tree');
  tree.setAttribute('aria-label', 'Outline');
  tree.className = showPages ? 'tree' : 'tree no-pages';
  addItems(tree, outline.nodes, 1);
  container.append(tree);
  const first = tree.querySelector('[role=treeitem]');
  first?.setAttribute('tabindex', '0');

  tree.addEventListener('click', (e) => {
    const label = e.target.closest('.node');
    if (!label) return;
    const item = label.parentElement;
    if (e.target.closest('.twisty')) toggle(item);
    else {
      activate(item);
      if (item.getAttribute('aria-expanded') === 'false') toggle(item);
    }
    focus(tree, item);
  });
  tree.addEventListener('keydown', (e) => onKey(e, tree));

  function activate(item) {
    onActivate(item.node);
  }

  function onKey(e, tree) {
    const item = e.target.closest('[role=treeitem]');
    if (!item) return;
    const visible = [...tree.querySelectorAll('[role=treeitem]')].filter(isVisible);
    const i = visible.indexOf(item);
    const open = item.getAttribute('aria-expanded');
    const moves = {
      ArrowDown: () => visible[i + 1],
      ArrowUp: () => visible[i - 1],
      Home: () => visible[0],
      End: () => visible[visible.length - 1],
      ArrowRight: () => (open === 'false' ? (toggle(item), item) : open === 'true' ? childItems(item)[0] : item),
      ArrowLeft: () => (open === 'true' ? (toggle(item), item) : parentItem(item) ?? item),
      Enter: () => (activate(item), item),
      ' ': () => (activate(item), item),
      '*': () => {
        for (const sib of item.parentElement.children) if (sib.getAttribute('aria-expanded') === 'false') toggle(sib);
        return item;
      },
    };
    const move = moves[e.key];
    if (!move) return;
    e.preventDefault();
    const next = move();
    if (next) focus(tree, next);
  }
}

function addItems(list, nodes, level) {
  nodes.forEach((node, i) => {
    const item = document.createElement('li');
    item.setAttribute('role', 'treeitem');
    item.setAttribute('aria-level', String(level));
    item.setAttribute('aria-setsize', String(nodes.length));
    item.setAttribute('aria-posinset', String(i + 1));
    item.setAttribute('tabindex', '-1');
    item.node = node;
    const label = document.createElement('div');
    label.className = 'node';
    const twisty = document.createElement('span');
    twisty.className = 'twisty';
    twisty.setAttribute('aria-hidden', 'true');
    const title = document.createElement('span');
    title.className = 'title';
    title.textContent = node.title;
    const page = document.createElement('span');
    page.className = 'page';
    page.textContent = node.page ? `p. ${node.page}` : '';
    label.append(twisty, title, page);
    item.append(label);
    // The scope line: hidden until the item is the current one (see app.css), a tooltip meanwhile.
    if (node.scope) {
      title.title = node.scope;
      const scope = document.createElement('div');
      scope.className = 'scope';
      scope.textContent = node.scope;
      item.append(scope);
    }
    if (node.children.length) {
      item.setAttribute('aria-expanded', 'false');
      const group = document.createElement('ul');
      group.setAttribute('role', 'group');
      addItems(group, node.children, level + 1);
      item.append(group);
    }
    list.append(item);
  });
}

function toggle(item) {
  const open = item.getAttribute('aria-expanded');
  if (open) item.setAttribute('aria-expanded', open === 'true' ? 'false' : 'true');
}

function childItems(item) {
  return [...(item.querySelector(':scope > [role=group]')?.children ?? [])];
}

function parentItem(item) {
  return item.parentElement.closest('[role=treeitem]');
}

function isVisible(item) {
  for (let p = parentItem(item); p; p = parentItem(p)) {
    if (p.getAttribute('aria-expanded') !== 'true') return false;
  }
  return true;
}

function focus(tree, item) {
  for (const el of tree.querySelectorAll('[role=treeitem][tabindex="0"]')) el.setAttribute('tabindex', '-1');
  item.setAttribute('tabindex', '0');
  item.focus();
}
