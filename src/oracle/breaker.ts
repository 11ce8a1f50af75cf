export type BreakerMode = 'auto' | 'degraded' | 'off';

export interface BreakerState {
  mode: BreakerMode;
  /** Blocked runs of this repository in the current UTC hour; null when it could not be read. */
  blockedThisHour: number | null;
  threshold: number;
}

export type BreakerVerdict = { tripped: false } | { tripped: true; why: string };

/**
 * The circuit breaker: a flood of blocks in one hour means something is wrong with the gate
 * rather than with every PR, so blocks become warnings until the hour turns.
 */
export function breakerVerdict(state: BreakerState): BreakerVerdict {
  if (state.mode === 'off') return { tripped: false };
  if (state.mode === 'degraded') return { tripped: true, why: 'degraded mode forced by the circuit-breaker input' };
  if (state.blockedThisHour !== null && state.blockedThisHour >= state.threshold) {
    return {
      tripped: true,
      why: `${state.blockedThisHour} runs were blocked in this UTC hour (threshold ${state.threshold})`
    };
  }
  return { tripped: false };
}
