import { LoadedOverlay, parseOverlay } from '../lib/config/load-overlay';
import { overlayText } from './helpers';

/** The monitoring of a fixture environment: the Prometheus its analyses ask. */
export const PROMETHEUS_URL = 'http://prometheus-operated.monitoring.svc:9090';
const MONITORING = 'monitoring:\n  prometheus:\n    serviceAccount: prometheus\n    podLabels: { app.kubernetes.io/name: prometheus }\n'
  + `    url: ${PROMETHEUS_URL}\n\n`;
/** Room for every rollout's extra pods (a canary at full size beside its stable pods). */
const ROOMY_QUOTA = 'quota:\n  requests: { cpu: "64", memory: 96Gi, ephemeral-storage: 32Gi }\n'
  + '  limits: { cpu: "96", memory: 128Gi, ephemeral-storage: 64Gi }\n  pods: 90';

export interface DeliveryFixture {
  /** The fixture environment. @default prod */
  readonly env?: string;
  /** `delivery:` of each component, as flow YAML, e.g. `{ strategy: canary }`. */
  readonly delivery: Readonly<Record<string, string>>;
  /** Add monitoring when the fixture has none; false: remove the fixture's. @default true */
  readonly monitoring?: boolean;
  /** @default true */
  readonly roomyQuota?: boolean;
  /** Further replacements of the overlay text. @default none */
  readonly edits?: readonly [string | RegExp, string][];
}

/**
 * A fixture overlay with `delivery` on some components (the line after each one's `image:`) and on
 * no other, the monitoring their analysis needs, and a quota that holds their rollouts.
 */
export function deliveryOverlay(fixture: DeliveryFixture): LoadedOverlay {
  const env = fixture.env ?? 'prod';
  let text = overlayText(env);
  const change = (search: string | RegExp, replacement: string): void => {
    const changed = text.replace(search, replacement);
    if (changed === text) throw new Error(`fixture did not change: ${String(search)}`);
    text = changed;
  };
  const monitored = /\nmonitoring:\n/.test(text);
  if ((fixture.monitoring ?? true) && !monitored) change('\ncomponents:\n', `\n${MONITORING}components:\n`);
  if (fixture.monitoring === false && monitored) change(/\nmonitoring:\n( .*\n)*/, '\n');
  if (fixture.roomyQuota ?? true) change(/quota:\n {2}requests:.*\n {2}limits:.*\n {2}pods: [0-9]+/, ROOMY_QUOTA);
  // The fixture's own delivery (one line each) gives way to the test's.
  text = text.replace(/\n {4}delivery: .*/g, '');
  for (const [name, delivery] of Object.entries(fixture.delivery)) {
    change(new RegExp(`\n  ${name}:\n(    kind: .*\n)?    image: (.*)\n`), (`\n  ${name}:\n$1    image: $2\n    delivery: ${delivery}\n`));
  }
  for (const [search, replacement] of fixture.edits ?? []) change(search, replacement);
  return parseOverlay(`overlays/${env}.yaml`, text);
}
