/**
 * Reads the planner's answer: JSON `{"subQuestions": [...], "done": bool}`,
 * found even when wrapped in prose or a code fence; failing that, the lines of
 * a bulleted list. Pure, so the workflow can use it.
 */
export interface Plan {
  subQuestions: string[];
  /** The planner judged the research complete after this round. */
  done: boolean;
}

export function parsePlan(text: string, maxSubQuestions: number): Plan {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start >= 0 && end > start) {
    try {
      const value = JSON.parse(text.slice(start, end + 1)) as { subQuestions?: unknown; done?: unknown };
      const questions = Array.isArray(value.subQuestions) ? value.subQuestions.filter((item): item is string => typeof item === 'string' && item.trim() !== '') : [];
      return { subQuestions: questions.slice(0, maxSubQuestions).map((question) => question.trim()), done: value.done === true };
    } catch {
      // Not JSON after all: fall through to the list.
    }
  }
  const bullets = text
    .split('\n')
    .map((line) => /^\s*(?:[-*•]|\d+[.)])\s+(.+)$/.exec(line)?.[1]?.trim())
    .filter((line): line is string => Boolean(line));
  return { subQuestions: bullets.slice(0, maxSubQuestions), done: false };
}
