#!/usr/bin/env bash
# Keeps the message catalogs in step with the code (docs/i18n.md).
# Usage: scripts/i18n.sh extract    collect marked strings into bridge/i18n/locales/DOMAIN.pot (one per i18n/DOMAIN.cfg)
#                                   and merge them into every language's DOMAIN.po (new strings untranslated)
#        scripts/i18n.sh init LANG  start the catalogs of a new language
#        scripts/i18n.sh union      during a git merge: each conflicted catalog becomes the union of both sides
set -euo pipefail
cd "$(dirname "$0")/.."
pybabel=.venv/bin/pybabel
if [ "${1:-}" = union ]; then exec .venv/bin/python scripts/i18n_union.py; fi
locales=bridge/i18n/locales
for cfg in i18n/*.cfg; do
  domain=$(basename "$cfg" .cfg)
  keywords=()
  for k in $(sed -n 's/^# keywords: //p' "$cfg"); do keywords+=(-k "$k"); done
  case "${1:-}" in
    extract)
      "$pybabel" extract -F "$cfg" "${keywords[@]}" --no-location --sort-output --omit-header --width=120 \
        -o "$locales/$domain.pot" .
      for po in "$locales"/*/LC_MESSAGES/"$domain.po"; do
        [ -e "$po" ] || continue
        lang=$(basename "$(dirname "$(dirname "$po")")")
        "$pybabel" update -D "$domain" -l "$lang" -i "$locales/$domain.pot" -d "$locales" \
          --no-fuzzy-matching --ignore-obsolete --width=120
        sed -i '/^"POT-Creation-Date: /d' "$po"  # changes on every run: a merge conflict in every catalog
      done ;;
    init)
      "$pybabel" init -D "$domain" -l "${2:?the language code, such as it}" -i "$locales/$domain.pot" -d "$locales" ;;
    *) echo "usage: scripts/i18n.sh extract | init LANG | union" >&2; exit 2 ;;
  esac
done
