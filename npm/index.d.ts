// Types of the npm package's JavaScript API (index.js). The wasm exports'
// own types are wasm-bindgen's, in pkg/.
export * from './pkg/normscope.js';
export { Trainer } from './pkg/normscope_engine.js';

/**
 * Fetch, compile and initialise the page's wasm module, once per page
 * (every `<norm-scope>` shares it). Call before `normalize`, `Session`, …
 */
export declare function init(): Promise<void>;
export default init;

/** The training engine's exports, initialised, and its compiled module (for workers). */
export declare function loadEngine(): Promise<typeof import('./pkg/normscope_engine.js') & { module: WebAssembly.Module }>;

/** One training task photo (raw RGB8), in the engine's class order. */
export interface TaskPhoto {
  name: string;
  width: number;
  height: number;
  rgb: Uint8Array;
}

/** The task photos every run trains on (fetched once per page). */
export declare function loadTaskPhotos(): Promise<TaskPhoto[]>;

/** A training config: the field names of RUN.json's `config`; missing ones take the CLI's defaults. */
export interface TrainConfig {
  task?: 'what' | 'day-night';
  norm?: 'none' | 'batch' | 'instance' | 'layer' | 'group' | 'batch-instance' | 'ibn';
  groups?: number;
  steps?: number;
  batch?: number;
  lr?: number;
  momentum?: number;
  weight_decay?: number;
  seed?: number;
  widths?: number[];
  eval_every?: number;
  bn_momentum?: number;
  eps?: number;
}

export interface TrainOptions {
  /** Test-time lighting to measure after training: { contrast: [0.5, 2], … }. */
  lighting?: Record<string, number[]>;
  probes?: unknown;
  onProgress?: (progress: { step: number; steps: number; loss: number[]; curve: { step: number; accuracy: number }[] }) => void;
  onStart?: () => void;
  /** Abort to stop the run: it rejects with an AbortError whose `step` says where. */
  signal?: AbortSignal;
}

/** The run's record (RUN.json as an object) and what was measured after it. */
export interface TrainResult {
  record: Record<string, unknown>;
  lighting: Record<string, { value: number; accuracy: number }[]>;
  probes: unknown;
  ms: number;
}

/** Train `config` in a module worker (one per core but one, shared by the page). */
export declare function train(config: TrainConfig, options?: TrainOptions): Promise<TrainResult>;
