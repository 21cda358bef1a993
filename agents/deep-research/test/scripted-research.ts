/**
 * A scripted model for the deep-research job, playing each of its agents by
 * their instructions: the scoper writes a brief (after one question, when
 * asked to clarify), the planner plans two sub-questions, researchers search
 * the corpus, read the best hit and report a verbatim quote, and the writer
 * cites what the researchers found — plus, on its first draft, one bad
 * citation and one misquote that the citation check must catch.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastMessage, toolResults, type MockRequest, type ScriptedReply } from '@cairn/testing';

export const subQuestions = ['What causes the tides?', 'How do harbours cope with tides?'];

/** A small corpus written for the tests. */
export function writeFixtureCorpus(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-corpus-'));
  mkdirSync(join(dir, 'ports'));
  writeFileSync(
    join(dir, 'tides.md'),
    '# Tides\n\nTides are caused mainly by the gravitational pull of the Moon on the oceans. The Sun adds a smaller pull, which is why spring tides are higher.\n\nMost coasts see two high tides a day.\n',
  );
  writeFileSync(join(dir, 'moon.txt'), 'The Moon orbits the Earth every 27.3 days. Its gravity raises a bulge of water on the side facing it and on the far side.\n');
  writeFileSync(
    join(dir, 'ports', 'harbours.html'),
    '<html><head><title>Harbours and tides</title></head><body><nav>Home | About</nav><article><h1>Harbours and tides</h1><p>Harbours cope with tides by building locks that hold ships at a steady level.</p><p>Floating pontoons rise and fall with the water, so boats can moor at any tide.</p></article><footer>Contact</footer></body></html>',
  );
  return dir;
}

const role = (request: MockRequest) =>
  request.system.startsWith('You scope') ? 'scoper' : request.system.startsWith('You plan') ? 'planner' : request.system.startsWith('You research') ? 'researcher' : 'writer';

export interface ScriptOptions {
  /** The researchers' model calls take this long (to kill a worker during the fan-out). */
  researcherLatencyMs?: number;
  /** The writer's model calls take this long (so a live view polling once a second sees the writing phase). */
  writerLatencyMs?: number;
  /** The writer's report streams, a piece every this many milliseconds (so a live view sees it being written). */
  writerStreamDelayMs?: number;
}

export function researchScript(options: ScriptOptions = {}) {
  return (request: MockRequest): ScriptedReply => {
    const usage = { inputTokens: 200, outputTokens: 100 };
    switch (role(request)) {
      case 'scoper': {
        const task = request.messages[0]!.content;
        const asked = toolResults(request);
        if (!task.includes('Do not ask clarifying questions') && asked.length === 0) {
          return { toolCalls: [{ id: 'clarify', name: 'ask_human', arguments: { question: 'Are you interested in ocean tides or tides in harbours?' } }], usage };
        }
        const answer = asked[0]?.content;
        return { text: `# Brief\nObjective: explain tides.${answer ? `\nThe person said: "${answer}".` : ''}\nSub-questions: causes; harbours.`, usage };
      }
      case 'planner':
        return { text: JSON.stringify({ subQuestions, done: true }), usage };
      case 'researcher': {
        const results = toolResults(request);
        const question = request.messages[0]!.content.split('Your sub-question: ')[1] ?? '';
        const latencyMs = options.researcherLatencyMs;
        if (results.length === 0) return { latencyMs, toolCalls: [{ name: 'search', arguments: { query: question.includes('harbour') ? 'harbours locks pontoons' : 'tides caused gravitational pull Moon' } }], usage };
        if (results.length === 1) {
          const hits = JSON.parse(results[0]!.content) as { results: { id: string }[] };
          return { latencyMs, toolCalls: [{ name: 'read_source', arguments: { id: hits.results[0]!.id, focus: question } }], usage };
        }
        const read = results[1]!.content;
        const id = /^Source: (.+)$/m.exec(read)![1]!;
        const excerpts = read.split('Excerpts (verbatim, quote only from these):\n')[1]!;
        const sentence = excerpts.split(/(?<=\.)\s|\n/).find((candidate) => candidate.trim().split(' ').length >= 5)!.trim();
        return { latencyMs, text: `- ${question} "${sentence.replace(/\.$/, '')}" [source: ${id}]`, usage };
      }
      case 'writer': {
        const task = lastMessage(request)!.content;
        const findings = [...task.matchAll(/"([^"]+)" \[source: ([^\]]+)\]/g)].map((match) => ({ quote: match[1]!, id: match[2]! }));
        const revising = task.includes('These citations failed the check');
        const body = findings.map((finding, index) => `Evidence: "${finding.quote}" [${index + 1}].`);
        const sources = findings.map((finding, index) => `[${index + 1}] Source ${index + 1} — ${finding.id}`);
        if (!revising) {
          body.push('The Moon is made of cheese, as "the moon is made of green cheese" [1].');
          body.push('Some say otherwise [7].');
        }
        return {
          latencyMs: options.writerLatencyMs,
          streamDelayMs: options.writerStreamDelayMs,
          text: `# Tides\n\nA short report.\n\n${body.join('\n\n')}\n\n## Sources\n${sources.join('\n')}`,
          usage: { inputTokens: 400, outputTokens: 300 },
        };
      }
    }
    throw new Error('unreachable');
  };
}
