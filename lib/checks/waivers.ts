import { Finding } from './check';

/**
 * A finding accepted for a while: the check, the objects (`Kind/namespace/name`, `*` standing for
 * any run of characters but `/`), why, and until when. Overlays carry them (`waivers:`), and so
 * does the file `bulwark check --waivers` reads; an expired waiver is an error itself.
 */
export interface Waiver {
  readonly check: string;
  readonly object: string;
  readonly reason: string;
  /** The last day it holds, `YYYY-MM-DD`. */
  readonly expires: string;
  /** Where it is written (`overlays/prod.yaml:12`), for messages. */
  readonly source?: string;
}

/** The check id of the findings about waivers themselves. */
export const WAIVER_CHECK = 'waivers';

export interface WaivedFinding {
  readonly finding: Finding;
  readonly waiver: Waiver;
}

export interface WaiverOutcome {
  /** The findings no live waiver covers, and one error per expired waiver, one warning per waiver that covers nothing. */
  readonly findings: readonly Finding[];
  readonly waived: readonly WaivedFinding[];
}

const globs = new Map<string, RegExp>();

/** The pattern of an object glob: `*` is any run of characters but `/`, everything else itself. */
function globPattern(glob: string): RegExp {
  let re = globs.get(glob);
  if (re === undefined) {
    re = new RegExp(`^${glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}$`);
    globs.set(glob, re);
  }
  return re;
}

export function waiverCovers(waiver: Waiver, finding: Finding): boolean {
  return waiver.check === finding.check && globPattern(waiver.object).test(finding.object);
}

/** Today as `YYYY-MM-DD` (UTC), the day waivers are judged on. */
export function today(now: number = Date.now()): string {
  return new Date(now).toISOString().slice(0, 10);
}

const where = (w: Waiver): string => (w.source ? ` (${w.source})` : '');

/** Findings less the ones live waivers cover; expired waivers cover nothing and are errors. */
export function applyWaivers(findings: readonly Finding[], waivers: readonly Waiver[], day: string): WaiverOutcome {
  const live = waivers.filter((w) => w.expires >= day);
  const used = new Set<Waiver>();
  const kept: Finding[] = [];
  const waived: WaivedFinding[] = [];
  for (const finding of findings) {
    const waiver = live.find((w) => waiverCovers(w, finding));
    if (waiver === undefined) kept.push(finding);
    else {
      used.add(waiver);
      waived.push({ finding, waiver });
    }
  }
  for (const w of waivers) {
    if (w.expires < day) {
      kept.push({
        check: WAIVER_CHECK,
        severity: 'error',
        object: w.object,
        message: `the waiver of ${w.check}${where(w)} expired on ${w.expires}; fix the findings it covered, or renew it with a new date and reason`,
      });
    } else if (!used.has(w)) {
      kept.push({
        check: WAIVER_CHECK,
        severity: 'warning',
        object: w.object,
        message: `the waiver of ${w.check}${where(w)} covers no finding; remove it`,
      });
    }
  }
  return { findings: kept, waived };
}
