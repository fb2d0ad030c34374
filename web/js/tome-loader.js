// A classic script that puts the <tome-reader pack> widget on a page: what a site generator's
// "extra JavaScript" setting (mdBook's additional-js, Sphinx's script_files or a template) can
// add. It lives in the pack folder (PACK/js/tome-loader.js, copied there by `tome pack`), loads the
// widget's module from beside it, and adds the element at the end of the page's main content
// unless the page already has one. `data-offline` on this script tag keeps the site for offline visits.
(function () {
  var me = document.currentScript;
  if (!me || !me.src) return;
  var pack = new URL('../', me.src).href;
  var module = document.createElement('script');
  module.type = 'module';
  module.src = new URL('tome-reader.js', me.src).href;
  document.head.appendChild(module);
  function place() {
    if (document.querySelector('tome-reader')) return;
    var el = document.createElement('tome-reader');
    el.setAttribute('pack', pack);
    if (me.hasAttribute('data-offline')) el.setAttribute('offline', '');
    el.style.display = 'block';
    el.style.margin = '2em 0';
    var host = document.querySelector('main, [role=main], article') || document.body;
    host.appendChild(el);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', place);
  else place();
})();
