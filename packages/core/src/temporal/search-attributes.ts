/**
 * Cairn's custom search attributes: how runs are listed and filtered ("every run of
 * agent X", "every run waiting for a human", "the children of run Y").
 *
 * This module imports only `@temporalio/common`, so workflow code may import it by path
 * (`../temporal/search-attributes.ts`) to upsert these keys; the rest of `temporal/`
 * spawns processes and must stay out of the workflow bundle.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { SearchAttributeKey } from '@temporalio/common/lib/search-attributes.js';

export const CairnSearchAttributes = {
  /** The agent's name, as defined with `defineAgent`. */
  agent: defineSearchAttributeKey('CairnAgent', SearchAttributeType.KEYWORD),
  /** The run's state as the workflow reports it (running, waiting, done, ...). */
  state: defineSearchAttributeKey('CairnState', SearchAttributeType.KEYWORD),
  /** The workflow id of the parent run, on sub-agent runs. */
  parentRun: defineSearchAttributeKey('CairnParentRun', SearchAttributeType.KEYWORD),
  /** True while the run waits for a human's answer or approval. */
  waitingForHuman: defineSearchAttributeKey('CairnWaitingForHuman', SearchAttributeType.BOOL),
} as const;

export type CairnSearchAttributeKey = (typeof CairnSearchAttributes)[keyof typeof CairnSearchAttributes];

/** Every key a Temporal namespace must have registered before Cairn runs on it. */
export const CAIRN_SEARCH_ATTRIBUTE_KEYS: readonly SearchAttributeKey<SearchAttributeType>[] =
  Object.values(CairnSearchAttributes);

/** The Temporal CLI's spelling of each type in `--search-attribute Name=Type`. */
const cliTypeNames: Record<SearchAttributeType, string> = {
  TEXT: 'Text',
  KEYWORD: 'Keyword',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

/** `--search-attribute CairnAgent=Keyword ...`, for `temporal server start-dev`. */
export function searchAttributeCliArgs(keys: readonly SearchAttributeKey<SearchAttributeType>[] = CAIRN_SEARCH_ATTRIBUTE_KEYS): string[] {
  return keys.flatMap((key) => ['--search-attribute', `${key.name}=${cliTypeNames[key.type]}`]);
}
