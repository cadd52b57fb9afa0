// The dashboard's first frame as static HTML: App's top bar (brand, live summary, repository, its two buttons
// not yet enabled), which the dashboard server puts into #root of the page it serves. It paints as soon as the
// page and its stylesheet have arrived — before the script has loaded, compiled and rendered, which is most of
// the time to the first paint — and React replaces it with the same top bar on its first render (the instance
// cards come with that render). Keep the markup in step with the top bar in renderer/src/App.tsx.
import type { Snapshot } from './contract';
import { summarise } from './summary';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

export function shellHtml(s: Snapshot): string {
  const repo = s.repository
    ? `<span class="repo mono" title="Repository: ${escapeHtml(s.repository)}"><bdi dir="ltr">${escapeHtml(s.repository)}</bdi></span>`
    : '';
  return (
    '<div class="app" data-shell="">' +
    '<header class="topbar">' +
    '<h1 class="brand"><span class="logo" aria-hidden="true"></span><span>ktrdr-sandbox</span></h1>' +
    `<div class="summary">${escapeHtml(summarise(s))}</div>` +
    '<span class="spacer"></span>' +
    repo +
    '<div class="topbar-actions">' +
    '<button type="button" class="primary" disabled>+ Create<span class="wide-only"> instance</span></button>' +
    '<button type="button" disabled>Settings</button>' +
    '</div>' +
    '</header>' +
    '</div>'
  );
}
