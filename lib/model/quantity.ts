/** Parses the CPU quantities the overlay schema admits ("250m", "2", "0.5") into millicores. */
export function cpuMillis(quantity: string): number {
  return quantity.endsWith('m') ? Number(quantity.slice(0, -1)) : Math.round(Number(quantity) * 1000);
}

const BINARY_UNITS: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };

/** Parses the memory quantities the overlay schema admits ("256Mi", "2Gi") into bytes. */
export function memoryBytes(quantity: string): number {
  const unit = quantity.slice(-2);
  return Number(quantity.slice(0, -2)) * BINARY_UNITS[unit];
}

export function formatCpu(millis: number): string {
  return millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`;
}

export function formatMemory(bytes: number): string {
  for (const unit of ['Ti', 'Gi', 'Mi', 'Ki']) {
    if (bytes % BINARY_UNITS[unit] === 0) return `${bytes / BINARY_UNITS[unit]}${unit}`;
  }
  return String(bytes);
}
