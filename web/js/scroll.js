// Scrolls a pane so an element sits in its middle, without scrolling the page around it
// (scrollIntoView would also move the window and the widget's host page).

export function centerIn(container, el) {
  const box = container.getBoundingClientRect();
  const r = el.getBoundingClientRect();
  container.scrollTop += r.top - box.top - (box.height - r.height) / 2;
}
