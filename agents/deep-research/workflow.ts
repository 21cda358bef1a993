/**
 * The deep-research job, as a Temporal workflow: scope the question (asking
 * the person when it is vague), plan sub-questions, research them with
 * researcher sub-agents in parallel, write a cited report, and check every
 * citation against the sources actually read. Each step is a child agent run
 * with its own slice of the job's budget, so the job survives crashes step by
 * step and never spends more than it was given.
 *
 * Deterministic code only: the agents do the thinking, activities the I/O.
 */
import { patched, proxyActivities, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import {
  CairnSearchAttributes,
  RunBudget,
  Semaphore,
  addBudgetSignal,
  addUsage,
  defaultBudgetPolicy,
  failureMessage,
  newRunStatus,
  parseAmount,
  refuseForgedInput,
  runChildAgent,
  statusQuery,
  type AgentRunInput,
  type CairnActivities,
  type AgentRunResult,
  type ChildRun,
  type RunOptions,
  type RunStatus,
  type TranscriptRef,
} from '@cairn/core/workflow-lib';
import type { ResearchActivities } from './activities.ts';
import { parsePlan } from './plan.ts';
import { corpusSetting, researchAgentNames } from './names.ts';

export interface ResearchInput {
  question: string;
  /** Ask the person clarifying questions when the question is vague. */
  clarify: boolean;
  budget?: { tokens: number; usd?: number };
  /** `provider:model` for every agent of the job. */
  model?: string;
  /** Research over this folder of documents instead of the web. */
  corpus?: string;
  /** At most this many rounds of planning and research. Default 2. */
  rounds?: number;
  /** Researchers at once. Default 3. */
  concurrency?: number;
  /** Sub-questions per round at most. Default 4. */
  maxSubQuestions?: number;
  /** Timeouts for the agents' activities (tests shorten them). */
  options?: Pick<RunOptions, 'heartbeatTimeoutMs' | 'modelCallTimeoutMs' | 'toolTimeoutMs'>;
}

export type ResearchPhase = 'scoping' | 'planning' | 'researching' | 'writing' | 'checking' | 'done';

export interface ResearchStatus extends RunStatus {
  phase: ResearchPhase;
  question: string;
  brief?: string;
  /** Source ids the researchers' findings cite. */
  sources: string[];
  partial: boolean;
  partialReasons: string[];
}

export interface ResearchResult extends AgentRunResult {
  brief: string;
  /** The report: `output` as well, so every Cairn tool shows it. */
  report: string;
  partial: boolean;
  citations: { total: number; verified: number };
}

interface CitationCheck {
  report: string;
  total: number;
  verified: number;
  failures: { citation: number; reason: string; quote?: string }[];
}

interface Finding {
  question: string;
  text: string;
}

/** Shares of the job's token budget; researchers split what the others leave. */
const shares = { scope: 0.08, plan: 0.04, write: 0.2, revise: 0.1 };
const floorTokens = 800;

export async function deepResearchWorkflow(input: ResearchInput): Promise<ResearchResult> {
  refuseForgedInput(input);
  const runId = workflowInfo().workflowId;
  const { runTool } = proxyActivities<CairnActivities>({ startToCloseTimeout: '5m', retry: { maximumAttempts: 5 } });
  const { checkCitations: checkCitationsActivity } = proxyActivities<ResearchActivities>({ startToCloseTimeout: '5m', retry: { maximumAttempts: 5 } });
  const limits = { tokens: input.budget?.tokens ?? 400_000, ...(input.budget?.usd !== undefined ? { usd: input.budget.usd } : {}) };
  const budget = new RunBudget(defaultBudgetPolicy(limits), limits, undefined);
  const status: ResearchStatus = {
    ...newRunStatus({ runId, agent: 'deep-research', model: input.model, state: 'running_tools' }),
    phase: 'scoping',
    question: input.question,
    sources: [],
    partial: false,
    partialReasons: [],
  };
  setHandler(statusQuery, () => ({ ...status, budget: budget.status }));
  /** What the steps learned of the provider's token counts, handed to the next steps. */
  let inputCalibration = 1;
  setHandler(addBudgetSignal, (payload) => {
    // A bad top-up is recorded and the job goes on; thrown here, it would fail the workflow task forever.
    try {
      budget.topUp(parseAmount(payload));
    } catch (error) {
      status.rejected.push({ at: Date.now(), message: (error as Error).message });
    }
  });

  const setPhase = (phase: ResearchPhase) => {
    status.phase = phase;
    upsertSearchAttributes([{ key: CairnSearchAttributes.state, value: phase === 'done' ? 'completed' : phase }]);
  };
  const markPartial = (reason: string) => {
    status.partial = true;
    status.partialReasons.push(reason);
  };

  /** Runs one agent as a child with a slice of the budget; undefined when the budget cannot pay for it. */
  async function runAgent(suffix: string, agent: string, task: string, tokens: number, options: RunOptions = {}): Promise<AgentRunResult | undefined> {
    const reservation = `child:${suffix}`;
    const slice = budget.reserveSlice(reservation, tokens, floorTokens);
    if (!slice.ok) {
      markPartial(`${agent} not run: ${slice.reason}`);
      return undefined;
    }
    const child: ChildRun = { runId: `${runId}.${suffix}`, agent, toolCallId: suffix, state: 'running', budget: slice.limits };
    status.children.push(child);
    const childInput: AgentRunInput = {
      agent,
      input: task,
      options: {
        ...input.options,
        ...options,
        ...(input.model ? { model: input.model } : {}),
        ...(input.corpus ? { toolSettings: { [corpusSetting]: input.corpus } } : {}),
      },
      parent: { runId, depth: 1, maxDepth: 1 },
      budget: slice.limits,
      inputCalibration,
    };
    try {
      const result = await runChildAgent({ child, input: childInput, parentRunId: runId, budget, reservation });
      status.usage = addUsage(status.usage, result.usage);
      inputCalibration = Math.max(inputCalibration, result.inputCalibration ?? 1);
      if (result.status === 'budget_exhausted') markPartial(`${agent} ran out of budget`);
      if (result.status === 'truncated') markPartial(`${agent}'s answer was cut off at its output limit`);
      if (result.outputRef) markPartial(`${agent}'s answer was too large to carry whole; only its beginning was used`);
      return result;
    } catch (error) {
      child.state = 'failed';
      child.error = (error as Error).message;
      markPartial(`${agent} failed: ${child.error}`);
      return undefined;
    }
  }

  const share = (fraction: number) => Math.floor(budget.ledger.limits.tokens * fraction);

  // 1. Scoping: a brief, after clarifying questions when the question needs them.
  setPhase('scoping');
  const scoped = await runAgent(
    'scope',
    researchAgentNames.scoper,
    input.clarify ? input.question : `${input.question}\n\n(Do not ask clarifying questions: write the brief from the question as it is.)`,
    share(shares.scope),
    { unattended: !input.clarify },
  );
  const brief = scoped?.output.trim() || input.question;
  status.brief = brief;

  // 2. Planning and research, in rounds.
  const findings: Finding[] = [];
  /** The researchers' conversations: where the citation check finds every source they read. */
  const researched: TranscriptRef[] = [];
  const rounds = input.rounds ?? 2;
  const slots = new Semaphore(input.concurrency ?? 3);
  for (let round = 1; round <= rounds; round += 1) {
    status.turn = round;
    setPhase('planning');
    const planned = await runAgent(
      `plan-${round}`,
      researchAgentNames.planner,
      [`Research brief:\n${brief}`, findings.length > 0 ? `Already researched:\n${findings.map((finding) => `- ${finding.question}`).join('\n')}` : 'Nothing has been researched yet.', `Round ${round} of at most ${rounds}.`].join('\n\n'),
      share(shares.plan),
    );
    if (!planned) break;
    const plan = parsePlan(planned.output, input.maxSubQuestions ?? 4);
    if (plan.subQuestions.length === 0) break;

    setPhase('researching');
    const keep = share(shares.write) + share(shares.revise);
    const perResearcher = Math.floor((budget.ledger.remaining('tokens') - keep) / plan.subQuestions.length);
    const results = await Promise.all(
      plan.subQuestions.map((question, index) =>
        slots.run(() => runAgent(`r${round}-${index + 1}`, researchAgentNames.researcher, `Research brief:\n${brief}\n\nYour sub-question: ${question}`, perResearcher)),
      ),
    );
    results.forEach((result, index) => {
      if (result) researched.push(result.transcript);
      if (result && result.output.trim() !== '') findings.push({ question: plan.subQuestions[index]!, text: result.output });
    });
    status.sources = [...new Set(findings.flatMap((finding) => citedSourceIds(finding.text)))];
    if (plan.done) break;
  }

  // 3. Writing, from the brief and the compressed findings only.
  setPhase('writing');
  const findingsText = findings.map((finding, index) => `### Finding ${index + 1}: ${finding.question}\n${finding.text}`).join('\n\n');
  const writerTask = `Research brief:\n${brief}\n\nFindings (sources quoted verbatim):\n\n${findingsText || '(no findings)'}`;
  // The report is what a person waits for: it streams, so `cairn watch` shows it as it is written.
  const writerOptions = patched('cairn-stream-the-report') ? { stream: true } : {};
  const written = findings.length > 0 ? await runAgent('write', researchAgentNames.writer, writerTask, budget.ledger.remaining('tokens') - share(shares.revise), writerOptions) : undefined;
  if (findings.length === 0) markPartial('no findings were gathered');
  let report = written?.output.trim() || fallbackReport(input.question, brief, findings);

  // 4. Citation check against the sources actually read; one revision, then anything still wrong is removed.
  setPhase('checking');
  let check = await checkCitations(report);
  if (check.failures.length > 0 && written) {
    const revised = await runAgent(
      'revise',
      researchAgentNames.writer,
      `${writerTask}\n\nYour report:\n\n${report}\n\nThese citations failed the check against the sources:\n${check.failuresText}\nRewrite the report fixing them (quote only text that appears in the findings) or removing them. Output the whole report.`,
      budget.ledger.remaining('tokens'),
    );
    if (revised?.output.trim()) check = await checkCitations(revised.output.trim());
  }
  report = check.report;
  if (status.partial) {
    report = `> **Partial report**: the job could not finish everything it planned (${status.partialReasons.join('; ')}). What follows may be incomplete.\n\n${report}`;
  }

  setPhase('done');
  status.state = status.partial ? 'budget_exhausted' : 'completed';
  status.output = report;
  return {
    runId,
    agent: 'deep-research',
    status: status.partial ? 'budget_exhausted' : 'completed',
    output: report,
    report,
    brief,
    partial: status.partial,
    citations: { total: check.total, verified: check.verified },
    turns: status.turn,
    usage: status.usage,
    transcript: { head: null, length: 0 },
    children: status.children,
    costUsd: budget.costUsd,
    usageByAgent: budget.byAgent,
    usageByModel: budget.byModel,
    budget: budget.status,
  };

  async function checkCitations(text: string): Promise<CitationCheck & { failuresText: string }> {
    const summary = `check_citations of a ${text.length.toLocaleString('en-US')}-character report against ${researched.length} researchers' sources`;
    let check: CitationCheck;
    try {
      check = patched('cairn-citation-check-activity')
        ? await checkCitationsActivity.executeWithOptions({ summary }, [{ report: text, transcripts: researched }])
        : await checkCitationsByTool(text, summary);
    } catch (error) {
      // Retried and still failing (a source record that no worker can read): say so, and keep the report unchecked rather than strike it.
      markPartial(`the citations could not be checked: ${failureMessage(error)}`);
      return { report: text, total: 0, verified: 0, failures: [], failuresText: '' };
    }
    const failuresText = check.failures.map((failure) => `- [${failure.citation}] ${failure.reason}${failure.quote ? `: "${failure.quote}"` : ''}`).join('\n');
    return { ...check, failuresText };
  }

  /** Jobs started before the check became an activity ran it as the writer's internal tool; they still do. */
  async function checkCitationsByTool(text: string, summary: string): Promise<CitationCheck> {
    const result = await runTool.executeWithOptions({ summary }, [
      {
        runId,
        agent: researchAgentNames.writer,
        toolCallId: `check-${status.children.length}`,
        toolName: 'check_citations',
        arguments: JSON.stringify({ report: text, transcripts: researched }),
        returnContent: true,
      },
    ]);
    if (result.isError || result.content === undefined) throw new Error(`the citation check failed: ${result.preview}`);
    return JSON.parse(result.content) as CitationCheck;
  }
}

/** Source ids researchers cite as `[source: <id>]`. */
function citedSourceIds(text: string): string[] {
  return [...text.matchAll(/\[source:\s*([^\]\s]+)\s*\]/g)].map((match) => match[1]!);
}

/** When no writer could run: the findings as they are, under the brief. */
function fallbackReport(question: string, brief: string, findings: Finding[]): string {
  const body = findings.length > 0 ? findings.map((finding) => `## ${finding.question}\n\n${finding.text}`).join('\n\n') : 'No findings were gathered before the budget ran out.';
  return `# ${question}\n\n${brief}\n\n${body}`;
}
