export interface ThroughputRow { backend: string; size: string; tokensPerS: number }
export const THROUGHPUT: ThroughputRow[] = [];
export function estimateTokensPerSecond(): number { return 0; }
