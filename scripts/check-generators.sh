#!/usr/bin/env bash
# Builds one set of real documentation pages (npm's own docs, Markdown that ships with npm) with
# the generators this machine has no built site of, MkDocs (default and Material themes),
# Docusaurus, and Sphinx with MyST under the Furo and Read the Docs themes, then packs each with tome and prints its pages, passages, outline head and the
# cited page for a few questions: the same pages should give the same outline and citations
# whatever built them. Not in CI (it downloads the generators: ~300 MB of npm packages).
#
#   scripts/check-generators.sh [--tome target/release/tome]
set -euo pipefail
cd "$(dirname "$0")/.."
TOME=target/release/tome
[ "${1:-}" = "--tome" ] && TOME=$2
WORK=target/generators
DOCS="$(npm root -g)/npm/docs/content"
[ -d "$DOCS" ] || { echo "npm's docs are not at $DOCS (install npm)" >&2; exit 1; }
mkdir -p "$WORK"

# One Markdown tree, with a home page (npm's docs have none).
rm -rf "$WORK/md" && mkdir -p "$WORK/md/docs"
cp -r "$DOCS"/. "$WORK/md/docs/"
printf -- '---\ntitle: npm Docs\nslug: /\n---\n\nDocumentation for the npm registry, website, and command-line interface.\n' \
  > "$WORK/md/docs/index.md"

# MkDocs 1.6 and Material 9.
[ -x "$WORK/venv/bin/sphinx-build" ] || { python3 -m venv "$WORK/venv" && "$WORK/venv/bin/pip" install -q mkdocs==1.6.1 \
  mkdocs-material==9.8.2 sphinx==9.0.4 myst-parser==5.2.0 furo==2025.12.19 sphinx-rtd-theme==3.1.0; }
for theme in mkdocs material; do
  printf 'site_name: npm Docs\ntheme:\n  name: %s\n' "$theme" > "$WORK/md/mkdocs.yml"
  (cd "$WORK/md" && NO_MKDOCS_2_WARNING=1 ../venv/bin/mkdocs build -q -d "../site-$theme")
done

# Sphinx 9 reading the Markdown with MyST (front-matter titles as h1s), one toctree of every page.
rm -rf "$WORK/sphinx-src" && mkdir -p "$WORK/sphinx-src"
cp -r "$DOCS"/. "$WORK/sphinx-src/"
printf '# npm Docs\n\nDocumentation for the npm registry, website, and command-line interface.\n\n```{toctree}\n:glob:\n:maxdepth: 1\n\ncommands/*\nconfiguring-npm/*\nusing-npm/*\n```\n' \
  > "$WORK/sphinx-src/index.md"
for theme in furo sphinx_rtd_theme; do
  printf "project = 'npm Docs'\nextensions = ['myst_parser']\nmyst_title_to_header = True\nmyst_heading_anchors = 4\nhtml_theme = '%s'\nsuppress_warnings = ['myst.header', 'myst.xref_missing']\n" \
    "$theme" > "$WORK/sphinx-src/conf.py"
  rm -rf "$WORK/site-$theme" && "$WORK/venv/bin/sphinx-build" -q -b html "$WORK/sphinx-src" "$WORK/site-$theme" 2>/dev/null
done

# Docusaurus 3 (classic template), Markdown read as CommonMark, not MDX (npm's docs hold <spec>s).
if [ ! -d "$WORK/docusaurus/node_modules" ]; then
  rm -rf "$WORK/docusaurus"
  (cd "$WORK" && npx --yes create-docusaurus@3.10.2 docusaurus classic --javascript --skip-install >/dev/null)
  (cd "$WORK/docusaurus" && npm install --no-audit --no-fund >/dev/null)
  sed -i "s/  onBrokenLinks: 'throw',/  onBrokenLinks: 'warn',\n  markdown: { format: 'md', hooks: { onBrokenMarkdownLinks: 'warn' } },/" \
    "$WORK/docusaurus/docusaurus.config.js"
  rm -f "$WORK/docusaurus/src/pages/index.js" "$WORK/docusaurus/src/pages/index.module.css"
  printf -- '---\ntitle: Home\n---\n\n# npm documentation\n\nRead the [docs](/docs/) or the [blog](/blog).\n' \
    > "$WORK/docusaurus/src/pages/index.md"
fi
rm -rf "$WORK/docusaurus/docs" && cp -r "$WORK/md/docs" "$WORK/docusaurus/docs"
# Its own build/ folder: out of it, the repository's package.json ("type": "module") breaks its render.
(cd "$WORK/docusaurus" && npx docusaurus build >/dev/null 2>&1)
rm -rf "$WORK/site-docusaurus" && mv "$WORK/docusaurus/build" "$WORK/site-docusaurus"

QUESTIONS=("How do I see which packages are outdated?" "How do I uninstall a package?"
  "Where does npm store its cache?" "How do I publish a scoped package publicly?" "How do I clear the npm cache?")
for g in mkdocs material docusaurus furo sphinx_rtd_theme; do
  rm -rf "$WORK/pack-$g"
  "$TOME" pack "$WORK/site-$g" -o "$WORK/pack-$g" 2>&1 | tail -1
  "$TOME" outline "$WORK/pack-$g" | head -6
  for q in "${QUESTIONS[@]}"; do
    url=$("$TOME" ask "$WORK/pack-$g" "$q" --json | python3 -c \
      'import json,sys; d=json.load(sys.stdin); c=d["citations"]; print((c[0]["url"] if c else d.get("nearest") or "-").split(":~:")[0])')
    echo "  $q -> $url"
  done
done
