// `import 'normscope/norm-lab.js'` defines <norm-lab> (attributes: see the README).

/** The lab's settings (one per lab-* link parameter; www/lab/settings.json). */
export type NormLabSettings = Record<string, unknown>;

export declare class NormLabElement extends HTMLElement {
  /** The settings now (once `data-ready` is set). */
  readonly settings: NormLabSettings;
  /** Change settings as the controls do: checked like the attributes; a bad value keeps its setting and gets a notice. */
  applySettings(patch: NormLabSettings): void;
  /** Each panel's experiment and the keys of its runs in `store`. */
  readonly shown: { experiment: string; keys: string[] }[];
  /** The runs the panels show (fires 'change' events). */
  readonly store: EventTarget;
}

declare global {
  interface HTMLElementTagNameMap {
    'norm-lab': NormLabElement;
  }
  interface HTMLElementEventMap {
    'normlab-change': CustomEvent<NormLabSettings>;
  }
}
