/**
 * The little of the DOM that text extraction touches. The project compiles
 * without the DOM library (it runs on Node), so linkedom's documents are typed
 * through this structural view.
 */
export interface DomNode {
  readonly nodeType: number;
  readonly nodeName: string;
  readonly childNodes: ArrayLike<DomNode>;
  readonly textContent: string | null;
  getAttribute?(name: string): string | null;
}

export interface DomElement extends DomNode {
  remove(): void;
  querySelectorAll(selector: string): ArrayLike<DomElement>;
  querySelector(selector: string): DomElement | null;
}

export interface DomDocument {
  readonly title?: string;
  readonly body: DomElement | null;
  readonly documentElement: DomElement | null;
  querySelectorAll(selector: string): ArrayLike<DomElement>;
  querySelector(selector: string): DomElement | null;
}

export const ELEMENT_NODE = 1;
export const TEXT_NODE = 3;
