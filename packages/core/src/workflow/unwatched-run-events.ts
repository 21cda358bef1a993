/**
 * The global that tells workflow code its worker has no subscriber for run events (no
 * tracing, no `onRunEvent`): its runs then keep their events to themselves. Each sink call
 * is cloned twice on its way out of the workflow thread, a tenth of a millisecond a step
 * for nobody. The worker sets it in the bundle's code (`withRunEventsUnwatched`).
 */
export const unwatchedRunEventsFlag = '__cairnRunEventsUnwatched';
