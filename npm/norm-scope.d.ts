// `import 'normscope/norm-scope.js'` defines <norm-scope> (attributes: see the README).

/** What every repaint reports, as the `normscope-change` event's detail. */
export interface NormScopeChangeDetail {
  probe: number;
  adjustment: { contrast: number; brightness: number; gamma: number; clip: boolean };
  kinds: { kind: string; maxAbs: number; unchanged: boolean }[];
}

/** An image given as data instead of by name: an image file, or RGBA pixels. */
export type NormScopeImageSource =
  | { label: string; bytes: Uint8Array }
  | { label: string; width: number; height: number; rgba: Uint8ClampedArray };

export declare class NormScopeElement extends HTMLElement {
  /** Images as data (set before the element is connected). */
  imageSources?: NormScopeImageSource[];
}

declare global {
  interface HTMLElementTagNameMap {
    'norm-scope': NormScopeElement;
  }
  interface HTMLElementEventMap {
    'normscope-change': CustomEvent<NormScopeChangeDetail>;
  }
}
