// Tools of the deep-research agent. Activity-side code: never import it from workflow code.

export { ToolError, SearchProviderError, NoSearchProviderError, PageFetchError, CorpusError, type ToolErrorKind, type PageFetchErrorCode } from './errors.ts';

// Web search
export type { SearchProvider, SearchResult, SearchOptions, SearchProviderFactory, HttpProviderOptions } from './web-search/search-provider.ts';
export { tavilyProvider, tavilyFactory, type TavilyOptions } from './web-search/tavily.ts';
export { braveProvider, braveFactory, type BraveOptions } from './web-search/brave.ts';
export { searxngProvider, searxngFactory, type SearxngOptions } from './web-search/searxng.ts';
export { selectSearchProvider, searchProviderFactories } from './web-search/select-provider.ts';
export { webSearchTool, type WebSearchToolOptions, type WebSearchOutput } from './web-search/web-search-tool.ts';

// Page fetch and extraction
export { fetchPage, type FetchPageOptions, type FetchedPage } from './page-fetch/fetch-page.ts';
export { fetchPageTool, type FetchPageToolOptions } from './page-fetch/fetch-page-tool.ts';
export { isPrivateAddress } from './page-fetch/address-guard.ts';
// Extraction runs off the event loop (extract-off-thread.ts); the synchronous extractor, and the HTML parser it loads, stay internal.
export type { ReadableText } from './extract/readable.ts';

// Local corpus
export { Corpus, type CorpusOptions, type CorpusHit, type CorpusDocumentInfo } from './corpus/corpus.ts';
export { CorpusCache } from './corpus/corpus-cache.ts';
export { corpusTools, corpusSearchTool, corpusReadTool, type CorpusToolsOptions, type CorpusSearchOutput, type CorpusReadOutput } from './corpus/corpus-tools.ts';
export { splitPassages, type PassageSpan } from './corpus/passages.ts';
export type { CorpusDocument, SkippedFile } from './corpus/load-documents.ts';
