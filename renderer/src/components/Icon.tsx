// State glyphs for steps and checks (text, so they follow the theme's colours).
const GLYPH: Record<string, string> = {
  passed: '✓',
  failed: '✗',
  skipped: '○',
  pending: '·',
  running: '…',
  info: '•',
  warning: '!',
};

export function StateIcon({ state }: { state: string }) {
  if (state === 'running' || state === 'pending')
    return (
      <span className={`icon icon-${state}`} aria-label={state}>
        <span className="spinner" />
      </span>
    );
  return (
    <span className={`icon icon-${state}`} aria-label={state}>
      {GLYPH[state] ?? '•'}
    </span>
  );
}
